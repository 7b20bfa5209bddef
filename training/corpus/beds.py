"""The bed under a clip's events: an ambience recording looped or cropped to the clip, or
coloured noise when the split has no ambience (or by chance, for variety).

A recorded bed carries its label (rain, a street, a room...): it is heard, so the clip is
labelled with it, unless the mixer finds it inaudible. Its level is set on its active part,
and every event's SNR is measured against that level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.corpus.dsp import active_rms, colored_noise
from training.corpus.events import event
from training.corpus.instances import decoded
from training.corpus.recordings import Recording

NOISE_KINDS: dict[str, tuple[float, str]] = {  # kind -> (noise colour exponent, caption phrase)
    "white": (0.0, "over a faint hiss"),
    "pink": (1.0, "over soft background noise"),
    "brown": (2.0, "over a low rumble"),
}
LOOP_CROSSFADE = 800  # samples (50 ms) of crossfade where a short ambience loops
QUIET_CROP_DB = -30.0  # a crop this far below its file's level counts as silent: noise instead


@dataclass(frozen=True)
class Bed:
    audio: np.ndarray  # (n,) float64, active RMS = rms
    rms: float  # linear level of its active part
    level_db: float  # the same in dB re full scale
    phrase: str  # caption tail, e.g. "over the sound of rain"
    description: str  # for the clip index's background field
    recording: Recording | None = None  # None for a noise bed

    @property
    def label(self) -> str | None:
        return self.recording.label if self.recording is not None else None


def draw_bed(rng: np.random.Generator, ambiences: list[Recording], n: int,
             level_dbfs: tuple[float, float], recording_prob: float) -> Bed:
    level_db = float(rng.uniform(*level_dbfs))
    rms = 10 ** (level_db / 20)
    if ambiences and rng.random() < recording_prob:
        rec = ambiences[int(rng.integers(len(ambiences)))]
        whole = decoded(str(rec.path))
        x = loop_to(whole, n, rng)
        level = active_rms(x)
        if level >= active_rms(whole) * 10 ** (QUIET_CROP_DB / 20):
            return Bed(x * (rms / level), rms, level_db, f"over the sound of {event(rec.label).name}",
                       f"ambience {rec.instance_id}, {level_db:.1f} dBFS", rec)
    kind = sorted(NOISE_KINDS)[int(rng.integers(len(NOISE_KINDS)))]
    x = colored_noise(rng, n, NOISE_KINDS[kind][0]) * rms  # unit RMS -> level_db
    return Bed(x, rms, level_db, NOISE_KINDS[kind][1], f"{kind} noise, {level_db:.1f} dBFS")


def loop_to(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n,) from `x`: a random crop when it is long enough, else loops of it joined by
    crossfades, read from a random offset."""
    x = np.asarray(x, dtype=np.float64)
    if x.size >= n:
        start = int(rng.integers(0, x.size - n + 1))
        return x[start : start + n].copy()
    xf = max(1, min(LOOP_CROSSFADE, x.size // 4))
    ramp = np.linspace(0.0, 1.0, xf)
    seg = x.copy()
    seg[:xf] *= ramp
    seg[-xf:] *= ramp[::-1]
    step = x.size - xf  # consecutive loops overlap by xf: fade-out + fade-in = 1
    total = xf + step + n + x.size
    out = np.zeros(total + x.size)
    for pos in range(0, total, step):
        out[pos : pos + x.size] += seg
    start = xf + int(rng.integers(0, step))  # past the first fade-in
    return out[start : start + n]
