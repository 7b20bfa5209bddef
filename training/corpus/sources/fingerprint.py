"""Near-duplicate SoundFont samples across SoundFonts: a coarse fingerprint of the decoded PCM.

MuseScore_General is built in part from FluidR3 (its mono version, re-encoded as Ogg Vorbis),
so one recording appears in two files with different bytes. Exact hashes cannot see that;
this fingerprint can: the sample (a stereo pair mixed to mono) resampled to 16 kHz (soxr),
its duration, its mean power spectrum in 32 log-spaced bands (50 Hz-8 kHz) and its level
envelope in 16 equal time steps, both in dB under their maximum. Two samples of different
SoundFonts are near-duplicates when their durations agree within 2 % (or 20 ms) and both
profiles agree within 2-3 dB on average, or within 3.5-4 dB when the lengths are equal to
0.2 % (thresholds set on the 698 FluidR3/MuseScore pairs that share a sample name, and the
matches checked by waveform correlation on pairs by hand).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from training.errors import CorpusFileError

FP_RATE = 16000
N_BANDS, N_ENV = 32, 16
FLOOR_DB = -80.0
DUR_TOLERANCE = (0.02, 0.02)  # relative, absolute seconds
MAX_BAND_DB = 2.0  # mean absolute difference of the spectral profiles
MAX_ENV_DB = 3.0  # mean absolute difference of the level envelopes
# the same length to 0.2 % (re-encoding keeps the length; a mono copy of one side of a pair
# differs more in spectrum): looser profile limits
SAME_LENGTH, MAX_BAND_DB_SAME_LENGTH, MAX_ENV_DB_SAME_LENGTH = 0.002, 3.5, 4.0


def decode(font, index: int):
    """A sample's PCM as float32 mono and its rate (SF3: the Ogg stream decoded by libsndfile)."""
    import numpy as np
    import soundfile as sf

    s = font.samples[index]
    raw = font.sample_bytes(index)
    if s.compressed:
        try:
            x, rate = sf.read(io.BytesIO(raw), dtype="float32", always_2d=True)
        except (RuntimeError, ValueError) as err:  # soundfile's LibsndfileError is a RuntimeError
            raise CorpusFileError(f"{font.path}: sample {s.name!r} is not a readable Ogg Vorbis stream "
                                  f"({str(err).splitlines()[0] if str(err) else type(err).__name__})") from None
        return x.mean(axis=1), rate
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0, s.rate


def fingerprint(font, pair: tuple[int, ...]) -> dict:
    """{dur, bands, env} of a sample or a stereo pair (mixed to mono)."""
    parts = [decode(font, i) for i in pair]
    n = min(len(x) for x, _ in parts)
    return fingerprint_pcm(sum(p[0][:n] for p in parts) / len(parts), parts[0][1])


def fingerprint_pcm(x, rate: int) -> dict:
    """{dur, bands, env} of mono float samples at `rate` (a SoundFont's sample, a GUS patch's)."""
    import numpy as np
    import soxr

    x = np.asarray(x, dtype=np.float32)
    if x.size == 0:
        return {"dur": 0.0, "bands": [FLOOR_DB] * N_BANDS, "env": [FLOOR_DB] * N_ENV}
    if rate != FP_RATE:
        x = soxr.resample(x, rate, FP_RATE)
    seg = x[:4 * FP_RATE]
    if seg.size < 1024:
        seg = np.pad(seg, (0, 1024 - seg.size))
    frames = np.lib.stride_tricks.sliding_window_view(seg, 1024)[::512] * np.hanning(1024)
    power = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)
    freqs = np.fft.rfftfreq(1024, 1 / FP_RATE)
    edges = np.geomspace(50, 8000, N_BANDS + 1)
    bands = np.array([power[(freqs >= lo) & (freqs < hi)].sum() for lo, hi in zip(edges, edges[1:])])
    env = np.array([np.sqrt(np.mean(c ** 2)) if c.size else 0.0 for c in np.array_split(x, N_ENV)])
    return {"dur": round(x.size / FP_RATE, 4), "bands": _db(10 * np.log10(bands + 1e-20)),
            "env": _db(20 * np.log10(env + 1e-10))}


def _db(values) -> list[float]:
    import numpy as np

    return [round(float(v), 1) for v in np.clip(values - values.max(), FLOOR_DB, 0.0)]


def distance(a: dict, b: dict) -> tuple[float, float]:
    """(mean |band difference|, mean |envelope difference|) in dB."""
    bands = sum(abs(x - y) for x, y in zip(a["bands"], b["bands"])) / N_BANDS
    env = sum(abs(x - y) for x, y in zip(a["env"], b["env"])) / N_ENV
    return bands, env


def near_duplicates(prints: Iterable[tuple[str, str, dict]]) -> list[tuple[str, str]]:
    """Pairs (id a, id b) of items (font, id, fingerprint) from different fonts that match."""
    items = sorted(prints, key=lambda t: (t[2]["dur"], t[0], t[1]))
    found = []
    for i, (font_a, id_a, fa) in enumerate(items):
        if fa["dur"] <= 0:
            continue
        limit = fa["dur"] * (1 + DUR_TOLERANCE[0]) + DUR_TOLERANCE[1]
        for font_b, id_b, fb in items[i + 1:]:
            if fb["dur"] > limit:
                break
            if font_b != font_a and id_b != id_a:
                bands, env = distance(fa, fb)
                same_length = fb["dur"] - fa["dur"] <= SAME_LENGTH * fa["dur"]
                if (bands <= MAX_BAND_DB and env <= MAX_ENV_DB) or (
                        same_length and bands <= MAX_BAND_DB_SAME_LENGTH and env <= MAX_ENV_DB_SAME_LENGTH):
                    found.append((id_a, id_b))
    return found
