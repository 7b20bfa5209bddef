"""One answer about smoke and CO alarms, from the pattern detector and the learned model together.

The detector, when it matched, decides: its pattern names the alarm, so a temporal-three is a
smoke alarm and never a carbon monoxide one, and the other way round. When it matched nothing,
the learned model's answer stands (a continuous or irregular alarm is the model's to hear).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.replies import alarm_reply, other_alarm_reply
from edge.alarms.detector import AlarmMatch

ALARM_LABELS = {"smoke_alarm": "smoke", "co_alarm": "carbon monoxide"}  # label -> AlarmMatch.alarm
ALARM_NAMES = {"smoke": "a smoke alarm", "carbon monoxide": "a carbon monoxide alarm"}
PATTERN_WORDS = {"temporal-three": "the three-beep fire pattern", "temporal-four": "the four-beep carbon monoxide pattern"}
# A standard pattern matched is near certain; the matrix of bench/bench_alarms.py measures how near.
DETECTOR_CONFIDENCE = 0.99


@dataclass(frozen=True)
class AlarmAnswer:
    heard: bool
    confidence: float
    text: str
    match: AlarmMatch


def alarm_answer(alarm: str, phrase: str | None, matches: Sequence[AlarmMatch], model_heard: bool | None,
                 clock: Callable[[float], str]) -> AlarmAnswer | None:
    """The answer to "is there `phrase`?" (an `alarm` of ALARM_LABELS' values; no phrase: the
    alarm's own name) given the detector's matches; None when the model's own answer stands.
    `clock` words a stream time."""
    phrase = phrase or ALARM_NAMES[alarm]
    same = [m for m in matches if m.alarm == alarm]
    if same:
        m = same[0]
        return AlarmAnswer(True, DETECTOR_CONFIDENCE, alarm_reply(phrase, PATTERN_WORDS[m.pattern], clock(m.first_beep_s)), m)
    other = [m for m in matches if m.alarm != alarm]
    if other and model_heard:  # the model's yes is the other alarm's pattern
        m = other[0]
        return AlarmAnswer(False, DETECTOR_CONFIDENCE, other_alarm_reply(phrase, ALARM_NAMES[m.alarm], PATTERN_WORDS[m.pattern]), m)
    return None


def seconds_clock(stream_s: float) -> str:
    """A file's time: "1.0 s"."""
    return f"{stream_s:.1f} s"
