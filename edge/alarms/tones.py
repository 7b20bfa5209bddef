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
# A tone's prominence is over the median of its own neighbourhood (its band widened by this on each
# side): household beds (speech, music, engines) are far louder at 500 Hz than at 3 kHz, so a
# floor taken over the whole spectrum hid the 520 Hz alarm under any bed and flattered piezo tones.
LOCAL_FLOOR_HZ = 300.0
# An alarm's tone is its lowest line: nothing at f/2 or f/3. A note of music or a voiced sound
# at the same frequency is a harmonic of a lower fundamental, which this rules out.
MIN_PURITY_DB = 10.0
SUB_LINE_DB = 6.0  # ... a line there is one that stands this far over its own neighbourhood (loud noise is no line)
# Higher up, a note's n-th harmonic has its neighbours below it at multiples of f/n (an odd-only
# spectrum, a clarinet's or a square wave's, every other one): two such lines make the tone a
# harmonic. Up to the 8th: above it a bed's own lines fall on the grid by chance; and only lines
# from 150 Hz up, where the spectrum's own slope (hum, a room's modes) makes no line of its own.
MAX_HARMONIC = 8
MIN_GRID_HZ = 150.0
_FRACTIONS = np.array(sorted({j / n for n in range(2, MAX_HARMONIC + 1) for j in range(1, n)}))
_HALF, _THIRD = (int(np.argmin(np.abs(_FRACTIONS - f))) for f in (1 / 2, 1 / 3))
_GRIDS = tuple((n, [int(np.argmin(np.abs(_FRACTIONS - j / n))) for j in range(1, n)]) for n in range(4, MAX_HARMONIC + 1))
EPS = 1e-12
# frames whose tone stands less than this over its floor are no beep to any onset tracker (its
# threshold is 10 dB), so the purity checks, the costly part, skip them
CANDIDATE_DB = 6.0
BIN_HZ = SAMPLE_RATE / FRAME


def pitch_tolerance(freq_hz: float, relative: float) -> float:
    """A relative pitch tolerance, never under one FFT bin: at 520 Hz a bin is 6 %, and a frame's
    interpolated pitch wanders by that much in noise."""
    return max(relative, BIN_HZ / max(freq_hz, 1.0))


@dataclass(frozen=True)
class ToneBand:
    """Where an alarm's tone may sit. `comb`: the harmonics its tone is made of, weighed together
    by their own prominence (a room's response has notches: at a given spot the 520 Hz
    fundamental may sink into the noise while its 3rd harmonic stands 15 dB out). `harmonic`:
    one that must stand out on its own (the 520 Hz square wave has strong 3rd and 5th
    harmonics; a 520 Hz hum or voice has not)."""

    name: str
    low_hz: float
    high_hz: float
    comb: tuple[int, ...] = (1,)
    harmonic: int | None = None
    harmonic_min_db: float = 3.0  # the harmonic's own prominence; it carries 1/9 of the power
    # harmonics that must be absent: a square wave has no even ones, while a voice or an
    # instrument at 520 Hz has a strong 2nd (a room, being linear, adds none); and a note near
    # 1.56 kHz, read through the comb as a 520 Hz tone's 3rd harmonic, has its own 2nd at the 6th
    absent: tuple[int, ...] = ()
    absent_max_db: float = 6.0  # ... each one's lobe may stand this far over its floor at most


PIEZO = ToneBand("piezo", 2500.0, 4000.0)
LOW_FREQUENCY = ToneBand("520 Hz", 470.0, 570.0, comb=(1, 3, 5), harmonic=3, absent=(2, 4, 6))
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
        self._bins = [np.flatnonzero((freqs >= b.low_hz) & (freqs <= b.high_hz)) for b in bands]
        # per band and harmonic of its comb: where the local floor is taken
        self._local = [{h: (freqs >= h * b.low_hz - LOCAL_FLOOR_HZ) & (freqs <= h * b.high_hz + LOCAL_FLOOR_HZ)
                        for h in set(b.comb) | set(b.absent) | {b.harmonic} - {None}} for b in bands]
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
        times = (self._frames_done + np.arange(n)) * HOP / SAMPLE_RATE + FRAME / 2 / SAMPLE_RATE
        self._frames_done += n
        out = []
        lobe = np.zeros_like(power)  # each bin with its two neighbours: a Hann window's main lobe
        lobe[:, 1:-1] = power[:, :-2] + power[:, 1:-1] + power[:, 2:]
        rows = np.arange(n)
        for band, bins, local in zip(self.bands, self._bins, self._local):
            floors = {h: 3 * np.median(power[:, m], axis=1) for h, m in local.items()}  # a main lobe of noise
            # each harmonic's power over its own floor, at each candidate fundamental of the band: the
            # fundamental is where they add up most; the prominence is the best-standing harmonic's
            # (a mean would dilute a clear fundamental with the weak 5th)
            ratios = np.stack([lobe[:, np.minimum(h * bins, power.shape[1] - 1)] / floors[h][:, None] for h in band.comb])
            j = np.argmax(ratios.sum(axis=0), axis=1)
            k = bins[j]  # (n,) the fundamental's bin
            prominence = 10 * np.log10(ratios[:, rows, j].max(axis=0))
            level = 10 * np.log10(sum(lobe[rows, np.minimum(h * k, power.shape[1] - 1)] for h in band.comb))
            freq = (k + _parabolic_offset(power, rows, k)) * BIN_HZ
            peak = lobe[rows, k]
            tone = np.flatnonzero(prominence >= CANDIDATE_DB)  # the checks below only ever lower a frame that could be a tone
            prominence[tone[_harmonic_of_lower(power[tone], peak[tone], k[tone])]] = -np.inf

            def standing(h: int) -> np.ndarray:  # harmonic h of each frame's tone over its own floor, dB
                return 10 * np.log10(lobe[rows, np.minimum(k * h, power.shape[1] - 1)] / floors[h])

            if band.harmonic:
                prominence = np.where(standing(band.harmonic) >= band.harmonic_min_db, prominence, -np.inf)
            for absent in band.absent:
                prominence = np.where(standing(absent) <= band.absent_max_db, prominence, -np.inf)
            out.append(ToneFrames(times, freq, level, prominence))
        return out


def _harmonic_of_lower(power: np.ndarray, peak: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per frame, whether its tone at (integer) bin `k`, of main-lobe power `peak`, is a harmonic
    of a lower fundamental: a line that the tone does not stand MIN_PURITY_DB over at f/2 or f/3,
    or two on the grid of multiples of f/n below it (n = 4 .. MAX_HARMONIC). All the lines of
    all the frames at once (one call per block: numpy's per-call cost dominated)."""
    rows = np.arange(len(k))[:, None]
    at = k[:, None] * _FRACTIONS[None, :]  # (frames, fractions)
    below = _line(power, rows, at)
    line = ((10 * np.log10(peak[:, None] / below) < MIN_PURITY_DB)
            & (10 * np.log10(below / (3 * _local_median(power, rows, at))) >= SUB_LINE_DB))
    out = line[:, _HALF] | line[:, _THIRD]
    for n, columns in _GRIDS:
        out |= (k / n * BIN_HZ >= MIN_GRID_HZ) & (line[:, columns].sum(axis=1) >= 2)
    return out


def _line(power: np.ndarray, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The power of a line near fractional bin `at` (the strongest of the 3 bins around it, as a
    main lobe); `rows` broadcast against `at`."""
    c = np.clip(np.round(at).astype(int), 2, power.shape[1] - 3)
    return np.max([power[rows, c + d - 1] + power[rows, c + d] + power[rows, c + d + 1] for d in (-1, 0, 1)], axis=0)


def _local_median(power: np.ndarray, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The median power within LOCAL_FLOOR_HZ of fractional bin `at`: the floor a line there stands on."""
    half = int(LOCAL_FLOOR_HZ / BIN_HZ)
    c = np.clip(np.round(at).astype(int), half, power.shape[1] - 1 - half)
    return np.median(power[rows[..., None], c[..., None] + np.arange(-half, half + 1)], axis=-1)


def _parabolic_offset(power: np.ndarray, rows: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The peak's offset from bin k, in bins (-0.5..0.5), from a parabola through log powers."""
    a, b, c = (np.log(power[rows, k + d]) for d in (-1, 0, 1))
    den = a - 2 * b + c
    return np.where(np.abs(den) > EPS, 0.5 * (a - c) / np.where(np.abs(den) > EPS, den, 1.0), 0.0).clip(-0.5, 0.5)
