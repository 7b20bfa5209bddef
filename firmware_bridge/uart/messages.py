"""Typed messages: one frozen dataclass per message type, payload <-> fields.

Each class has a constant `TYPE`, `to_payload()` and `from_payload(bytes)`; the frame's
seq is the link layer's business, not the message's (ACK and NACK carry the seq they
answer in the frame's seq field). Multi-byte integers are big-endian. Payload layouts
are in PROTOCOL.md section 5; a payload of the wrong size or with an enum value out of
range raises PayloadError.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import ClassVar, Union

from firmware_bridge.errors import FrameError, PayloadError, UnknownTypeError
from firmware_bridge.uart.frame import Frame
from firmware_bridge.uart.protocol import MAX_PAYLOAD, RELIABLE_TYPES, MessageType


class ButtonEvent(enum.IntEnum):
    PRESS = 1  # went down
    LONG_PRESS = 2  # held past the long-press time (ConfigKey.LONG_PRESS_MS)
    RELEASE = 3  # went up


class LedPattern(enum.IntEnum):
    IDLE = 0
    LISTENING = 1
    THINKING = 2
    ANSWER_YES = 3
    ANSWER_NO = 4
    ALERT = 5
    MUTED = 6
    ERROR = 7


class NackReason(enum.IntEnum):
    BAD_PAYLOAD = 1  # the payload does not parse; retrying will not help
    UNSUPPORTED = 2  # a type this side does not accept (wrong direction, not implemented)
    BUSY = 3  # try again: the sender retransmits after its ACK timeout


class ConfigKey(enum.IntEnum):
    HEARTBEAT_INTERVAL_MS = 1  # MCU heartbeat period, ms
    LONG_PRESS_MS = 2  # hold time before BUTTON LONG_PRESS, ms
    MAX_BRIGHTNESS = 3  # cap on LED brightness, 0..255


class Capability(enum.IntFlag):
    BUTTONS = 0x0001
    MUTE_SWITCH = 0x0002
    LED_RING = 0x0004
    LOG = 0x0008


class LogLevel(enum.IntEnum):
    DEBUG = 0
    INFO = 1
    WARNING = 2
    ERROR = 3


def _unpack(cls: type, fmt: str, payload: bytes) -> tuple:
    size = struct.calcsize(fmt)
    if len(payload) != size:
        raise PayloadError(
            f"{cls.__name__} payload must be {size} bytes, got {len(payload)}: {payload.hex()}"
        )
    return struct.unpack(fmt, payload)


def _enum(cls: type, enum_cls: type[enum.IntEnum], value: int):
    try:
        return enum_cls(value)
    except ValueError as err:
        raise PayloadError(f"{cls.__name__}: {value} is not a {enum_cls.__name__}") from err


@dataclass(frozen=True)
class Hello:
    """MCU -> host at boot and on a host session start: who is talking."""

    TYPE: ClassVar[MessageType] = MessageType.HELLO
    fw_major: int  # firmware version, u8 each
    fw_minor: int
    fw_patch: int
    capabilities: Capability  # u16 bit set
    buttons: int  # number of buttons, u8

    def to_payload(self) -> bytes:
        return struct.pack(
            ">BBBHB", self.fw_major, self.fw_minor, self.fw_patch, int(self.capabilities), self.buttons
        )

    @classmethod
    def from_payload(cls, payload: bytes) -> Hello:
        major, minor, patch, caps, buttons = _unpack(cls, ">BBBHB", payload)
        return cls(major, minor, patch, Capability(caps), buttons)

    @property
    def firmware(self) -> str:
        return f"{self.fw_major}.{self.fw_minor}.{self.fw_patch}"


@dataclass(frozen=True)
class Button:
    """MCU -> host: a button event."""

    TYPE: ClassVar[MessageType] = MessageType.BUTTON
    button: int  # button id, 0-based, u8
    event: ButtonEvent

    def to_payload(self) -> bytes:
        return struct.pack(">BB", self.button, int(self.event))

    @classmethod
    def from_payload(cls, payload: bytes) -> Button:
        button, event = _unpack(cls, ">BB", payload)
        return cls(button, _enum(cls, ButtonEvent, event))


@dataclass(frozen=True)
class MuteSwitch:
    """MCU -> host: the hardware mic-mute switch moved (sent also after HELLO)."""

    TYPE: ClassVar[MessageType] = MessageType.MUTE_SWITCH
    muted: bool  # u8: 1 = microphones cut, 0 = live

    def to_payload(self) -> bytes:
        return bytes((1 if self.muted else 0,))

    @classmethod
    def from_payload(cls, payload: bytes) -> MuteSwitch:
        (state,) = _unpack(cls, ">B", payload)
        if state not in (0, 1):
            raise PayloadError(f"MuteSwitch state must be 0 or 1, got {state}")
        return cls(bool(state))


@dataclass(frozen=True)
class Heartbeat:
    """Both ways, unacknowledged: I am alive."""

    TYPE: ClassVar[MessageType] = MessageType.HEARTBEAT
    uptime_ms: int  # sender's uptime, ms, u32 (wraps after 49.7 days)

    def to_payload(self) -> bytes:
        return struct.pack(">I", self.uptime_ms & 0xFFFFFFFF)

    @classmethod
    def from_payload(cls, payload: bytes) -> Heartbeat:
        (uptime,) = _unpack(cls, ">I", payload)
        return cls(uptime)


@dataclass(frozen=True)
class Log:
    """MCU -> host, unacknowledged: one log line (UTF-8, at most MAX_PAYLOAD-1 bytes)."""

    TYPE: ClassVar[MessageType] = MessageType.LOG
    level: LogLevel
    text: str

    def to_payload(self) -> bytes:
        raw = self.text.encode("utf-8")
        if len(raw) > MAX_PAYLOAD - 1:
            raise PayloadError(f"log line of {len(raw)} bytes exceeds {MAX_PAYLOAD - 1}; shorten it")
        return bytes((int(self.level),)) + raw

    @classmethod
    def from_payload(cls, payload: bytes) -> Log:
        if not payload:
            raise PayloadError("Log payload must hold at least the level byte")
        # A firmware log line cut mid-character is still worth reading: replace, do not refuse.
        return cls(_enum(cls, LogLevel, payload[0]), payload[1:].decode("utf-8", errors="replace"))


@dataclass(frozen=True)
class Led:
    """Host -> MCU: show a pattern on the LED ring."""

    TYPE: ClassVar[MessageType] = MessageType.LED
    pattern: LedPattern
    red: int  # color, u8 each
    green: int
    blue: int
    brightness: int  # 0 (off) .. 255 (full), u8

    def to_payload(self) -> bytes:
        return struct.pack(">BBBBB", int(self.pattern), self.red, self.green, self.blue, self.brightness)

    @classmethod
    def from_payload(cls, payload: bytes) -> Led:
        pattern, red, green, blue, brightness = _unpack(cls, ">BBBBB", payload)
        return cls(_enum(cls, LedPattern, pattern), red, green, blue, brightness)


@dataclass(frozen=True)
class Ping:
    """Host -> MCU: answered by an ACK; with seq 0 it starts the host's session."""

    TYPE: ClassVar[MessageType] = MessageType.PING

    def to_payload(self) -> bytes:
        return b""

    @classmethod
    def from_payload(cls, payload: bytes) -> Ping:
        _unpack(cls, ">", payload)
        return cls()


@dataclass(frozen=True)
class SetConfig:
    """Host -> MCU: set one configuration value."""

    TYPE: ClassVar[MessageType] = MessageType.SET_CONFIG
    key: ConfigKey
    value: int  # u32, unit per key

    def to_payload(self) -> bytes:
        return struct.pack(">BI", int(self.key), self.value)

    @classmethod
    def from_payload(cls, payload: bytes) -> SetConfig:
        key, value = _unpack(cls, ">BI", payload)
        return cls(_enum(cls, ConfigKey, key), value)


@dataclass(frozen=True)
class Ack:
    """Both ways: the frame with this seq arrived (the seq is in the frame header)."""

    TYPE: ClassVar[MessageType] = MessageType.ACK

    def to_payload(self) -> bytes:
        return b""

    @classmethod
    def from_payload(cls, payload: bytes) -> Ack:
        _unpack(cls, ">", payload)
        return cls()


@dataclass(frozen=True)
class Nack:
    """Both ways: the frame with this seq was refused, and why."""

    TYPE: ClassVar[MessageType] = MessageType.NACK
    reason: NackReason

    def to_payload(self) -> bytes:
        return bytes((int(self.reason),))

    @classmethod
    def from_payload(cls, payload: bytes) -> Nack:
        (reason,) = _unpack(cls, ">B", payload)
        return cls(_enum(cls, NackReason, reason))


Message = Union[Hello, Button, MuteSwitch, Heartbeat, Log, Led, Ping, SetConfig, Ack, Nack]
MESSAGE_CLASSES: dict[int, type] = {
    int(c.TYPE): c for c in (Hello, Button, MuteSwitch, Heartbeat, Log, Led, Ping, SetConfig, Ack, Nack)
}


def is_reliable(message: Message) -> bool:
    """Whether `message` is acknowledged and retransmitted (PROTOCOL.md section 4)."""
    return message.TYPE in RELIABLE_TYPES


def to_frame(message: Message, seq: int) -> Frame:
    """The frame carrying `message` with sequence number `seq`."""
    try:
        payload = message.to_payload()
    except struct.error as err:
        raise PayloadError(f"{message!r} has a field out of range for its byte layout: {err}") from err
    return Frame(type=int(message.TYPE), seq=seq, payload=payload)


def from_frame(frame: Frame) -> Message:
    """The typed message in `frame`; raises UnknownTypeError or PayloadError."""
    cls = MESSAGE_CLASSES.get(frame.type)
    if cls is None:
        raise UnknownTypeError(f"unknown message type 0x{frame.type:02x} (seq {frame.seq})")
    try:
        return cls.from_payload(frame.payload)
    except FrameError:
        raise
    except (ValueError, struct.error) as err:  # defensive: any parse slip stays in the family
        raise PayloadError(f"{cls.__name__} payload {frame.payload.hex()} does not parse: {err}") from err
