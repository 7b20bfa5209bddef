"""Sounds as they reach a microphone alone: one event, at any level and length, not a scene.

The scene mixer (`mixer.py`) always lays events over a bed at -5..+20 dB SNR in 10 s clips,
so level, length and a bed are cues a model can lean on; a smoke alarm heard alone, a 0.3 s
knock, or a loud dog close to the device never looked like that. Two kinds of clip here:

- **solo clips** (training and validation splits, a share `SoloConfig.share` of their clips):
  one event, its peak anywhere from -45 to -1 dBFS, cropped to 0.2-10 s, dry or in a room,
  sometimes band-limited (8 and 11.025 kHz sources, a telephone band), quantised to 8 bits,
  driven into clipping, or over a quiet bed; the clip is as long as the sound (the encoder
  pads it, as the edge pads a short window), so silence after a sound is seen too;
- **raw clips** (`raw_clip`): a held-out recording played alone, untouched: its own level,
  its first 10 s, resampled to 16 kHz. The splits `validation_raw`, `real_raw` and
  `unseen_raw` hold one per real recording of validation, real_test and unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.audio_io import iter_audio_blocks, resample
from training.corpus.audibility import is_audible
from training.corpus.beds import draw_bed
from training.corpus.dsp import SR, active_rms, bandpass, fft_convolve, n_samples
from training.corpus.instances import InstancePool
from training.corpus.mixer import PlacedEvent, Scene, caption
from training.corpus.recordings import Recording
from training.corpus.rooms import RirBank

RAW_MAX_S = 10.0  # a raw clip is a recording's first 10 s: one encoder window


@dataclass(frozen=True)
class SoloConfig:
    share: float = 0.0  # share of train and validation clips that are solo clips (0: scenes only)
    peak_dbfs: tuple[float, float] = (-45.0, -1.0)  # the sound's peak, uniform in dB
    length_s: tuple[float, float] = (0.2, 10.0)  # crop length, log-uniform (a shorter sound stays whole)
    lead_s: tuple[float, float] = (0.0, 1.0)  # silence before the sound, in half of the clips
    reverb_prob: float = 0.4  # in a simulated room
    resample_prob: float = 0.2  # through an 8 or 11.025 kHz source
    telephone_prob: float = 0.07  # 300-3400 Hz
    bits8_prob: float = 0.08  # quantised to 8 bits
    clip_prob: float = 0.08  # driven 3-15 dB past full scale and clipped
    bed_prob: float = 0.3  # over a quiet bed (an ambience recording or noise)
    bed_snr_db: tuple[float, float] = (6.0, 30.0)  # the sound over the bed, on their active parts


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def solo_scene(rng: np.random.Generator, split: str, pool: InstancePool, cfg: SoloConfig,
               rooms: RirBank | None = None) -> Scene:
    """One solo clip: everything random from `rng` (a clip is a function of its seed)."""
    labels = pool.labels_in(split)
    label = labels[int(rng.integers(len(labels)))]
    drawn = pool.draw(label, split, rng)
    x = np.asarray(pool.render(drawn, rng, RAW_MAX_S), dtype=np.float64)
    x = _crop(rng, x, n_samples(log_uniform(rng, *cfg.length_s)))
    notes = []
    room = rooms.pick(rng) if rooms is not None and rng.random() < cfg.reverb_prob else None
    if room is not None:
        x = fft_convolve(x, room.rirs[int(rng.integers(room.rirs.shape[0]))])
        notes.append(room.describe())
    lead = n_samples(float(rng.uniform(*cfg.lead_s))) if rng.random() < 0.5 else 0
    x = np.concatenate([np.zeros(lead), x])[: n_samples(RAW_MAX_S)]
    onset, offset = lead / SR, x.size / SR
    events = [PlacedEvent(label, round(onset, 3), round(offset, 3), drawn.source, drawn.instance_id, None, drawn.group)]
    if rng.random() < cfg.bed_prob:
        bed = draw_bed(rng, pool.beds(split), x.size, (-50.0, -30.0), 0.5)
        snr = float(rng.uniform(*cfg.bed_snr_db))
        x = x * (bed.rms * 10 ** (snr / 20) / max(active_rms(x), 1e-9))
        if bed.recording is not None and is_audible(bed.audio, x, -6.0, 0.05):
            rec = bed.recording
            events.append(PlacedEvent(rec.label, 0.0, round(x.size / SR, 3), rec.source, rec.instance_id, None,
                                      rec.group, "ambience"))
        x = x + bed.audio
        notes.append(f"bed: {bed.description}, SNR {snr:.1f} dB")
    peak_db = float(rng.uniform(*cfg.peak_dbfs))
    x = x * (10 ** (peak_db / 20) / max(float(np.max(np.abs(x))), 1e-9))
    notes.append(f"peak {peak_db:.1f} dBFS")
    if rng.random() < cfg.resample_prob:
        rate = (8000, 11025)[int(rng.integers(2))]
        x = through_rate(x, rate)
        notes.append(f"through {rate} Hz")
    if rng.random() < cfg.telephone_prob:
        x = bandpass(x, 300.0, 3400.0)
        notes.append("telephone band")
    if rng.random() < cfg.clip_prob:
        drive = float(rng.uniform(3.0, 15.0))
        x = np.clip(x * 10 ** (drive / 20) / max(float(np.max(np.abs(x))), 1e-9), -1.0, 1.0)
        notes.append(f"clipped {drive:.0f} dB")
    if rng.random() < cfg.bits8_prob:
        x = np.round(x * 127.0) / 127.0
        notes.append("8-bit")
    x = np.clip(x, -1.0, 1.0).astype(np.float32)
    events.sort(key=lambda e: (e.onset_s, e.label))
    background = "alone, " + ", ".join(notes)
    return Scene(x, events, background, caption(events, "alone", room is not None))


def _crop(rng: np.random.Generator, x: np.ndarray, n: int, tries: int = 5) -> np.ndarray:
    """A crop of `n` samples that holds sound (its peak within 20 dB of the whole's), or all of x."""
    if x.size <= n:
        return x
    peak = float(np.max(np.abs(x)))
    for _ in range(tries):
        start = int(rng.integers(0, x.size - n + 1))
        crop = x[start : start + n]
        if float(np.max(np.abs(crop))) >= 0.1 * peak:
            return crop
    return x[:n]


def through_rate(x: np.ndarray, rate: int) -> np.ndarray:
    """x as if it had been recorded at `rate`: down and back up (soxr), same length."""
    y = resample(resample(x.astype(np.float32), SR, rate), rate, SR).astype(np.float64)
    return np.pad(y, (0, max(0, x.size - y.size)))[: x.size]


def raw_clip(rec: Recording) -> np.ndarray:
    """A recording played alone: its first RAW_MAX_S seconds at 16 kHz, at its own level."""
    want, got, blocks = n_samples(RAW_MAX_S), 0, []
    for block in iter_audio_blocks(rec.path, SR):
        blocks.append(block)
        got += block.size
        if got >= want:
            break
    return np.clip(np.concatenate(blocks)[:want], -1.0, 1.0).astype(np.float32)


def raw_scene(rec: Recording) -> Scene:
    """The clip index view of `raw_clip`: one event, the whole clip."""
    x = raw_clip(rec)
    ev = PlacedEvent(rec.label, 0.0, round(x.size / SR, 3), rec.source, rec.instance_id, None, rec.group)
    peak = float(np.max(np.abs(x)))
    level = f"peak {20 * np.log10(peak):.1f} dBFS" if peak > 0 else "digital silence"
    return Scene(x, [ev], f"recording alone, as recorded, {level}", caption([ev], "alone", False))
