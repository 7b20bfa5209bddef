"""The fetcher's cache: a tiny .deb built with dpkg-deb, extracted once, then left alone."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest

from tests.training.corpus.sources.rcc_helpers import rcc_bytes
from training.corpus.sources import debian
from training.corpus.sources.debian import InnerArchive, SourcePackage, fetch, read_stamp
from tests.training.corpus.sources.deb_helpers import build_deb
from training.errors import SourceFetchError

pytestmark = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")


def _deb(tmp_path, name="tinysnd"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("audio/a.wav", b"a")
        z.writestr("art/b.png", b"b")
    return build_deb(tmp_path, name, "1.2-3", {
        "usr/share/games/t/sounds/moo.ogg": b"moo", "usr/share/games/t/readme.txt": b"not audio",
        "usr/share/games/t/data.zip": buf.getvalue(),
        "usr/share/games/t/act.rcc": rcc_bytes({"baa.ogg": (b"baa", 0), "icon.svg": (b"<svg/>", 0)})})


def test_extracts_only_sounds_and_copyright_once(tmp_path, monkeypatch):
    monkeypatch.setenv("LISTEN_HOME", str(tmp_path / "home"))
    _deb(tmp_path)
    spec = SourcePackage("tinysnd", archives=(InnerArchive("usr/share/games/t/data.zip", ("audio/*",), "data"),))
    out = fetch(spec, progress=False)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [".stamp.json", "data/audio/a.wav", "usr/share/doc/tinysnd/copyright",
                     "usr/share/games/t/sounds/moo.ogg"]
    assert read_stamp(out)["version"] == "1.2-3"

    def boom(*a, **k):
        raise AssertionError("a rerun must not extract again")

    monkeypatch.setattr(debian, "extract", boom)
    assert fetch(spec, progress=False) == out  # stamped: nothing to do


def test_sounds_inside_a_qt_resource_file_are_extracted(tmp_path, monkeypatch):
    monkeypatch.setenv("LISTEN_HOME", str(tmp_path / "home"))
    _deb(tmp_path)
    spec = SourcePackage("tinysnd", members=(), archives=(
        InnerArchive("usr/share/games/t/act.rcc", ("*.ogg",), "rcc", format="rcc"),))
    out = fetch(spec, progress=False)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [".stamp.json", "rcc/snd/baa.ogg", "usr/share/doc/tinysnd/copyright"]
    assert (out / "rcc/snd/baa.ogg").read_bytes() == b"baa"


def test_a_corrupt_deb_is_an_error_naming_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("LISTEN_HOME", str(tmp_path / "home"))
    deb = _deb(tmp_path)
    deb.write_bytes(b"not a deb")
    with pytest.raises(SourceFetchError, match="not a valid Debian package.*delete it and rerun"):
        fetch(SourcePackage("tinysnd"), progress=False)


def test_a_failed_download_names_the_package_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("LISTEN_HOME", str(tmp_path / "home"))

    def fail(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 100, "", "E: Unable to locate package nosuchpkg")

    monkeypatch.setattr(debian.subprocess, "run", fail)
    with pytest.raises(SourceFetchError, match=r"apt-get download nosuchpkg failed.*apt-get update"):
        debian.download("nosuchpkg", tmp_path / "home" / "sources" / "debian")
