"""Link layer, sans I/O: acknowledgements, retransmission, duplicates, heartbeats.

`Link` turns messages into wire bytes through a `write` callable and wire bytes into
messages through `receive`; time only enters through `clock`, so tests drive it with a
fake clock and a lossy channel; the port and the thread are runner.py's. Not thread-safe:
`LinkRunner` holds a lock around it. The rules it implements are PROTOCOL.md section 4:

- reliable messages go out one at a time (stop-and-wait); the next waits in a queue;
- one without its ACK after `ack_timeout_s` is sent again, at most `max_retries` times;
- a receiver ACKs every reliable frame it accepts, delivers a repeated seq only once,
  and treats seq 0 as the start of the peer's session (the duplicate filter resets);
- both sides send HEARTBEAT every `heartbeat_interval_s`; a peer silent for
  `peer_timeout_s` is considered gone.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Callable

from firmware_bridge.errors import FrameError, LinkError
from firmware_bridge.uart.frame import Frame, StreamDecoder, encode_frame
from firmware_bridge.uart.messages import Ack, Heartbeat, Message, Nack, NackReason, from_frame, is_reliable, to_frame
from firmware_bridge.uart.protocol import RELIABLE_TYPES, SESSION_START_SEQ, MessageType, next_seq

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkConfig:
    """Timing and size limits of the link layer (PROTOCOL.md section 6)."""

    ack_timeout_s: float = 0.1  # wait for an ACK before resending: >10 frame times at 115200 baud
    max_retries: int = 3  # resends after the first try; then the message fails (0.4 s worst case)
    heartbeat_interval_s: float = 1.0  # a HEARTBEAT this often, in both directions
    peer_timeout_s: float = 3.5  # no frame at all for this long: the peer is gone (3 heartbeats missed)
    max_queue: int = 32  # reliable messages waiting behind the one in flight; more is refused


class DeliveryState(enum.Enum):
    PENDING = "pending"
    ACKED = "acked"
    NACKED = "nacked"  # refused by the peer (reason in `error`)
    FAILED = "failed"  # no ACK after all retries, or the link was reset


class Delivery:
    """The fate of one reliable message; `wait()` blocks until it is settled."""

    def __init__(self, message: Message) -> None:
        self.message = message
        self.seq: int | None = None  # assigned when it leaves the queue
        self.attempts = 0  # transmissions so far
        self.state = DeliveryState.PENDING
        self.error: LinkError | None = None
        self._done = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        """True once acked; False when refused, failed, or still pending after `timeout` s."""
        self._done.wait(timeout)
        return self.state is DeliveryState.ACKED

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def _settle(self, state: DeliveryState, error: LinkError | None = None) -> None:
        self.state = state
        self.error = error
        self._done.set()

    def __repr__(self) -> str:
        return f"Delivery({self.message!r}, seq={self.seq}, {self.state.value}, attempts={self.attempts})"


@dataclass(frozen=True)
class Received:
    """A message delivered by the link, with the seq it came with."""

    message: Message
    seq: int

    @property
    def starts_session(self) -> bool:
        """A reliable message with seq 0: the peer (re)started its session."""
        return self.message.TYPE in RELIABLE_TYPES and self.seq == SESSION_START_SEQ


class Link:
    """One end of the link; `accepts` lists the message types this end may receive."""

    def __init__(
        self,
        write: Callable[[bytes], None],
        accepts: frozenset[int],
        config: LinkConfig = LinkConfig(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self.accepts = accepts
        self.config = config
        self.clock = clock
        self.decoder = StreamDecoder()
        self.counters: Counter = Counter()  # sent, resent, acked, nacked, failed, duplicates, ...
        self._born = clock()
        self._queue: deque[Delivery] = deque()
        self._in_flight: Delivery | None = None
        self._in_flight_bytes = b""
        self._deadline = 0.0
        self._reset_state()

    def _reset_state(self) -> None:
        now = self.clock()
        self._tx_seq = SESSION_START_SEQ  # the next reliable frame starts our session
        self._rx_seq: int | None = None  # last accepted reliable seq from the peer
        self._last_rx: float | None = None
        self._next_heartbeat = now  # first heartbeat on the first poll
        self.decoder.reset()

    def reset(self, reason: str = "link reset") -> None:
        """Start a new session (e.g. after reconnecting): pending messages fail."""
        pending = ([self._in_flight] if self._in_flight else []) + list(self._queue)
        self._in_flight = None
        self._queue.clear()
        for delivery in pending:
            self.counters["failed"] += 1
            delivery._settle(DeliveryState.FAILED, LinkError(f"{delivery.message!r} not delivered: {reason}"))
        self._reset_state()

    # -- sending -------------------------------------------------------------------------

    def send(self, message: Message) -> Delivery | None:
        """Send `message`; reliable ones return a Delivery, the others None."""
        if not is_reliable(message):
            self._emit(to_frame(message, 0))
            return None
        if len(self._queue) >= self.config.max_queue:
            raise LinkError(
                f"{len(self._queue)} reliable messages already queued (max_queue={self.config.max_queue}); "
                "the peer is not acknowledging: check the cable and the firmware"
            )
        delivery = Delivery(message)
        to_frame(message, 0)  # refuse an unencodable message now, not when it leaves the queue
        self._queue.append(delivery)
        self._start_next()
        return delivery

    def _start_next(self) -> None:
        if self._in_flight is not None or not self._queue:
            return
        delivery = self._queue.popleft()
        delivery.seq = self._tx_seq
        self._tx_seq = next_seq(self._tx_seq)
        self._in_flight = delivery
        self._in_flight_bytes = encode_frame(to_frame(delivery.message, delivery.seq))
        self._transmit()

    def _transmit(self) -> None:
        delivery = self._in_flight
        delivery.attempts += 1
        self.counters["sent" if delivery.attempts == 1 else "resent"] += 1
        self._deadline = self.clock() + self.config.ack_timeout_s
        self._write(self._in_flight_bytes)

    def _emit(self, frame: Frame) -> None:
        self.counters["sent_unreliable"] += 1
        self._write(encode_frame(frame))

    def _finish(self, state: DeliveryState, error: LinkError | None = None) -> None:
        delivery = self._in_flight
        self._in_flight = None
        self.counters[state.value] += 1
        delivery._settle(state, error)
        self._start_next()

    # -- receiving -----------------------------------------------------------------------

    def receive(self, data: bytes) -> list[Received]:
        """Feed bytes from the wire; return the messages to deliver, in order."""
        out: list[Received] = []
        for frame in self.decoder.feed(data):
            self._last_rx = self.clock()
            received = self._on_frame(frame)
            if received is not None:
                out.append(received)
        return out

    def _on_frame(self, frame: Frame) -> Received | None:
        mtype = frame.type
        if mtype == MessageType.ACK:
            self._on_ack(frame)
            return None
        if mtype == MessageType.NACK:
            self._on_nack(frame)
            return None
        reliable = mtype in RELIABLE_TYPES
        if mtype not in self.accepts:
            self.counters["unsupported"] += 1
            log.debug("refusing %s: not accepted on this side", MessageType(mtype).name)
            if reliable:
                self._emit(to_frame(Nack(NackReason.UNSUPPORTED), frame.seq))
            return None
        try:
            message = from_frame(frame)
        except FrameError as err:
            self.counters["bad_payload"] += 1
            log.debug("refusing frame: %s", err)
            if reliable:
                self._emit(to_frame(Nack(NackReason.BAD_PAYLOAD), frame.seq))
            return None
        if not reliable:
            return Received(message, frame.seq)
        self._emit(to_frame(Ack(), frame.seq))  # always: our earlier ACK may have been lost
        if frame.seq != SESSION_START_SEQ and frame.seq == self._rx_seq:
            self.counters["duplicates"] += 1
            return None
        self._rx_seq = frame.seq
        self.counters["received"] += 1
        return Received(message, frame.seq)

    def _on_ack(self, frame: Frame) -> None:
        if frame.payload or self._in_flight is None or frame.seq != self._in_flight.seq:
            self.counters["stray_acks"] += 1  # late ACK of a resend already acknowledged
            return
        self._finish(DeliveryState.ACKED)

    def _on_nack(self, frame: Frame) -> None:
        try:
            reason = from_frame(frame).reason
        except FrameError:
            self.counters["bad_payload"] += 1
            return
        if self._in_flight is None or frame.seq != self._in_flight.seq:
            self.counters["stray_nacks"] += 1
            return
        if reason is NackReason.BUSY:
            self.counters["busy"] += 1  # keep it in flight: the ACK timer resends it
            return
        self._finish(
            DeliveryState.NACKED,
            LinkError(f"peer refused {self._in_flight.message!r} (seq {frame.seq}): {reason.name}"),
        )

    # -- timers --------------------------------------------------------------------------

    def poll(self) -> None:
        """Run due timers: resends, failures, heartbeats. Call at least every 20 ms."""
        now = self.clock()
        if self._in_flight is not None and now >= self._deadline:
            delivery = self._in_flight
            if delivery.attempts > self.config.max_retries:
                self._finish(
                    DeliveryState.FAILED,
                    LinkError(
                        f"no ACK for {delivery.message!r} (seq {delivery.seq}) after {delivery.attempts} "
                        f"tries {self.config.ack_timeout_s:g} s apart; is the MCU running?"
                    ),
                )
            else:
                self._transmit()
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + self.config.heartbeat_interval_s
            self._emit(to_frame(Heartbeat(int((now - self._born) * 1000)), 0))

    @property
    def peer_alive(self) -> bool:
        """A frame arrived within the last `peer_timeout_s`."""
        return self._last_rx is not None and self.clock() - self._last_rx < self.config.peer_timeout_s

    @property
    def pending(self) -> int:
        """Reliable messages not yet settled (in flight + queued)."""
        return len(self._queue) + (self._in_flight is not None)
