"""Each watch sensor's ON state: ON when its watch fires, OFF `hold_s` after the last firing.

A sound that keeps being heard keeps the sensor ON (each alert extends the hold), so an
automation sees one ON per episode, not one per segment.
"""

from __future__ import annotations

import threading


class Holds:
    def __init__(self, hold_s: float) -> None:
        self.hold_s = hold_s
        self._until: dict[str, float] = {}  # key -> monotonic time its sensor turns OFF
        self._lock = threading.Lock()

    def fire(self, key: str, now: float) -> bool:
        """Hold `key` ON until now + hold_s; True when it was OFF (its sensor turns ON)."""
        with self._lock:
            was_on = key in self._until
            self._until[key] = now + self.hold_s
            return not was_on

    def expire(self, now: float) -> list[str]:
        """The keys whose hold has passed (their sensors turn OFF)."""
        with self._lock:
            done = [k for k, t in self._until.items() if t <= now]
            for k in done:
                del self._until[k]
            return done

    def is_on(self, key: str) -> bool:
        with self._lock:
            return key in self._until

    def forget(self, key: str) -> None:
        with self._lock:
            self._until.pop(key, None)

    def next_deadline(self) -> float | None:
        with self._lock:
            return min(self._until.values(), default=None)
