"""The lines a streamed `ask`/`listen` gets before its answer (PROTOCOL.md, minor 1): the
`decision` as soon as it is known, then the words as they are generated.

They are sent from the assistant thread without waiting: a client that does not read them
loses them (the `answer` that follows always carries the whole text), and the model never
stalls on a slow client.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from edge.answer import Answer
from edge.protocol import DecisionReply, Id, TokenReply
from edge.ring_buffer import Span, wall_time

if TYPE_CHECKING:
    from edge.llm_session import TokenPiece


class Progress:
    """`decision` and `token` lines for one request; `spans` locate its audio on the wall clock."""

    def __init__(self, send: Callable[[bytes], bool], rid: Id, started: float) -> None:
        self._send = send
        self._rid = rid
        self._started = started  # time.perf_counter() when the request was read
        self.spans: list[Span] = []

    def _elapsed(self) -> float:
        return round((time.perf_counter() - self._started) * 1e3, 2)

    def decision(self, answer: Answer) -> None:
        where = [
            {"start": w.start, "end": w.end, "wall_start": wall_time(self.spans, w.start), "wall_end": wall_time(self.spans, w.end)}
            for w in answer.windows
            if w.heard
        ]
        line = DecisionReply(answer.heard, answer.confidence, answer.probability, where, self._elapsed(), id=self._rid)
        self._send(line.encode())

    def token(self, piece: TokenPiece) -> None:
        if piece.text:  # not a stop token, nor half a UTF-8 character
            self._send(TokenReply(piece.text, self._elapsed(), id=self._rid).encode())
