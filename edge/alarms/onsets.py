"""Beep onsets: the frames where a band's tone rises sharply and stands out.

Onsets, not whole beeps: in a reverberant room a beep's end smears into the next gap (a 0.1 s
gap of the temporal-four pattern fills in at RT60 1 s), but its start stays a sharp rise, the
direct sound arriving before the room's tail.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from edge.alarms.tones import HOP, ToneFrames
from core.audio import SAMPLE_RATE


@dataclass(frozen=True)
class OnsetConfig:
    min_prominence_db: float = 10.0  # the tone over the spectrum's median at the onset frame
    min_rise_db: float = 5.0  # the tone's level over its minimum in the preceding `rise_window_s`
    rise_window_s: float = 0.08  # longer than the Hann frame's own smear (32 ms)
    refractory_s: float = 0.08  # one onset per rise; shorter than the T4 spacing (0.2 s)
    # after an onset, the next needs the tone to fall this far below its peak first (a beep's
    # rise takes several frames; a T4 gap in a reverberant room falls about 6 dB)
    rearm_drop_db: float = 5.0
    # a rise becomes an onset only if the tone then holds for this many frames at a steady
    # pitch: a noise peak that stands out for one frame is not a beep
    confirm_frames: int = 3
    max_pitch_drift: float = 0.03  # relative, across the confirming frames
    # a room's tail after a beep beats (its modes interfere) and can rise again by several dB,
    # but well below the beep: an onset must come within this of the loudest beep just before
    max_below_recent_db: float = 10.0
    recent_s: float = 2.5
    end_drop_db: float = 10.0  # a beep ends when its tone falls this far below its peak (a room's tail: RT60 / 6)
    end_frames: int = 4  # ... for this many frames in a row (noise makes a beep flicker for a frame or two)


@dataclass
class Onset:
    time_s: float  # from the stream's start
    freq_hz: float
    band: str
    # how long the beep held: until its tone fell `end_drop_db` below its peak, left its pitch or
    # stood out no more; None while it still sounds (the tracker fills it in)
    duration_s: float | None = None


class OnsetTracker:
    """One band's onsets, frame by frame; its state (the recent levels, the last onset) carries
    across blocks, so the onsets do not depend on how the audio was cut."""

    def __init__(self, band: str, cfg: OnsetConfig = OnsetConfig()):
        self.band, self.cfg = band, cfg
        self._recent: deque[float] = deque(maxlen=max(1, round(cfg.rise_window_s * SAMPLE_RATE / HOP)))
        self._last = -np.inf
        self._peak = -np.inf  # the tone's highest level since the last onset
        self._armed = True
        self._pending: tuple[float, list[float]] | None = None  # a rise's time, its confirming pitches
        self._loud: deque[tuple[float, float]] = deque()  # (time, level) of recent confirmed beeps
        self._open: tuple[Onset, float] | None = None  # the beep still sounding, and its peak level
        self._quiet: list[float] = []  # times of the open beep's latest frames that failed to hold it

    def feed(self, frames: ToneFrames) -> list[Onset]:
        out = []
        cfg = self.cfg
        for t, f, level, prom in zip(frames.times, frames.freq_hz, frames.level_db, frames.prominence_db):
            t, f, level = float(t), float(f), float(level)
            rise = level - min(self._recent) if self._recent else np.inf
            self._recent.append(level)
            self._peak = max(self._peak, level)
            if not self._armed and level <= self._peak - cfg.rearm_drop_db:
                self._armed = True
            tonal = prom >= cfg.min_prominence_db
            if self._open is not None:
                beep, top = self._open
                if not tonal or level < top - cfg.end_drop_db or abs(f / beep.freq_hz - 1) > 2 * cfg.max_pitch_drift:
                    self._quiet.append(t)
                    if len(self._quiet) >= cfg.end_frames:
                        beep.duration_s, self._open = self._quiet[0] - beep.time_s, None
                else:
                    self._open, self._quiet = (beep, max(top, level)), []
            if self._pending is not None:
                start, pitches = self._pending
                if not tonal:
                    self._pending = None  # it did not hold: not a beep, and still armed
                    continue
                pitches.append(f)
                if len(pitches) < cfg.confirm_frames:
                    continue
                self._pending = None
                pitch = float(np.median(pitches))
                while self._loud and self._loud[0][0] < t - cfg.recent_s:
                    self._loud.popleft()
                loudest = max((lv for _, lv in self._loud), default=-np.inf)
                if max(pitches) / min(pitches) - 1 <= cfg.max_pitch_drift and level >= loudest - cfg.max_below_recent_db:
                    self._last, self._peak, self._armed = start, level, False
                    self._loud.append((t, level))
                    if self._open is not None:  # a new beep ends the one before
                        self._open[0].duration_s = (self._quiet or [start])[0] - self._open[0].time_s
                    out.append(Onset(start, pitch, self.band))
                    self._open, self._quiet = (out[-1], level), []
            elif self._armed and tonal and rise >= cfg.min_rise_db and t - self._last >= cfg.refractory_s:
                self._pending = (t, [])
        return out
