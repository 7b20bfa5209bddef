"""edge.mqtt.outbox and edge.mqtt.holds: what waits for the broker, and each sensor's hold."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

import edge.mqtt.outbox
from edge.mqtt.holds import Holds
from edge.mqtt.outbox import Outbox, Outgoing


def _drain(box: Outbox) -> list[tuple[str, bytes]]:
    out = []
    while (m := box.peek(0)) is not None:
        out.append((m.topic, m.payload))
        box.done(m)
    return out


def test_states_keep_only_their_latest_value_and_events_keep_every_one_in_order():
    box = Outbox(100)
    box.put(Outgoing("w/1", b"ON"))
    box.put(Outgoing("mute", b"ON", latest_only=True))
    box.put(Outgoing("w/1", b"OFF"))
    box.put(Outgoing("mute", b"OFF", latest_only=True))
    box.put(Outgoing("w/1", b"OFF", latest_only=True))  # a resync's state: the events before it stay
    box.put(Outgoing("avail", b"online", latest_only=True), first=True)
    assert _drain(box) == [("avail", b"online"), ("w/1", b"ON"), ("w/1", b"OFF"), ("mute", b"OFF"), ("w/1", b"OFF")]


def test_past_its_limit_the_oldest_message_goes_and_is_counted():
    box = Outbox(3)
    for i in range(5):
        box.put(Outgoing("alert", str(i).encode(), retain=False))
    assert box.dropped == 2 and [p for _, p in _drain(box)] == [b"2", b"3", b"4"]
    box.put(Outgoing("a", b"1"))
    box.put(Outgoing("b", b"2"))
    box.put(Outgoing("c", b"3"))
    box.put(Outgoing("avail", b"offline"), first=True)  # the one put first is never the one dropped
    assert [t for t, _ in _drain(box)] == ["avail", "b", "c"] and box.dropped == 3
    with pytest.raises(ValueError):
        Outbox(0)


def test_a_message_replaced_while_in_flight_is_not_confused_with_its_replacement():
    box = Outbox(10)
    box.put(Outgoing("mute", b"ON", latest_only=True))
    in_flight = box.peek(0)
    box.put(Outgoing("mute", b"OFF", latest_only=True))  # replaces it while the publisher waits for its ack
    box.done(in_flight)
    assert _drain(box) == [("mute", b"OFF")]
    same = Outgoing("alert", b"x", retain=False)
    box.put(same)
    box.put(Outgoing("alert", b"x", retain=False))  # equal bytes, another alert
    box.done(same)
    assert len(box) == 1


def test_peek_waits_for_a_message_and_gives_up_after_its_timeout(monkeypatch):
    box = Outbox(10)
    clock = SimpleNamespace(now=100.0, waits=[])  # monotonic time that moves only while peek waits
    monkeypatch.setattr(edge.mqtt.outbox, "time", SimpleNamespace(monotonic=lambda: clock.now))

    def wait(timeout: float | None = None) -> bool:  # the whole timeout passes, at once, with no message
        clock.waits.append(timeout)
        clock.now += timeout
        return False

    monkeypatch.setattr(box._cond, "wait", wait)
    assert box.peek(0.1) is None and clock.waits == [pytest.approx(0.1)]  # waited its timeout, then gave up
    monkeypatch.undo()
    waiting = threading.Event()
    real_wait = box._cond.wait
    monkeypatch.setattr(box._cond, "wait", lambda timeout=None: (waiting.set(), real_wait(timeout))[1])
    threading.Thread(target=lambda: waiting.wait(5) and box.put(Outgoing("t", b"1"))).start()
    assert box.peek(5).payload == b"1"  # woken by the message while it waits


def test_a_hold_turns_on_once_is_extended_by_each_firing_and_expires():
    holds = Holds(10.0)
    assert holds.fire("a", now=0.0) is True
    assert holds.fire("a", now=5.0) is False  # still ON: no second ON
    assert holds.expire(now=14.0) == [] and holds.is_on("a")
    assert holds.next_deadline() == 15.0
    assert holds.expire(now=15.0) == ["a"] and not holds.is_on("a")
    assert holds.fire("a", now=20.0) is True
    holds.forget("a")
    assert holds.next_deadline() is None
