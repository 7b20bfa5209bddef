"""The frame layer: one `Frame` <-> its wire bytes, and the decoder of a byte stream into frames.

    stream := { 0x00 | frame }
    frame  := 0x00 cobs(body) 0x00
    body   := version:u8 type:u8 seq:u8 len:u8 payload[len] crc:u16be
    crc    := CRC-16/CCITT-FALSE over version..payload

`encode_frame` writes one frame, delimiters included. Reading goes the other way in two
steps: `StreamDecoder` splits the bytes the port returns at 0x00 and hands each run to
`decode_frame`. `decode_body` checks in a fixed order, so each bad frame has exactly one
cause: COBS, then size (truncated / trailing bytes / oversized), then CRC, then version,
then type. Every failure is a `FrameError` subclass; the stream decoder counts it and
drops the frame, so nothing escapes `feed`. The payload stays raw bytes here; it becomes
a typed message in messages.py, and acknowledgements are link.py's business. The C codec
(`firmware_bridge/c/listen_frame.c`) is the same layer for firmware.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from firmware_bridge.errors import (
    CrcError,
    FrameError,
    FrameLengthError,
    OversizedFrameError,
    TruncatedFrameError,
    UnknownTypeError,
    VersionError,
)
from firmware_bridge.uart import cobs
from firmware_bridge.uart.crc import crc16
from firmware_bridge.uart.protocol import (
    CRC_SIZE,
    DELIMITER,
    HEADER_SIZE,
    MAX_ENCODED_BODY,
    MAX_PAYLOAD,
    MIN_BODY,
    PROTOCOL_VERSION,
    MessageType,
)

log = logging.getLogger(__name__)

KNOWN_TYPES = frozenset(int(t) for t in MessageType)


@dataclass(frozen=True)
class Frame:
    """One decoded frame; `payload` is still raw bytes (messages.py parses it)."""

    type: int  # MessageType value, u8
    seq: int  # u8; meaning per PROTOCOL.md section 4
    payload: bytes = b""  # at most MAX_PAYLOAD bytes
    version: int = PROTOCOL_VERSION  # u8

    def __post_init__(self) -> None:
        for name in ("type", "seq", "version"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 255:
                raise FrameError(f"frame {name}={value!r} is not a byte; use 0..255")
        if len(self.payload) > MAX_PAYLOAD:
            raise OversizedFrameError(
                f"payload of {len(self.payload)} bytes exceeds MAX_PAYLOAD={MAX_PAYLOAD}; "
                "split it or shorten it"
            )


def encode_body(frame: Frame) -> bytes:
    """The frame's body before COBS: header, payload, CRC."""
    head = bytes((frame.version, frame.type, frame.seq, len(frame.payload))) + frame.payload
    return head + crc16(head).to_bytes(CRC_SIZE, "big")


def encode_frame(frame: Frame) -> bytes:
    """Wire bytes of one frame, delimiters included: 0x00 cobs(body) 0x00."""
    return bytes((DELIMITER,)) + cobs.encode(encode_body(frame)) + bytes((DELIMITER,))


def decode_body(body: bytes, known_types: frozenset[int] = KNOWN_TYPES) -> Frame:
    """Parse a COBS-decoded body; raises a FrameError subclass on any defect."""
    if len(body) < MIN_BODY:
        raise TruncatedFrameError(
            f"frame of {len(body)} bytes is shorter than the {MIN_BODY}-byte minimum "
            f"(header + CRC): {body.hex()}"
        )
    version, mtype, seq, length = body[0], body[1], body[2], body[3]
    expected = HEADER_SIZE + length + CRC_SIZE
    if length > MAX_PAYLOAD:
        raise OversizedFrameError(
            f"frame declares a {length}-byte payload, more than MAX_PAYLOAD={MAX_PAYLOAD}"
        )
    if len(body) < expected:
        raise TruncatedFrameError(
            f"frame declares a {length}-byte payload ({expected} bytes in all) "
            f"but only {len(body)} bytes arrived"
        )
    if len(body) > expected:
        raise FrameLengthError(
            f"frame declares a {length}-byte payload ({expected} bytes in all) "
            f"but carries {len(body)} bytes"
        )
    want = crc16(body[:-CRC_SIZE])
    got = int.from_bytes(body[-CRC_SIZE:], "big")
    if want != got:
        raise CrcError(f"CRC 0x{got:04x} in frame does not match computed 0x{want:04x}")
    if version != PROTOCOL_VERSION:
        raise VersionError(
            f"frame has protocol version {version}, this side speaks {PROTOCOL_VERSION}; "
            "update the firmware or the bridge so they match"
        )
    if mtype not in known_types:
        raise UnknownTypeError(f"unknown message type 0x{mtype:02x} (seq {seq})")
    return Frame(type=mtype, seq=seq, payload=bytes(body[HEADER_SIZE:-CRC_SIZE]), version=version)


def decode_frame(encoded: bytes, known_types: frozenset[int] = KNOWN_TYPES) -> Frame:
    """Decode the bytes between two delimiters (no 0x00 inside) into a Frame."""
    if len(encoded) > MAX_ENCODED_BODY:
        raise OversizedFrameError(
            f"{len(encoded)} bytes between delimiters, more than the {MAX_ENCODED_BODY} "
            "a frame can take"
        )
    return decode_body(cobs.decode(encoded), known_types)


# -- reading a stream ----------------------------------------------------------------------
# The port returns bytes in arbitrary chunks. The stream is split at 0x00; an empty run (two
# delimiters in a row) is idle line, not an error. Any other run is decoded with
# `decode_frame`; a failure increments the counter named by the error's class and the
# decoder carries on with the next run, so a valid frame that follows garbage is never lost
# as long as it was sent with its leading delimiter. A run longer than any frame is dropped
# as `oversized` without buffering it. `feed` never raises on any input bytes.

COUNTERS = ("frames", "garbage", "truncated", "bad_length", "crc", "oversized", "bad_version", "unknown_type")


@dataclass
class StreamDecoder:
    """Incremental decoder; keep one per direction and feed it whatever the port returns."""

    known_types: frozenset[int] = KNOWN_TYPES  # types outside this set count as unknown_type
    counters: Counter = field(default_factory=Counter)  # COUNTERS -> count, since creation
    last_error: FrameError | None = None  # the most recent drop, for logs and tests
    _buf: bytearray = field(default_factory=bytearray)
    _overflow: bool = False  # inside a run already counted as oversized

    def feed(self, data: bytes) -> list[Frame]:
        """Consume `data`; return the valid frames completed by it, in order."""
        frames: list[Frame] = []
        start = 0
        view = bytes(data)
        while True:
            end = view.find(DELIMITER, start)
            chunk = view[start:] if end < 0 else view[start:end]
            if not self._overflow:
                self._buf += chunk
                if len(self._buf) > MAX_ENCODED_BODY:
                    self._drop(
                        OversizedFrameError(
                            f"more than {MAX_ENCODED_BODY} bytes without a delimiter; "
                            "dropping up to the next 0x00"
                        )
                    )
                    self._buf.clear()
                    self._overflow = True
            if end < 0:
                return frames
            if self._overflow:
                self._overflow = False
            elif self._buf:
                frame = self._complete(bytes(self._buf))
                if frame is not None:
                    frames.append(frame)
                self._buf.clear()
            start = end + 1

    def reset(self) -> None:
        """Forget a partial frame (e.g. after the port was reopened); counters are kept."""
        self._buf.clear()
        self._overflow = False

    def _complete(self, encoded: bytes) -> Frame | None:
        try:
            frame = decode_frame(encoded, self.known_types)
        except FrameError as err:
            self._drop(err)
            return None
        self.counters["frames"] += 1
        return frame

    def _drop(self, err: FrameError) -> None:
        self.counters[err.counter] += 1
        self.last_error = err
        log.debug("dropped frame (%s): %s", err.counter, err)

    @property
    def dropped(self) -> int:
        """Frames dropped for any reason."""
        return sum(v for k, v in self.counters.items() if k != "frames")
