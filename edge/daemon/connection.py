"""One client connection of the daemon: a reader thread that handles requests in order and a
writer thread that drains a bounded queue (events to a slow reader are dropped, not waited for).

Malformed lines get an `error` reply and the connection stays open (PROTOCOL.md): a line over
MAX_LINE_BYTES is refused once and skipped to its end. No input ends the reader thread but the
end of the stream: a failure while handling a line is an `internal` reply.

A connection that completes no request line for `idle_timeout_s` is told `idle_timeout` and
closed, so forgotten clients cannot hold the `max_clients` slots; a connection subscribed to
events is exempt (it is legitimately silent: the bridge keeps one open).

A client's work dies with it: while a request waits for the model (`wait`), a unix client that
hangs up is seen at once (POLLHUP) and a TCP one at the next line written to it; either way
the connection closes and the lines it had pipelined are never handled. A client over its
quota (`over_quota`: more than `backlog` requests pipelined behind the one being handled, or
replies it leaves unread) gets `busy` for model requests instead of a place in the queue.
"""

from __future__ import annotations

import fcntl
import logging
import queue
import select
import socket
import struct
import termios
import threading
import time
from concurrent.futures import Future
from typing import Callable

from edge.errors import ProtocolError
from edge.protocol import MAX_LINE_BYTES, Error, ErrorCode, Message, decode_request, request_id

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs

REPLY_WAIT_S = 5.0  # a client that leaves a reply unread this long is disconnected
UNREAD_BYTES = MAX_LINE_BYTES  # output a unix client has not read yet, past which it is over its quota
UNREAD_LINES = 16  # lines waiting for a TCP client's full socket, past which it is over its quota


class Connection:
    """One client: `handle(request, connection)` answers each decoded request; `on_closed` is told at the end."""

    def __init__(
        self,
        sock: socket.socket,
        handle: Callable[[Message, Connection], Message],
        on_closed: Callable[[Connection], None],
        queue_size: int,
        idle_timeout_s: float = 0.0,
        backlog: int = 8,
    ) -> None:
        self.sock = sock
        self.subscribed = False  # set by an `events` request: this connection also gets events
        self.idle_timeout_s = idle_timeout_s  # s without a complete request line before closing; 0: never
        self.backlog = backlog  # requests a client may pipeline behind a model request
        self.pipelined = 0  # complete request lines read and waiting behind the one being handled
        self._handle_request = handle
        self._on_closed = on_closed
        self._out: queue.Queue[bytes | None] = queue.Queue(queue_size)
        self._closed = threading.Event()
        self._idle = threading.Condition()  # notified when a request has been answered
        self._busy = False  # a request is being handled (its reply not yet queued)
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

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def over_quota(self) -> str | None:
        """Why this client may not queue a model request now (it is not reading), or None."""
        if self.pipelined > self.backlog:
            return f"has {self.pipelined} requests pipelined behind this one (at most {self.backlog})"
        # a unix client sits on what it was sent; a TCP one (whose unread bytes the kernel does
        # not tell) has let the writer fall behind a full socket
        unread = _unread_bytes(self.sock) > UNREAD_BYTES if self.sock.family == socket.AF_UNIX else \
            self._out.qsize() >= UNREAD_LINES
        if unread:
            return "has not read the replies and events already sent to it"
        return None

    def wait(self, future: Future, timeout: float) -> None:
        """Block until `future` is done or `timeout` s pass, closing this connection as soon as its
        client hangs up (POLLHUP: a unix peer's close, or a `close()` from the writer)."""
        with _Wake() as wake:
            future.add_done_callback(wake.poke)
            poller = select.poll()
            poller.register(self.sock, 0)  # hang-up and errors only: pipelined input waits its turn
            poller.register(wake.fileno(), select.POLLIN)
            deadline = time.monotonic() + timeout
            while not future.done() and not self._closed.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                for fd, events in poller.poll(left * 1000):
                    if fd != wake.fileno() and events & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                        log.info("a client hung up while its request waited for the model; its work is dropped")
                        self.close()

    def close(self) -> None:
        """Close now (a client that stopped reading, the end of a graceful close): queued lines are dropped."""
        already = self._closed.is_set()
        self._closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader's recv and the writer's send
        except OSError:
            pass
        if not already:
            self._end_writer()

    def close_gracefully(self, timeout: float) -> None:
        """Close at daemon stop: let the request in flight queue its reply (the daemon has made it
        `shutting_down`), send what is queued, then close; forced after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._idle:
            self._idle.wait_for(lambda: not self._busy, timeout)
        if not self._closed.is_set():
            self._closed.set()  # no further lines are read or queued
            self._end_writer()
        self._writer.join(max(0.0, deadline - time.monotonic()))
        self.close()  # wakes the reader; a no-op once the writer has closed

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
        last_request = time.monotonic()
        try:
            while not self._closed.is_set():
                if not self._wait_readable(last_request):
                    self._close_idle()
                    return
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while not self._closed.is_set():  # a client gone meanwhile: its pipelined lines die with it
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
                        self.pipelined = buf.count(b"\n")
                        self._handle(line)
                        last_request = time.monotonic()
        except OSError as err:
            if not self._closed.is_set():
                log.debug("client connection failed: %s", err)
        finally:
            self._finish()
            self._on_closed(self)

    def _wait_readable(self, since: float) -> bool:
        """Wait for input; False when the idle timeout (counted from `since`) ran out first.
        Subscribers wait forever: `subscribed` only changes while this thread handles a request."""
        if self.idle_timeout_s <= 0 or self.subscribed:
            return True
        left = since + self.idle_timeout_s - time.monotonic()
        if left <= 0:
            return False
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(left * 1000))  # a close() elsewhere reports POLLHUP: not idle, recv sees the end

    def _close_idle(self) -> None:
        log.info("closed a connection idle for %g s", self.idle_timeout_s)
        text = f"no request for {self.idle_timeout_s:g} s; closing this connection (connect again to continue)"
        self.send(Error(ErrorCode.IDLE_TIMEOUT, text).encode())

    def _handle(self, line: bytes) -> None:
        with self._idle:
            self._busy = True
        try:
            self.send(self._reply(line))
        finally:
            with self._idle:
                self._busy = False
                self._idle.notify_all()

    def _reply(self, line: bytes) -> bytes:
        """The encoded reply to one line; every failure becomes an `error` reply, never the end of the reader."""
        request: Message | None = None
        try:
            request = decode_request(line)
            return self._handle_request(request, self).encode()
        except ProtocolError as err:
            log.info("refused a request: %s: %s", err.code, err.text)
            return Error(err.code, err.text, id=request_id(line)).encode()
        except Exception as err:  # a bug: report it on this connection and keep serving
            log.exception("request %s failed", getattr(request, "TYPE", "(undecoded)"))
            text = " ".join(f"{type(err).__name__}: {err}".split())[:500]
            return Error(ErrorCode.INTERNAL, text, id=request_id(line)).encode()

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


class _Wake:
    """A socket pair that a future's done-callback (another thread, maybe after the wait is
    over) pokes to wake a poll; closed under a lock, so a late poke never writes to a file
    descriptor number that was closed and reused meanwhile."""

    def __init__(self) -> None:
        self._r, self._w = socket.socketpair()
        self._lock = threading.Lock()
        self._closed = False

    def fileno(self) -> int:
        return self._r.fileno()

    def poke(self, _future: Future) -> None:
        with self._lock:
            if not self._closed:
                self._w.send(b"x")

    def __enter__(self) -> _Wake:
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._closed = True
            self._r.close()
            self._w.close()


def _unread_bytes(sock: socket.socket) -> int:
    """Bytes (kernel buffer sizes) sent to a unix socket's peer that it has not read yet
    (SIOCOUTQ; for TCP it counts only unacknowledged bytes, which a loopback peer acknowledges
    at once); 0 when unknown."""
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except OSError:
        return 0
