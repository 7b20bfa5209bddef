"""The bridge's side of the daemon socket: `DaemonPort`, implemented over `edge.client`.

The daemon's counterpart of uart/ (which faces the MCU): the bridge reaches the daemon
through its socket protocol only (edge/PROTOCOL.md, codec edge/protocol.py), and this is
the one module that calls it. `NdjsonDaemonClient` adapts the one client of that protocol,
`edge.client` (which reconnects after a daemon restart and re-subscribes to events), to
the bridge's interface: answers as `Answer(text, yes)`, replies and events as dicts, and
every failure as the bridge's own `firmware_bridge.errors.DaemonLinkError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, TypeVar

from core.backoff import Backoff
from edge.client.events import EventSubscription
from edge.client.requests import DaemonClient, answered_yes
from edge.errors import EdgeError
from edge.protocol import AnswerReply, DecisionReply
from firmware_bridge.errors import DaemonLinkError

T = TypeVar("T")
OnDecision = Callable[[bool], None]  # told True when the daemon heard the sound asked about


@dataclass(frozen=True)
class Answer:
    """The daemon's answer to a question."""

    text: str  # what the assistant said
    yes: bool  # the daemon's `heard` when it gives one, else: the word "yes" is in the text

    @classmethod
    def from_reply(cls, reply: AnswerReply) -> Answer:
        return cls(reply.answer, answered_yes(reply))


class Subscription(Protocol):
    def close(self) -> None: ...


class DaemonPort(Protocol):
    """The daemon as the bridge sees it."""

    def ask(self, question: str, on_decision: OnDecision | None = None) -> Answer: ...
    def listen(self, seconds: float, on_decision: OnDecision | None = None) -> Answer: ...
    def mute(self) -> None: ...
    def unmute(self) -> None: ...
    def status(self) -> dict: ...
    def subscribe(
        self, on_event: Callable[[dict], None], on_connected: Callable[[bool], None]
    ) -> Subscription: ...


class NdjsonDaemonClient:
    """DaemonPort over `edge.client.requests.DaemonClient`; connects on first use, reconnects after restarts."""

    def __init__(self, path: Path | str, timeout_s: float = 60.0, backoff: Backoff | None = None) -> None:
        self.path = path  # a unix socket path, `unix://PATH` or `tcp://HOST:PORT`
        self.timeout_s = timeout_s  # per request: an ask runs the encoder and the LLM
        self.backoff = backoff or Backoff(0.1, 2.0, 2.0)  # between re-subscribe attempts
        self._client = DaemonClient(path, timeout_s, connect=False)

    def ask(self, question: str, on_decision: OnDecision | None = None) -> Answer:
        """The answer; `on_decision(yes)` is told the yes/no decision as soon as the daemon knows
        it (a streamed ask, PROTOCOL.md minor 1), before the answer's words are ready."""
        return Answer.from_reply(_call(self._client.ask, question, None, _decided(on_decision)))

    def listen(self, seconds: float = 5.0, on_decision: OnDecision | None = None) -> Answer:
        """Record the next `seconds` and answer the daemon's open question about them."""
        return Answer.from_reply(_call(self._client.listen, seconds, None, _decided(on_decision)))

    def mute(self) -> None:
        _call(self._client.mute)

    def unmute(self) -> None:
        _call(self._client.unmute)

    def status(self) -> dict:
        """The daemon's status reply (`muted`, `buffer_seconds`, ...)."""
        return _call(self._client.status).to_dict()

    def subscribe(
        self, on_event: Callable[[dict], None], on_connected: Callable[[bool], None] = lambda up: None
    ) -> EventSubscription:
        fresh = Backoff(self.backoff.initial_s, self.backoff.factor, self.backoff.maximum_s)
        return EventSubscription(self.path, lambda event: on_event(event.to_dict()), on_connected, fresh)

    def close(self) -> None:
        self._client.close()


def _decided(on_decision: OnDecision | None) -> Callable[[DecisionReply], None] | None:
    """The client's decision callback for the bridge's: "yes" exactly when the daemon heard it."""
    return None if on_decision is None else (lambda line: on_decision(line.heard is True))


def _call(method: Callable[..., T], *args) -> T:
    """`method(*args)`, with the edge's errors turned into the bridge's DaemonLinkError."""
    try:
        return method(*args)
    except EdgeError as err:
        raise DaemonLinkError(str(err)) from err
