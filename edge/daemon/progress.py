"""The lines a streamed `ask`/`listen` gets before its answer (PROTOCOL.md, minor 1): the
`decision` as soon as it is known, then the words as they are generated.

They are sent from the assistant thread without waiting: a client that does not read them
loses them (the `answer` that follows always carries the whole text), and the model never
stalls on a slow client.
"""

from __future__ import annotations

import time
from typing import Callable

from edge.answer import Answer
from edge.protocol import DecisionReply, Id, TokenReply
from edge.ring_buffer import Span, wall_time


class Progress:
    """`decision` and `token` lines for one request; `spans` locate its audio on the wall clock."""

    def __init__(self, send: Callable[[bytes], bool], rid: Id, started: float) -> None:
        self._send = send
        self._rid = rid
        self._started = started  # time.perf_counter() when the request was read
        self.spans: list[Span] = []
        self.decided_ms: float | None = None
        self.first_words_ms: float | None = None

    def _elapsed(self) -> float:
        return round((time.perf_counter() - self._started) * 1e3, 2)

    def decision(self, answer: Answer) -> None:
        self.decided_ms = self._elapsed()
        where = [
            {"start": w.start, "end": w.end, "wall_start": wall_time(self.spans, w.start), "wall_end": wall_time(self.spans, w.end)}
            for w in answer.windows
            if w.heard
        ]
        line = DecisionReply(answer.heard, answer.confidence, answer.probability, where, self.decided_ms, id=self._rid)
        self._send(line.encode())

    def token(self, piece: object) -> None:
        text = getattr(piece, "text", "")
        if not text:  # a stop token, or half a UTF-8 character
            return
        elapsed = self._elapsed()
        if self.first_words_ms is None:
            self.first_words_ms = elapsed
        self._send(TokenReply(text, elapsed, id=self._rid).encode())
