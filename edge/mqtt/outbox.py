"""What waits for the broker: every message the daemon publishes goes through one bounded queue,
so a broker that is down or restarting never blocks capture, and nothing is lost that fits.

Two kinds of message:
- states (`latest_only`): retained topics whose older values are worthless once a newer
  one waits (mute, last sound, discovery configs, availability). A new one replaces the
  one waiting for the same topic, so they take at most one place per topic.
- events: alerts and each watch sensor's ON / OFF, kept in order. A broker back after an
  alert's hold has passed still gets its ON then its OFF: an automation triggers on it.

Past `limit` messages the oldest waiting one is dropped and counted (the daemon logs it).
The publisher takes the head with `peek`, and `done` removes it once the broker has
acknowledged it (QoS 1): a message in flight when the connection drops is sent again.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, eq=False)  # identity: the same bytes queued twice are two messages
class Outgoing:
    topic: str
    payload: bytes
    retain: bool = True
    latest_only: bool = False
    properties: Any = None  # MQTT 5 publish properties (a reply's correlation data)


class Outbox:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"an outbox of {limit} messages cannot hold an alert")
        self.limit = limit
        self.dropped = 0
        self._items: deque[Outgoing] = deque()
        self._cond = threading.Condition()

    def put(self, message: Outgoing, first: bool = False) -> None:
        """Queue `message` (at the head with `first`); never blocks for the broker."""
        with self._cond:
            if message.latest_only:
                stale = [m for m in self._items if m.latest_only and m.topic == message.topic]
                for m in stale:
                    self._items.remove(m)
            if first:
                self._items.appendleft(message)
            else:
                self._items.append(message)
            while len(self._items) > self.limit:
                del self._items[1 if first else 0]  # the oldest, never the one just put first
                self.dropped += 1
            self._cond.notify_all()

    def peek(self, timeout: float | None = None) -> Outgoing | None:
        """The oldest waiting message (left queued), waiting up to `timeout` s for one."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._items:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._cond.wait(left)
            return self._items[0]

    def done(self, message: Outgoing) -> None:
        """The broker has `message`: forget it (unless a newer state replaced it already)."""
        with self._cond:
            try:
                self._items.remove(message)
            except ValueError:
                pass

    def __contains__(self, message: Outgoing) -> bool:
        with self._cond:
            return any(m is message for m in self._items)

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)
