"""Where the daemon listens: the default socket path and the address forms a client may name.

Addresses: a path or `unix:///path` (the default), or `tcp://127.0.0.1:PORT`.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from edge.errors import DaemonError

SOCKET_ENV = "LISTEN_SOCKET"  # overrides the default socket path (the daemon and the bridge read it too)


def default_socket_path() -> Path:
    """`$LISTEN_SOCKET`, else `$XDG_RUNTIME_DIR/listen/daemon.sock`, else `~/.cache/listen/daemon.sock`."""
    if os.environ.get(SOCKET_ENV):
        return Path(os.environ[SOCKET_ENV]).expanduser()
    if os.environ.get("XDG_RUNTIME_DIR"):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "listen" / "daemon.sock"
    return Path("~/.cache/listen/daemon.sock").expanduser()


def parse_address(address: str | Path | None) -> tuple[int, str | tuple[str, int]]:
    """(socket family, address) from a path, `unix://PATH` or `tcp://HOST:PORT`."""
    if address is None:
        return socket.AF_UNIX, str(default_socket_path())
    text = str(address)
    if text.startswith("tcp://"):
        host, sep, port = text[len("tcp://") :].rpartition(":")
        if not sep or not port.isdigit():
            raise DaemonError(f"bad daemon address {text!r}; write tcp://127.0.0.1:PORT")
        host = host.strip("[]")
        return (socket.AF_INET6 if ":" in host else socket.AF_INET), (host, int(port))
    if text.startswith("unix://"):
        text = text[len("unix://") :]
    return socket.AF_UNIX, str(Path(text).expanduser())
