"""A pty pair standing in for the UART cable, reachable at a stable path.

The MCU simulator keeps the master end; the bridge opens the slave through `path`, a
symlink (like /dev/serial/by-id/...), because each new pty gets a new /dev/pts/N name.
`unplug()` closes both ends and removes the link, which is what the bridge sees when a
USB-serial adapter is pulled; `plug()` makes a fresh pty and points the link at it.
"""

from __future__ import annotations

import os
import tty
from pathlib import Path
from typing import Callable

from firmware_bridge.errors import TransportError
from firmware_bridge.uart.port import FdTransport


class PtyCable:
    def __init__(self, path: Path | str | None = None) -> None:
        self.link_path = Path(path) if path is not None else None
        self.master: int | None = None
        self._slave: int | None = None  # kept open so the master survives the bridge reconnecting
        self.slave_name: str | None = None

    @property
    def path(self) -> str:
        """Where the host side opens the port."""
        if self.link_path is not None:
            return str(self.link_path)
        if self.slave_name is None:
            raise TransportError("the pty cable is unplugged and has no stable path; pass a path")
        return self.slave_name

    @property
    def plugged(self) -> bool:
        return self.master is not None

    def plug(self) -> str:
        if self.plugged:
            return self.path
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo or line editing, even before the host opens and configures it
        os.set_blocking(master, False)  # FdTransport drops bytes nobody reads instead of blocking
        self.master, self._slave = master, slave
        self.slave_name = os.ttyname(slave)
        if self.link_path is not None:
            tmp = self.link_path.with_name(self.link_path.name + ".tmp")
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()
            tmp.symlink_to(self.slave_name)
            os.replace(tmp, self.link_path)  # atomic: the host never sees a half-made link
        return self.path

    def unplug(self, before_close: Callable[[], None] | None = None) -> None:
        """Pull the cable. `before_close` runs once new opens fail and before the fds close:
        the simulator uses it to take its reader off the master first."""
        if self.link_path is not None and self.link_path.is_symlink():
            self.link_path.unlink()
        fds = (self.master, self._slave)
        self.master = self._slave = None
        if before_close is not None:
            before_close()
        for fd in fds:
            if fd is not None:
                os.close(fd)

    def open_transport(self) -> FdTransport:
        """The simulator's end; TransportError while unplugged."""
        if self.master is None:
            raise TransportError("pty cable is unplugged")
        return FdTransport(self.master, name=f"pty master of {self.slave_name}")
