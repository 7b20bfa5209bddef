"""Events from the daemon: one subscribed connection (`EventStream`), and a thread that keeps
one open across daemon restarts (`EventSubscription`, what the bridge uses).

    with daemon_events() as events:                        # its own connection
        for event in events:                               # SegmentEvent, AlertEvent, StateEvent
            ...
    sub = EventSubscription(None, on_event, on_connected)  # a thread; re-subscribes after restarts
"""

from __future__ import annotations

import logging
import socket
import threading
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterator

from core.backoff import Backoff
from edge.client.connection import LineConnection
from edge.errors import DaemonError, ProtocolError, RequestRefused
from edge.protocol import EVENT_TYPES, Error, Events, Message, Subscribed

log = logging.getLogger(__name__)


class EventStream:
    """A connection subscribed to events; iterate it, or call `next(timeout_s)`."""

    def __init__(self, address: str | Path | None = None, timeout_s: float = 10.0) -> None:
        self._conn = LineConnection(address, timeout_s)
        self._early: deque[Message] = deque()  # events queued by the daemon before its `subscribed`
        try:
            self._conn.send(Events(id="events"))
            reply = self._conn.recv()
            while reply.TYPE in EVENT_TYPES:
                self._early.append(reply)
                reply = self._conn.recv()
        except (OSError, ProtocolError) as err:
            self._conn.close()
            raise DaemonError(f"the daemon at {self._conn.address} did not answer events: {err}") from err
        except BaseException:
            self._conn.close()
            raise
        if isinstance(reply, Error):
            self._conn.close()
            raise RequestRefused("events", reply.code, reply.text)
        if not isinstance(reply, Subscribed):
            self._conn.close()
            raise DaemonError(f"the daemon at {self._conn.address} answered events with {reply.TYPE}")
        self._conn.sock.settimeout(None)

    @property
    def address(self) -> str | tuple[str, int]:
        return self._conn.address

    def next(self, timeout_s: float | None = None) -> Message:
        """The next event; TimeoutError if none arrives within `timeout_s`."""
        if self._early:
            return self._early.popleft()
        self._conn.sock.settimeout(timeout_s)
        try:
            return self._conn.recv()
        except socket.timeout as err:
            raise TimeoutError(f"no event within {timeout_s} s") from err

    def __iter__(self) -> Iterator[Message]:
        while True:
            try:
                yield self.next(None)
            except DaemonError:
                return

    def interrupt(self) -> None:
        """Wake a `next` blocked in another thread; the stream then ends."""
        self._conn.interrupt()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def daemon_events(address: str | Path | None = None) -> EventStream:
    return EventStream(address)


class EventSubscription:
    """A thread that keeps an `events` connection open, re-subscribing after daemon restarts.

    `on_event(event)` gets every event (SegmentEvent, AlertEvent, StateEvent); `on_connected(up)`
    is told when the subscription is made (True) and lost (False). A line that breaks the
    protocol is logged and skipped; a lost connection is retried with `backoff`.
    """

    def __init__(
        self,
        address: str | Path | None,
        on_event: Callable[[Message], None],
        on_connected: Callable[[bool], None] = lambda up: None,
        backoff: Backoff | None = None,
    ) -> None:
        self.address = address
        self.on_event = on_event
        self.on_connected = on_connected
        self.backoff = backoff or Backoff(0.1, 2.0, 2.0)  # a restarted daemon is found within 2 s
        self.subscriptions = 0  # successful subscribes (1 + re-subscribes)
        self._stop = threading.Event()
        self._stream: EventStream | None = None
        self._thread = threading.Thread(target=self._run, name="daemon-events", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                stream = EventStream(self.address, timeout_s=None)
            except DaemonError as err:
                delay = self.backoff.next_delay()
                log.debug("%s; retrying in %.2f s", err, delay)
                self._stop.wait(delay)
                continue
            self._stream = stream
            self.backoff.reset()
            self.subscriptions += 1
            self._notify(self.on_connected, True)
            try:
                self._deliver(stream)
            except (OSError, DaemonError) as err:
                if not self._stop.is_set():
                    log.info("daemon event stream lost (%s); re-subscribing", err)
            finally:
                stream.close()
                self._stream = None
            if self._stop.is_set():
                return
            self._notify(self.on_connected, False)
            self._stop.wait(self.backoff.next_delay())

    def _deliver(self, stream: EventStream) -> None:
        while not self._stop.is_set():
            try:
                event = stream.next(None)
            except ProtocolError as err:  # malformed input is an error, never an end of stream
                log.warning("skipped a line from the daemon at %s: %s", stream.address, err)
                continue
            if event.TYPE in EVENT_TYPES:
                self._notify(self.on_event, event)

    @staticmethod
    def _notify(callback: Callable, arg: Any) -> None:
        try:
            callback(arg)
        except Exception:
            log.exception("daemon event callback failed")

    def close(self, timeout: float = 2.0) -> None:
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.interrupt()  # wakes the blocked read
        self._thread.join(timeout)
