"""The frame of `listen doctor` (core/doctor.py): one line per check, crashes contained, and the
checks composed from every package's `listen.doctor` entry point in the settings file's order."""

from __future__ import annotations

from core.doctor import FAIL, Check, contributions, run_checks


def test_a_crashing_check_is_a_fail_line_not_a_traceback():
    def broken(settings):
        raise RuntimeError("driver exploded")

    (check,) = run_checks(object(), [("gpu", broken)])
    assert check.status == FAIL and "RuntimeError: driver exploded" in check.summary


def test_a_check_is_one_line_with_its_fix():
    line = Check("audio", FAIL, "no device\n(really)", "plug\none in").line()
    assert line == "FAIL  audio       no device (really); fix: plug one in"


def test_each_package_contributes_the_checks_of_its_own_table():
    parts = contributions()
    assert [p.SECTION for p in parts] == ["serve", "bridge"]
    assert [p.__name__ for p in parts] == ["edge.doctor", "firmware_bridge.doctor"]
    names = [name for p in parts for name, _ in p.CHECKS]
    assert names == ["system", "audio", "onnxruntime", "llama.cpp", "bundle", "socket", "mqtt", "serial"]
