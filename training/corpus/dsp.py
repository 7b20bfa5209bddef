"""Small numpy signal helpers for the procedural sounds and the scene mixer.

All signals are float arrays at `SAMPLE_RATE`; filters work in the frequency domain
(one FFT per call), so nothing here loops over samples in Python.
"""

from __future__ import annotations

import numpy as np

from core.audio import SAMPLE_RATE

SR = SAMPLE_RATE


def n_samples(seconds: float) -> int:
    return max(1, int(round(seconds * SR)))


def time_axis(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.float64) / SR  # (n,) seconds


def spectral_filter(x: np.ndarray, gain_fn) -> np.ndarray:
    """Apply a zero-phase gain `gain_fn(freqs_hz) -> gains` through one real FFT."""
    size = _fast_len(x.size)  # zero-padded: no wrap-around, and FFT sizes without large primes
    spec = np.fft.rfft(x, size)
    freqs = np.fft.rfftfreq(size, 1.0 / SR)
    return np.fft.irfft(spec * gain_fn(freqs), n=size)[: x.size]


def _fast_len(n: int) -> int:
    """The smallest 2**a * 3**b >= n."""
    best = 1 << max(0, (n - 1).bit_length())
    p3 = 1
    while p3 < best:
        p2 = p3
        while p2 < n:
            p2 *= 2
        best = min(best, p2)
        p3 *= 3
    return best


def bandpass(x: np.ndarray, lo: float, hi: float, soft: float = 0.15) -> np.ndarray:
    """Keep `lo`..`hi` Hz, with raised-cosine skirts `soft` (fraction of the edge) wide."""

    def gain(f):
        g = np.ones_like(f)
        if lo > 0:
            a, b = lo * (1 - soft), lo * (1 + soft)
            g *= np.clip((f - a) / max(b - a, 1e-9), 0, 1)
        if hi < SR / 2:
            a, b = hi * (1 - soft), hi * (1 + soft)
            g *= 1 - np.clip((f - a) / max(b - a, 1e-9), 0, 1)
        return 0.5 - 0.5 * np.cos(np.pi * g)

    return spectral_filter(x, gain)


def lowpass(x: np.ndarray, hi: float) -> np.ndarray:
    return bandpass(x, 0.0, hi)


def highpass(x: np.ndarray, lo: float) -> np.ndarray:
    return bandpass(x, lo, SR / 2)


def peaks(x: np.ndarray, centers: list[float], widths: list[float], floor: float = 0.05) -> np.ndarray:
    """Emphasise resonances (formants): Gaussian gain bumps on top of a small floor."""

    def gain(f):
        g = np.full_like(f, floor)
        for c, w in zip(centers, widths):
            g += np.exp(-0.5 * ((f - c) / w) ** 2)
        return g

    return spectral_filter(x, gain)


def colored_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power ~ 1/f**exponent (0 white, 1 pink, 2 brown), unit RMS."""
    size = _fast_len(n)
    spec = np.fft.rfft(rng.standard_normal(size))
    f = np.fft.rfftfreq(size, 1.0 / SR)
    f[0] = f[1] if size > 1 else 1.0
    y = np.fft.irfft(spec / f ** (exponent / 2), n=size)[:n]
    return y / (np.sqrt(np.mean(y**2)) + 1e-12)


def adsr(n: int, attack: float, release: float, curve: float = 1.0) -> np.ndarray:
    """Linear attack over `attack` s, sustain, and a release over `release` s (both capped to n)."""
    env = np.ones(n)
    a = min(n, n_samples(attack)) if attack > 0 else 0
    r = min(n - a, n_samples(release)) if release > 0 else 0
    if a:
        env[:a] = np.linspace(0, 1, a) ** curve
    if r:
        env[n - r :] *= np.linspace(1, 0, r) ** curve
    return env


def decay(n: int, tau: float) -> np.ndarray:
    """exp(-t / tau) over n samples."""
    return np.exp(-time_axis(n) / max(tau, 1e-4))


def tone(freq, n: int, harmonics: tuple[float, ...] = (1.0,), phase: float = 0.0) -> np.ndarray:
    """Sum of harmonics k*f with amplitudes `harmonics`; `freq` is a scalar or an (n,) contour."""
    f = np.broadcast_to(np.asarray(freq, dtype=np.float64), (n,))
    ph = 2 * np.pi * np.cumsum(f) / SR + phase  # (n,) radians of the fundamental
    out = np.zeros(n)
    for k, amp in enumerate(harmonics, start=1):
        if amp and np.max(f) * k < SR / 2:
            out += amp * np.sin(k * ph)
    return out


def modes(n: int, freqs, taus, amps) -> np.ndarray:
    """A struck object: decaying sinusoids (modal synthesis)."""
    t = time_axis(n)
    out = np.zeros(n)
    for f, tau, a in zip(freqs, taus, amps):
        if f < SR / 2:
            out += a * np.sin(2 * np.pi * f * t) * np.exp(-t / tau)
    return out


def place(dst: np.ndarray, src: np.ndarray, start: int, gain: float = 1.0) -> None:
    """Add `src` into `dst` from sample `start`, cutting what falls outside."""
    if start >= dst.size or start + src.size <= 0:
        return
    a, b = max(0, start), min(dst.size, start + src.size)
    dst[a:b] += gain * src[a - start : b - start]


def fft_convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Full linear convolution: len(x) + len(h) - 1 samples (a reverberated sound rings on)."""
    n = x.size + h.size - 1
    size = _fast_len(n)
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[:n]


def active_rms(x: np.ndarray, frame_s: float = 0.02, rel_db: float = -30.0) -> float:
    """RMS over the frames within `rel_db` of the loudest frame: the level of a sound while it sounds."""
    frame = n_samples(frame_s)
    n = (x.size // frame) * frame
    if n == 0:
        return float(np.sqrt(np.mean(x**2)) + 1e-12)
    power = np.mean(x[:n].reshape(-1, frame) ** 2, axis=1)  # (frames,)
    keep = power >= power.max() * 10 ** (rel_db / 10)
    return float(np.sqrt(np.mean(power[keep])) + 1e-12)


def trim_silence(x: np.ndarray, rel_db: float = -45.0, frame_s: float = 0.01) -> np.ndarray:
    """Cut leading and trailing frames quieter than `rel_db` below the peak frame."""
    frame = n_samples(frame_s)
    n_frames = x.size // frame
    if n_frames == 0:
        return x
    power = np.mean(x[: n_frames * frame].reshape(n_frames, frame) ** 2, axis=1)  # (frames,)
    loud = np.nonzero(power >= power.max() * 10 ** (rel_db / 10))[0]
    if loud.size == 0:
        return x
    return x[loud[0] * frame : min(x.size, (loud[-1] + 1) * frame)]


def normalize_peak(x: np.ndarray, peak: float = 0.5) -> np.ndarray:
    m = float(np.max(np.abs(x))) if x.size else 0.0
    return (x * (peak / m)).astype(np.float32) if m > 0 else x.astype(np.float32)
