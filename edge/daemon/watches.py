"""The daemon's watches: standing yes/no questions, checked on every new segment.

Watches belong to the daemon, not to a connection (PROTOCOL.md): they stay until `unwatch`
or restart. All watches on one segment are checked in one job, on the states the daemon
encoded for the segment as it arrived (edge.daemon.encoded): the encoder runs once for the
watches and for later asks about the segment.
"""

from __future__ import annotations

import logging
import threading
from typing import Iterator

from core.answers import answer_says_yes
from core.audio import SAMPLE_RATE
from edge.daemon.jobs import AssistantLike
from edge.protocol import AlertEvent
from edge.ring_buffer import Segment, SegmentStates

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs


class Watches:
    """watch id -> question, at most `limit` of them; safe to use from every thread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._questions: dict[int, str] = {}
        self._next = 1
        self._lock = threading.Lock()

    def add(self, question: str) -> int | None:
        """The new watch's id; None when `limit` watches exist already."""
        with self._lock:
            if len(self._questions) >= self.limit:
                return None
            watch_id = self._next
            self._next += 1
            self._questions[watch_id] = question
        return watch_id

    def remove(self, watch_id: int) -> str | None:
        """The removed watch's question; None when there was no such watch."""
        with self._lock:
            return self._questions.pop(watch_id, None)

    def items(self) -> list[tuple[int, str]]:
        with self._lock:
            return list(self._questions.items())

    def __len__(self) -> int:
        with self._lock:
            return len(self._questions)


def check_watches(assistant: AssistantLike, seg: Segment, watches: list[tuple[int, str]],
                  encoded: SegmentStates | None = None) -> Iterator[AlertEvent]:
    """An alert for each watch that hears its sound in `seg`, yielded as soon as it is known;
    `encoded` is the segment's states when the daemon has encoded it (edge.daemon.encoded)."""
    for watch_id, question in watches:
        if encoded is not None:
            answer = assistant.ask_encoded(list(encoded.windows), encoded.states, question, {})
        else:
            answer = assistant.ask(seg.audio, question, sample_rate=SAMPLE_RATE)
        heard = answer_says_yes(answer.heard, answer.text)
        if heard:
            log.info("alert: watch %d %r heard in the segment at %.2f", watch_id, question, seg.start)
            yield AlertEvent(watch_id, question, answer.text, answer.confidence, start=seg.start, end=seg.end)
