"""The microphone: a random gentle colouration of everything acoustic, then its own noise.

Colouration is a zero-phase gain curve: a spectral tilt, a presence bump or dip, and
sometimes a band limit (a cheap or distant microphone). Self-noise and mains hum are added
after it: they are electrical, not heard through the capsule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from training.corpus.dsp import SR, spectral_filter, time_axis

GainCurve = Callable[[np.ndarray], np.ndarray]  # frequencies (Hz) -> linear gains


@dataclass(frozen=True)
class MicConfig:
    colour_prob: float = 0.7  # share of clips with a coloured microphone
    tilt_db_per_octave: float = 1.5  # largest tilt around 1 kHz, dB per octave
    presence_db: float = 4.0  # largest presence bump or dip (2-5 kHz), dB
    band_limit_prob: float = 0.3  # share of coloured clips that are also band-limited
    highpass_hz: tuple[float, float] = (80.0, 300.0)  # band limit: low edge range
    lowpass_hz: tuple[float, float] = (3500.0, 7500.0)  # band limit: high edge range
    noise_dbfs: tuple[float, float] = (-85.0, -65.0)  # self-noise RMS range, dB re full scale
    # share of clips with 50 or 60 Hz mains hum. Off: `mains_hum` is a vocabulary label, so hum added
    # here would be an unlabelled sound (labels must stay exact); labelled hum comes as recorded events.
    hum_prob: float = 0.0
    hum_db: float = -6.0  # hum level relative to the bed, dB


@dataclass(frozen=True)
class Colouration:
    tilt: float  # dB per octave around 1 kHz
    presence: float  # dB at the presence centre
    presence_hz: float
    band: tuple[float, float] | None  # (low, high) edges in Hz, or None

    def gain(self, f: np.ndarray) -> np.ndarray:
        octaves = np.log2(np.maximum(f, 20.0) / 1000.0)
        db = np.clip(self.tilt * octaves, -9.0, 9.0)
        db += self.presence * np.exp(-0.5 * (octaves - np.log2(self.presence_hz / 1000.0)) ** 2 / 0.5**2)
        g = 10 ** (db / 20)
        if self.band is not None:
            lo, hi = self.band
            g = g * _smooth_step(f, lo * 0.7, lo) * (1 - _smooth_step(f, hi, hi * 1.3))
        return g

    def apply(self, x: np.ndarray) -> np.ndarray:
        return spectral_filter(x, self.gain)

    def describe(self) -> str:
        text = f"mic tilt {self.tilt:+.1f} dB/oct, presence {self.presence:+.1f} dB"
        if self.band is not None:
            text += f", band {self.band[0]:.0f}-{self.band[1]:.0f} Hz"
        return text


def _smooth_step(f: np.ndarray, a: float, b: float) -> np.ndarray:
    t = np.clip((f - a) / max(b - a, 1e-9), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * t)


def draw_colouration(rng: np.random.Generator, cfg: MicConfig) -> Colouration | None:
    if rng.random() >= cfg.colour_prob:
        return None
    tilt = float(rng.uniform(-cfg.tilt_db_per_octave, cfg.tilt_db_per_octave))
    presence = float(rng.uniform(-cfg.presence_db, cfg.presence_db))
    presence_hz = float(rng.uniform(2000.0, 5000.0))
    band = None
    if rng.random() < cfg.band_limit_prob:
        band = (float(rng.uniform(*cfg.highpass_hz)), float(min(rng.uniform(*cfg.lowpass_hz), SR / 2 * 0.9)))
    return Colouration(round(tilt, 2), round(presence, 2), round(presence_hz), band)


def electrical_noise(rng: np.random.Generator, n: int, bed_db: float, cfg: MicConfig) -> tuple[np.ndarray, str]:
    """(n,) self-noise, plus mains hum in some clips, and its description."""
    noise_db = float(rng.uniform(*cfg.noise_dbfs))
    x = rng.standard_normal(n) * 10 ** (noise_db / 20)
    text = f"mic noise {noise_db:.0f} dBFS"
    if rng.random() < cfg.hum_prob:  # 50 or 60 Hz with its second harmonic
        f = 50.0 if rng.random() < 0.5 else 60.0
        t = time_axis(n)
        x += 10 ** ((bed_db + cfg.hum_db) / 20) * np.sqrt(2) * (np.sin(2 * np.pi * f * t) + 0.5 * np.sin(4 * np.pi * f * t))
        text += f", {f:.0f} Hz hum"
    return x, text
