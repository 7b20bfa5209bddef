"""Beep onsets: the frames where a band's tone rises sharply and stands out.

Onsets, not whole beeps: in a reverberant room a beep's end smears into the next gap (a 0.1 s
gap of the temporal-four pattern fills in at RT60 1 s), but its start stays a sharp rise, the
direct sound arriving before the room's tail.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from edge.alarms.tones import BIN_HZ, FRAME, HOP, ToneFrames, pitch_tolerance
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
    max_pitch_drift: float = 0.03  # relative (never under one bin), across the confirming frames
    # a room's tail after a beep beats (its modes interfere) and can rise again by several dB,
    # but well below the beep: an onset must come within this of the loudest beep just before
    max_below_recent_db: float = 10.0
    recent_s: float = 2.5
    end_drop_db: float = 10.0  # a beep ends when its tone falls this far below its peak (a room's tail: RT60 / 6)
    end_frames: int = 4  # ... for this many frames in a row (noise makes a beep flicker for a frame or two)
    # an onset is "after a gap" when, since the onset before, its tone was absent (no tone within a
    # bin of its pitch) for this many frames in a row: a beep out of silence, not a rise inside a
    # sounding tone
    gap_frames: int = 3


@dataclass
class Onset:
    time_s: float  # from the stream's start
    freq_hz: float
    band: str
    # how long the beep held: until its tone fell `end_drop_db` below its peak, left its pitch or
    # stood out no more; None while it still sounds (the tracker fills it in)
    duration_s: float | None = None
    # whether the tone was absent just before (a new beep), or it rose inside a tone that was still
    # sounding (a beep through the previous one's reverberant tail, or the tail's own ringing)
    after_gap: bool = True
    # when its tone was last heard at its pitch, through any later rises (so in a reverberant room,
    # with the room's tail); None while it still sounds
    silent_from_s: float | None = None
    # how far the tone fell (dB) from its high since the onset before: a beep's off time (even
    # through a room's tail), where a held note's vibrato or a voice's syllables barely dip
    dip_db: float = np.inf
    # the tone's level (dB, the analyser's reference) once the rise held: one sounder beeps at one
    # level, where notes of music and syllables vary
    level_db: float = -np.inf


def len_for(cfg: OnsetConfig) -> int:
    """Frames kept to look back on a rise: its window, a failed confirmation, and this one."""
    return round(cfg.rise_window_s * SAMPLE_RATE / HOP) + 2 * cfg.confirm_frames + 2


class OnsetTracker:
    """One band's onsets, frame by frame; its state (the recent levels, the last onset) carries
    across blocks, so the onsets do not depend on how the audio was cut."""

    def __init__(self, band: str, cfg: OnsetConfig = OnsetConfig()):
        self.band, self.cfg = band, cfg
        self._rise_frames = max(1, round(cfg.rise_window_s * SAMPLE_RATE / HOP))
        # (time, level) of the latest frames: the rise window, its confirmation and a failed one before
        self._levels: deque[tuple[float, float]] = deque(maxlen=len_for(cfg))
        self._last = -np.inf
        self._peak = -np.inf  # the tone's highest level since the last onset
        self._armed = True
        self._pending: tuple[float, list[float]] | None = None  # a rise's time, its confirming pitches
        self._loud: deque[tuple[float, float]] = deque()  # (time, level) of recent confirmed beeps
        self._open: tuple[Onset, float] | None = None  # the beep still sounding, and its peak level
        self._sounding: list[Onset] = []  # onsets whose tone still sounds at their pitch
        self._high, self._dip = -np.inf, 0.0  # since the last onset: the tone's highest level, its deepest fall from it
        self._heard = -np.inf  # the last frame that held it
        self._quiet: list[float] = []  # times of the open beep's latest frames that failed to hold it
        # per FFT bin: when a tone last sounded there (within a bin), and the end of the latest run of
        # `gap_frames` or more without it. Per pitch: another tone in the band (a bed's note, a
        # voice) does not fill an alarm's gap
        self._present = np.full(FRAME // 2 + 1, -np.inf)
        self._gap_end = np.full(FRAME // 2 + 1, -np.inf)

    def _half_rise(self, start: float, confirming: list[float]) -> float:
        """When the beep began: where the level last crossed halfway (in dB) from the low before
        `start` to the confirming frames' median. In noise the first frames of a beep can fail to
        confirm and the rise is caught a few frames late; this puts it back at the rise itself."""
        frames = list(self._levels)
        before = [lv for t, lv in frames if t < start]
        if not before:
            return start
        n = len(confirming)
        half = (min(before) + float(np.median([lv for _, lv in frames[-n:]]))) / 2
        onset = start
        for t, lv in reversed(frames[:-n]):
            if lv < half:
                break
            onset = t
        return min(onset, start)

    def _fall_silent(self) -> None:
        for o in self._sounding:
            o.silent_from_s = self._heard
        self._sounding = []

    def feed(self, frames: ToneFrames) -> list[Onset]:
        out = []
        cfg = self.cfg
        for t, f, level, prom in zip(frames.times, frames.freq_hz, frames.level_db, frames.prominence_db):
            t, f, level = float(t), float(f), float(level)
            rise = level - min(lv for _, lv in list(self._levels)[-self._rise_frames:]) if self._levels else np.inf
            if self._pending is None:  # a rise being confirmed is the next beep's, not this dip's
                self._high = max(self._high, level)
                self._dip = max(self._dip, self._high - level)
            self._levels.append((t, level))
            self._peak = max(self._peak, level)
            if not self._armed and level <= self._peak - cfg.rearm_drop_db:
                self._armed = True
            tonal = prom >= cfg.min_prominence_db
            if tonal:
                near = slice(max(0, round(f / BIN_HZ) - 1), round(f / BIN_HZ) + 2)
                gap = t - self._present[near] > (cfg.gap_frames + 0.5) * HOP / SAMPLE_RATE
                self._gap_end[near] = np.where(gap, t - HOP / SAMPLE_RATE, self._gap_end[near])
                self._present[near] = t
            if self._sounding:
                pitch = self._sounding[-1].freq_hz
                if tonal and abs(f / pitch - 1) <= 2 * pitch_tolerance(pitch, cfg.max_pitch_drift):
                    self._heard = t
                elif t - self._heard >= cfg.end_frames * HOP / SAMPLE_RATE:
                    self._fall_silent()
            if self._open is not None:
                beep, top = self._open
                if not tonal or level < top - cfg.end_drop_db or abs(f / beep.freq_hz - 1) > 2 * pitch_tolerance(beep.freq_hz, cfg.max_pitch_drift):
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
                if max(pitches) / min(pitches) - 1 <= pitch_tolerance(min(pitches), cfg.max_pitch_drift) and level >= loudest - cfg.max_below_recent_db:
                    after_gap = bool(self._gap_end[round(pitch / BIN_HZ)] > self._last)
                    start = max(self._half_rise(start, pitches), self._last + cfg.refractory_s)
                    self._last, self._peak, self._armed = start, level, False
                    self._loud.append((t, level))
                    if self._open is not None:  # a new beep ends the one before
                        self._open[0].duration_s = (self._quiet or [start])[0] - self._open[0].time_s
                    out.append(Onset(start, pitch, self.band, after_gap=after_gap, dip_db=self._dip if np.isfinite(self._high) else np.inf,
                                     level_db=level))
                    self._high, self._dip = -np.inf, 0.0
                    if self._sounding and abs(pitch / self._sounding[-1].freq_hz - 1) > pitch_tolerance(pitch, cfg.max_pitch_drift):
                        self._fall_silent()  # another tone: the one before is no longer followed
                    self._sounding.append(out[-1])
                    self._heard = t
                    self._open, self._quiet = (out[-1], level), []
            elif self._armed and tonal and rise >= cfg.min_rise_db and t - self._last >= cfg.refractory_s:
                self._pending = (t, [])
        return out
