"""Alarm and hard-negative signals, generated: the detector's tests and bench/bench_alarms.py share them."""

from __future__ import annotations

import numpy as np

from core.audio import SAMPLE_RATE as SR

T3 = [(0.5, 0.5), (0.5, 0.5), (0.5, 1.5)]  # (on, off) s: ISO 8201 temporal-three
T3_QUICK = [(0.25, 0.25), (0.25, 0.25), (0.25, 1.5)]  # the variant the learned model missed
T4 = [(0.1, 0.1)] * 3 + [(0.1, 5.0)]  # temporal-four (carbon monoxide)


def beeping(pattern, freq=3100.0, seconds=12.0, start=1.0, square=False, repeat=True) -> np.ndarray:
    """`pattern` of (on, off) seconds from `start`, repeated to `seconds`; a sine (a piezo) or a square wave."""
    x = np.zeros(int(seconds * SR), np.float32)
    t = start
    while t < seconds:
        for on, off in pattern:
            n0, n = int(t * SR), int(on * SR)
            tone = np.sin(2 * np.pi * freq * np.arange(n) / SR)
            tone = np.sign(tone) if square else tone
            x[n0:n0 + n] += 0.5 * tone[: max(0, len(x) - n0)]
            t += on + off
        if not repeat:
            break
    return x


def in_noise(x: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White noise at `snr_db` below the signal's level while it sounds."""
    noise = np.random.default_rng(seed).standard_normal(len(x)).astype(np.float32)
    noise *= np.sqrt(np.mean(x[x != 0] ** 2) / np.mean(noise**2)) * 10 ** (-snr_db / 20)
    return x + noise


ROOM_DIMS = (12.0, 8.0, 3.0)


def room_response(rt60: float, distance: float, dims: tuple[float, float, float] = ROOM_DIMS) -> np.ndarray:
    """The impulse response from an alarm on the ceiling side of a shoebox room to a microphone
    `distance` m away (pyroomacoustics' image source method)."""
    import pyroomacoustics as pra

    mic = np.array([1.0, 4.0, 1.2])
    absorption, order = pra.inverse_sabine(rt60, dims)
    room = pra.ShoeBox(dims, fs=SR, materials=pra.Material(absorption), max_order=min(order, 40))
    room.add_source(mic + np.array([distance, 0.0, 1.3]))
    room.add_microphone(mic)
    room.compute_rir()
    return np.asarray(room.rir[0][0], np.float32)


def in_room(x: np.ndarray, rt60: float, distance: float) -> np.ndarray:
    """`x` as the microphone hears it across the room (same length)."""
    from scipy.signal import fftconvolve

    return fftconvolve(x, room_response(rt60, distance))[: len(x)].astype(np.float32)
