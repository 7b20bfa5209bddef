"""A small built corpus shared by the corpus and synth tests (seconds to build)."""

from __future__ import annotations

from pathlib import Path

from training.corpus.build import BuildConfig, build_corpus
from training.corpus.mixer import SceneConfig

SMALL = BuildConfig(clips=30, seed=7, scene=SceneConfig(clip_s=4.0))


def build_small(out: Path, cfg: BuildConfig = SMALL, workers: int = 1):
    return build_corpus(out, cfg, workers=workers, progress=False)
