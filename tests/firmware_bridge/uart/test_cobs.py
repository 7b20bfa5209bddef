"""COBS codec: exact bytes (Wikipedia's examples), the error table, the 254/255 boundary."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.errors import CobsError, FrameError
from firmware_bridge.uart import cobs


def test_vectors_encode_and_decode_exactly(vectors):
    assert len(vectors["cobs"]) >= 10
    for v in vectors["cobs"]:
        decoded, encoded = bytes.fromhex(v["decoded_hex"]), bytes.fromhex(v["encoded_hex"])
        assert cobs.encode(decoded) == encoded, v
        assert cobs.decode(encoded) == decoded, v


@pytest.mark.parametrize(
    "size, expected_len, zero_free",
    [
        (253, 254, True),  # one block, one code byte
        (254, 255, True),  # exactly one full 0xFF block, no trailing code (canonical form)
        (255, 257, True),  # a full block plus a one-byte block
        (508, 510, True),  # two full blocks
        (254, 255, False),  # 253 non-zero + 0x00: code 0xFE, then 0x01 for the empty last block
    ],
)
def test_254_255_boundary(size, expected_len, zero_free):
    data = bytes([0x42]) * size if zero_free else bytes([0x42]) * (size - 1) + b"\x00"
    encoded = cobs.encode(data)
    assert len(encoded) == expected_len
    assert 0 not in encoded
    assert cobs.decode(encoded) == data


def test_full_block_also_accepts_a_trailing_code():
    """Some encoders write FF <254 bytes> 01; decoders must read both forms alike."""
    data = bytes(range(1, 255))
    assert cobs.decode(b"\xff" + data + b"\x01") == data


@pytest.mark.parametrize(
    "encoded, words",
    [
        (b"", "empty"),
        (b"\x05\x11\x22\x33", "past the end"),
        (b"\xff" + b"\x11" * 253, "past the end"),
        (b"\x02\x11\x03\x11", "past the end"),
        (b"\x03\x11\x00", "0x00 inside"),
        (b"\x00\x01", "delimiter"),
    ],
)
def test_error_table(encoded, words):
    with pytest.raises(CobsError, match=words):
        cobs.decode(encoded)


def test_error_vectors_shared_with_c(vectors):
    for v in vectors["cobs_errors"]:
        with pytest.raises(CobsError):
            cobs.decode(bytes.fromhex(v["encoded_hex"]))


def test_seeded_random_round_trip():
    rng = random.Random(1234)
    for _ in range(500):
        size = rng.choice([0, 1, 2, 253, 254, 255, 256, 507, 508, 509, rng.randrange(1024)])
        zero_rate = rng.random()
        data = bytes(0 if rng.random() < zero_rate else rng.randrange(1, 256) for _ in range(size))
        encoded = cobs.encode(data)
        assert 0 not in encoded
        assert len(encoded) <= size + 1 + size // 254
        assert cobs.decode(encoded) == data


@given(st.binary(max_size=800))
def test_round_trip_property(data):
    assert cobs.decode(cobs.encode(data)) == data


@given(st.binary(max_size=300))
def test_decode_raises_only_protocol_errors(data):
    try:
        cobs.decode(data)
    except FrameError:
        pass
