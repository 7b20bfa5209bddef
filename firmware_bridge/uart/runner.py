"""LinkRunner: one thread that owns a port and a Link, and keeps them connected.

The I/O half of the link: link.py holds the rules and never touches a port; port.py
moves bytes and knows no frames; this module joins them and reconnects. It opens the
transport (retrying with `Backoff` while it cannot), resets the Link for a fresh session,
then reads, feeds the Link, runs its timers and hands delivered messages to a
`LinkHandler` (pyserial-threaded style: connection_made / message_received /
connection_lost). Any `TransportError` (the port vanished) closes the transport and
starts over. Handlers run on the runner's thread, outside the lock, and must be quick;
`send` may be called from any thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Protocol

from core.backoff import Backoff
from firmware_bridge.errors import LinkError, TransportError
from firmware_bridge.uart.link import Delivery, Link, LinkConfig, Received
from firmware_bridge.uart.messages import Message
from firmware_bridge.uart.port import Transport

log = logging.getLogger(__name__)


class LinkHandler(Protocol):
    def connection_made(self, runner: LinkRunner) -> None: ...
    def message_received(self, runner: LinkRunner, received: Received) -> None: ...
    def connection_lost(self, runner: LinkRunner, error: Exception | None) -> None: ...


class LinkRunner:
    """Runs `Link` over transports from `open_transport` until `stop()`."""

    def __init__(
        self,
        open_transport: Callable[[], Transport],
        handler: LinkHandler,
        accepts: frozenset[int],
        config: LinkConfig = LinkConfig(),
        backoff: Backoff | None = None,
        name: str = "link",
    ) -> None:
        self._open = open_transport
        self.handler = handler
        self.backoff = backoff or Backoff()
        self.name = name
        self._lock = threading.RLock()
        self._transport: Transport | None = None
        self.link = Link(self._write, accepts, config)
        self._stop = threading.Event()
        self._drop = threading.Event()
        self._dropped = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()  # set while a transport is open
        self.connects = 0  # successful opens so far (1 + reconnects)

    # -- public --------------------------------------------------------------------------

    def start(self) -> LinkRunner:
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def send(self, message: Message) -> Delivery | None:
        """Queue `message` on the current session; LinkError when not connected."""
        with self._lock:
            if self._transport is None:
                raise LinkError(f"cannot send {message!r}: {self.name} is not connected")
            return self.link.send(message)

    def drop_connection(self, timeout: float = 1.0) -> None:
        """Close the current transport from another thread and wait until it is released."""
        self._dropped.clear()
        self._drop.set()
        if self.connected.is_set():
            self._dropped.wait(timeout)

    def __enter__(self) -> LinkRunner:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the thread ----------------------------------------------------------------------

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                transport = self._open()
            except TransportError as err:
                delay = self.backoff.next_delay()
                log.info("%s: %s; retrying in %.2f s", self.name, err, delay)
                self._stop.wait(delay)
                continue
            self.backoff.reset()
            self._session(transport)

    def _session(self, transport: Transport) -> None:
        with self._lock:
            self.link.reset("reconnecting")
            self._transport = transport
        self._drop.clear()
        self.connects += 1
        self.connected.set()
        error: Exception | None = None
        try:
            self._call(self.handler.connection_made, self)
            while not self._stop.is_set() and not self._drop.is_set():
                data = transport.read()
                with self._lock:
                    received = self.link.receive(data) if data else []
                    self.link.poll()
                for item in received:
                    self._call(self.handler.message_received, self, item)
        except TransportError as err:
            error = err
            log.warning("%s: connection lost: %s", self.name, err)
        finally:
            with self._lock:
                self._transport = None
                self.link.reset("connection lost")
                transport.close()
            self.connected.clear()
            self._dropped.set()
            try:
                self.handler.connection_lost(self, error)
            except Exception:
                log.exception("%s: handler connection_lost failed", self.name)

    def _call(self, callback: Callable, *args) -> None:
        # A bug in a handler must not take the link down; a lost port must.
        try:
            callback(*args)
        except TransportError:
            raise
        except Exception:
            log.exception("%s: handler %s failed", self.name, getattr(callback, "__name__", callback))

    def _write(self, data: bytes) -> None:
        # Called by the Link with the lock held.
        if self._transport is None:
            raise LinkError(f"{self.name} is not connected")
        self._transport.write(data)
