"""A Python client for the `listen serve` daemon (the firmware bridge, scripts, other programs).

    with DaemonClient() as daemon:                     # $LISTEN_SOCKET or the default path
        reply = daemon.ask("Is there a smoke alarm?")  # AnswerReply (reply.heard, reply.answer)
        watch_id = daemon.watch("Is a baby crying?")
    with daemon_events() as events:                    # its own connection
        for event in events:                           # SegmentEvent, AlertEvent, StateEvent
            ...

Addresses: a path or `unix:///path` (the default), or `tcp://127.0.0.1:PORT`. A refused
request raises `RequestRefused` (with the protocol's error `code`); a daemon that cannot be
reached raises `DaemonError` naming the address.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
from pathlib import Path
from typing import Any, Iterator

from edge.answer import Answer, WindowAnswer
from edge.errors import DaemonError, ProtocolError, RequestRefused
from edge.protocol import (
    EVENT_TYPES,
    MAX_LINE_BYTES,
    AnswerReply,
    Ask,
    Error,
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

SOCKET_ENV = "LISTEN_SOCKET"  # overrides the default socket path (the bridge reads the same variable)


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


class _LineConnection:
    """One connected socket, read and written one protocol line at a time."""

    def __init__(self, address: str | Path | None, timeout_s: float | None) -> None:
        family, self.address = parse_address(address)
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.sock.settimeout(timeout_s)
            self.sock.connect(self.address)
        except OSError as err:
            self.sock.close()
            raise DaemonError(f"cannot connect to the daemon at {self.address}: {err}; is `listen serve` running?") from err
        self._buf = bytearray()

    def send(self, message: Message) -> None:
        self.sock.sendall(message.encode())

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
                raise DaemonError(f"the daemon at {self.address} closed the connection")
            self._buf += chunk

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class DaemonClient:
    """Requests and replies over one connection; safe to share between threads (one request at a time)."""

    def __init__(self, address: str | Path | None = None, timeout_s: float = 300.0) -> None:
        self.address = address
        self.timeout_s = timeout_s  # per request: an ask runs the encoder and the LLM
        self._conn = _LineConnection(address, timeout_s)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def request(self, message: Message) -> Message:
        """Send a request (an `id` is added) and return its reply; RequestRefused on `error`."""
        rid = next(self._ids)
        message = type(message)(**{**_fields(message), "id": rid})
        with self._lock:
            try:
                self._conn.send(message)
                while True:
                    reply = self._conn.recv()
                    if reply.TYPE in EVENT_TYPES:
                        continue  # this connection also subscribed; events are not replies
                    if getattr(reply, "id", None) in (rid, None):
                        break
            except (OSError, ProtocolError) as err:
                raise DaemonError(f"the daemon at {self._conn.address} did not answer {message.TYPE}: {err}") from err
        if isinstance(reply, Error):
            raise RequestRefused(message.TYPE, reply.code, reply.text)
        return reply

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
        self._conn.close()

    def __enter__(self) -> DaemonClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class EventStream:
    """A connection subscribed to events; iterate it, or call `next(timeout_s)`."""

    def __init__(self, address: str | Path | None = None) -> None:
        self._conn = _LineConnection(address, 10.0)
        self._conn.send(Events(id="events"))
        reply = self._conn.recv()
        if isinstance(reply, Error):
            self._conn.close()
            raise RequestRefused("events", reply.code, reply.text)
        if not isinstance(reply, Subscribed):
            self._conn.close()
            raise DaemonError(f"the daemon at {self._conn.address} answered events with {reply.TYPE}")
        self._conn.sock.settimeout(None)

    def next(self, timeout_s: float | None = None) -> Message:
        """The next event; TimeoutError if none arrives within `timeout_s`."""
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

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def daemon_events(address: str | Path | None = None) -> EventStream:
    return EventStream(address)


def as_answer(reply: AnswerReply) -> Answer:
    """The `edge.answer.Answer` inside an answer reply (window wall-clock times are dropped)."""
    windows = [
        WindowAnswer(w["start"], w["end"], w["answer"], w["heard"], w.get("confidence")) for w in reply.windows
    ]
    return Answer(reply.answer, reply.heard, reply.confidence, windows, dict(reply.timings_ms))


def _fields(message: Message) -> dict:
    return {k: v for k, v in message.to_dict().items() if k not in ("v", "type")}


def _expect(reply: Message, cls: type) -> Any:
    if not isinstance(reply, cls):
        raise DaemonError(f"expected a {cls.TYPE} reply, got {reply.TYPE}")
    return reply
