"""A small built corpus shared by the corpus and synth tests (seconds to build)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np

from training.corpus.clip_files import write_wav
from training.corpus.build import BuildConfig, build_corpus
from training.corpus.dsp import SR, colored_noise
from training.corpus.events import labels
from training.corpus.recordings import Recording
from training.corpus.mixer import SceneConfig
from training.corpus.rooms import RoomConfig

SMALL_ROOMS = RoomConfig(rooms=3, sources=2, rt60_s=(0.2, 0.5), max_order=20, max_ir_s=0.5)  # simulated in about a second
SMALL = BuildConfig(clips=30, seed=7, scene=SceneConfig(clip_s=4.0), rooms=SMALL_ROOMS)


def build_small(out: Path, cfg: BuildConfig = SMALL, workers: int = 1, recordings: list[Recording] | None = None):
    return build_corpus(out, cfg, workers=workers, progress=False, recordings=recordings)


# Labels of the fixture's real event recordings: the library's, less speech and the bed labels.
BED_LABELS = ("rain", "wind")


def write_real_sources(folder: Path, per_label: int = 3, eval_only_label: str = "car_horn") -> list[Recording]:
    """Tiny real-looking sources: `per_label` distinct short WAVs for every library label (but
    speech and the bed labels), three 1.5 s ambiences for each bed label, and two eval-only
    recordings of `eval_only_label` (as openttd-opensfx is). Each file differs, so each is
    its own recording."""
    rng = np.random.default_rng(0)
    recs = []
    event_labels = [lab for lab in labels() if lab not in ("speech", *BED_LABELS)]
    for li, label in enumerate(event_labels):
        for i in range(per_label):
            f = 300.0 + 97.0 * li + 31.0 * i
            x = 0.4 * np.sin(2 * np.pi * f * np.arange(int(0.4 * SR)) / SR) + 0.02 * rng.standard_normal(int(0.4 * SR))
            recs.append(_write(folder / "events" / f"{label}_{i}.wav", x, label, "fixture-real", role="event"))
    for label in BED_LABELS:
        for i in range(3):
            x = colored_noise(rng, int(1.5 * SR), 1.0 + 0.3 * i) * 0.05
            recs.append(_write(folder / "beds" / f"{label}_{i}.wav", x, label, "fixture-real", role="ambience"))
    for i in range(2):
        x = 0.3 * np.sign(np.sin(2 * np.pi * (410.0 + 20 * i) * np.arange(int(0.5 * SR)) / SR))
        recs.append(_write(folder / "opensfx" / f"horn_{i}.wav", x, eval_only_label, "fixture-opensfx",
                           role="event", eval_only=True))
    return recs


def _write(path: Path, x: np.ndarray, label: str, source: str, role: str, eval_only: bool = False) -> Recording:
    write_wav(path, x)
    group = "rec:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return Recording(path=path, label=label, source=source, group=group, is_real=True, eval_only=eval_only, role=role)


# 12 synthetic, 12 real-test and 10 unseen-label clips of 4 s over the fixture's real sources.
HELD_OUT = replace(SMALL, clips=12, seed=5, use_speech=False, real_test_clips=12, unseen_labels=20, unseen_clips=10)


def build_held_out(out: Path, recordings: list[Recording], workers: int = 1, cfg: BuildConfig | None = None):
    """HELD_OUT over `recordings`. The library's labels all have synthesizers, so the fixture
    lets any label be held out (the pool then withholds the synthesized ones too)."""
    import pytest

    from training.corpus import build as build_module

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "synthesized_labels", lambda: frozenset())
        return build_small(out, cfg or HELD_OUT, workers=workers, recordings=recordings)
