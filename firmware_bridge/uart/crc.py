"""CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR.

Check value: crc16(b"123456789") == 0x29B1 (the catalogue's check value for this variant;
also called CRC-16/IBM-3740 and CRC-16/AUTOSAR). Computed bitwise on purpose: it is the
same loop as the C codec, and frames are at most 70 bytes.
"""

from __future__ import annotations

POLY = 0x1021
INIT = 0xFFFF
CHECK = 0x29B1  # crc16(b"123456789")


def crc16(data: bytes, crc: int = INIT) -> int:
    """CRC-16/CCITT-FALSE of `data`, continuing from `crc` (default: the initial value)."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ POLY) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc
