"""The raw view of the held-out splits (each real recording alone, untouched) and the solo
clips of training (one sound at any level and length): training.corpus.solo and the builder."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from core.audio_io import read_audio
from tests.training.corpus.corpus_helpers import HELD_OUT, build_held_out, write_real_sources
from training.corpus.solo import SoloConfig, raw_clip
from training.corpus.splits import RAW_SPLITS
from training.synth.benchmark import make_benchmark

PCM16 = 1.0 / 32768  # a WAV written as 16-bit PCM is the float signal rounded to this step


@pytest.fixture(scope="module")
def raw_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("raw")
    recs = write_real_sources(root / "src")
    cfg = replace(HELD_OUT, raw_splits=True, raw_per_label=2, solo=SoloConfig(share=0.5))
    return build_held_out(root / "corpus", recs, workers=1, cfg=cfg), recs, cfg


def test_each_raw_clip_is_one_held_out_recording_alone_as_recorded(raw_corpus):
    corpus, recs, _ = raw_corpus
    by_instance = {r.instance_id: r for r in recs}
    raw_rows = [r for r in corpus.rows if r.split in RAW_SPLITS]
    assert {r.split for r in raw_rows} == set(RAW_SPLITS)
    build = {(r["path"], r["label"]): r["split"] for r in __import__("json").loads(
        (corpus.root / "build.json").read_text())["recordings"]}
    for row in raw_rows:
        assert len(row.events) == 1 and row.background.startswith("recording alone")
        rec = by_instance[row.events[0]["instance"]]
        assert row.labels == [rec.label] and rec.is_real
        assert build[(str(rec.path), rec.label)] == RAW_SPLITS[row.split]  # planned for the split it views
        heard = read_audio(row.audio_path(corpus.root))
        want = raw_clip(rec)  # no bed, no mixing, no gain: the file's own samples
        assert heard.size == want.size and np.max(np.abs(heard - want)) <= PCM16


def test_raw_splits_never_play_a_training_recording_and_keep_the_cap(raw_corpus):
    corpus, _, cfg = raw_corpus
    groups = {}
    for row in corpus.rows:
        home = RAW_SPLITS.get(row.split, row.split)
        for src in row.sources:
            groups.setdefault(src["recording_id"], set()).add(home)
    assert all(len(s) == 1 for s in groups.values())  # by recording, a raw clip stays in its split's world
    for split in RAW_SPLITS:
        counts = Counter(lab for r in corpus.split(split) for lab in r.labels)
        assert max(counts.values()) <= cfg.raw_per_label
    unseen = set(__import__("json").loads((corpus.root / "build.json").read_text())["unseen_labels"])
    assert {lab for r in corpus.split("unseen_raw") for lab in r.labels} <= unseen
    assert not unseen & {lab for r in corpus.split("validation_raw") for lab in r.labels}


def test_solo_clips_hold_one_sound_at_any_level_and_length(raw_corpus):
    corpus, _, _ = raw_corpus
    solo = [r for r in corpus.rows if r.split in ("train", "validation") and r.background.startswith("alone")]
    assert solo, "a share of 0.5 gives solo clips"
    peaks, lengths = [], []
    for row in solo:
        assert len([e for e in row.events if e["snr_db"] is None]) >= 1 and len(row.events) <= 2
        x = read_audio(row.audio_path(corpus.root))
        peaks.append(20 * np.log10(max(np.max(np.abs(x)), 1e-9)))
        lengths.append(x.size)
        assert x.size <= 10 * 16000 and np.max(np.abs(x)) <= 1.0
    assert max(peaks) - min(peaks) > 6.0  # level is not a cue
    assert len(set(lengths)) > 1  # nor length


def test_the_raw_benchmark_asks_about_present_and_absent_sounds_balanced(raw_corpus):
    corpus, _, _ = raw_corpus
    rows = make_benchmark(corpus, "real_raw")
    for sampling in ("random", "popular", "adversarial"):
        labels = Counter(r["label"] for r in rows if r["sampling"] == sampling)
        assert labels["yes"] == labels["no"] > 0
    unseen_rows = make_benchmark(corpus, "unseen_raw")
    unseen = set(__import__("json").loads((corpus.root / "build.json").read_text())["unseen_labels"])
    assert {r["object"] for r in unseen_rows} <= unseen
