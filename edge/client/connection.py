"""One connection to the daemon, read and written one protocol line at a time.

Connecting retries a full backlog (EAGAIN) and a refused connection (a daemon starting or
restarting) with bounded backoff for `CONNECT_RETRY_S`; a daemon that cannot be reached
raises `DaemonError` naming the address and why (no socket, nothing listening, or a full
backlog). Both the request client (requests.py) and the event stream (events.py) talk
through a `LineConnection`.
"""

from __future__ import annotations

import errno
import socket
import time
from pathlib import Path

from core.backoff import Backoff
from edge.client.address import parse_address
from edge.errors import DaemonError
from edge.protocol import MAX_LINE_BYTES, Message, decode_server_message

CONNECT_RETRY_S = 5.0  # how long a connect retries a full backlog or a refused connection
# Errors worth retrying: EAGAIN = the unix socket's backlog is full (a burst of clients);
# ECONNREFUSED = nothing accepts yet (a daemon restarting, or a stale socket file).
_RETRY_CONNECT = {errno.EAGAIN: "its listen backlog stayed full: the daemon is overloaded or stuck",
                  errno.ECONNREFUSED: "nothing accepts connections there: the daemon stopped or crashed (a stale socket?)"}


class ConnectionClosed(DaemonError):
    """The daemon closed the connection (it restarted, stopped, or dropped the client)."""


class LineConnection:
    """One connected socket, read and written one protocol line at a time."""

    def __init__(self, address: str | Path | None, timeout_s: float | None, retry_s: float | None = None) -> None:
        family, self.address = parse_address(address)
        self.sock = _connect(family, self.address, timeout_s, CONNECT_RETRY_S if retry_s is None else retry_s)
        self._buf = bytearray()

    def send(self, message: Message) -> None:
        try:
            self.sock.sendall(message.encode())
        except (BrokenPipeError, ConnectionResetError):
            # The daemon closed first (a full daemon refuses with `busy`, an idle connection is
            # told `idle_timeout`): keep its last line, if it left one, for `recv` to return.
            if not self._take_pending():
                raise

    def _take_pending(self) -> bool:
        """Move what the closed peer left unread into the buffer; True if it holds a whole line."""
        try:
            while True:
                chunk = self.sock.recv(65536, socket.MSG_DONTWAIT)
                if not chunk or len(self._buf) > MAX_LINE_BYTES:
                    break
                self._buf += chunk
        except OSError:
            pass
        return b"\n" in self._buf

    def recv(self) -> Message:
        """The next message; DaemonError at end of stream, ProtocolError on a bad line."""
        while True:
            nl = self._buf.find(b"\n")
            if nl >= 0:
                line = bytes(self._buf[:nl])
                del self._buf[: nl + 1]
                return decode_server_message(line.rstrip(b"\r"))
            if len(self._buf) > MAX_LINE_BYTES:
                raise DaemonError(f"the daemon at {self.address} sent a line over {MAX_LINE_BYTES} bytes")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionClosed(f"the daemon at {self.address} closed the connection")
            self._buf += chunk

    def interrupt(self) -> None:
        """Wake a `recv` blocked in another thread (it then ends as a closed connection)."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        self.interrupt()
        self.sock.close()


def _connect(family: int, address: str | tuple[str, int], timeout_s: float | None, retry_s: float) -> socket.socket:
    """A connected socket; EAGAIN and ECONNREFUSED are retried with backoff for `retry_s` seconds.

    The connect itself has a timeout (a TCP handshake is bounded; a unix connect is then
    non-blocking and fails with EAGAIN at once while the daemon's backlog is full, which is
    retried here); `timeout_s` applies to the connected socket.
    """
    deadline = time.monotonic() + retry_s
    backoff = Backoff(0.005, 2.0, 0.2)  # a burst drains in milliseconds; a restart takes ~1 s
    while True:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(max(retry_s, 0.1))
            sock.connect(address)
            sock.settimeout(timeout_s)
            return sock
        except OSError as err:
            sock.close()
            retry = err.errno in _RETRY_CONNECT and time.monotonic() < deadline
            if not retry:
                raise DaemonError(f"cannot connect to the daemon at {address}: {_connect_failure(err, retry_s)}") from err
        time.sleep(min(backoff.next_delay(), max(0.0, deadline - time.monotonic())))


def _connect_failure(err: OSError, retry_s: float) -> str:
    why = _RETRY_CONNECT.get(err.errno)
    if why is not None:
        return f"{err.strerror} for {retry_s:g} s: {why}"
    if isinstance(err, FileNotFoundError):
        return "no socket there; is `listen serve` running (and is this its --socket)?"
    if isinstance(err, PermissionError):
        return f"{err.strerror}: the socket's mode or group does not admit this user"
    return f"{err}; is `listen serve` running?"
