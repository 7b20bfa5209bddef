"""Procedural sound synthesizers: one function per label, randomized per instance.

Each synthesizer takes a `numpy.random.Generator` (seeded from the event instance, so an
instance is reproducible and no two seeds sound alike) and the longest duration allowed,
and returns a mono float32 waveform at `SAMPLE_RATE` with its peak at 0.5. Patterns follow
the real devices where a standard exists (smoke alarms: ISO 8201 / NFPA 72 temporal-three;
CO alarms: temporal-four; phone cadences of the US and UK networks).
"""

from __future__ import annotations

import zlib
from typing import Callable

import numpy as np

from training.corpus.dsp import (
    SR,
    adsr,
    bandpass,
    colored_noise,
    decay,
    highpass,
    lowpass,
    modes,
    n_samples,
    normalize_peak,
    peaks,
    place,
    time_axis,
    tone,
)

Synth = Callable[[np.random.Generator, float], np.ndarray]
SQUAREISH = (1.0, 0.0, 0.33, 0.0, 0.2, 0.0, 0.14)  # odd harmonics: a piezo or buzzer
SAWISH = (1.0, 0.5, 0.33, 0.25, 0.2, 0.17, 0.14, 0.12)  # all harmonics: a voice or horn


def _beep(freq: float, dur: float, harmonics=SQUAREISH, edge: float = 0.004) -> np.ndarray:
    n = n_samples(dur)
    return tone(freq, n, harmonics) * adsr(n, edge, edge)


def _pattern(total_s: float, pieces: list[tuple[float, np.ndarray]]) -> np.ndarray:
    out = np.zeros(n_samples(total_s))
    for start, sig in pieces:
        place(out, sig, n_samples(start) if start > 0 else 0)
    return out


def smoke_alarm(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Temporal-three: three 0.5 s beeps 0.5 s apart, then a 1.5 s pause; a piezo near 3 kHz."""
    f = rng.uniform(2900, 3500)
    on, off, pause = rng.uniform(0.45, 0.55), rng.uniform(0.45, 0.55), rng.uniform(1.4, 1.6)
    cycle = 3 * on + 2 * off + pause
    cycles = max(1, min(int(rng.integers(1, 4)), int((max_s + pause) // cycle)))
    pieces, t = [], 0.0
    for _ in range(cycles):
        for _ in range(3):
            pieces.append((t, _beep(f * rng.uniform(0.995, 1.005), on)))
            t += on + off
        t += pause - off
    return normalize_peak(_pattern(min(max_s, t - pause), pieces))


def co_alarm(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Temporal-four: four 0.1 s beeps 0.1 s apart, then about 5 s of silence."""
    f = rng.uniform(3000, 3600)
    on, pause = rng.uniform(0.08, 0.12), rng.uniform(4.5, 5.5)
    group = 7 * on
    cycles = 2 if max_s >= 2 * group + pause and rng.random() < 0.6 else 1
    pieces = []
    for c in range(cycles):
        for k in range(4):
            pieces.append((c * (group + pause) + 2 * k * on, _beep(f, on)))
    return normalize_peak(_pattern(cycles * group + (cycles - 1) * pause, pieces))


def alarm_clock(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A digital alarm clock: groups of 2-4 fast beeps, repeated every second or so."""
    f, beeps = rng.uniform(1800, 4200), int(rng.integers(2, 5))
    on, period = rng.uniform(0.05, 0.09), rng.uniform(0.8, 1.2)
    total = min(max_s, rng.uniform(2.5, 7.0))
    pieces = [(g * period + 2 * k * on, _beep(f, on)) for g in range(int(total / period)) for k in range(beeps)]
    return normalize_peak(_pattern(total, pieces))


def siren(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Emergency siren: wail (slow sweep), yelp (fast sweep) or hi-lo (two alternating tones)."""
    total = min(max_s, rng.uniform(3.0, 8.0))
    n = n_samples(total)
    t = time_axis(n)
    kind = rng.choice(["wail", "yelp", "hilo"])
    lo, hi = rng.uniform(550, 800), rng.uniform(1200, 1700)
    if kind == "wail":
        period = rng.uniform(2.5, 5.0)
        f = lo + (hi - lo) * (0.5 - 0.5 * np.cos(2 * np.pi * t / period + rng.uniform(0, np.pi)))
    elif kind == "yelp":
        period = rng.uniform(0.18, 0.4)
        f = lo + (hi - lo) * ((t / period) % 1.0)
    else:
        period = rng.uniform(0.9, 1.4)
        f = np.where((t / period) % 1.0 < 0.5, lo * 0.8, lo * 1.05)
    x = tone(f, n, SAWISH) * adsr(n, 0.3, 0.5)
    return normalize_peak(lowpass(x, 5000))


def doorbell(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Ding-dong (two struck bars a third apart) or a four-note chime; inharmonic partials."""
    base = rng.uniform(500, 900)
    notes = [base * 1.26, base] if rng.random() < 0.7 else [base * r for r in rng.permutation([1.0, 1.12, 1.26, 1.5])]
    gap, tau = rng.uniform(0.35, 0.7), rng.uniform(0.4, 0.9)
    ring = n_samples(min(max_s, 2.5))
    pieces = [(i * gap, modes(ring, [f, 2.76 * f, 5.4 * f], [tau, tau / 3, tau / 6], [1.0, 0.4, 0.15])) for i, f in enumerate(notes)]
    return normalize_peak(_pattern(min(max_s, len(notes) * gap + 2.5 * tau), pieces))


def _knock(rng: np.random.Generator) -> np.ndarray:
    n = n_samples(0.12)
    click = rng.standard_normal(n) * decay(n, 0.002)
    body = modes(n, rng.uniform(90, 420, 3), rng.uniform(0.01, 0.04, 3), rng.uniform(0.3, 1.0, 3))
    return bandpass(click, 200, 4000) * 0.6 + body


def knocking(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Knocks on a door: one or two groups of 2-5 raps, wood resonances under a click."""
    pieces, t = [], 0.0
    for _ in range(int(rng.integers(1, 3))):
        spacing = rng.uniform(0.14, 0.3)
        for _ in range(int(rng.integers(2, 6))):
            pieces.append((t, _knock(rng) * rng.uniform(0.7, 1.0)))
            t += spacing * rng.uniform(0.85, 1.15)
        t += rng.uniform(0.6, 1.2)
    return normalize_peak(_pattern(min(max_s, t), pieces))


def phone_ringing(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Ringing: an electronic trill, a UK double ring (400+450 Hz) or a US ring (440+480 Hz)."""
    kind = rng.choice(["trill", "uk", "us"])
    total = min(max_s, rng.uniform(3.0, 8.0))
    if kind == "trill":
        f1 = rng.uniform(900, 1600)
        f2, rate, on, off = f1 * rng.uniform(1.2, 1.35), rng.uniform(15, 25), rng.uniform(0.8, 1.2), rng.uniform(1.0, 2.0)
        n_on = n_samples(on)
        t = time_axis(n_on)
        ring = tone(np.where((t * rate) % 1.0 < 0.5, f1, f2), n_on, SQUAREISH) * adsr(n_on, 0.01, 0.01)
        pieces = [(k * (on + off), ring) for k in range(int(total / (on + off)) + 1)]
    else:
        fa, fb = (400.0, 450.0) if kind == "uk" else (440.0, 480.0)
        cadence = [(0.0, 0.4), (0.6, 0.4)] if kind == "uk" else [(0.0, 2.0)]
        period = 3.0 if kind == "uk" else 6.0
        pieces = []
        for k in range(int(total / period) + 1):
            for start, dur in cadence:
                n = n_samples(dur)
                pieces.append((k * period + start, (tone(fa, n) + tone(fb, n)) * adsr(n, 0.01, 0.01)))
    return normalize_peak(_pattern(total, pieces))


def appliance_beep(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A microwave or oven timer: one group of 1-5 sine-like beeps."""
    f, count = rng.uniform(1200, 3000), int(rng.integers(1, 6))
    on, off = rng.uniform(0.12, 0.45), rng.uniform(0.15, 0.45)
    pieces = [(k * (on + off), _beep(f, on, (1.0, 0.0, 0.08))) for k in range(count)]
    return normalize_peak(_pattern(min(max_s, count * (on + off)), pieces))


def kettle_whistle(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A whistling kettle: a breathy tone that rises in pitch and loudness as it boils."""
    n = n_samples(min(max_s, rng.uniform(3.0, 8.0)))
    t = time_axis(n) / (n / SR)  # (n,) 0..1
    f0, f1 = rng.uniform(900, 1500), rng.uniform(1800, 2800)
    f = f0 + (f1 - f0) * np.sqrt(t) + 15 * np.sin(2 * np.pi * rng.uniform(4, 7) * time_axis(n))
    breath = bandpass(colored_noise(rng, n, 0.0), f0 * 0.8, f1 * 1.2) * 0.25
    x = (tone(f, n, (1.0, 0.1)) + breath) * (0.2 + 0.8 * t) * adsr(n, 0.5, 0.2)
    return normalize_peak(x)


def clock_ticking(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A mechanical clock: a tick and a slightly different tock, one per second or two per second."""
    period = 1.0 if rng.random() < 0.6 else 0.5
    total = min(max_s, rng.uniform(4.0, 10.0))
    freqs = rng.uniform(1500, 5000, 3)
    pieces = []
    for k in range(int(total / period)):
        n = n_samples(0.04)
        click = modes(n, freqs * (1.0 if k % 2 else 0.85), [0.004, 0.006, 0.003], [1.0, 0.5, 0.3])
        pieces.append((k * period + rng.normal(0, 0.002) + 0.003, click))
    return normalize_peak(_pattern(total, pieces))


def running_water(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A running tap: band-limited noise with a fast random flutter and small bubbles."""
    n = n_samples(min(max_s, rng.uniform(3.0, 10.0)))
    hiss = bandpass(colored_noise(rng, n, 0.5), rng.uniform(200, 500), rng.uniform(4000, 7000))
    flutter = 1 + 0.5 * lowpass(rng.standard_normal(n), rng.uniform(20, 60)) / 0.1
    x = hiss * np.clip(flutter, 0.2, 3.0)
    for start in rng.uniform(0, n / SR, int(rng.integers(20, 80))):  # bubbles: rising chirps
        m = n_samples(rng.uniform(0.01, 0.04))
        f0 = rng.uniform(500, 2500)
        place(x, tone(f0 * (1 + 2 * time_axis(m)), m) * decay(m, 0.01) * rng.uniform(0.5, 2.0), n_samples(start))
    return normalize_peak(x * adsr(n, 0.2, 0.3))


def rain(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Rain: a pink-noise wash plus many droplets (clicks with a high ring)."""
    n = n_samples(min(max_s, rng.uniform(5.0, 10.0)))
    x = highpass(colored_noise(rng, n, 1.0), 300) * 0.3
    rate = rng.uniform(60, 400)  # drops per second
    count = int(rate * n / SR)
    starts = rng.integers(0, n, count)
    drop_n = n_samples(0.015)
    drops = np.zeros(n)
    np.add.at(drops, starts, rng.uniform(0.2, 1.0, count))
    kernel = tone(rng.uniform(2000, 6000), drop_n) * decay(drop_n, 0.003)
    x += np.convolve(drops, kernel)[:n]
    return normalize_peak(x * adsr(n, 0.5, 0.5))


def wind(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Wind: brown noise in three bands, each swelling with its own slow gusts."""
    n = n_samples(min(max_s, rng.uniform(4.0, 10.0)))
    x = np.zeros(n)
    for lo, hi in [(60, 250), (200, 700), (500, 1500)]:
        band = bandpass(colored_noise(rng, n, 2.0), lo, hi)
        gust = lowpass(rng.standard_normal(n), rng.uniform(0.2, 0.8))
        gust = (gust - gust.min()) / (np.ptp(gust) + 1e-12)
        x += band / (np.std(band) + 1e-12) * gust**2
    return normalize_peak(x * adsr(n, 1.0, 1.0))


def vacuum_cleaner(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A vacuum cleaner: a motor whine with harmonics over airflow noise, spinning up at the start."""
    n = n_samples(min(max_s, rng.uniform(3.0, 10.0)))
    t = time_axis(n)
    f = rng.uniform(150, 300) * (1 - 0.6 * np.exp(-t / rng.uniform(0.3, 0.8)))
    whine = tone(f, n, (0.5, 0.3, 0.6, 0.2, 0.4, 0.1, 0.3, 0.05))
    air = bandpass(colored_noise(rng, n, 0.3), 300, 7000)
    return normalize_peak((whine * 0.5 + air) * adsr(n, 0.5, 0.4))


def car_horn(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A car horn: two buzzy tones a third apart, honked 1-3 times."""
    f = rng.uniform(350, 480)
    pieces, t = [], 0.0
    for _ in range(int(rng.integers(1, 4))):
        dur = rng.uniform(0.2, 1.2)
        n = n_samples(dur)
        honk = (tone(f, n, SAWISH) + tone(f * 1.25, n, SAWISH)) * adsr(n, 0.01, 0.03)
        pieces.append((t, honk))
        t += dur + rng.uniform(0.1, 0.4)
    return normalize_peak(lowpass(_pattern(min(max_s, t), pieces), 4000))


def engine(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """An idling (or revving) engine: a jittered firing pulse train through a low resonance."""
    n = n_samples(min(max_s, rng.uniform(3.0, 10.0)))
    t = time_axis(n)
    fire = rng.uniform(18, 45)  # firing pulses per second
    if rng.random() < 0.3:  # a rev in the middle
        fire = fire * (1 + 1.2 * np.exp(-(((t - t[-1] / 2) / 0.8) ** 2)))
    phase = np.cumsum(np.broadcast_to(fire, (n,)) * (1 + 0.03 * rng.standard_normal(n))) / SR
    pulses = np.diff(np.floor(phase), prepend=0.0)  # 1 at each firing
    x = np.convolve(pulses, modes(n_samples(0.05), [rng.uniform(60, 120), rng.uniform(200, 400)], [0.015, 0.006], [1.0, 0.4]))[:n]
    x += 0.15 * lowpass(colored_noise(rng, n, 1.0), 1500)
    return normalize_peak(x * adsr(n, 0.3, 0.3))


def applause(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Applause: many clappers, each clapping 2-5 times a second, each clap a short noise burst."""
    n = n_samples(min(max_s, rng.uniform(2.0, 6.0)))
    x = np.zeros(n)
    for _ in range(int(rng.integers(5, 30))):
        rate, center = rng.uniform(2, 5), rng.uniform(900, 2500)
        clap_n = n_samples(rng.uniform(0.005, 0.012))
        clap = bandpass(rng.standard_normal(clap_n * 4), center * 0.5, center * 2)[: clap_n * 4] * decay(clap_n * 4, 0.004)
        t = rng.uniform(0, 0.3)
        while t < n / SR:
            place(x, clap * rng.uniform(0.5, 1.0), n_samples(t))
            t += (1 / rate) * rng.uniform(0.85, 1.15)
    return normalize_peak(x * adsr(n, 0.3, 0.8))


def glass_breaking(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Breaking glass: a broadband impact, then a shower of high, ringing shards."""
    n = n_samples(min(max_s, rng.uniform(1.0, 2.2)))
    x = np.zeros(n)
    hit = n_samples(0.04)
    place(x, highpass(rng.standard_normal(hit), 800) * decay(hit, 0.01) * 1.5, 0)
    for _ in range(int(rng.integers(25, 70))):
        start = rng.exponential(0.25)
        m = n_samples(0.12)
        shard = modes(m, rng.uniform(2500, 7500, 2), rng.uniform(0.01, 0.05, 2), rng.uniform(0.2, 0.8, 2))
        place(x, shard * np.exp(-start / 0.6), n_samples(start))
    return normalize_peak(x)


_SCALE = np.array([0, 2, 4, 7, 9, 12, 14, 16])  # major pentatonic steps (semitones)


def music(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A short tune: a pentatonic melody over a bass line, on a random additive instrument."""
    total = min(max_s, rng.uniform(4.0, 10.0))
    n = n_samples(total)
    beat = 60.0 / rng.uniform(80, 140)
    root = 220.0 * 2 ** (int(rng.integers(-5, 6)) / 12)
    timbre = [(1.0, 0.5, 0.25, 0.12), (1.0, 0.0, 0.3, 0.0, 0.15), (1.0, 0.7, 0.5, 0.4, 0.3, 0.2)][int(rng.integers(3))]
    tau = rng.uniform(0.2, 0.8)
    x = np.zeros(n)
    t = 0.0
    while t < total:
        dur = beat * rng.choice([0.5, 1.0, 1.0, 2.0])
        m = n_samples(dur * 1.5)
        f = root * 2 ** (rng.choice(_SCALE) / 12)
        place(x, tone(f, m, timbre) * decay(m, tau) * adsr(m, 0.01, 0.05), n_samples(t))
        t += dur
    for k in range(int(total / (2 * beat)) + 1):  # bass on every other beat
        m = n_samples(2 * beat)
        f = root / 2 * 2 ** (rng.choice([0, 5, 7]) / 12)
        place(x, tone(f, m, (1.0, 0.3)) * decay(m, 0.6) * adsr(m, 0.01, 0.05) * 0.6, n_samples(k * 2 * beat))
    return normalize_peak(x * adsr(n, 0.05, 0.3))


def _voiced(rng, dur: float, f0_contour, formants, noise: float) -> np.ndarray:
    n = n_samples(dur)
    src = tone(f0_contour, n, SAWISH) + noise * rng.standard_normal(n)
    return peaks(src, formants, [f * 0.15 for f in formants])


def dog_barking(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Barks: short harmonic bursts with a falling pitch and dog-like formants."""
    f0, size = rng.uniform(300, 650), rng.uniform(0.8, 1.2)
    pieces, t = [], 0.0
    for _ in range(int(rng.integers(1, 6))):
        dur = rng.uniform(0.1, 0.25)
        n = n_samples(dur)
        contour = f0 * (1.15 - 0.4 * time_axis(n) / dur)
        bark = _voiced(rng, dur, contour, [800 * size, 1600 * size, 2800 * size], 0.4) * adsr(n, 0.005, dur * 0.6)
        pieces.append((t, bark))
        t += dur + rng.uniform(0.2, 0.7)
    return normalize_peak(_pattern(min(max_s, t), pieces))


def baby_crying(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Crying: long wails near 450 Hz with vibrato, a rise and fall, and breaths between."""
    f0 = rng.uniform(350, 550)
    pieces, t = [], 0.0
    total = min(max_s, rng.uniform(3.0, 8.0))
    while t < total - 0.5:
        dur = rng.uniform(0.6, 1.4)
        n = n_samples(dur)
        u = time_axis(n) / dur
        contour = f0 * (1 + 0.25 * np.sin(np.pi * u)) * (1 + 0.03 * np.sin(2 * np.pi * rng.uniform(5, 8) * time_axis(n)))
        pieces.append((t, _voiced(rng, dur, contour, [1100, 2500, 3800], 0.15) * adsr(n, 0.08, 0.2)))
        t += dur + rng.uniform(0.25, 0.6)
    return normalize_peak(_pattern(min(total, t), pieces))


def footsteps(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Footsteps: a low thud and a scuff, about two steps a second."""
    period = 1 / rng.uniform(1.5, 2.3)
    total = min(max_s, rng.uniform(2.0, 6.0))
    thud_f, scuff_c = rng.uniform(60, 150), rng.uniform(1000, 3000)
    pieces = []
    for k in range(int(total / period)):
        m = n_samples(0.12)
        step = modes(m, [thud_f], [0.03], [1.0]) + bandpass(rng.standard_normal(m), scuff_c / 2, scuff_c * 2) * decay(m, 0.02) * 0.4
        pieces.append((k * period * rng.uniform(0.95, 1.05), step * rng.uniform(0.7, 1.0)))
    return normalize_peak(_pattern(total, pieces))


def keyboard_typing(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """Typing: bursts of key clicks at 6-12 keys a second, with a deeper space bar."""
    total = min(max_s, rng.uniform(2.0, 6.0))
    rate, center = rng.uniform(6, 12), rng.uniform(2500, 5000)
    pieces, t = [], 0.0
    while t < total:
        for _ in range(int(rng.integers(3, 9))):
            m = n_samples(0.03)
            click = bandpass(rng.standard_normal(m), center / 2, center * 1.6) * decay(m, 0.003)
            click += modes(m, [rng.uniform(150, 300)], [0.008], [0.5])
            pieces.append((t, click * rng.uniform(0.6, 1.0)))
            t += (1 / rate) * rng.uniform(0.6, 1.4)
        m = n_samples(0.04)
        pieces.append((t, modes(m, [rng.uniform(100, 180)], [0.012], [1.0]) + 0.3 * rng.standard_normal(m) * decay(m, 0.004)))
        t += rng.uniform(0.2, 0.6)
    return normalize_peak(_pattern(total, pieces))


def notification_chime(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A notification: 1-3 soft bell notes, usually rising."""
    base = rng.uniform(600, 1400)
    steps = sorted(rng.choice(_SCALE[:6], int(rng.integers(1, 4)), replace=False))
    gap = rng.uniform(0.08, 0.2)
    m = n_samples(0.6)
    pieces = [(i * gap, tone(base * 2 ** (s / 12), m, (1.0, 0.15, 0.05)) * decay(m, 0.15) * adsr(m, 0.003, 0.01)) for i, s in enumerate(steps)]
    return normalize_peak(_pattern(min(max_s, len(steps) * gap + 0.6), pieces))


def camera_shutter(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A shutter: two mechanical clicks 30-120 ms apart, sometimes followed by a winder whir."""
    gap = rng.uniform(0.03, 0.12)
    m = n_samples(0.05)

    def click():
        return highpass(rng.standard_normal(m), 1500) * decay(m, 0.004) + modes(m, rng.uniform(800, 3000, 2), [0.006, 0.004], [0.5, 0.3])

    pieces = [(0.0, click()), (gap, click() * 0.8)]
    if rng.random() < 0.4:
        w = n_samples(rng.uniform(0.2, 0.4))
        pieces.append((gap + 0.06, tone(rng.uniform(300, 600), w, SQUAREISH) * 0.2 * adsr(w, 0.02, 0.05)))
    return normalize_peak(_pattern(min(max_s, gap + 0.5), pieces))


def explosion(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """An explosion: a loud broadband crack decaying into a long low rumble."""
    n = n_samples(min(max_s, rng.uniform(1.5, 3.5)))
    crack = highpass(rng.standard_normal(n), 500) * decay(n, 0.03)
    rumble = lowpass(colored_noise(rng, n, 2.0), rng.uniform(150, 400)) * decay(n, rng.uniform(0.4, 1.0))
    return normalize_peak(crack * 0.5 + rumble * adsr(n, 0.01, 0.2))


def car_door(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A car door closing: a low metallic thud with a latch click."""
    n = n_samples(min(max_s, 0.6))
    thud = modes(n, [rng.uniform(50, 90), rng.uniform(180, 300), rng.uniform(600, 900)], [0.08, 0.04, 0.02], [1.0, 0.5, 0.2])
    latch = highpass(rng.standard_normal(n), 2000) * decay(n, 0.005) * 0.3
    return normalize_peak(thud + np.roll(latch, n_samples(rng.uniform(0.0, 0.02))))


def whoosh(rng: np.random.Generator, max_s: float) -> np.ndarray:
    """A whoosh: noise whose band sweeps up or down under a bell-shaped swell."""
    n = n_samples(min(max_s, rng.uniform(0.4, 1.2)))
    t = time_axis(n) / (n / SR)
    lo, hi = sorted(rng.uniform(300, 4000, 2))
    x = np.zeros(n)
    bands = np.geomspace(lo, hi, 6)
    sweep = t if rng.random() < 0.5 else 1 - t
    for i, c in enumerate(bands):  # crossfade bands along the sweep
        weight = np.exp(-(((sweep * (len(bands) - 1)) - i) ** 2))
        x += bandpass(rng.standard_normal(n), c * 0.7, c * 1.4) * weight
    return normalize_peak(x * np.sin(np.pi * t) ** 2)


SYNTHS: dict[str, Synth] = {
    "smoke_alarm": smoke_alarm,
    "co_alarm": co_alarm,
    "alarm_clock": alarm_clock,
    "siren": siren,
    "doorbell": doorbell,
    "knocking": knocking,
    "phone_ringing": phone_ringing,
    "appliance_beep": appliance_beep,
    "kettle_whistle": kettle_whistle,
    "clock_ticking": clock_ticking,
    "running_water": running_water,
    "rain": rain,
    "wind": wind,
    "vacuum_cleaner": vacuum_cleaner,
    "car_horn": car_horn,
    "engine": engine,
    "applause": applause,
    "glass_breaking": glass_breaking,
    "music": music,
    "dog_barking": dog_barking,
    "baby_crying": baby_crying,
    "footsteps": footsteps,
    "keyboard_typing": keyboard_typing,
    "notification_chime": notification_chime,
    "camera_shutter": camera_shutter,
    "explosion": explosion,
    "car_door": car_door,
    "whoosh": whoosh,
}


def synthesize(label: str, seed: int, max_s: float) -> np.ndarray:
    """The instance `seed` of `label`'s synthesizer, at most `max_s` seconds long."""
    rng = np.random.default_rng([seed, _label_key(label)])
    x = SYNTHS[label](rng, max_s)
    return x[: n_samples(max_s)]


def _label_key(label: str) -> int:
    return zlib.crc32(label.encode())
