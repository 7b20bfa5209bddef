"""Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999).

    cobs(data) := { code byte{code-1} }     ; code in 1..255, no 0x00 anywhere
    code < 255 : the block's bytes are followed by a 0x00 in `data` (except the last block)
    code = 255 : 254 bytes with no implied 0x00 after them
    encode(b"") == b"\x01"; encode(b"\x00") == b"\x01\x01"

`encode` never emits 0x00, so 0x00 can delimit frames; the overhead is one byte per
started 254 bytes. The frame delimiter itself is not part of these functions.
"""

from __future__ import annotations

from firmware_bridge.errors import CobsError

MAX_BLOCK = 254  # data bytes per code byte at most (code 0xFF)


def encode(data: bytes) -> bytes:
    """COBS-encode `data` (any bytes, 0x00 allowed); the result has no 0x00.

    Canonical form (as cobs-python and the Wikipedia examples): data that ends exactly
    at the end of a full 254-byte block gets no trailing 0x01 code.
    """
    out = bytearray()
    block = bytearray()
    ended_full = False  # the last code written was 0xFF with nothing after it yet
    for byte in data:
        ended_full = False
        if byte == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
            continue
        block.append(byte)
        if len(block) == MAX_BLOCK:
            out.append(0xFF)
            out += block
            block.clear()
            ended_full = True
    if not ended_full:
        out.append(len(block) + 1)
        out += block
    return bytes(out)


def decode(encoded: bytes) -> bytes:
    """Invert `encode`; raises CobsError naming the offset of the first bad byte."""
    if not encoded:
        raise CobsError("empty COBS block: a frame needs at least one code byte")
    out = bytearray()
    i = 0
    n = len(encoded)
    while i < n:
        code = encoded[i]
        if code == 0:
            raise CobsError(f"COBS code byte 0x00 at offset {i}: 0x00 is the frame delimiter")
        end = i + code
        if end > n:
            raise CobsError(
                f"COBS code 0x{code:02x} at offset {i} runs {end - n} byte(s) past the end "
                f"of a {n}-byte block (truncated frame)"
            )
        block = encoded[i + 1 : end]
        if 0 in block:
            raise CobsError(f"0x00 inside COBS block at offset {i + 1 + block.index(0)}")
        out += block
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return bytes(out)
