"""CRC-16/CCITT-FALSE: the check value, the shared vectors, and agreement with the stdlib."""

from __future__ import annotations

import binascii
import random

from firmware_bridge.uart.crc import CHECK, crc16


def test_check_value():
    assert crc16(b"123456789") == CHECK == 0x29B1


def test_vectors(vectors):
    for v in vectors["crc"]:
        assert crc16(bytes.fromhex(v["data_hex"])) == int(v["crc_hex"], 16), v


def test_matches_binascii_crc_hqx_with_init_ffff():
    """binascii.crc_hqx is the same polynomial, unreflected: an independent implementation."""
    rng = random.Random(7)
    for _ in range(200):
        data = rng.randbytes(rng.randrange(80))
        assert crc16(data) == binascii.crc_hqx(data, 0xFFFF)


def test_incremental():
    assert crc16(b"6789", crc16(b"12345")) == CHECK
