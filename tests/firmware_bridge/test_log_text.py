"""MCU log text made safe for the host's log: exact escapes, the length bound, any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.log_text import MAX_LOG_CHARS, TRUNCATED, printable
from firmware_bridge.uart.messages import Log, LogLevel
from firmware_bridge.uart.protocol import MAX_PAYLOAD


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("mic gain clipped", "mic gain clipped"),  # ordinary text is untouched
        ("température 21 °C", "température 21 °C"),  # printable non-ASCII too
        ("\x1b[2J\x1b[31mred", r"\x1b[2J\x1b[31mred"),  # ANSI: clear screen, colour
        ("ok\nERROR forged", r"ok\nERROR forged"),  # a newline would start a fake record
        ("a\rb\tc\x00d\x7f\x9b", r"a\rb\tc\x00d\x7f\x9b"),  # C0, DEL, C1 (8-bit CSI)
        ("x\u2028y\u202ez", r"x\u2028y\u202ez"),  # line separator, bidi override
        ("C:\\x1b", r"C:\\x1b"),  # a literal backslash stays distinguishable from an escape
        ("bad \ufffd byte", "bad \ufffd byte"),  # what utf-8 decoding with errors=replace leaves
    ],
)
def test_escapes(raw, shown):
    assert printable(raw) == shown


def test_a_log_payload_with_raw_escape_bytes_is_shown_escaped():
    message = Log.from_payload(bytes((int(LogLevel.ERROR),)) + b"\x1b]0;pwned\x07\n\xff")
    assert printable(message.text) == r"\x1b]0;pwned\x07\n" + "\ufffd"


def test_length_is_bounded_and_escapes_are_never_cut():
    worst = "\x01" * (MAX_PAYLOAD - 1)  # every byte of a full payload escaped (4 chars each)
    assert len(printable(worst)) <= MAX_LOG_CHARS
    assert printable("a" * MAX_LOG_CHARS) == "a" * MAX_LOG_CHARS  # exactly the limit: kept whole
    cut = printable("a" * (MAX_LOG_CHARS + 1))
    assert len(cut) == MAX_LOG_CHARS and cut.endswith(TRUNCATED)
    cut = printable("\n" * 1000, limit=20)
    assert cut == r"\n" * 6 + TRUNCATED  # 12 + 8 chars: whole escapes only
    assert printable("\x1b" * 10**6, limit=30).endswith(TRUNCATED)  # a huge input stops early


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=len(TRUNCATED), max_value=400))
def test_any_text_comes_out_printable_and_bounded(text, limit):
    shown = printable(text, limit)
    assert shown.isprintable() and len(shown) <= limit
    # uncut, the escapes decode back to the very text: nothing lost, nothing forged
    whole = printable(text, limit=10 * len(text) + len(TRUNCATED))
    assert whole.encode("ascii", "backslashreplace").decode("unicode_escape") == text
