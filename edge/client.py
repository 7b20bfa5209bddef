"""A Python client for the `listen serve` daemon (the firmware bridge, scripts, other programs).

    with DaemonClient() as daemon:                     # $LISTEN_SOCKET or the default path
        reply = daemon.ask("Is there a smoke alarm?")  # AnswerReply (reply.heard, reply.answer)
        watch_id = daemon.watch("Is a baby crying?")
    with daemon_events() as events:                    # its own connection
        for event in events:                           # SegmentEvent, AlertEvent, StateEvent
            ...
    sub = EventSubscription(None, on_event, on_connected)  # a thread; re-subscribes after restarts

Addresses: a path or `unix:///path` (the default), or `tcp://127.0.0.1:PORT`. A refused
request raises `RequestRefused` (with the protocol's error `code`); a daemon that cannot be
reached raises `DaemonError` naming the address and why (no socket, nothing listening, or a
full backlog). Connecting retries a full backlog (EAGAIN) and a refused connection (a daemon
starting or restarting) with bounded backoff for `CONNECT_RETRY_S`. A kept-open connection
that the daemon closed meanwhile (it restarted, or closed it as idle) is replaced once,
transparently.
"""

from __future__ import annotations

import errno
import itertools
import logging
import os
import socket
import threading
import time
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

from core.answers import answer_says_yes
from edge.answer import Answer, WindowAnswer
from edge.backoff import Backoff
from edge.errors import DaemonError, ProtocolError, RequestRefused
from edge.protocol import (
    EVENT_TYPES,
    MAX_LINE_BYTES,
    AnswerReply,
    Ask,
    Error,
    ErrorCode,
    Events,
    Listen,
    Message,
    Mute,
    Ok,
    Status,
    StatusReply,
    Subscribed,
    Unmute,
    Unwatch,
    Watch,
    Watching,
    decode_server_message,
)

log = logging.getLogger(__name__)

SOCKET_ENV = "LISTEN_SOCKET"  # overrides the default socket path (the daemon and the bridge read it too)
CONNECT_RETRY_S = 5.0  # how long a connect retries a full backlog or a refused connection
# Errors worth retrying: EAGAIN = the unix socket's backlog is full (a burst of clients);
# ECONNREFUSED = nothing accepts yet (a daemon restarting, or a stale socket file).
_RETRY_CONNECT = {errno.EAGAIN: "its listen backlog stayed full: the daemon is overloaded or stuck",
                  errno.ECONNREFUSED: "nothing accepts connections there: the daemon stopped or crashed (a stale socket?)"}


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


class _ConnectionClosed(DaemonError):
    """The daemon closed the connection (it restarted, stopped, or dropped the client)."""


class _LineConnection:
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
                raise _ConnectionClosed(f"the daemon at {self.address} closed the connection")
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


class DaemonClient:
    """Requests and replies over one connection; safe to share between threads (one request at a time).

    `connect=False` defers connecting to the first request (the daemon may start later).
    """

    def __init__(self, address: str | Path | None = None, timeout_s: float = 300.0, connect: bool = True) -> None:
        self.address = address
        self.timeout_s = timeout_s  # per request: an ask runs the encoder and the LLM
        self._conn: _LineConnection | None = _LineConnection(address, timeout_s) if connect else None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def request(self, message: Message) -> Message:
        """Send a request (an `id` is added) and return its reply; RequestRefused on `error`."""
        rid = next(self._ids)
        message = replace(message, id=rid)
        message.validate()  # a bad argument is a ProtocolError here, not a refusal or a failed encode
        with self._lock:
            reply = self._exchange(message, rid)
        if isinstance(reply, Error):
            raise RequestRefused(message.TYPE, reply.code, reply.text)
        return reply

    def _exchange(self, message: Message, rid: int) -> Message:
        """Send and read the reply; a kept-open connection found closed is replaced once."""
        while True:
            reused = self._conn is not None
            if self._conn is None:
                self._conn = _LineConnection(self.address, self.timeout_s)
            conn = self._conn
            try:
                conn.send(message)
                return _reply_to(conn, rid)
            except (OSError, DaemonError, ProtocolError) as err:
                conn.close()
                self._conn = None
                if reused and isinstance(err, (_ConnectionClosed, ConnectionError)):
                    log.info("daemon connection went stale (%s); reconnecting", err)
                    continue
                if isinstance(err, DaemonError):
                    raise
                raise DaemonError(f"the daemon at {conn.address} did not answer {message.TYPE}: {err}") from err

    def ask(self, question: str, since: float | None = None) -> AnswerReply:
        """Answer `question` over the buffered activity since `since` (Unix seconds; None: all of it)."""
        return _expect(self.request(Ask(question, since)), AnswerReply)

    def listen(self, seconds: float = 5.0, question: str | None = None) -> AnswerReply:
        """Record the next `seconds` and answer `question` (None: the daemon's open question)."""
        return _expect(self.request(Listen(seconds, question)), AnswerReply)

    def status(self) -> StatusReply:
        return _expect(self.request(Status()), StatusReply)

    def mute(self) -> Ok:
        return _expect(self.request(Mute()), Ok)

    def unmute(self) -> Ok:
        return _expect(self.request(Unmute()), Ok)

    def watch(self, question: str) -> int:
        """Add a standing yes/no question; returns its watch id (alerts arrive as events)."""
        return _expect(self.request(Watch(question)), Watching).watch_id

    def unwatch(self, watch_id: int) -> None:
        self.request(Unwatch(watch_id))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> DaemonClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class EventStream:
    """A connection subscribed to events; iterate it, or call `next(timeout_s)`."""

    def __init__(self, address: str | Path | None = None, timeout_s: float = 10.0) -> None:
        self._conn = _LineConnection(address, timeout_s)
        self._early: deque[Message] = deque()  # events queued by the daemon before its `subscribed`
        try:
            self._conn.send(Events(id="events"))
            reply = self._conn.recv()
            while reply.TYPE in EVENT_TYPES:
                self._early.append(reply)
                reply = self._conn.recv()
        except (OSError, ProtocolError) as err:
            self._conn.close()
            raise DaemonError(f"the daemon at {self._conn.address} did not answer events: {err}") from err
        except BaseException:
            self._conn.close()
            raise
        if isinstance(reply, Error):
            self._conn.close()
            raise RequestRefused("events", reply.code, reply.text)
        if not isinstance(reply, Subscribed):
            self._conn.close()
            raise DaemonError(f"the daemon at {self._conn.address} answered events with {reply.TYPE}")
        self._conn.sock.settimeout(None)

    @property
    def address(self) -> str | tuple[str, int]:
        return self._conn.address

    def next(self, timeout_s: float | None = None) -> Message:
        """The next event; TimeoutError if none arrives within `timeout_s`."""
        if self._early:
            return self._early.popleft()
        self._conn.sock.settimeout(timeout_s)
        try:
            return self._conn.recv()
        except socket.timeout as err:
            raise TimeoutError(f"no event within {timeout_s} s") from err

    def __iter__(self) -> Iterator[Message]:
        while True:
            try:
                yield self.next(None)
            except DaemonError:
                return

    def interrupt(self) -> None:
        """Wake a `next` blocked in another thread; the stream then ends."""
        self._conn.interrupt()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def daemon_events(address: str | Path | None = None) -> EventStream:
    return EventStream(address)


class EventSubscription:
    """A thread that keeps an `events` connection open, re-subscribing after daemon restarts.

    `on_event(event)` gets every event (SegmentEvent, AlertEvent, StateEvent); `on_connected(up)`
    is told when the subscription is made (True) and lost (False). A line that breaks the
    protocol is logged and skipped; a lost connection is retried with `backoff`.
    """

    def __init__(
        self,
        address: str | Path | None,
        on_event: Callable[[Message], None],
        on_connected: Callable[[bool], None] = lambda up: None,
        backoff: Backoff | None = None,
    ) -> None:
        self.address = address
        self.on_event = on_event
        self.on_connected = on_connected
        self.backoff = backoff or Backoff(0.1, 2.0, 2.0)  # a restarted daemon is found within 2 s
        self.subscriptions = 0  # successful subscribes (1 + re-subscribes)
        self._stop = threading.Event()
        self._stream: EventStream | None = None
        self._thread = threading.Thread(target=self._run, name="daemon-events", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                stream = EventStream(self.address, timeout_s=None)
            except DaemonError as err:
                delay = self.backoff.next_delay()
                log.debug("%s; retrying in %.2f s", err, delay)
                self._stop.wait(delay)
                continue
            self._stream = stream
            self.backoff.reset()
            self.subscriptions += 1
            self._notify(self.on_connected, True)
            try:
                self._deliver(stream)
            except (OSError, DaemonError) as err:
                if not self._stop.is_set():
                    log.info("daemon event stream lost (%s); re-subscribing", err)
            finally:
                stream.close()
                self._stream = None
            if self._stop.is_set():
                return
            self._notify(self.on_connected, False)
            self._stop.wait(self.backoff.next_delay())

    def _deliver(self, stream: EventStream) -> None:
        while not self._stop.is_set():
            try:
                event = stream.next(None)
            except ProtocolError as err:  # malformed input is an error, never an end of stream
                log.warning("skipped a line from the daemon at %s: %s", stream.address, err)
                continue
            if event.TYPE in EVENT_TYPES:
                self._notify(self.on_event, event)

    @staticmethod
    def _notify(callback: Callable, arg: Any) -> None:
        try:
            callback(arg)
        except Exception:
            log.exception("daemon event callback failed")

    def close(self, timeout: float = 2.0) -> None:
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.interrupt()  # wakes the blocked read
        self._thread.join(timeout)


def answered_yes(reply: AnswerReply) -> bool:
    """The yes/no of an answer reply: the daemon's `heard`, or for an open question (heard null)
    whether the answer opens with "yes" (`core.answers.answer_says_yes`, the watches' rule too)."""
    return answer_says_yes(reply.heard, reply.answer)


def as_answer(reply: AnswerReply) -> Answer:
    """The `edge.answer.Answer` inside an answer reply (window wall-clock times are dropped)."""
    windows = [
        WindowAnswer(w["start"], w["end"], w["answer"], w["heard"], w.get("confidence")) for w in reply.windows
    ]
    return Answer(reply.answer, reply.heard, reply.confidence, windows, dict(reply.timings_ms))


def _reply_to(conn: _LineConnection, rid: int) -> Message:
    """The reply with id `rid` (or without an id); events on a subscribed connection are skipped.
    The daemon's `idle_timeout` notice means it closed the connection: raised as closed."""
    while True:
        reply = conn.recv()
        if reply.TYPE in EVENT_TYPES:
            continue
        if isinstance(reply, Error) and reply.code == ErrorCode.IDLE_TIMEOUT and reply.id is None:
            raise _ConnectionClosed(f"the daemon at {conn.address} closed an idle connection: {reply.text}")
        if getattr(reply, "id", None) in (rid, None):
            return reply


def _expect(reply: Message, cls: type) -> Any:
    if not isinstance(reply, cls):
        raise DaemonError(f"expected a {cls.TYPE} reply, got {reply.TYPE}")
    return reply
