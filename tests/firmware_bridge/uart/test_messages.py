"""Typed messages: the shared payload vectors both ways, and the payload error table."""

from __future__ import annotations

import dataclasses

import pytest

from firmware_bridge.errors import PayloadError, UnknownTypeError
from firmware_bridge.uart import messages as m
from firmware_bridge.uart.frame import Frame
from firmware_bridge.uart.protocol import RELIABLE_TYPES, MessageType

ENUMS = {
    "event": m.ButtonEvent,
    "pattern": m.LedPattern,
    "reason": m.NackReason,
    "key": m.ConfigKey,
    "level": m.LogLevel,
    "capabilities": m.Capability,
}


def _message(cls_name: str, fields: dict):
    cls = getattr(m, cls_name)
    kwargs = {}
    for name, value in fields.items():
        enum_cls = ENUMS.get(name)
        if enum_cls is None:
            kwargs[name] = value
        else:
            kwargs[name] = enum_cls[value] if isinstance(value, str) else enum_cls(value)
    return cls(**kwargs)


def test_every_type_has_a_class_and_a_vector(vectors):
    assert set(m.MESSAGE_CLASSES) == {int(t) for t in MessageType}
    assert {v["class"] for v in vectors["messages"]} == {c.__name__ for c in m.MESSAGE_CLASSES.values()}


def test_payload_vectors_both_ways(vectors):
    for v in vectors["messages"]:
        message = _message(v["class"], v["fields"])
        payload = bytes.fromhex(v["payload_hex"])
        assert message.to_payload() == payload, v["name"]
        assert type(message).from_payload(payload) == message, v["name"]
        assert m.from_frame(m.to_frame(message, 3)) == message


def test_field_values_and_units():
    hello = m.Hello.from_payload(bytes.fromhex("0001020007" "02"))
    assert hello.firmware == "0.1.2"
    assert hello.capabilities == m.Capability.BUTTONS | m.Capability.MUTE_SWITCH | m.Capability.LED_RING
    assert m.Heartbeat.from_payload(b"\x00\x00\x03\xe8").uptime_ms == 1000
    assert m.SetConfig(m.ConfigKey.LONG_PRESS_MS, 800).to_payload() == b"\x02\x00\x00\x03\x20"


@pytest.mark.parametrize(
    "cls, payload, words",
    [
        (m.Button, b"\x00", "must be 2 bytes"),
        (m.Button, b"\x00\x09", "not a ButtonEvent"),
        (m.MuteSwitch, b"\x02", "0 or 1"),
        (m.MuteSwitch, b"", "must be 1 bytes"),
        (m.Led, b"\x08\x00\x00\x00\x00", "not a LedPattern"),
        (m.Led, b"\x01\x00\x00\x00", "must be 5 bytes"),
        (m.Ping, b"\x00", "must be 0 bytes"),
        (m.Ack, b"\x01", "must be 0 bytes"),
        (m.Nack, b"\x00", "not a NackReason"),
        (m.SetConfig, b"\x09\x00\x00\x00\x01", "not a ConfigKey"),
        (m.Log, b"", "level byte"),
        (m.Log, b"\x07hi", "not a LogLevel"),
        (m.Heartbeat, b"\x00\x00\x00", "must be 4 bytes"),
    ],
)
def test_payload_error_table(cls, payload, words):
    with pytest.raises(PayloadError, match=words):
        cls.from_payload(payload)


def test_log_keeps_a_line_cut_mid_character():
    assert m.Log.from_payload(b"\x01caf\xc3").text == "caf\ufffd"


def test_encoding_refuses_out_of_range_fields():
    with pytest.raises(PayloadError, match="out of range"):
        m.to_frame(m.Led(m.LedPattern.IDLE, 256, 0, 0, 0), 1)
    with pytest.raises(PayloadError, match="shorten"):
        m.Log(m.LogLevel.INFO, "x" * 64).to_payload()


def test_unknown_type_in_a_frame():
    with pytest.raises(UnknownTypeError, match="0x7f"):
        m.from_frame(Frame(type=0x7F, seq=1))


def test_reliability_classes():
    assert {c.TYPE for c in m.MESSAGE_CLASSES.values() if m.is_reliable(c.__new__(c))} == RELIABLE_TYPES
    assert not m.is_reliable(m.Heartbeat(0)) and not m.is_reliable(m.Ack())
    assert all(dataclasses.is_dataclass(c) for c in m.MESSAGE_CLASSES.values())
