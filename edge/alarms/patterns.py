"""Temporal patterns: a group of N equally spaced onsets of one tone, then a pause, repeating.

Temporal-three (ISO 8201, NFPA 72; smoke and fire): 0.5 s on, 0.5 s off, three times, then
1.5 s off: onsets 1 s apart in groups of three, every 4 s. Temporal-four (carbon monoxide):
0.1 s on, 0.1 s off, four times, then about 5 s off: onsets 0.2 s apart in groups of four,
every 5.7 s. Alarms vary (a 0.25 s temporal-three exists), so a pattern is a count and a range
of spacings, with the standards' +-10 % timing tolerance (never under 30 ms: the onsets are
found on a 10 ms grid, and reverberation moves them by a frame or two).

A match needs a whole group and the first onset of the next one: one group of three beeps
(a microwave that is done) never matches; a steady beeper (a reversing truck) has no pause.
The spacing ranges do not overlap, so a temporal-four with its first beep lost (three onsets
0.2 s apart) is never read as a temporal-three.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.alarms.onsets import Onset


@dataclass(frozen=True)
class TemporalPattern:
    name: str
    alarm: str  # what the user asks about: "smoke" or "carbon monoxide"
    count: int  # onsets per group
    min_spacing_s: float  # onset to onset inside a group
    max_spacing_s: float
    max_cycle_s: float  # first onset of a group to the first of the next
    min_pause_s: float  # last onset of a group to the first of the next (an alarm clock's
    # groups of four quick beeps come every second; the temporal-four pauses for 5 s)
    tolerance: float = 0.10  # relative, on each spacing
    min_tolerance_s: float = 0.03
    pause_factor: float = 1.3  # a gap of at least this many spacings ends a group
    max_freq_spread: float = 0.04  # the onsets' tones within +-4 % of their median: one sounder
    # one sounder beeps alike: the group's beeps last within this ratio of each other (birdsong
    # and speech, which can fall into the rhythm by chance, do not), and each stops before the next
    max_duration_ratio: float = 1.6


SMOKE_PATTERN = TemporalPattern("temporal-three", "smoke", 3, 0.4, 2.0, 8.0, 1.2)  # standard: 1.0 s, 4 s, 2.0 s
CO_PATTERN = TemporalPattern("temporal-four", "carbon monoxide", 4, 0.12, 0.35, 9.0, 3.0)  # standard: 0.2 s, 5.7 s, 5.1 s
PATTERNS = (SMOKE_PATTERN, CO_PATTERN)


@dataclass(frozen=True)
class GroupMatch:
    pattern: TemporalPattern
    first_onset_s: float  # the matched group's first beep
    at_s: float  # the onset that confirmed it (the next group's first)
    tone_hz: float
    band: str


def match_latest(onsets: list[Onset], pattern: TemporalPattern) -> GroupMatch | None:
    """Whether the last onset starts a new group right after a complete group of `pattern`
    (onsets in time order, one band; those of other tones are ignored)."""
    if len(onsets) < pattern.count + 1:
        return None
    newest = onsets[-1]
    same = [o for o in onsets if abs(o.freq_hz / newest.freq_hz - 1) <= 2 * pattern.max_freq_spread]
    if len(same) < pattern.count + 1:
        return None
    times = np.array([o.time_s for o in same])
    group = times[-pattern.count - 1:-1]  # the candidate group, then the newest onset
    gaps = np.diff(group)
    spacing = float(np.median(gaps))
    if not pattern.min_spacing_s * (1 - pattern.tolerance) <= spacing <= pattern.max_spacing_s * (1 + pattern.tolerance):
        return None
    tol = max(pattern.tolerance * spacing, pattern.min_tolerance_s)
    if np.any(np.abs(gaps - spacing) > tol):
        return None
    pause = pattern.pause_factor * spacing
    if times[-1] - group[-1] < max(pause, pattern.min_pause_s) or times[-1] - group[0] > pattern.max_cycle_s:
        return None
    if len(times) > pattern.count + 1 and group[0] - times[-pattern.count - 2] < pause:
        return None  # the group is the tail of a longer run: a steady beeper, or more beeps than the pattern
    durations = [o.duration_s for o in same[-pattern.count - 1:-1]]
    if any(d is None for d in durations) or max(durations) > pattern.max_duration_ratio * max(min(durations), 0.03):
        return None
    freqs = np.array([o.freq_hz for o in same[-pattern.count - 1:]])
    median = float(np.median(freqs))
    if np.any(np.abs(freqs / median - 1) > pattern.max_freq_spread):
        return None
    return GroupMatch(pattern, float(group[0]), float(times[-1]), median, newest.band)
