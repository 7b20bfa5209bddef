"""A small built corpus shared by the corpus and synth tests (seconds to build)."""

from __future__ import annotations

from pathlib import Path

from training.corpus.build import BuildConfig, build_corpus
from training.corpus.mixer import SceneConfig
from training.corpus.rooms import RoomConfig

SMALL_ROOMS = RoomConfig(rooms=3, sources=2, rt60_s=(0.2, 0.5), max_order=20, max_ir_s=0.5)  # simulated in about a second
SMALL = BuildConfig(clips=30, seed=7, scene=SceneConfig(clip_s=4.0), rooms=SMALL_ROOMS)


def build_small(out: Path, cfg: BuildConfig = SMALL, workers: int = 1):
    return build_corpus(out, cfg, workers=workers, progress=False)
