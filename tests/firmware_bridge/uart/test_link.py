"""Link layer on a fake clock: acks, retransmission under dropped frames, duplicates, heartbeats."""

from __future__ import annotations

import random

import pytest

from firmware_bridge.errors import LinkError
from firmware_bridge.uart.frame import Frame, StreamDecoder, encode_frame
from firmware_bridge.uart.link import DeliveryState, Link, LinkConfig
from firmware_bridge.uart.messages import (
    Button,
    ButtonEvent,
    Capability,
    Hello,
    Heartbeat,
    Led,
    LedPattern,
    Log,
    LogLevel,
    MuteSwitch,
    Nack,
    NackReason,
    Ping,
    to_frame,
)
from firmware_bridge.uart.protocol import FROM_HOST, FROM_MCU, MessageType

CONFIG = LinkConfig(ack_timeout_s=0.1, max_retries=3, heartbeat_interval_s=1.0, peer_timeout_s=3.5)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Wire:
    """Two links joined by a channel that drops whole frames as `drop(direction, n, frame)` says."""

    def __init__(self, drop=lambda direction, n, frame: False, config: LinkConfig = CONFIG) -> None:
        self.clock = Clock()
        self.drop = drop
        self.sent = {"to_mcu": 0, "to_host": 0}
        self.dropped = {"to_mcu": 0, "to_host": 0}
        self.in_flight: list[tuple[str, bytes]] = []
        self.host = Link(lambda b: self._put("to_mcu", b), FROM_MCU, config, self.clock)
        self.mcu = Link(lambda b: self._put("to_host", b), FROM_HOST, config, self.clock)
        self.at_host: list = []
        self.at_mcu: list = []

    def _put(self, direction: str, data: bytes) -> None:
        n = self.sent[direction]
        self.sent[direction] += 1
        (frame,) = StreamDecoder().feed(data)
        if self.drop(direction, n, frame):
            self.dropped[direction] += 1
            return
        self.in_flight.append((direction, data))

    def run(self, seconds: float, step: float = 0.01) -> None:
        end = self.clock.now + seconds
        while self.clock.now < end:
            while self.in_flight:
                direction, data = self.in_flight.pop(0)
                if direction == "to_mcu":
                    self.at_mcu += [r.message for r in self.mcu.receive(data)]
                else:
                    self.at_host += [r.message for r in self.host.receive(data)]
            self.host.poll()
            self.mcu.poll()
            self.clock.now += step


def _reliable(received):
    return [m for m in received if not isinstance(m, (Heartbeat, Log))]


def test_lossless_delivery_in_order():
    wire = Wire()
    leds = [Led(p, 1, 2, 3, 4) for p in LedPattern]
    deliveries = [wire.host.send(led) for led in leds]
    wire.run(1.0)
    assert _reliable(wire.at_mcu) == leds
    assert all(d.state is DeliveryState.ACKED and d.attempts == 1 for d in deliveries)
    assert wire.host.counters["resent"] == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_retransmission_under_random_drops_delivers_everything_once(seed):
    rng = random.Random(seed)
    wire = Wire(drop=lambda direction, n, frame: rng.random() < 0.3)  # 30 % of frames lost, both ways
    leds = [Led(LedPattern(i % 8), i, 0, 0, 100) for i in range(20)]
    buttons = [Button(i, ButtonEvent.PRESS) for i in range(20)]
    # Each session opens with an idempotent seq-0 message (PING / HELLO), as PROTOCOL.md asks:
    # seq 0 is always delivered, so a resent opener may arrive twice.
    wire.host.send(Ping())
    wire.mcu.send(Hello(0, 1, 0, Capability.BUTTONS, 20))
    host_d = [wire.host.send(led) for led in leds]
    mcu_d = [wire.mcu.send(b) for b in buttons]
    wire.run(30.0)
    assert wire.dropped["to_mcu"] > 5 and wire.dropped["to_host"] > 5
    assert wire.host.counters["resent"] > 0 and wire.mcu.counters["resent"] > 0
    ok_leds = [d.message for d in host_d if d.state is DeliveryState.ACKED]
    ok_buttons = [d.message for d in mcu_d if d.state is DeliveryState.ACKED]
    # Acked messages arrived exactly once and in order; at 30 % loss a few may fail after 4 tries,
    # and a failed one may still have arrived (its ACKs were the frames lost).
    assert [x for x in _reliable(wire.at_mcu) if x in ok_leds] == ok_leds
    assert [x for x in _reliable(wire.at_host) if x in ok_buttons] == ok_buttons
    for got in (wire.at_mcu, wire.at_host):
        body = [x for x in _reliable(got) if not isinstance(x, (Ping, Hello))]
        assert len(body) == len(set(body)), "a message was delivered twice"
    assert len(ok_leds) >= 15 and len(ok_buttons) >= 15
    assert all(d.done for d in host_d + mcu_d)
    assert wire.mcu.counters["duplicates"] + wire.host.counters["duplicates"] > 0


def test_lost_ack_means_a_resend_that_is_not_delivered_twice():
    lost = []

    def drop_first_ack_of_seq_1(direction, n, frame):
        if frame.type == MessageType.ACK and frame.seq == 1 and not lost:
            lost.append(frame)
            return True
        return False

    wire = Wire(drop=drop_first_ack_of_seq_1)
    wire.host.send(Ping())  # seq 0
    delivery = wire.host.send(Led(LedPattern.THINKING, 0, 0, 0, 10))  # seq 1
    wire.run(1.0)
    assert lost and delivery.state is DeliveryState.ACKED and delivery.attempts == 2
    assert _reliable(wire.at_mcu) == [Ping(), Led(LedPattern.THINKING, 0, 0, 0, 10)]
    assert wire.mcu.counters["duplicates"] == 1


def test_every_copy_lost_fails_after_bounded_retries():
    wire = Wire(drop=lambda direction, n, frame: direction == "to_mcu")
    delivery = wire.host.send(Ping())
    wire.run(1.0)
    assert delivery.state is DeliveryState.FAILED
    assert delivery.attempts == CONFIG.max_retries + 1
    assert "no ACK" in str(delivery.error)
    assert wire.host.counters["failed"] == 1
    # The queue moves on: the next message is sent.
    wire.drop = lambda direction, n, frame: False
    assert wire.host.send(Ping()).wait(0) is False
    wire.run(0.5)
    assert wire.host.counters["acked"] == 1


def test_nack_settles_without_retrying():
    wire = Wire()
    # The host sends a type the host itself accepts but the MCU does not: NACK UNSUPPORTED.
    delivery = wire.host.send(MuteSwitch(True))
    wire.run(0.5)
    assert delivery.state is DeliveryState.NACKED and delivery.attempts == 1
    assert "UNSUPPORTED" in str(delivery.error)
    assert wire.mcu.counters["unsupported"] == 1


def test_busy_nack_is_retried():
    clock = Clock()
    out: list[bytes] = []
    link = Link(out.append, FROM_MCU, CONFIG, clock)
    delivery = link.send(Led(LedPattern.IDLE, 0, 0, 0, 0))
    link.receive(encode_frame(to_frame(Nack(NackReason.BUSY), delivery.seq)))
    assert not delivery.done
    clock.now = 0.2
    link.poll()
    assert delivery.attempts == 2


def test_bad_payload_is_nacked_and_not_delivered():
    clock = Clock()
    out: list[bytes] = []
    link = Link(out.append, FROM_MCU, CONFIG, clock)
    got = link.receive(encode_frame(Frame(type=MessageType.BUTTON, seq=4, payload=b"\x00\x09")))
    assert got == []
    reply = StreamDecoder().feed(b"".join(out))
    assert [(f.type, f.seq, f.payload) for f in reply] == [(MessageType.NACK, 4, bytes([NackReason.BAD_PAYLOAD]))]


def test_seq_zero_starts_a_new_session():
    clock = Clock()
    link = Link(lambda b: None, FROM_MCU, CONFIG, clock)
    press = encode_frame(to_frame(Button(0, ButtonEvent.PRESS), 0))
    first = link.receive(press)
    assert first[0].starts_session
    # A rebooted MCU starts again at seq 0: delivered again, not taken for a duplicate.
    assert len(link.receive(press)) == 1
    again = encode_frame(to_frame(Button(0, ButtonEvent.PRESS), 1))
    assert len(link.receive(again)) == 1 and link.receive(again) == []


def test_seq_runs_1_to_255_then_wraps_to_1():
    clock = Clock()
    out: list[bytes] = []
    link = Link(out.append, FROM_MCU, LinkConfig(max_queue=300), clock)
    seqs = []
    for _ in range(258):
        d = link.send(Ping())
        link.receive(encode_frame(Frame(type=MessageType.ACK, seq=d.seq)))
        seqs.append(d.seq)
    assert seqs[:3] == [0, 1, 2] and seqs[255:] == [255, 1, 2]


def test_heartbeats_and_peer_liveness():
    wire = Wire()
    wire.run(3.05)
    beats = [m for m in wire.at_host if isinstance(m, Heartbeat)]
    assert len(beats) == 4  # at 0, 1, 2, 3 s
    assert beats[-1].uptime_ms == pytest.approx(3000, abs=20)
    assert wire.host.peer_alive
    wire.drop = lambda direction, n, frame: True  # the cable is cut
    wire.run(3.6)
    assert not wire.host.peer_alive


def test_queue_limit_and_reset():
    link = Link(lambda b: None, FROM_MCU, LinkConfig(max_queue=2), Clock())
    first = link.send(Ping())
    queued = [link.send(Ping()), link.send(Ping())]
    with pytest.raises(LinkError, match="max_queue=2"):
        link.send(Ping())
    link.reset("cable pulled")
    assert all(d.state is DeliveryState.FAILED for d in [first, *queued])
    assert "cable pulled" in str(first.error)
    assert link.send(Ping()).seq == 0  # a new session


def test_unreliable_messages_are_not_acknowledged():
    out: list[bytes] = []
    link = Link(out.append, FROM_MCU, CONFIG, Clock())
    got = link.receive(encode_frame(to_frame(Log(LogLevel.INFO, "boot"), 0)))
    assert got[0].message == Log(LogLevel.INFO, "boot") and not got[0].starts_session
    assert out == []
