"""One client connection of the daemon: a reader thread that handles requests in order and a
writer thread that drains a bounded queue (events to a slow reader are dropped, not waited for).

Malformed lines get an `error` reply and the connection stays open (PROTOCOL.md): a line over
MAX_LINE_BYTES is refused once and skipped to its end.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
from typing import Callable

from edge.errors import ProtocolError
from edge.protocol import MAX_LINE_BYTES, Error, ErrorCode, Message, decode_request, request_id

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs

REPLY_WAIT_S = 5.0  # a client that leaves a reply unread this long is disconnected


class Connection:
    """One client: `handle(request, connection)` answers each decoded request; `on_closed` is told at the end."""

    def __init__(
        self,
        sock: socket.socket,
        handle: Callable[[Message, Connection], Message],
        on_closed: Callable[[Connection], None],
        queue_size: int,
    ) -> None:
        self.sock = sock
        self.subscribed = False  # set by an `events` request: this connection also gets events
        self._handle_request = handle
        self._on_closed = on_closed
        self._out: queue.Queue[bytes | None] = queue.Queue(queue_size)
        self._closed = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name="client-read", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="client-write", daemon=True)

    def start(self) -> None:
        self._reader.start()
        self._writer.start()

    def send(self, line: bytes, block: bool = True) -> bool:
        """Queue a line; replies wait for room, events are dropped when the queue is full."""
        if self._closed.is_set():
            return False
        try:
            self._out.put(line, block=block, timeout=REPLY_WAIT_S if block else None)
            return True
        except queue.Full:
            if block:  # a client that reads nothing for 5 s while waiting for a reply: give up on it
                self.close()
            return False

    def close(self) -> None:
        """Close now (daemon stop, a client that stopped reading): queued lines are dropped."""
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader's recv and the writer's send
        except OSError:
            pass
        self._end_writer()

    def _finish(self) -> None:
        """The client closed its side: send what is queued, then close."""
        if not self._closed.is_set():
            self._closed.set()
            self._end_writer()

    def _end_writer(self) -> None:
        try:
            self._out.put(None, timeout=1.0)
        except queue.Full:  # the writer is stuck on a dead client: force it
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def join(self, timeout: float) -> None:
        for thread in (self._reader, self._writer):
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(timeout)

    def _read_loop(self) -> None:
        buf = bytearray()
        skipping = False  # inside a line that was already refused as too long
        try:
            while not self._closed.is_set():
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while True:
                    nl = buf.find(b"\n")
                    if nl < 0:
                        if len(buf) >= MAX_LINE_BYTES:
                            if not skipping:
                                self._refuse(ErrorCode.LINE_TOO_LONG, f"line over {MAX_LINE_BYTES} bytes; skipped to its end")
                            skipping = True
                            buf.clear()
                        break
                    line = bytes(buf[:nl])
                    del buf[: nl + 1]
                    if skipping:
                        skipping = False
                        continue
                    if nl + 1 > MAX_LINE_BYTES:
                        self._refuse(ErrorCode.LINE_TOO_LONG, f"line of {nl + 1} bytes; the limit is {MAX_LINE_BYTES}")
                        continue
                    line = line.rstrip(b"\r")
                    if line.strip():
                        self._handle(line)
        except OSError as err:
            if not self._closed.is_set():
                log.debug("client connection failed: %s", err)
        finally:
            self._finish()
            self._on_closed(self)

    def _handle(self, line: bytes) -> None:
        try:
            request = decode_request(line)
        except ProtocolError as err:
            log.info("refused a request: %s: %s", err.code, err.text)
            self.send(Error(err.code, err.text, id=request_id(line)).encode())
            return
        try:
            reply = self._handle_request(request, self)
        except Exception as err:  # a bug: report it on this connection and keep serving
            log.exception("request %s failed", request.TYPE)
            reply = Error(ErrorCode.INTERNAL, f"{type(err).__name__}: {err}", id=getattr(request, "id", None))
        self.send(reply.encode())

    def _refuse(self, code: str, text: str) -> None:
        self.send(Error(code, text).encode())

    def _write_loop(self) -> None:
        try:
            while True:
                line = self._out.get()
                if line is None:
                    return
                self.sock.sendall(line)
        except OSError as err:
            log.debug("client went away: %s", err)
        finally:
            self.close()
            try:
                self.sock.close()
            except OSError:
                pass
