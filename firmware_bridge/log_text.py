"""Text from the MCU made safe for the host's log (journald, a terminal).

The controller writes each LOG message's text through `printable`; it is a pure function
apart from the controller so its escaping can be tested on any string.

A LOG line is whatever the firmware (or line noise that forged a valid frame) put in it.
Written raw, an escape sequence ("\\x1b[2J") would act on the terminal that tails the
log, and a newline would forge a second log line with its own level and source. So
every non-printable character (controls, line and paragraph separators, bidi
overrides: what `str.isprintable` refuses) and the backslash itself are written as
Python escapes, which keeps the text readable and unambiguous, and the result is
bounded in length.
"""

from __future__ import annotations

from firmware_bridge.uart.protocol import MAX_PAYLOAD

# A LOG payload holds at most MAX_PAYLOAD - 1 bytes of text; escaping can grow a character
# to 10 ("\U000e0001"), so bound the result rather than trusting the frame limit alone.
MAX_LOG_CHARS = 4 * (MAX_PAYLOAD - 1)
TRUNCATED = "...(cut)"


def printable(text: str, limit: int = MAX_LOG_CHARS) -> str:
    """`text` with non-printables and backslashes escaped, at most `limit` characters."""
    pieces: list[str] = []
    size = 0
    for ch in text:  # stops soon after `limit`, whatever the input's length
        piece = ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii")
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    if size <= limit:
        return "".join(pieces)
    keep, room = [], limit - len(TRUNCATED)
    for piece in pieces:  # whole escapes only, never the first half of one
        if len(piece) > room:
            break
        keep.append(piece)
        room -= len(piece)
    return "".join(keep) + TRUNCATED
