"""The byte ports under the link: a pyserial port (host) and a raw fd (simulator's pty end).

Bytes in, bytes out, nothing about frames (frame.py) or when to reconnect (runner.py).
Each transport owns one OS handle, closes it in `close()` (also via `with`), and turns
every OS or pyserial failure into `TransportError`, which the runner answers by
reconnecting with `Backoff`. `read()` waits at most `read_timeout_s` and returns b""
when idle.
"""

from __future__ import annotations

import os
import select
from typing import Protocol

from firmware_bridge.errors import TransportError
from firmware_bridge.uart.protocol import DEFAULT_BAUD

READ_TIMEOUT_S = 0.02  # how long a read waits for the first byte; the link's timer granularity
READ_CHUNK = 512  # bytes per read at most (7 max-size frames)


class Transport(Protocol):
    def read(self) -> bytes: ...
    def write(self, data: bytes) -> None: ...
    def close(self) -> None: ...


class SerialTransport:
    """A serial port opened with pyserial, 8N1, no flow control."""

    def __init__(self, port: str, baud: int = DEFAULT_BAUD, read_timeout_s: float = READ_TIMEOUT_S) -> None:
        import serial  # the `bridge` extra; imported here so the protocol modules need no pyserial

        self.port = port
        try:
            # exclusive: a second bridge on the same UART would steal half of every frame
            self._serial = serial.Serial(port, baud, timeout=read_timeout_s, write_timeout=1.0, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as err:
            raise TransportError(f"cannot open serial port {port} at {baud} baud: {err}") from err
        self._errors = (serial.SerialException, OSError)

    def read(self) -> bytes:
        try:
            data = self._serial.read(1)  # blocks up to the timeout for the first byte
            waiting = self._serial.in_waiting if data else 0
            return data + self._serial.read(min(waiting, READ_CHUNK)) if waiting else data
        except self._errors as err:
            raise TransportError(f"serial port {self.port} read failed (unplugged?): {err}") from err

    def write(self, data: bytes) -> None:
        try:
            self._serial.write(data)
        except self._errors as err:
            raise TransportError(f"serial port {self.port} write failed (unplugged?): {err}") from err

    def close(self) -> None:
        try:
            self._serial.close()
        except self._errors:
            pass  # closing a vanished device: nothing left to release

    def __enter__(self) -> SerialTransport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FdTransport:
    """A raw file descriptor (a pty master); it does not own the fd, `close()` only detaches.

    Give it a non-blocking fd: a write that finds the buffer full drops the bytes, as a
    UART does when nobody listens, instead of hanging the simulator.
    """

    def __init__(self, fd: int, name: str = "fd", read_timeout_s: float = READ_TIMEOUT_S) -> None:
        self.fd = fd
        self.name = name
        self.read_timeout_s = read_timeout_s
        self.dropped_bytes = 0  # written while the other end's buffer was full
        self._closed = False

    def read(self) -> bytes:
        if self._closed:
            raise TransportError(f"{self.name} is closed")
        try:
            ready, _, _ = select.select([self.fd], [], [], self.read_timeout_s)
            if not ready:
                return b""
            data = os.read(self.fd, READ_CHUNK)
        except (OSError, ValueError) as err:
            raise TransportError(f"{self.name} read failed: {err}") from err
        if not data:
            raise TransportError(f"{self.name} reached end of file (the other end hung up)")
        return data

    def write(self, data: bytes) -> None:
        if self._closed:
            raise TransportError(f"{self.name} is closed")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view) :]
        except BlockingIOError:
            self.dropped_bytes += len(view)  # nobody reading the other end: a UART loses them too
        except OSError as err:
            raise TransportError(f"{self.name} write failed: {err}") from err

    def close(self) -> None:
        self._closed = True

