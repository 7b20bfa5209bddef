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


@dataclass(frozen=True)
class Onset:
    time_s: float  # from the stream's start
    freq_hz: float
    band: str


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
                if max(pitches) / min(pitches) - 1 <= cfg.max_pitch_drift:
                    self._last, self._peak, self._armed = start, level, False
                    out.append(Onset(start, pitch, self.band))
            elif self._armed and tonal and rise >= cfg.min_rise_db and t - self._last >= cfg.refractory_s:
                self._pending = (t, [])
        return out
