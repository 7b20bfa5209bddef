"""Temporal patterns: a group of N equally spaced onsets of one tone, then a pause, repeating.

Temporal-three (ISO 8201, NFPA 72; smoke and fire): 0.5 s on, 0.5 s off, three times, then
1.5 s off: onsets 1 s apart in groups of three, every 4 s. Temporal-four (carbon monoxide):
0.1 s on, 0.1 s off, four times, then about 5 s off: onsets 0.2 s apart in groups of four,
every 5.7 s. Alarms vary (a 0.25 s temporal-three exists), so a pattern is a count and a range
of spacings, with the standards' +-10 % timing tolerance (never under 40 ms: the onsets are
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
from edge.alarms.tones import pitch_tolerance


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
    min_tolerance_s: float = 0.04
    pause_factor: float = 1.3  # a gap of at least this many spacings ends a group
    # one sounder: the group's beeps within +-1 % (or a bin) of their median pitch (a piezo holds its
    # pitch to a few Hz; measured on the matrix, 99 % of its groups within 19 Hz), and only onsets
    # within twice that are its tone at all (a bed's note 4 % off is not a beep in the pause)
    max_freq_spread: float = 0.01
    # ... and at one level: a room's notches move a beep's onset level by a few dB (99 % of the
    # matrix's groups within 10 dB), a melody's notes and a voice's syllables by far more
    max_level_spread_db: float = 12.0
    # one sounder beeps alike: the group's beeps last within this ratio of each other (birdsong
    # and speech, which can fall into the rhythm by chance, do not), and each stops before the next
    max_duration_ratio: float = 1.6
    # each beep's tone holds its pitch at least this long (through its room's tail)
    min_sounding_s: float = 0.1
    # and before the next group the tone is silent for at least this share of the pause (beep
    # onset to onset): a room's tail dies well within it, a melody or a voice rarely leaves it
    min_silent_share: float = 0.4
    # between one beep and the next the tone falls at least this far (dB): the off time, shortened
    # by a room's tail (a 0.1 s gap at RT60 1 s falls 6 dB, a 0.5 s one 30 dB)
    min_dip_db: float = 9.0
    # onsets from the group's first beep to the next group: each beep's own and at most two rises
    # of its room's tail each; a tremolo or a run of repeated notes has many more
    max_burst_onsets: int = 9
    # match_ended: how long after a group's last onset its pause is taken as heard (the time-mirror
    # of waiting for the next group's first beep; its silence share then needs the tone silent
    # within 0.6 of it, as long as a room's tail rings)
    end_silence_s: float = 2.0

    def tolerance_s(self, spacing: float) -> float:
        """How far an onset may sit from its place on a grid of `spacing`."""
        return max(self.tolerance * spacing, self.min_tolerance_s)

    @property
    def spacing_range(self) -> tuple[float, float]:
        """The onset-to-onset spacings a group may have, its tolerance included."""
        return self.min_spacing_s * (1 - self.tolerance), self.max_spacing_s * (1 + self.tolerance)

    def spacings(self, times: np.ndarray, last: int):
        """(first, spacing) for each earlier onset that could start a group ending at onset `last`,
        latest first: the spacing over the whole group (jitter averages out) within the pattern's
        range and its tolerance."""
        lo_s, hi_s = self.spacing_range
        for first in range(last - 1, -1, -1):
            spacing = (times[last] - times[first]) / (self.count - 1)
            if spacing > hi_s:
                return
            if spacing >= lo_s:
                yield first, spacing


# The smoke spacings start at the quick variant's 0.5 s: below it (with the tolerance) lies twice
# the temporal-four spacing, every other beep of a CO alarm whose own parse failed.
SMOKE_PATTERN = TemporalPattern("temporal-three", "smoke", 3, 0.5, 2.0, 8.0, 1.2)  # standard: 1.0 s, 4 s, 2.0 s
CO_PATTERN = TemporalPattern("temporal-four", "carbon monoxide", 4, 0.12, 0.35, 9.0, 3.0,  # standard: 0.2 s, 5.7 s, 5.1 s
                             min_sounding_s=0.05, min_dip_db=4.0, end_silence_s=1.5)
# Finest spacing first: where the onsets hold two parses (a temporal-four in a reverberant room,
# read at every other beep, looks like a quick temporal-three), the finer explains them all. A
# temporal-three never parses as a temporal-four: its pause (2 s) is shorter than the CO minimum.
PATTERNS = (CO_PATTERN, SMOKE_PATTERN)
# after a group's last beep, how long its room tail may still ring and rise (beyond one spacing)
TAIL_S = 0.3


@dataclass(frozen=True)
class GroupMatch:
    pattern: TemporalPattern
    first_onset_s: float  # the matched group's first beep
    at_s: float  # the onset that confirmed it (the next group's first)
    tone_hz: float
    band: str
    members: tuple[Onset, ...] = ()  # the group's beeps


def match_latest(onsets: list[Onset], pattern: TemporalPattern) -> GroupMatch | None:
    """Whether the last onset starts a new group right after a complete group of `pattern`
    (onsets in time order, one band; those of other tones are ignored). The newest onset must
    come out of silence (every pattern pauses long enough for any room's tail to die).

    The group is a regular grid of `count` onsets among those before it, not simply the last
    `count`: in a reverberant room a pure tone's steady level sits in a notch of the room's
    response, so a beep's end (the tail ringing on at the room's modes) and sometimes its middle
    rise like onsets too (or, where the steady tone sinks below the noise, rise out of silence).
    So extra onsets inside the group's span, and just after its last beep, are tolerated when
    they rose inside a sounding tone or recur one spacing away (each beep rings alike); a lone
    new beep there, an onset where the grid would go on (one spacing before the group or after
    it) or anywhere in the pause refuses the group."""
    if len(onsets) < pattern.count + 1:
        return None
    newest = onsets[-1]
    if not newest.after_gap:
        return None
    same = _same_tone(onsets[:-1], newest, pattern)
    if len(same) < pattern.count:
        return None
    times = np.array([o.time_s for o in same])
    n = newest.time_s
    for last in range(len(same) - 1, -1, -1):
        if n - times[last] < pattern.min_pause_s:
            continue
        if n - times[last] > pattern.max_cycle_s:
            break
        for first, spacing in pattern.spacings(times, last):
            members = _grid_group(same, times, first, last, spacing, n, pattern)
            if members is not None:
                return _group_match(pattern, members, n)
    return None


def match_ended(onsets: list[Onset], pattern: TemporalPattern, now: float) -> GroupMatch | None:
    """The time-mirror of match_latest: whether the latest onsets (of the newest one's tone) end
    a complete group of `pattern`, its pause heard since (`now`, at least `end_silence_s` after
    the newest onset), and a beep of the same tone came a pause before it, the previous group's
    last. The same two sides of a pause as a group and the next one's first beep, but a group
    sooner where the pause is long (the temporal-four's second group within 10 s of its first)."""
    if len(onsets) < pattern.count + 1 or now - onsets[-1].time_s < pattern.end_silence_s:
        return None
    same = _same_tone(onsets, onsets[-1], pattern)
    times = np.array([o.time_s for o in same])
    for last in range(len(same) - 1, 0, -1):
        if now - times[last] > pattern.end_silence_s + TAIL_S + 2 * pattern.spacing_range[1]:
            break  # onsets this far back are no group's tail
        for first, spacing in pattern.spacings(times, last):
            members = _grid_group(same, times, first, last, spacing, now, pattern, ended=True)
            if members is None:
                continue
            # the pause before the group: the latest onset of the tone before it, a pause away
            before = times[:first][times[:first] < times[first] - pattern.tolerance_s(spacing)]
            if len(before) and pattern.min_pause_s <= times[first] - before[-1] <= pattern.max_cycle_s:
                return _group_match(pattern, members, now)
    return None


def _same_tone(onsets: list[Onset], ref: Onset, pattern: TemporalPattern) -> list[Onset]:
    """The onsets at `ref`'s pitch: within twice the group's pitch spread (another sounder, or a
    bed's note, is not a beep of this group or of its pause)."""
    spread = pitch_tolerance(ref.freq_hz, pattern.max_freq_spread)
    return [o for o in onsets if abs(o.freq_hz / ref.freq_hz - 1) <= 2 * spread]


def _group_match(pattern: TemporalPattern, members: tuple[Onset, ...], at_s: float) -> GroupMatch:
    return GroupMatch(pattern, members[0].time_s, at_s, float(np.median([o.freq_hz for o in members])),
                      members[0].band, members)


def _grid_group(same: list[Onset], times: np.ndarray, first: int, last: int, spacing: float, n: float,
                pattern: TemporalPattern, ended: bool = False) -> tuple[Onset, ...] | None:
    """The beeps of the group of `pattern` from onset `first` to onset `last`, if the onsets
    hold one there; the next group begins at `n` (or, `ended`, its pause has lasted until `n`)."""
    tol = pattern.tolerance_s(spacing) + 1e-6  # onsets sit on a 10 ms grid
    members = [first]
    for k in range(1, pattern.count - 1):
        i = int(np.argmin(np.abs(times - (times[first] + k * spacing))))
        if abs(times[i] - (times[first] + k * spacing)) > tol:
            return None
        members.append(i)
    members.append(last)
    gaps = np.diff(times[members])
    spacing = float(np.median(gaps))  # re-centred on the onsets themselves
    if np.any(np.abs(gaps - spacing) > tol):
        return None
    t_first, t_last = times[members[0]], times[members[-1]]
    if not same[members[0]].after_gap:
        return None  # a group starts out of the pause's silence: not in the middle of a sounding tone
    if np.count_nonzero(times > t_first - tol) > pattern.max_burst_onsets:
        return None
    for a, b in zip(members, members[1:]):  # each beep ends before the next: the tone dips between
        if max(same[i].dip_db for i in range(a + 1, b + 1)) < pattern.min_dip_db:
            return None
    if ended:
        if n - t_last < pattern.pause_factor * spacing:
            return None
    elif n - t_last < max(pattern.pause_factor * spacing, pattern.min_pause_s) or n - t_first > pattern.max_cycle_s:
        return None
    # the pause is clean: from one spacing after the last beep (less the tolerance) to the next
    # group, no beep out of silence, and nothing at all once the last beep's tail has rung out;
    # and the run does not go on before the group
    pause_onsets = (times > t_last + spacing - tol) & (times < n - tol)
    tail = times < t_last + min(2 * spacing, spacing + TAIL_S) - tol
    if any(same[i].after_gap or not tail[i] for i in np.flatnonzero(pause_onsets)):
        return None
    if np.any(np.abs(times - (t_first - spacing)) <= tol):
        return None
    inside = (times > t_first + tol) & (times < t_last + spacing - tol)
    inside[members] = False
    for i in np.flatnonzero(inside):  # an extra rose inside a sounding tone, or every beep has one there
        if same[i].after_gap and not np.any(np.abs(np.abs(times - times[i]) - spacing) <= tol):
            return None
    if any(same[i].silent_from_s is None or same[i].silent_from_s - same[i].time_s < pattern.min_sounding_s
           for i in members):
        return None
    before = [o.silent_from_s for o in same if o.time_s > t_first - tol]
    if any(e is None for e in before) or n - max(before) < pattern.min_silent_share * (n - t_last):
        return None
    durations = [same[i].duration_s for i in members]
    if any(d is None for d in durations):
        return None
    # beeps out of silence are compared; in a reverberant room (a beep rising through the tail of
    # the one before) where a beep ends is the room's doing, and its length says nothing
    if all(same[i].after_gap for i in members) and max(durations) > pattern.max_duration_ratio * max(min(durations), 0.03):
        return None
    levels = [same[i].level_db for i in members]
    if max(levels) - min(levels) > pattern.max_level_spread_db:
        return None
    freqs = np.array([same[i].freq_hz for i in members])
    median = float(np.median(freqs))
    if np.any(np.abs(freqs / median - 1) > pitch_tolerance(median, pattern.max_freq_spread)):
        return None
    return tuple(same[i] for i in members)
