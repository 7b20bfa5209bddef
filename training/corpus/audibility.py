"""When a mixed sound counts as heard: the rule that keeps clip labels exact.

A component of a mix (one event as it reaches the microphone, or the bed) is *audible*
when, for at least `min_s` seconds in all, some frequency band of it is no more than
`floor_db` below what masks it there: everything else in the mix (the other events, the
bed, the noise) in that band and frame, or a loud neighbouring band's spread into it. A clip is labelled with exactly its audible components; the mixer removes
the others from the audio, so nothing unlabelled is left to hear.

Bands are 16 logarithmic bands from 60 Hz to the Nyquist frequency, frames 32 ms every
10 ms: a beep that a lowpass microphone removes, a sound buried under a louder one in the
same band, or a sound cut down to a few milliseconds at the clip's edge is not audible;
a sound 5 dB below a broadband bed is (it still dominates its own bands).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from training.corpus.dsp import SR

FRAME = 512  # samples per analysis frame (32 ms)
HOP = 160  # samples between frames (10 ms)
BANDS = 16  # log-spaced bands from BAND_LO_HZ to SR / 2
BAND_LO_HZ = 60.0
EPS_POWER = 1e-13  # about -130 dB: the rest of a mix is never exactly silent
SPREAD_DB_PER_BAND = 20.0  # masking spreads to neighbouring bands, falling this much per band


@lru_cache(maxsize=1)
def _band_matrix() -> np.ndarray:
    """(FRAME // 2 + 1, BANDS) 0/1: which FFT bin sums into which band."""
    freqs = np.fft.rfftfreq(FRAME, 1.0 / SR)
    edges = np.geomspace(BAND_LO_HZ, SR / 2, BANDS + 1)
    edges[-1] += 1.0  # include the Nyquist bin
    m = np.zeros((freqs.size, BANDS))
    for b in range(BANDS):
        m[(freqs >= edges[b]) & (freqs < edges[b + 1]), b] = 1.0
    return m


def band_power(x: np.ndarray) -> np.ndarray:
    """(frames, BANDS) power of `x` per frame and band (Hann window)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size < FRAME:
        x = np.pad(x, (0, FRAME - x.size))
    frames = np.lib.stride_tricks.sliding_window_view(x, FRAME)[::HOP]  # (frames, FRAME)
    spec = np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) ** 2  # (frames, bins)
    return spec @ _band_matrix()


def masking_power(rest: np.ndarray) -> np.ndarray:
    """(frames, BANDS) power that masks each band: the rest's own, or a neighbour's spread
    into it (SPREAD_DB_PER_BAND per band of distance), whichever is larger."""
    p = band_power(rest)
    dist = np.abs(np.arange(BANDS)[:, None] - np.arange(BANDS)[None, :])  # (BANDS, BANDS)
    spread = 10 ** (-SPREAD_DB_PER_BAND * dist / 10)
    return np.max(p[:, :, None] * spread[None, :, :], axis=1)  # (frames, BANDS)


def audible_seconds(target: np.ndarray, rest: np.ndarray, floor_db: float) -> float:
    """Seconds of frames in which some band of `target` is within `floor_db` of what masks it."""
    pt, pr = band_power(target), masking_power(rest)
    heard = (pt > EPS_POWER) & (pt >= (pr + EPS_POWER) * 10 ** (floor_db / 10))  # (frames, bands)
    return float(np.count_nonzero(heard.any(axis=1)) * HOP / SR)


def is_audible(target: np.ndarray, rest: np.ndarray, floor_db: float, min_s: float) -> bool:
    return audible_seconds(target, rest, floor_db) >= min_s
