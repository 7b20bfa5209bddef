"""In-process observers of the daemon (the MQTT link, edge/mqtt/link.py): they get what the
socket's event subscribers get (segment, alert and state events), the watch list as it
changes (`Watching` / `Unwatched`, as the socket replies), and, when the assistant has a
presence model, the likeliest sound of each new segment (`Heard`).

An observer is called on the thread that made the event (capture, assistant or a
connection's): it must only queue work, never block. One that raises is logged and kept.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

from edge.ring_buffer import Segment, SegmentStates

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs

Observer = Callable[[Any], None]


@dataclass(frozen=True)
class Heard:
    """The likeliest sound of a segment, by the bundle's presence model."""

    sound: str  # how it is said ("a smoke alarm beeping")
    label: str  # the vocabulary label ("smoke_alarm")
    confidence: float  # its calibrated P(present)
    start: float  # the segment, Unix seconds
    end: float


class Observers:
    def __init__(self) -> None:
        self._items: list[Observer] = []
        self._lock = threading.Lock()

    def add(self, observer: Observer) -> None:
        with self._lock:
            self._items.append(observer)

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._items)

    def notify(self, item: Any) -> None:
        with self._lock:
            items = list(self._items)
        for observer in items:
            try:
                observer(item)
            except Exception:  # an observer's bug must not stop capture or the assistant
                log.exception("an observer failed on %s", type(item).__name__)


def likeliest_sound(assistant: object, seg: Segment, encoded: SegmentStates) -> Heard | None:
    """The most probable sound the assistant's presence model hears in `seg`; None without a
    presence model, or when it hears none of its labels."""
    listener = getattr(assistant, "listener", None)
    if listener is None:
        return None
    per_window = listener.detect(encoded.states, list(encoded.windows))
    found = [d for window in per_window for d in window]
    if not found:
        return None
    best = max(found, key=lambda d: d.probability)
    return Heard(best.name, best.label, float(best.probability), seg.start, seg.end)
