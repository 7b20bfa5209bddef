"""Build a synthetic corpus: N clips, deterministic for a seed, mixed in parallel.

Clip `i` is a pure function of (seed, i) and of the recordings found on the machine: its
split comes from a seeded shuffle, its content from `default_rng([seed, i])`. Workers write
the WAV files; the parent writes the clip index, labels and statistics in id order, so the
same seed gives byte-identical files whatever the number of workers.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from training.corpus.audio_io import write_wav
from training.corpus.clip_index import CLIP_INDEX_FILE, ClipRecord, locate, write_text_atomic
from training.corpus.dsp import SR
from training.corpus.folder import Corpus, save_corpus
from training.corpus.instances import SPLIT_FRACTIONS, SPLITS, InstancePool
from training.corpus.mixer import SceneConfig, mix_scene
from training.corpus.recordings import Recording, discover, provenance_records
from training.errors import CorpusError

log = logging.getLogger(__name__)
BUILD_FILE = "build.json"  # the settings and recordings a corpus was built from


@dataclass(frozen=True)
class BuildConfig:
    clips: int = 600  # number of clips (the default training corpus)
    seed: int = 0  # everything random derives from it
    scene: SceneConfig = field(default_factory=SceneConfig)
    use_speech: bool = True  # espeak-ng speech events (needs the espeak-ng command)
    use_recordings: bool = True  # Debian sound-theme files
    use_pygame: bool = True  # pygame example sounds, when pygame is installed
    use_debian: bool = False  # Debian package recordings fetched by `listen corpus sources`


def clip_id(index: int) -> str:
    return f"clip{index:06d}"


def plan_splits(n: int, seed: int) -> list[str]:
    """Split of each clip index: SPLIT_FRACTIONS of n, in a seeded random order."""
    n_val = round(n * SPLIT_FRACTIONS[1])
    n_test = round(n * SPLIT_FRACTIONS[2])
    labels = ["validation"] * n_val + ["test"] * n_test
    labels = ["train"] * (n - len(labels)) + labels
    order = np.random.default_rng([seed, 0x5B117]).permutation(n)
    return [labels[i] for i in order]


def build_corpus(out: Path, cfg: BuildConfig, workers: int = 2, overwrite: bool = False, progress: bool = True) -> Corpus:
    """Mix `cfg.clips` clips into `out` and write clips.jsonl, labels.json, stats.json, build.json."""
    if cfg.clips <= 0:
        raise CorpusError(f"--clips must be at least 1, got {cfg.clips}")
    out = Path(out)
    recordings = discover(use_pygame=cfg.use_pygame, use_debian=cfg.use_debian) if cfg.use_recordings else []
    record = _build_record(cfg, recordings)
    _check_target(out, record, overwrite)
    splits = plan_splits(cfg.clips, cfg.seed)
    jobs = [(i, splits[i]) for i in range(cfg.clips)]
    pool_args = (recordings, cfg, str(out))
    rows: list[ClipRecord] = []
    bar = _progress(total=len(jobs), disable=not progress)
    if workers <= 1:
        _init_worker(*pool_args)
        for job in jobs:
            rows.append(_make_clip(job))
            bar.update()
    else:
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ctx.Pool(workers, initializer=_init_worker, initargs=pool_args) as pool:
            for row in pool.imap(_make_clip, jobs, chunksize=4):
                rows.append(row)
                bar.update()
    bar.close()
    _remove_stale_audio(out, {r.audio for r in rows})
    corpus = save_corpus(out, rows)
    write_text_atomic(out / BUILD_FILE, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return corpus


_STATE: dict = {}


def _init_worker(recordings: list[Recording], cfg: BuildConfig, out: str) -> None:
    _STATE["pool"] = InstancePool(recordings, use_speech=cfg.use_speech)
    _STATE["cfg"] = cfg
    _STATE["out"] = Path(out)


def _make_clip(job: tuple[int, str]) -> ClipRecord:
    index, split = job
    cfg: BuildConfig = _STATE["cfg"]
    rng = np.random.default_rng([cfg.seed, index])
    scene = mix_scene(rng, split, _STATE["pool"], cfg.scene)
    cid = clip_id(index)
    rel = f"audio/{split}/{cid}.wav"
    write_wav(_STATE["out"] / rel, scene.audio)
    return ClipRecord(
        id=cid,
        audio=rel,
        split=split,
        duration_s=round(scene.audio.size / SR, 3),
        sample_rate=SR,
        labels=sorted({e.label for e in scene.events}),
        events=[e.to_json() for e in scene.events],
        caption=scene.caption,
        background=scene.background,
        sources=provenance_records(_STATE["pool"].recordings, [e.instance for e in scene.events]),
    )


def _build_record(cfg: BuildConfig, recordings: list[Recording]) -> dict:
    pool = InstancePool(recordings, use_speech=cfg.use_speech)
    return {
        "config": asdict(cfg),
        "sample_rate": SR,
        "recordings": [
            {"path": str(r.path), "label": r.label, "source": r.source, "split": pool.split_of_recording(r)}
            for r in recordings
        ],
        "speech": pool.use_speech,
    }


def _check_target(out: Path, record: dict, overwrite: bool) -> None:
    previous = out / BUILD_FILE
    if overwrite or not locate(out / CLIP_INDEX_FILE).exists():
        return
    try:
        old = json.loads(previous.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if old != json.loads(json.dumps(record)):
        raise CorpusError(
            f"{out} already holds a corpus built with other settings; pass --overwrite to replace it "
            f"or choose another --out folder"
        )


def _remove_stale_audio(out: Path, keep: set[str]) -> None:
    """Delete clip WAVs of an earlier build that this build does not produce."""
    for split in SPLITS:
        folder = out / "audio" / split
        if folder.is_dir():
            for wav in folder.glob("clip*.wav"):
                if f"audio/{split}/{wav.name}" not in keep:
                    wav.unlink()


def _progress(total: int, disable: bool):
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is in the train extra; the build works without it
        return _NoBar()
    return tqdm(total=total, desc="mixing clips", unit="clip", disable=disable)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))
