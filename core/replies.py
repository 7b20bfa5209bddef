"""What the assistant says: the sentences of its answers, and the rule they keep with `heard`.

A yes/no answer opens with "Yes" exactly when `heard` is true, with "No" when it is false,
and with "I can't tell" when `heard` is None, and it names the asked sound in a short,
well-formed sentence (`yes_no_reply`). `reply_agrees` is that rule as a test.

A description lists what the presence model detected, with the time ranges where it did
(`describe`); it is the answer whenever the LLM's own wording names a sound that was not
detected (`edge.presence.describe`). Torch-free and numpy-free.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CANT_TELL = "I can't tell"
NOTHING_HEARD = "I don't hear a sound I can name with confidence."
_OPENINGS = {True: re.compile(r"^yes\b", re.I), False: re.compile(r"^no\b", re.I),
             None: re.compile(r"^i can'?t tell\b", re.I)}


def yes_no_reply(heard: bool | None, phrase: str | None) -> str:
    """"Yes, I hear a cow." / "No, I don't hear a cow." / "I can't tell if I hear a cow."."""
    if phrase is None:
        return f"{CANT_TELL} which sound you are asking about; ask e.g. \"Is there a dog barking?\""
    if heard is None:
        return f"{CANT_TELL} if I hear {phrase}."
    return f"Yes, I hear {phrase}." if heard else f"No, I don't hear {phrase}."


def alarm_reply(phrase: str, pattern: str, since: str) -> str:
    """"Yes, I hear a smoke alarm: the three-beep fire pattern, from 14:02:11." (heard)."""
    return f"Yes, I hear {phrase}: {pattern}, from {since}."


def other_alarm_reply(phrase: str, other: str, pattern: str) -> str:
    """"No, I don't hear a carbon monoxide alarm; I hear a smoke alarm: the three-beep fire pattern."."""
    return f"No, I don't hear {phrase}; I hear {other}: {pattern}."


def parent_reply(phrase: str, parent: str) -> str:
    """"I can't tell if I hear a trumpet; I hear a brass instrument." (heard is None)."""
    return f"{CANT_TELL} if I hear {phrase}; I hear {parent}."


def reply_agrees(heard: bool | None, text: str) -> bool:
    """Whether `text` opens the way `heard` says it must."""
    text = text.lstrip(" \"'")
    return bool(_OPENINGS[heard].match(text)) and not any(
        rx.match(text) for h, rx in _OPENINGS.items() if h is not heard)


@dataclass(frozen=True)
class Detection:
    label: str
    name: str  # how the label is said ("a dog barking")
    spans: tuple[tuple[float, float], ...]  # seconds where it was heard
    probability: float  # its highest calibrated P(present)


def seconds(t: float) -> str:
    return f"{t:.0f}" if abs(t - round(t)) < 0.05 else f"{t:.1f}"


MAX_LISTED_SPANS = 3  # time ranges said one by one; past it, the first, the last and how many


def span_text(spans: Sequence[tuple[float, float]]) -> str:
    """"0-4 s, 8-10 s"; past MAX_LISTED_SPANS, "120 ranges, from 0-30 s to 3570-3600 s" (an hour
    of audio once gave a 1,516-character answer)."""
    def one(span: tuple[float, float]) -> str:
        return f"{seconds(span[0])}-{seconds(span[1])} s"

    if len(spans) <= MAX_LISTED_SPANS:
        return ", ".join(one(s) for s in spans)
    return f"{len(spans)} ranges, from {one(spans[0])} to {one(spans[-1])}"


def heard_at(spans: Sequence[tuple[float, float]]) -> str:
    """"heard at 0-4 s, 8-10 s" / "heard in 120 ranges, from 0-30 s to 3570-3600 s"."""
    return ("heard at " if len(spans) <= MAX_LISTED_SPANS else "heard in ") + span_text(spans)


def describe(detections: Sequence[Detection]) -> str:
    """"I hear a dog barking (0-4 s) and rain (0-10 s)." from what was detected, likeliest first."""
    if not detections:
        return NOTHING_HEARD
    items = [f"{d.name} ({span_text(d.spans)})" for d in detections]
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return f"I hear {listed}."
