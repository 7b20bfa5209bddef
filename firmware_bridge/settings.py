"""The bridge's table of the settings file: [bridge] and [bridge.mapping] (core.settings).

    [bridge]             serial port, baud rate, the daemon's socket
    [bridge.mapping]     buttons and LEDs (firmware_bridge.controller.BridgeConfig)

The daemon's socket is written once in the file: unless [bridge] names its own `daemon`,
the bridge dials [serve.socket] `path`, read from the same file (the daemon's table is the
daemon's; only that one key is read here, as a path relative to the file).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.binding import allowed, between
from core.errors import ConfigError
from core.settings import load_section, path_value, read_settings
from firmware_bridge.controller import BridgeConfig
from firmware_bridge.uart.protocol import DEFAULT_BAUD


@dataclass(frozen=True)
class BridgeSettings:
    """[bridge]: the UART bridge to the speaker's microcontroller."""

    # serial device of the MCU, e.g. /dev/ttyUSB0; required (here or --port)
    port: str | None = field(default=None, metadata=allowed(lambda v: bool(v.strip()), "a serial device path, e.g. /dev/ttyUSB0"))
    # bits/s, 8N1; must match the firmware
    baud: int = field(default=DEFAULT_BAUD, metadata=between(0, None, lo_open=True, unit="bits/s, e.g. 115200"))
    daemon: Path | None = None  # the daemon's socket; unset: [serve.socket] path, else $LISTEN_SOCKET, else $XDG_RUNTIME_DIR/...
    mapping: BridgeConfig = BridgeConfig()


def load_bridge_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> BridgeSettings:
    """[bridge] of the settings file at `path` (None: defaults), with `overrides` ({"bridge.port": ...}) on top;
    `daemon` falls back to the file's [serve.socket] path."""
    if path is None:
        return load_section(BridgeSettings, "bridge", None, overrides)
    path = Path(path).expanduser()
    tables = read_settings(path)  # once: [bridge], and the one key of [serve] it needs
    settings = load_section(BridgeSettings, "bridge", path, overrides, tables)
    if settings.daemon is None:
        serve_socket = _serve_socket_path(tables, path)
        if serve_socket is not None:
            settings = dataclasses.replace(settings, daemon=serve_socket)
    return settings


def _serve_socket_path(tables: dict[str, Any], path: Path) -> Path | None:
    socket = tables.get("serve", {})
    socket = socket.get("socket", {}) if isinstance(socket, dict) else {}
    value = socket.get("path") if isinstance(socket, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: serve.socket.path = {value!r} has the wrong type; allowed: a non-empty path string")
    return path_value(value, path.resolve().parent)
