"""Exponential retry delay, shared by everything that reconnects (microphone, serial port, daemon socket)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays initial, initial*factor, ... capped at maximum; `reset()` after a success."""

    initial_s: float = 0.1  # first wait after a failure
    factor: float = 2.0  # growth per further failure
    maximum_s: float = 5.0  # a replugged device is found again within this long
    _next: float | None = field(default=None, repr=False)

    def next_delay(self) -> float:
        delay = self.initial_s if self._next is None else self._next
        self._next = min(delay * self.factor, self.maximum_s)
        return delay

    def reset(self) -> None:
        self._next = None
