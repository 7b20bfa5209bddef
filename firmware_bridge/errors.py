"""The firmware bridge's exception family.

`BridgeError` derives from the project root `ListenError`, so `listen bridge` turns any
of them into a one-line message. `FrameError` is the only family the frame codec and
the stream decoder ever raise: each subclass names the counter under which the stream
decoder files a dropped frame (`counter`), so the two cannot disagree.
"""

from __future__ import annotations

from core.errors import ListenError


class BridgeError(ListenError):
    """Any error raised by the firmware bridge."""


class FrameError(BridgeError):
    """UART bytes that do not form a valid frame or message (see PROTOCOL.md).

    Not the daemon socket's `edge.errors.ProtocolError` (a bad NDJSON line, with a wire code).
    """

    counter = "garbage"  # the StreamDecoder counter this error is filed under


class CobsError(FrameError):
    """The bytes between two delimiters are not valid COBS."""

    counter = "garbage"


class TruncatedFrameError(FrameError):
    """The frame is shorter than its header, CRC and declared payload length."""

    counter = "truncated"


class FrameLengthError(FrameError):
    """The frame carries bytes after its declared payload and CRC."""

    counter = "bad_length"


class CrcError(FrameError):
    """The CRC-16 does not match the frame's bytes."""

    counter = "crc"


class OversizedFrameError(FrameError):
    """A payload or an encoded frame larger than the protocol allows."""

    counter = "oversized"


class VersionError(FrameError):
    """A frame of a protocol version this side does not speak."""

    counter = "bad_version"


class UnknownTypeError(FrameError):
    """A message type this side does not know."""

    counter = "unknown_type"


class PayloadError(FrameError):
    """A known message type whose payload does not parse (wrong size, bad enum value)."""

    counter = "bad_payload"


class LinkError(BridgeError):
    """The link layer could not deliver a message (no ACK after all retries, a NACK, a full queue)."""


class TransportError(BridgeError):
    """The serial port cannot be opened, read or written (unplugged, wrong path, no permission)."""


class DaemonLinkError(BridgeError):
    """The daemon's socket is unreachable or answered with an error, as the bridge's `DaemonPort` reports it.

    `firmware_bridge.daemon_client` raises it for every `edge.errors.EdgeError` of the daemon
    client (`edge.errors.DaemonError` included); being a `BridgeError`, the bridge's handlers
    catch it with the link's and the port's failures.
    """
