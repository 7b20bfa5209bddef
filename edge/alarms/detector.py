"""The streaming alarm detector: 16 kHz blocks of any length in, pattern matches out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.alarms.onsets import Onset, OnsetConfig, OnsetTracker
from edge.alarms.patterns import PATTERNS, GroupMatch, TemporalPattern, match_ended, match_latest
from edge.alarms.tones import BANDS, ToneAnalyzer, ToneBand

HISTORY_S = 12.0  # onsets kept per band: longer than the longest cycle (9 s) plus its group


@dataclass(frozen=True)
class AlarmMatch:
    """A standard alarm pattern heard: which, in which band, at which tone, and when (seconds
    from the start of the stream: `first_beep_s` of the matched group, `at_s` when confirmed)."""

    pattern: str  # "temporal-three" | "temporal-four"
    alarm: str  # "smoke" | "carbon monoxide"
    band: str  # "piezo" | "520 Hz"
    tone_hz: float
    first_beep_s: float
    at_s: float

    @classmethod
    def of(cls, m: GroupMatch) -> AlarmMatch:
        return cls(m.pattern.name, m.pattern.alarm, m.band, round(m.tone_hz, 1), m.first_onset_s, m.at_s)


class AlarmDetector:
    """Feed it every block of the microphone (or a file); it keeps its own state across blocks,
    so a chopped or a continuous alarm is the same to it. Memory is bounded: the analyser's
    unread tail (< one frame) and HISTORY_S of onsets per band."""

    def __init__(self, bands: tuple[ToneBand, ...] = BANDS, patterns: tuple[TemporalPattern, ...] = PATTERNS,
                 onsets: OnsetConfig = OnsetConfig(), groups: int = 1):
        """`patterns`: tried in order, the first that parses an onset wins (PATTERNS: finest first).
        `groups`: whole groups a match needs in a row (1: one group and the next one's first
        beep; 2: a cycle later, far fewer chance matches; bench/bench_alarms.py --groups)."""
        if groups < 1:
            raise ValueError(f"groups = {groups}: a match needs at least 1 whole group")
        self.groups = groups
        self._chain: dict[tuple[str, str], tuple[float, int]] = {}  # (pattern, band) -> (last confirmation, run length)
        self.analyzer = ToneAnalyzer(bands)
        self.trackers = [OnsetTracker(b.name, onsets) for b in bands]
        self.patterns = patterns
        self._onsets: list[list[Onset]] = [[] for _ in bands]
        self._ended: list[dict[str, float]] = [{} for _ in bands]  # per band and pattern: the newest onset match_ended saw
        self._reported: dict[tuple[str, str], float] = {}  # (pattern, band) -> the last reported group's first beep

    def feed(self, block: np.ndarray) -> list[AlarmMatch]:
        matches = []
        for frames, tracker, history, ended in zip(self.analyzer.feed(block), self.trackers, self._onsets, self._ended):
            for onset in tracker.feed(frames):
                history.append(onset)
                while history and onset.time_s - history[0].time_s > HISTORY_S:
                    history.pop(0)
                self._first_parse(matches, self.patterns, lambda p: match_latest(history, p))
            if history and len(frames.times):
                now = float(frames.times[-1])
                # each pattern looks once per newest onset, as soon as its group's pause has lasted long enough
                due = [p for p in self.patterns if ended.get(p.name) != history[-1].time_s
                       and now - history[-1].time_s >= p.end_silence_s]
                for p in due:
                    ended[p.name] = history[-1].time_s
                self._first_parse(matches, due, lambda p: match_ended(history, p, now))
        return matches

    def _first_parse(self, matches: list[AlarmMatch], patterns, match) -> None:
        """The first of `patterns` (in order) that `match` parses; reported once per group, however matched."""
        for pattern in patterns:
            m = match(pattern)
            if m is not None:
                key = (m.pattern.name, m.band)
                if self._chained(m) and abs(self._reported.get(key, -np.inf) - m.first_onset_s) > m.pattern.min_tolerance_s:
                    self._reported[key] = m.first_onset_s
                    matches.append(AlarmMatch.of(m))
                return

    def _chained(self, m: GroupMatch) -> bool:
        """Whether `m` ends a run of `groups` matched groups, each confirmed where the next began."""
        key = (m.pattern.name, m.band)
        last, run = self._chain.get(key, (None, 0))
        run = run + 1 if last is not None and abs(m.first_onset_s - last) <= m.pattern.min_tolerance_s else 1
        self._chain[key] = (m.at_s, run)
        return run >= self.groups
