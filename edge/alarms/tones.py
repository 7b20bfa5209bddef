"""The front end: per frame, the strongest narrow-band tone in each alarm band.

A beeping alarm concentrates its energy in one FFT bin (and, for the 520 Hz square wave, in
its odd harmonics), so its power there stands far above the spectrum's median even when the
room is louder overall: a tone at -5 dB broadband SNR is about +14 dB above the noise in its
own bin (256 bins). `prominence_db` is that contrast; `level_db` the tone's own power.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.audio import SAMPLE_RATE

FRAME = 512  # samples per analysis frame (32 ms at 16 kHz): 31.25 Hz bins
HOP = 160  # samples between frames (10 ms): the onset timing resolution
REFERENCE_HZ = (200.0, 7000.0)  # the spectrum whose median is the noise floor
# An alarm's tone is its lowest line: nothing at f/2 or f/3. A note of music or a voiced sound
# at the same frequency is a harmonic of a lower fundamental, which this rules out.
MIN_PURITY_DB = 10.0
SUB_LINE_DB = 6.0  # ... a line there is one that stands this far over the noise floor (noise alone is no line)
EPS = 1e-12


@dataclass(frozen=True)
class ToneBand:
    """Where an alarm's tone may sit. `harmonic`: an odd harmonic that must stand out too (the
    520 Hz square wave has strong 3rd and 5th harmonics; a 520 Hz hum or voice has not)."""

    name: str
    low_hz: float
    high_hz: float
    harmonic: int | None = None
    harmonic_min_db: float = 3.0  # the harmonic's own prominence; it carries 1/9 of the power


PIEZO = ToneBand("piezo", 2500.0, 4000.0)
LOW_FREQUENCY = ToneBand("520 Hz", 470.0, 570.0, harmonic=3)
BANDS = (PIEZO, LOW_FREQUENCY)


@dataclass(frozen=True)
class ToneFrames:
    """Per frame of one band: the frame's centre time (s from the stream's start), the tone's
    frequency (Hz), its level (dB, arbitrary reference) and its prominence (dB over the median)."""

    times: np.ndarray  # (F,)
    freq_hz: np.ndarray  # (F,)
    level_db: np.ndarray  # (F,)
    prominence_db: np.ndarray  # (F,)


class ToneAnalyzer:
    """Blocks of any length in, whole frames out: the state across blocks is the unread tail."""

    def __init__(self, bands: tuple[ToneBand, ...] = BANDS, sample_rate: int = SAMPLE_RATE):
        if sample_rate != SAMPLE_RATE:
            raise ValueError(f"the alarm detector reads {SAMPLE_RATE} Hz audio, not {sample_rate} Hz; resample first")
        self.bands = bands
        self._window = np.hanning(FRAME).astype(np.float32)
        freqs = np.fft.rfftfreq(FRAME, 1.0 / SAMPLE_RATE)
        self._ref = (freqs >= REFERENCE_HZ[0]) & (freqs <= REFERENCE_HZ[1])
        self._bins = [np.flatnonzero((freqs >= b.low_hz) & (freqs <= b.high_hz)) for b in bands]
        self._bin_hz = SAMPLE_RATE / FRAME
        self._tail = np.zeros(0, dtype=np.float32)
        self._frames_done = 0

    def feed(self, block: np.ndarray) -> list[ToneFrames]:
        """One ToneFrames per band for the whole frames that `block` completes (maybe none)."""
        x = np.concatenate([self._tail, np.asarray(block, dtype=np.float32).reshape(-1)])
        n = 0 if len(x) < FRAME else 1 + (len(x) - FRAME) // HOP
        self._tail = x[n * HOP:]
        if n == 0:
            return [ToneFrames(*(np.zeros(0),) * 4) for _ in self.bands]
        idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
        power = np.abs(np.fft.rfft(x[idx] * self._window, axis=1)) ** 2 + EPS  # (n, FRAME // 2 + 1)
        floor = np.median(power[:, self._ref], axis=1)  # (n,)
        times = (self._frames_done + np.arange(n)) * HOP / SAMPLE_RATE + FRAME / 2 / SAMPLE_RATE
        self._frames_done += n
        out = []
        for band, bins in zip(self.bands, self._bins):
            sub = power[:, bins]
            k = bins[np.argmax(sub, axis=1)]  # (n,) peak bin
            rows = np.arange(n)
            peak = power[rows, k] + power[rows, np.maximum(k - 1, 0)] + power[rows, k + 1]  # a Hann main lobe
            freq = (k + _parabolic_offset(power, rows, k)) * self._bin_hz
            prominence = 10 * np.log10(peak / (3 * floor))
            below = np.maximum(_line(power, rows, k / 2), _line(power, rows, k / 3))  # (n,)
            harmonic_of_lower = (10 * np.log10(peak / below) < MIN_PURITY_DB) & (10 * np.log10(below / (3 * floor)) >= SUB_LINE_DB)
            prominence = np.where(harmonic_of_lower, -np.inf, prominence)
            if band.harmonic:
                h = np.clip(np.round(k * band.harmonic).astype(int), 1, power.shape[1] - 2)
                harm = power[rows, h] + power[rows, h - 1] + power[rows, h + 1]
                prominence = np.where(10 * np.log10(harm / (3 * floor)) >= band.harmonic_min_db, prominence, -np.inf)
            out.append(ToneFrames(times, freq, 10 * np.log10(peak), prominence))
        return out


def _line(power: np.ndarray, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The power of a line near fractional bin `at` (the strongest of the 3 bins around it, as a main lobe)."""
    c = np.clip(np.round(at).astype(int), 2, power.shape[1] - 3)
    return np.max([power[rows, c + d - 1] + power[rows, c + d] + power[rows, c + d + 1] for d in (-1, 0, 1)], axis=0)


def _parabolic_offset(power: np.ndarray, rows: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The peak's offset from bin k, in bins (-0.5..0.5), from a parabola through log powers."""
    a, b, c = (np.log(power[rows, k + d]) for d in (-1, 0, 1))
    den = a - 2 * b + c
    return np.where(np.abs(den) > EPS, 0.5 * (a - c) / np.where(np.abs(den) > EPS, den, 1.0), 0.0).clip(-0.5, 0.5)
