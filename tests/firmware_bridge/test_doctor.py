"""The bridge's part of `listen doctor`: the serial port check on a real pty and on bad paths."""

from __future__ import annotations

import os
from pathlib import Path

from core.doctor import FAIL, OK, SKIP
from firmware_bridge.doctor import check_serial
from firmware_bridge.settings import BridgeSettings, load_bridge_settings


def with_settings(text: str, tmp_path: Path) -> BridgeSettings:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return load_bridge_settings(path)


def test_serial_cases(tmp_path):
    assert check_serial(BridgeSettings()).status == SKIP
    master, slave = os.openpty()
    try:
        tty = os.ttyname(slave)
        check = check_serial(with_settings(f'[bridge]\nport = "{tty}"\n', tmp_path))
        assert check.status == OK and "readable and writable" in check.summary
    finally:
        os.close(master)
        os.close(slave)
    check = check_serial(with_settings(f'[bridge]\nport = "{tmp_path / "ttyNOPE"}"\n', tmp_path))
    assert check.status == FAIL and "does not exist (ports seen:" in check.summary and "plug in the MCU" in check.fix
    (tmp_path / "plain").write_text("")
    check = check_serial(with_settings(f'[bridge]\nport = "{tmp_path / "plain"}"\n', tmp_path))
    assert check.status == FAIL and "is not a character device" in check.summary
