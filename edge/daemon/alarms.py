"""The alarm pattern detector in the daemon: every captured block, wall-clock times, and a short
memory of what it matched. The learned model's yes to an alarm watch is held until the detector
had its chance: when it matched a pattern, the pattern decides (a temporal-three is never
reported as carbon monoxide), and the model's alert is dropped.

The detector runs only while a watch asks about an alarm (its matches serve nothing else: an
`ask` runs its own over the audio asked about), and is fed FEED_SECONDS at a time."""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

from core.audio import SAMPLE_RATE
from edge.alarms import AlarmDetector, AlarmMatch
from edge.protocol import AlertEvent

RECENT_S = 30.0  # matches kept for the watches' check: longer than a segment plus a cycle
# The learned model's yes to an alarm watch waits this long after its segment, so that the
# detector can confirm a pattern first (T3 at 4 s, T4 at 5.7 s after the first beep): it
# says yes to "carbon monoxide" on a temporal-three too, and that must never go out.
HOLD_S = 6.0
# Blocks are gathered to this much audio before the detector reads them: its cost is mostly
# numpy's per-call overhead, so 30 ms blocks cost 4.1 % of a core on busy real recordings and
# 240 ms ones 0.8 % (same matches; AMD EPYC). An alert waits at most this much longer.
FEED_SECONDS = 0.24


class StreamAlarms:
    """Fed and released by the capture thread (`feed`, `release`), held by the assistant thread (`hold`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched = False
        self.reset()

    def reset(self) -> None:
        """Forget everything (on mute: the audio is gone, and so is its continuity)."""
        with self._lock:
            self._detector = AlarmDetector()
            self._fed = 0  # samples fed since the reset
            self._pending: list[np.ndarray] = []  # blocks not fed yet, FEED_SECONDS at a time
            self._pending_time = 0.0  # the wall time of the first pending sample
            self._recent: deque[tuple[AlarmMatch, float, float]] = deque()
            self._held: list[tuple[str, AlertEvent]] = []  # (alarm, the model's alert)

    @property
    def watched(self) -> bool:
        return self._watched

    def watch(self, watched: bool) -> None:
        """Whether some watch asks about an alarm; the detector starts afresh when one does again."""
        if watched and not self._watched:
            self.reset()
        self._watched = watched

    def feed(self, samples: np.ndarray, wall_time: float) -> list[tuple[AlarmMatch, float, float]]:
        """(match, first beep, confirmed) in Unix seconds, for one block of int16 or float samples
        whose first sample was captured at `wall_time`; nothing while no watch asks about an alarm."""
        if not self._watched:
            return []
        x = samples.astype(np.float32) / 32768.0 if samples.dtype == np.int16 else samples.astype(np.float32)
        with self._lock:
            if not self._pending:
                self._pending_time = wall_time
            self._pending.append(x)
            if sum(map(len, self._pending)) < FEED_SECONDS * SAMPLE_RATE:
                return []
            x, self._pending = np.concatenate(self._pending), []
            origin = self._pending_time - self._fed / SAMPLE_RATE  # the wall time of stream time 0
            self._fed += len(x)
            found = [(m, origin + m.first_beep_s, origin + m.at_s) for m in self._detector.feed(x)]
            self._recent.extend(found)
            while self._recent and self._recent[0][2] < wall_time - RECENT_S:
                self._recent.popleft()
        return found

    def hold(self, alarm: str, alert: AlertEvent) -> None:
        """Keep the learned model's alert for an `alarm` watch until HOLD_S after its segment."""
        with self._lock:
            self._held.append((alarm, alert))

    def release(self, now: float) -> list[AlertEvent]:
        """The held alerts whose wait is over and that the detector did not decide: those for
        which it matched neither this alarm (its own alert went out already) nor the other."""
        with self._lock:
            due = [(a, e) for a, e in self._held if e.end + HOLD_S <= now]
            self._held = [(a, e) for a, e in self._held if e.end + HOLD_S > now]
            recent = list(self._recent)
        out = []
        for alarm, alert in due:
            near = [m for m, first, at in recent if first <= alert.end + HOLD_S and at >= alert.start - RECENT_S]
            if not near:
                out.append(alert)
        return out
