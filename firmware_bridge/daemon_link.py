"""What the bridge needs from the daemon, and a minimal NDJSON unix-socket client for it.

`DaemonPort` is the interface the bridge is written against (ask, listen, mute, unmute,
status, subscribe). `NdjsonDaemonClient` implements it over the daemon's socket protocol
(edge/PROTOCOL.md, version 1), speaking only the part the bridge uses, so the bridge
reaches the daemon through the socket alone and adds what the bridge needs on top:
reconnecting after a daemon restart and re-subscribing to events.

    request: {"v": 1, "type": "ask", "question": Q, "id": N}   (also listen, mute, unmute,
             status, events)
    reply:   {"type": "answer", "answer": TEXT, "heard": true|false|null, "id": N, ...}
             {"type": "ok" | "status" | "subscribed", ...}
             {"type": "error", "code": CODE, "text": TEXT, "id": N}
    events:  {"type": "alert" | "state" | "segment", ...}   after `events`, one per line
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from firmware_bridge.errors import DaemonError
from firmware_bridge.transport import Backoff

log = logging.getLogger(__name__)

SOCKET_ENV = "LISTEN_SOCKET"  # overrides the default socket path (the daemon reads the same variable)
PROTOCOL_VERSION = 1  # the daemon socket protocol's "v"
MAX_LINE = 65536  # bytes per line, the daemon protocol's limit; a longer line is refused
EVENT_TYPES = frozenset({"alert", "state", "segment"})  # never a reply to a request
_YES = re.compile(r"\byes\b", re.IGNORECASE)


def default_socket() -> Path:
    """`$LISTEN_SOCKET`, else `$XDG_RUNTIME_DIR/listen/daemon.sock`, else ~/.cache/listen/daemon.sock."""
    if os.environ.get(SOCKET_ENV):
        return Path(os.environ[SOCKET_ENV]).expanduser()
    if os.environ.get("XDG_RUNTIME_DIR"):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "listen" / "daemon.sock"
    return Path("~/.cache/listen/daemon.sock").expanduser()


@dataclass(frozen=True)
class Answer:
    """The daemon's answer to a question."""

    text: str  # what the assistant said
    yes: bool  # the daemon's `heard` when it gives one, else: the word "yes" is in the text

    @classmethod
    def from_reply(cls, reply: dict) -> Answer:
        text = str(reply.get("answer") or reply.get("text") or "")
        heard = reply.get("heard")
        # An open question ("what do you hear?") has heard = null: fall back to the
        # benchmark's rule (an answer containing "yes" is yes).
        return cls(text, heard if isinstance(heard, bool) else bool(_YES.search(text)))


class Subscription(Protocol):
    def close(self) -> None: ...


class DaemonPort(Protocol):
    """The daemon as the bridge sees it."""

    def ask(self, question: str) -> Answer: ...
    def listen(self, seconds: float) -> Answer: ...
    def mute(self) -> None: ...
    def unmute(self) -> None: ...
    def status(self) -> dict: ...
    def subscribe(
        self, on_event: Callable[[dict], None], on_connected: Callable[[bool], None]
    ) -> Subscription: ...


class _ConnectionClosed(DaemonError):
    """The daemon closed the connection (it restarted, or dropped an idle client)."""


class _LineSocket:
    """One connected unix socket, read and written a JSON line at a time."""

    def __init__(self, path: Path, timeout_s: float | None) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.settimeout(timeout_s)
            self.sock.connect(str(path))
        except OSError as err:
            self.sock.close()
            raise DaemonError(f"cannot connect to the daemon at {path}: {err}; is `listen serve` running?") from err
        self._buf = bytearray()

    def send(self, obj: dict) -> None:
        line = {"v": PROTOCOL_VERSION, **obj}
        self.sock.sendall(json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")

    def recv(self) -> dict:
        """The next JSON object; DaemonError on EOF or a malformed line."""
        while b"\n" not in self._buf:
            if len(self._buf) > MAX_LINE:
                raise DaemonError(f"daemon at {self.path} sent a line over {MAX_LINE} bytes")
            chunk = self.sock.recv(MAX_LINE)
            if not chunk:
                raise _ConnectionClosed(f"daemon at {self.path} closed the connection")
            self._buf += chunk
        line, _, rest = bytes(self._buf).partition(b"\n")
        self._buf = bytearray(rest)
        try:
            obj = json.loads(line)
        except ValueError as err:
            raise DaemonError(f"daemon at {self.path} sent a line that is not JSON: {line[:80]!r}") from err
        if not isinstance(obj, dict):
            raise DaemonError(f"daemon at {self.path} sent {type(obj).__name__}, expected a JSON object")
        return obj

    def close(self) -> None:
        self.sock.close()


class NdjsonDaemonClient:
    """DaemonPort over the daemon's NDJSON unix socket; reconnects when the daemon restarts."""

    def __init__(self, path: Path | str, timeout_s: float = 60.0, backoff: Backoff | None = None) -> None:
        self.path = Path(path)
        self.timeout_s = timeout_s  # per request: an ask runs the encoder and the LLM
        self.backoff = backoff or Backoff(0.1, 2.0, 2.0)
        self._lock = threading.Lock()
        self._conn: _LineSocket | None = None
        self._next_id = 0

    # -- DaemonPort ----------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        return Answer.from_reply(self.request({"type": "ask", "question": question}))

    def listen(self, seconds: float = 5.0) -> Answer:
        """Record the next `seconds` and answer the daemon's open question about them."""
        return Answer.from_reply(self.request({"type": "listen", "seconds": seconds}))

    def mute(self) -> None:
        self.request({"type": "mute"})

    def unmute(self) -> None:
        self.request({"type": "unmute"})

    def status(self) -> dict:
        """The daemon's status reply (`muted`, `buffer_seconds`, ...)."""
        return self.request({"type": "status"})

    def subscribe(
        self, on_event: Callable[[dict], None], on_connected: Callable[[bool], None] = lambda up: None
    ) -> EventSubscription:
        return EventSubscription(self.path, on_event, on_connected, Backoff(**_backoff_args(self.backoff)))

    # -- requests ------------------------------------------------------------------------

    def request(self, message: dict) -> dict:
        """Send one request and return its reply.

        A kept-open connection that the daemon closed meanwhile (it restarted) is replaced
        once, transparently; a fresh connection that fails, a timeout or a malformed reply
        is a DaemonError.
        """
        with self._lock:
            self._next_id += 1
            message = {**message, "id": self._next_id}
            while True:
                reused = self._conn is not None
                conn = self._connect()
                try:
                    conn.send(message)
                    reply = self._reply(conn, message["id"])
                    break
                except (OSError, DaemonError) as err:
                    conn.close()
                    self._conn = None
                    stale = reused and isinstance(err, (_ConnectionClosed, ConnectionError))
                    if not stale:
                        if isinstance(err, DaemonError):
                            raise
                        raise DaemonError(f"daemon at {self.path} did not answer {message['type']}: {err}") from err
                    log.info("daemon connection went stale (%s); reconnecting", err)
        if reply.get("type") == "error":
            raise DaemonError(
                f"daemon refused {message['type']}: {reply.get('code', '?')}: {reply.get('text', '')}"
            )
        return reply

    def _connect(self) -> _LineSocket:
        if self._conn is None:
            self._conn = _LineSocket(self.path, self.timeout_s)
        return self._conn

    @staticmethod
    def _reply(conn: _LineSocket, request_id: int) -> dict:
        while True:
            obj = conn.recv()
            if "id" in obj:
                if obj["id"] == request_id:
                    return obj
            elif obj.get("type") not in EVENT_TYPES:
                return obj

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _backoff_args(b: Backoff) -> dict:
    return {"initial_s": b.initial_s, "factor": b.factor, "maximum_s": b.maximum_s}


class EventSubscription:
    """A thread that keeps an `events` connection open, re-subscribing after daemon restarts."""

    def __init__(
        self,
        path: Path,
        on_event: Callable[[dict], None],
        on_connected: Callable[[bool], None],
        backoff: Backoff,
    ) -> None:
        self.path = path
        self.on_event = on_event
        self.on_connected = on_connected
        self.backoff = backoff
        self.subscriptions = 0  # successful subscribes (1 + re-subscribes)
        self._stop = threading.Event()
        self._conn: _LineSocket | None = None
        self._thread = threading.Thread(target=self._run, name="daemon-events", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        up = False
        while not self._stop.is_set():
            try:
                conn = _LineSocket(self.path, None)
            except DaemonError as err:
                if up:
                    up = False
                    self._notify(self.on_connected, False)
                delay = self.backoff.next_delay()
                log.debug("%s; retrying in %.2f s", err, delay)
                self._stop.wait(delay)
                continue
            self._conn = conn
            try:
                conn.send({"type": "events", "id": "events"})
                reply = conn.recv()
                if reply.get("type") == "error":
                    raise DaemonError(f"daemon refused events: {reply.get('code')}: {reply.get('text')}")
                self.backoff.reset()
                self.subscriptions += 1
                up = True
                self._notify(self.on_connected, True)
                if reply.get("type") in EVENT_TYPES:
                    self._notify(self.on_event, reply)
                while not self._stop.is_set():
                    event = conn.recv()
                    if event.get("type") in EVENT_TYPES:
                        self._notify(self.on_event, event)
            except (OSError, DaemonError) as err:
                if not self._stop.is_set():
                    log.info("daemon event stream lost (%s); re-subscribing", err)
            finally:
                conn.close()
                self._conn = None
            if self._stop.is_set():
                return
            if up:
                up = False
                self._notify(self.on_connected, False)
            self._stop.wait(self.backoff.next_delay())

    @staticmethod
    def _notify(callback: Callable, arg) -> None:
        try:
            callback(arg)
        except Exception:
            log.exception("daemon event callback failed")

    def close(self, timeout: float = 2.0) -> None:
        self._stop.set()
        conn = self._conn
        if conn is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked recv
            except OSError:
                pass
        self._thread.join(timeout)
