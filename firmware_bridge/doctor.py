"""The bridge's part of `listen doctor` (core/doctor.py): can `listen bridge` reach its MCU?

  serial       the bridge's port: exists, is a tty, read/write for this user (never opened:
               a running bridge holds it exclusively, and opening it may reset the MCU)
"""

from __future__ import annotations

import argparse
import glob
import os
import stat
from pathlib import Path
from typing import Callable

from core.doctor import FAIL, OK, SKIP, Check, group_name, me, user_name
from firmware_bridge.settings import BridgeSettings, load_bridge_settings

SECTION = "bridge"
SETTINGS = BridgeSettings
SERIAL_GLOBS = ("/dev/serial/by-id/*", "/dev/ttyUSB*", "/dev/ttyACM*", "/dev/ttyTHS*", "/dev/ttyAMA*")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", help="check this serial port [bridge.port]")


def load_settings(args: argparse.Namespace) -> BridgeSettings:
    return load_bridge_settings(args.config, {"bridge.port": args.port})


def check_serial(s: BridgeSettings) -> Check:
    port = s.port
    if port is None:
        return Check("serial", SKIP, "no bridge port configured (`port` under [bridge]); the bridge is optional")
    try:
        import serial  # noqa: F401  (the bridge needs it; the port itself is not opened)
    except ImportError as err:
        return Check("serial", FAIL, f"pyserial is not installed ({err})", "pip install 'listen-edge[bridge]'")
    path = Path(port)
    if not path.exists():
        seen = sorted({p for pattern in SERIAL_GLOBS for p in glob.glob(pattern)})
        return Check("serial", FAIL, f"serial port {port} does not exist (ports seen: {', '.join(seen) or 'none'})",
                     "plug in the MCU, or set `port` under [bridge] to one of the ports seen (prefer /dev/serial/by-id/...)")
    real = path.resolve()
    st = os.stat(real)
    owner = f"owner {user_name(st.st_uid)}:{group_name(st.st_gid)}, mode 0o{stat.S_IMODE(st.st_mode):o}"
    shown = f"{port}" + (f" -> {real}" if real != path else "")
    if not stat.S_ISCHR(st.st_mode):
        return Check("serial", FAIL, f"{shown} is not a character device ({owner})", "set `port` under [bridge] to the MCU's tty")
    if not os.access(real, os.R_OK | os.W_OK):
        group = group_name(st.st_gid)
        return Check("serial", FAIL, f"{shown}: {me()} may not read and write it ({owner})",
                     f"add the user to group {group} (usermod -aG {group} {me()}, then log in again), "
                     f"or SupplementaryGroups={group} in the unit")
    return Check("serial", OK, f"{shown} ({owner}) is readable and writable by {me()}; not opened (a running bridge holds it)")


CHECKS: list[tuple[str, Callable[[BridgeSettings], Check]]] = [("serial", check_serial)]
