"""Build a corpus: N scenes, deterministic for a seed, mixed in parallel.

Clip `i` is a pure function of (seed, i), of the recordings found on the machine and of the
room bank (a function of the seed): its split comes from a seeded shuffle (the first
`clips` ids share train / validation / test; then `real_test_clips`, then `unseen_clips`),
its content from `default_rng([seed, i])`. Workers write the WAV files; the parent writes
the clip index, labels and statistics in id order, so the same seed gives byte-identical
files whatever the number of workers.

Recordings are split by `splits.plan_recording_splits` before mixing, and the built clips
are checked against that plan afterwards (`check_clip_sources`): a recording in two splits,
an eval-only recording outside the test splits, or an unseen label in a training clip
stops the build with an error before the clip index is written.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from training.corpus.clip_files import write_wav
from training.corpus.clip_index import CLIP_INDEX_FILE, ClipRecord, locate, write_text_atomic
from training.corpus.dsp import SR
from training.corpus.folder import Corpus, load_corpus, save_corpus
from training.corpus.instances import InstancePool, synthesized_labels
from training.corpus.mixer import SceneConfig, mix_scene
from training.corpus.recordings import Recording, provenance_records
from training.corpus.rooms import RirBank, RoomConfig, rir_bank
from training.corpus.solo import SoloConfig, raw_scene, solo_scene
from training.corpus.splits import (RAW_SPLITS, SPLIT_FRACTIONS, SPLITS, ClipSources, SplitPlan, check_clip_sources,
                                    check_plan, plan_recording_splits)
from training.errors import CorpusError

log = logging.getLogger(__name__)
BUILD_FILE = "build.json"  # the settings and recordings a corpus was built from


@dataclass(frozen=True)
class BuildConfig:
    clips: int = 600  # number of train / validation / test clips (the default training corpus)
    seed: int = 0  # everything random derives from it
    scene: SceneConfig = field(default_factory=SceneConfig)
    rooms: RoomConfig = field(default_factory=RoomConfig)
    real_test_clips: int = 0  # clips of real recordings only, held out (400 for the real test split)
    unseen_labels: int = 0  # labels held out of training entirely (20 for the unseen split)
    unseen_clips: int = 0  # clips of the unseen labels
    split_seed: int = 0  # picks the unseen labels; keep it fixed across corpora that are compared
    use_speech: bool = True  # espeak-ng speech events (needs the espeak-ng command)
    use_recordings: bool = True  # Debian sound-theme files
    use_pygame: bool = True  # pygame example sounds, when pygame is installed
    use_debian: bool = False  # Debian package recordings fetched by `listen corpus sources`
    solo: SoloConfig = field(default_factory=SoloConfig)  # single events as they reach a microphone
    raw_splits: bool = False  # also validation_raw, real_raw, unseen_raw: each held-out real recording alone
    raw_per_label: int = 20  # at most this many recordings per label in a raw split (0 = all), so that
    #                          labels with thousands of recordings (instrument notes) do not swamp it


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


def plan_jobs(cfg: BuildConfig, raw: dict[str, list[Recording]] | None = None) -> list[tuple[int, str]]:
    """(clip index, split) of every clip to mix, then of every raw clip (`raw_recordings`)."""
    splits = plan_splits(cfg.clips, cfg.seed) + ["real_test"] * cfg.real_test_clips + ["unseen"] * cfg.unseen_clips
    for split in RAW_SPLITS:
        splits += [split] * len((raw or {}).get(split, []))
    return list(enumerate(splits))


def raw_recordings(recordings: list[Recording], plan: SplitPlan, per_label: int) -> dict[str, list[Recording]]:
    """The recordings each raw split plays, in clip order: the real recordings planned for the
    split it views, one file per distinct recording, at most `per_label` per label (0 = all),
    chosen by a hash of the recording id so that the choice does not follow the build seed."""
    from training.corpus.splits import hash_unit

    out: dict[str, list[Recording]] = {}
    for raw, home in RAW_SPLITS.items():
        first: dict[str, Recording] = {}
        for r in sorted(recordings, key=lambda r: (r.recording_id, r.instance_id)):
            # unseen's beds are not what it measures: its raw view plays the unseen labels' recordings
            if r.is_real and plan.split_of(r) == home and (home != "unseen" or r.label in plan.unseen_labels):
                first.setdefault(r.recording_id, r)
        by_label: dict[str, list[Recording]] = {}
        for r in sorted(first.values(), key=lambda r: (hash_unit(r.recording_id), r.recording_id)):
            by_label.setdefault(r.label, []).append(r)
        chosen = [r for recs in by_label.values() for r in (recs[:per_label] if per_label > 0 else recs)]
        out[raw] = sorted(chosen, key=lambda r: (r.label, r.recording_id))
    return out


def build_corpus(out: Path, cfg: BuildConfig, workers: int = 2, overwrite: bool = False, progress: bool = True,
                 recordings: list[Recording] | None = None) -> Corpus:
    """Mix the clips into `out` and write clips.jsonl, labels.json, stats.json, build.json.
    `recordings` defaults to the sources found on this machine."""
    _check_counts(cfg)
    out = Path(out)
    if recordings is None:
        from training.corpus.sources.discover import discover  # the sources load only when asked

        recordings = discover(use_pygame=cfg.use_pygame, use_debian=cfg.use_debian) if cfg.use_recordings else []
    plan = plan_recording_splits(recordings, cfg.unseen_labels, cfg.split_seed, synthesized_labels())
    check_plan(plan, recordings)  # refuse before mixing, whatever made the plan
    pool = InstancePool(recordings, use_speech=cfg.use_speech, plan=plan)
    _check_held_out_sources(pool, cfg)
    record = _build_record(cfg, pool)
    if _check_target(out, record, overwrite):
        try:
            corpus = load_corpus(out, check_audio=True)
            log.warning("%s already holds this corpus (same settings and sources); nothing to do", out)
            return corpus
        except CorpusError:  # an interrupted or damaged earlier build of the same settings: mix again
            pass
    rooms = rir_bank(cfg.rooms, cfg.seed) if cfg.scene.reverb_prob > 0 or cfg.solo.share > 0 else None
    jobs = plan_jobs(cfg, raw_recordings(recordings, plan, cfg.raw_per_label) if cfg.raw_splits else None)
    pool_args = (recordings, plan, rooms, cfg, str(out))
    made: list[tuple[ClipRecord, ClipSources]] = []
    bar = _progress(total=len(jobs), disable=not progress)
    if workers <= 1:
        _init_worker(*pool_args)
        for job in jobs:
            made.append(_make_clip(job))
            bar.update()
    else:
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ctx.Pool(workers, initializer=_init_worker, initargs=pool_args) as workers_pool:
            for item in workers_pool.imap(_make_clip, jobs, chunksize=4):
                made.append(item)
                bar.update()
    bar.close()
    check_clip_sources([src for _, src in made], plan, recordings)
    rows = [row for row, _ in made]
    _remove_stale_audio(out, {r.audio for r in rows})
    corpus = save_corpus(out, rows)
    write_text_atomic(out / BUILD_FILE, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return corpus


def _check_counts(cfg: BuildConfig) -> None:
    if cfg.clips <= 0:
        raise CorpusError(f"--clips must be at least 1, got {cfg.clips}")
    for name, value in (("--real-test-clips", cfg.real_test_clips), ("--unseen-labels", cfg.unseen_labels),
                        ("--unseen-clips", cfg.unseen_clips)):
        if value < 0:
            raise CorpusError(f"{name} must be 0 or more, got {value}")
    if cfg.unseen_clips and not cfg.unseen_labels:
        raise CorpusError("--unseen-clips needs --unseen-labels K (the labels those clips hold)")


def _check_held_out_sources(pool: InstancePool, cfg: BuildConfig) -> None:
    """A held-out split asked for must have real event recordings to draw from."""
    for split, clips in (("real_test", cfg.real_test_clips), ("unseen", cfg.unseen_clips)):
        if clips and not pool.labels_in(split):
            raise CorpusError(f"{clips} {split} clips asked for, but no real event recording is held out for "
                              f"{split}: add real sources (or set the count to 0)")


_STATE: dict = {}


def _init_worker(recordings: list[Recording], plan: SplitPlan, rooms: RirBank | None, cfg: BuildConfig,
                 out: str) -> None:
    _STATE["pool"] = InstancePool(recordings, use_speech=cfg.use_speech, plan=plan)
    _STATE["raw"] = raw_recordings(recordings, plan, cfg.raw_per_label) if cfg.raw_splits else {}
    _STATE["first_raw"] = cfg.clips + cfg.real_test_clips + cfg.unseen_clips
    _STATE["rooms"] = rooms
    _STATE["cfg"] = cfg
    _STATE["out"] = Path(out)


def _make_clip(job: tuple[int, str]) -> tuple[ClipRecord, ClipSources]:
    index, split = job
    cfg: BuildConfig = _STATE["cfg"]
    rng = np.random.default_rng([cfg.seed, index])
    if split in RAW_SPLITS:  # the raw clips come after the mixed ones, split by split in RAW_SPLITS order
        before = sum(len(_STATE["raw"][s]) for s in list(RAW_SPLITS)[: list(RAW_SPLITS).index(split)])
        scene = raw_scene(_STATE["raw"][split][index - _STATE["first_raw"] - before])
    elif cfg.solo.share > 0 and split in ("train", "validation") and rng.random() < cfg.solo.share:
        scene = solo_scene(rng, split, _STATE["pool"], cfg.solo, _STATE["rooms"])
    else:
        scene = mix_scene(rng, split, _STATE["pool"], cfg.scene, _STATE["rooms"])
    cid = clip_id(index)
    rel = f"audio/{split}/{cid}.wav"
    write_wav(_STATE["out"] / rel, scene.audio)
    row = ClipRecord(
        id=cid,
        audio=rel,
        split=split,
        duration_s=round(scene.audio.size / SR, 3),
        sample_rate=SR,
        labels=scene.labels,
        events=[e.to_json() for e in scene.events],
        caption=scene.caption,
        background=scene.background,
        sources=provenance_records(_STATE["pool"].recordings, [e.instance for e in scene.events]),
    )
    sources = ClipSources(cid, split, tuple(scene.labels), tuple(e.group for e in scene.events if e.group),
                          sum(e.group is None for e in scene.events))
    return row, sources


def _build_record(cfg: BuildConfig, pool: InstancePool) -> dict:
    return {
        "config": asdict(cfg),
        "sample_rate": SR,
        "recordings": [
            {"path": str(r.path), "label": r.label, "source": r.source, "split": pool.split_of_recording(r),
             "group": r.group, "role": r.role, "is_real": r.is_real, "eval_only": r.eval_only}
            for r in pool.recordings
        ],
        "unseen_labels": list(pool.plan.unseen_labels),
        "speech": pool.use_speech,
    }


def _check_target(out: Path, record: dict, overwrite: bool) -> bool:
    """True when `out` holds a corpus built from exactly this record; a corpus built otherwise
    is refused unless `overwrite`."""
    previous = out / BUILD_FILE
    if overwrite or not locate(out / CLIP_INDEX_FILE).exists():
        return False
    try:
        old = json.loads(previous.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if old != json.loads(json.dumps(record)):
        raise CorpusError(
            f"{out} already holds a corpus built with other settings; pass --overwrite to replace it "
            f"or choose another --out folder"
        )
    return True


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
