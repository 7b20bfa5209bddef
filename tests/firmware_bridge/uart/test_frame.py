"""Frame codec: exact wire bytes of the shared vectors, each bad frame's single cause."""

from __future__ import annotations

import binascii
import random

import pytest

from firmware_bridge import errors
from firmware_bridge.uart.frame import Frame, decode_frame, encode_body, encode_frame
from firmware_bridge.uart.protocol import MAX_PAYLOAD, MAX_WIRE_FRAME, MessageType

ERROR_CLASSES = {
    "garbage": errors.CobsError,
    "truncated": errors.TruncatedFrameError,
    "bad_length": errors.FrameLengthError,
    "crc": errors.CrcError,
    "oversized": errors.OversizedFrameError,
    "bad_version": errors.VersionError,
    "unknown_type": errors.UnknownTypeError,
}


def test_ping_frame_by_hand():
    """Built from the grammar alone: 00 cobs(01 11 00 00 crc_hi crc_lo) 00."""
    body = bytes([1, 0x11, 0, 0])
    crc = binascii.crc_hqx(body, 0xFFFF).to_bytes(2, "big")
    # Body has zeros at offsets 2 and 3 and none in the CRC here: blocks [01 11] [] [crc].
    assert 0 not in crc
    expected = b"\x00" + b"\x03\x01\x11" + b"\x01" + b"\x03" + crc + b"\x00"
    assert encode_frame(Frame(type=MessageType.PING, seq=0)) == expected


def test_vectors_exact_bytes(vectors):
    assert len(vectors["frames"]) >= 15
    for v in vectors["frames"]:
        frame = Frame(type=v["type"], seq=v["seq"], payload=bytes.fromhex(v["payload_hex"]), version=v["version"])
        wire = bytes.fromhex(v["wire_hex"])
        assert encode_frame(frame) == wire, v["name"]
        assert len(wire) <= MAX_WIRE_FRAME
        assert wire[0] == 0 and wire[-1] == 0 and 0 not in wire[1:-1]
        assert decode_frame(wire[1:-1]) == frame, v["name"]


def test_error_vectors_each_have_one_cause(vectors):
    seen = set()
    for v in vectors["frame_errors"]:
        cls = ERROR_CLASSES[v["counter"]]
        with pytest.raises(cls) as info:
            decode_frame(bytes.fromhex(v["encoded_hex"]))
        assert type(info.value) is cls, v["name"]
        assert info.value.counter == v["counter"]
        seen.add(v["counter"])
    assert seen == set(ERROR_CLASSES), "every error kind needs a vector"


def test_every_single_bit_flip_is_caught():
    wire = encode_frame(Frame(type=MessageType.LED, seq=9, payload=bytes([2, 150, 0, 255, 160])))
    body = encode_body(Frame(type=MessageType.LED, seq=9, payload=bytes([2, 150, 0, 255, 160])))
    for i in range(len(body) * 8):
        bad = bytearray(body)
        bad[i // 8] ^= 1 << (i % 8)
        from firmware_bridge.uart import cobs

        with pytest.raises(errors.FrameError):
            decode_frame(cobs.encode(bytes(bad)))
    assert decode_frame(wire[1:-1]).seq == 9


def test_frame_refuses_out_of_range_fields():
    with pytest.raises(errors.OversizedFrameError, match="MAX_PAYLOAD"):
        Frame(type=MessageType.LOG, seq=0, payload=bytes(MAX_PAYLOAD + 1))
    with pytest.raises(errors.FrameError, match="seq=256"):
        Frame(type=MessageType.LOG, seq=256)


def test_seeded_random_round_trip():
    rng = random.Random(99)
    types = list(MessageType)
    for _ in range(1000):
        frame = Frame(type=int(rng.choice(types)), seq=rng.randrange(256),
                      payload=rng.randbytes(rng.randrange(MAX_PAYLOAD + 1)))
        wire = encode_frame(frame)
        assert len(wire) <= MAX_WIRE_FRAME
        assert decode_frame(wire[1:-1]) == frame
