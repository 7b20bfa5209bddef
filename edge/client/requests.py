"""Requests and their replies: `DaemonClient`, one kept-open connection shared between threads.

    with DaemonClient() as daemon:                     # $LISTEN_SOCKET or the default path
        reply = daemon.ask("Is there a smoke alarm?")  # AnswerReply (reply.heard, reply.answer)
        watch_id = daemon.watch("Is a baby crying?")
        # streamed (PROTOCOL.md minor 1): the decision, then the words, then the same reply
        reply = daemon.ask("Is a dog barking?", on_decision=light_led, on_token=speak)

A daemon older than minor 1 ignores `stream` and sends the answer alone: the callbacks are
then not called, and the reply is the same.

A refused request raises `RequestRefused` (with the protocol's error `code`); a daemon that
cannot be reached raises `DaemonError` (connection.py). A kept-open connection that the
daemon closed meanwhile (it restarted, or closed it as idle) is replaced once, transparently.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from core.answers import answer_says_yes
from edge.answer import Answer, WindowAnswer
from edge.client.connection import ConnectionClosed, LineConnection
from edge.errors import DaemonError, ProtocolError, RequestRefused
from edge.protocol import (
    EVENT_TYPES,
    PROGRESS_TYPES,
    AnswerReply,
    Ask,
    DecisionReply,
    Error,
    ErrorCode,
    Listen,
    Message,
    Mute,
    Ok,
    Status,
    StatusReply,
    TokenReply,
    Unmute,
    Unwatch,
    Watch,
    Watching,
)

log = logging.getLogger(__name__)


class DaemonClient:
    """Requests and replies over one connection; safe to share between threads (one request at a time).

    `connect=False` defers connecting to the first request (the daemon may start later).
    """

    def __init__(self, address: str | Path | None = None, timeout_s: float = 300.0, connect: bool = True) -> None:
        self.address = address
        self.timeout_s = timeout_s  # per request: an ask runs the encoder and the LLM
        self._conn: LineConnection | None = LineConnection(address, timeout_s) if connect else None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def request(self, message: Message, on_progress: Callable[[Message], None] | None = None) -> Message:
        """Send a request (an `id` is added) and return its reply; RequestRefused on `error`.
        `on_progress` sees the request's `decision` and `token` lines (a streamed ask)."""
        rid = next(self._ids)
        message = replace(message, id=rid)
        message.validate()  # a bad argument is a ProtocolError here, not a refusal or a failed encode
        with self._lock:
            reply = self._exchange(message, rid, on_progress)
        if isinstance(reply, Error):
            raise RequestRefused(message.TYPE, reply.code, reply.text)
        return reply

    def _exchange(self, message: Message, rid: int, on_progress: Callable[[Message], None] | None) -> Message:
        """Send and read the reply; a kept-open connection found closed is replaced once."""
        while True:
            reused = self._conn is not None
            if self._conn is None:
                self._conn = LineConnection(self.address, self.timeout_s)
            conn = self._conn
            try:
                conn.send(message)
                return _reply_to(conn, rid, on_progress)
            except (OSError, DaemonError, ProtocolError) as err:
                conn.close()
                self._conn = None
                if reused and isinstance(err, (ConnectionClosed, ConnectionError)):
                    log.info("daemon connection went stale (%s); reconnecting", err)
                    continue
                if isinstance(err, DaemonError):
                    raise
                raise DaemonError(f"the daemon at {conn.address} did not answer {message.TYPE}: {err}") from err

    def ask(self, question: str, since: float | None = None, on_decision: OnDecision | None = None,
            on_token: OnToken | None = None) -> AnswerReply:
        """Answer `question` over the buffered activity since `since` (Unix seconds; None: all of it).
        With a callback the answer is streamed: `on_decision` sees the yes/no decision as soon as
        the daemon knows it, `on_token` each piece of the words; the reply comes last."""
        progress = _progress(on_decision, on_token)
        return _expect(self.request(Ask(question, since, stream=progress is not None), progress), AnswerReply)

    def listen(self, seconds: float = 5.0, question: str | None = None, on_decision: OnDecision | None = None,
               on_token: OnToken | None = None) -> AnswerReply:
        """Record the next `seconds` and answer `question` (None: the daemon's open question);
        the callbacks as in `ask`."""
        progress = _progress(on_decision, on_token)
        return _expect(self.request(Listen(seconds, question, stream=progress is not None), progress), AnswerReply)

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


OnDecision = Callable[[DecisionReply], None]
OnToken = Callable[[TokenReply], None]


def _progress(on_decision: OnDecision | None, on_token: OnToken | None) -> Callable[[Message], None] | None:
    if on_decision is None and on_token is None:
        return None

    def deliver(line: Message) -> None:
        if isinstance(line, DecisionReply) and on_decision is not None:
            on_decision(line)
        elif isinstance(line, TokenReply) and on_token is not None:
            on_token(line)

    return deliver


def _reply_to(conn: LineConnection, rid: int, on_progress: Callable[[Message], None] | None = None) -> Message:
    """The reply with id `rid` (or without an id); events on a subscribed connection are skipped,
    and the request's progress lines (`decision`, `token`) go to `on_progress`.
    The daemon's `idle_timeout` notice means it closed the connection: raised as closed."""
    while True:
        reply = conn.recv()
        if reply.TYPE in EVENT_TYPES:
            continue
        if reply.TYPE in PROGRESS_TYPES:
            if on_progress is not None and getattr(reply, "id", None) == rid:
                on_progress(reply)
            continue
        if isinstance(reply, Error) and reply.code == ErrorCode.IDLE_TIMEOUT and reply.id is None:
            raise ConnectionClosed(f"the daemon at {conn.address} closed an idle connection: {reply.text}")
        if getattr(reply, "id", None) in (rid, None):
            return reply


def _expect(reply: Message, cls: type) -> Any:
    if not isinstance(reply, cls):
        raise DaemonError(f"expected a {cls.TYPE} reply, got {reply.TYPE}")
    return reply
