"""UART protocol constants: the names and numbers of PROTOCOL.md, defined once.

Wire grammar (byte level; PROTOCOL.md section 2 is the normative copy):

    stream  := { 0x00 | frame }
    frame   := 0x00 cobs(body) 0x00          ; a leading delimiter resynchronizes the peer
    body    := version type seq len payload crc
    version := u8 = PROTOCOL_VERSION
    type    := u8 (MessageType)
    seq     := u8                             ; reliable types: 0 starts a session, then 1..255, 1..
    len     := u8 <= MAX_PAYLOAD
    payload := len bytes (layout per type, messages.py)
    crc     := u16 big-endian, CRC-16/CCITT-FALSE over version..payload
"""

from __future__ import annotations

import enum

PROTOCOL_VERSION = 1  # bumped on any incompatible change of the body layout or the messages
DELIMITER = 0x00  # ends (and, from a sender, also starts) every COBS frame

HEADER_SIZE = 4  # version, type, seq, len
CRC_SIZE = 2  # CRC-16, big-endian
MAX_PAYLOAD = 64  # bytes; sized for a small MCU's RAM, enough for a 63-byte LOG line
MIN_BODY = HEADER_SIZE + CRC_SIZE  # an empty-payload frame
MAX_BODY = HEADER_SIZE + MAX_PAYLOAD + CRC_SIZE  # 70 bytes
# COBS adds one byte per started 254-byte block; the wire adds two delimiters.
MAX_ENCODED_BODY = MAX_BODY + (MAX_BODY + 253) // 254  # 71 bytes between delimiters
MAX_WIRE_FRAME = MAX_ENCODED_BODY + 2  # 73 bytes, about 6.3 ms at 115200 baud (8N1)

DEFAULT_BAUD = 115200  # 8 data bits, no parity, 1 stop bit, no flow control


class MessageType(enum.IntEnum):
    """The `type` byte. 0x0_ from the MCU, 0x1_ from the host, 0x2_ either way."""

    HELLO = 0x01  # MCU -> host: firmware version, capabilities; starts the MCU's session
    BUTTON = 0x02  # MCU -> host: button id and event
    MUTE_SWITCH = 0x03  # MCU -> host: hardware mic-mute switch position
    LOG = 0x05  # MCU -> host: a log line (not acknowledged)
    LED = 0x10  # host -> MCU: LED ring pattern, color, brightness
    PING = 0x11  # host -> MCU: link check; with seq 0 it starts the host's session
    SET_CONFIG = 0x12  # host -> MCU: one configuration key and value
    HEARTBEAT = 0x20  # both ways, not acknowledged: uptime
    ACK = 0x21  # both ways: seq = the acknowledged frame's seq
    NACK = 0x22  # both ways: seq = the refused frame's seq, payload = reason


# Reliable types are acknowledged, retransmitted and de-duplicated; the rest are fire-and-forget.
RELIABLE_TYPES = frozenset(
    {
        MessageType.HELLO,
        MessageType.BUTTON,
        MessageType.MUTE_SWITCH,
        MessageType.LED,
        MessageType.PING,
        MessageType.SET_CONFIG,
    }
)
FROM_MCU = frozenset(
    {
        MessageType.HELLO,
        MessageType.BUTTON,
        MessageType.MUTE_SWITCH,
        MessageType.LOG,
        MessageType.HEARTBEAT,
        MessageType.ACK,
        MessageType.NACK,
    }
)
FROM_HOST = frozenset(
    {
        MessageType.LED,
        MessageType.PING,
        MessageType.SET_CONFIG,
        MessageType.HEARTBEAT,
        MessageType.ACK,
        MessageType.NACK,
    }
)

SESSION_START_SEQ = 0  # a reliable frame with seq 0 resets the receiver's duplicate filter
FIRST_SEQ_AFTER_START = 1  # seq then runs 1..255 and wraps back to 1, never to 0


def next_seq(seq: int) -> int:
    """The seq after `seq` for reliable frames: 0 -> 1 -> ... -> 255 -> 1."""
    return FIRST_SEQ_AFTER_START if seq >= 255 else seq + 1
