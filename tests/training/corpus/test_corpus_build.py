"""Corpus build: determinism, the folder layout, instance-level splits and statistics."""

from __future__ import annotations

import json
import wave
from collections import defaultdict
from dataclasses import replace

import pytest

from tests.training.corpus.corpus_helpers import SMALL, build_small
from training.corpus.build import plan_splits
from training.corpus.clip_index import read_clip_index
from training.corpus.stats import compute_stats
from training.errors import CorpusError

FILES = ("clips.jsonl", "labels.json", "stats.json", "build.json")


def test_layout_and_row_schema(small_corpus):
    root = small_corpus.root
    for name in FILES:
        assert (root / name).is_file()
    rows = read_clip_index(root / "clips.jsonl")
    assert len(rows) == SMALL.clips
    for r in rows:
        assert r.audio == f"audio/{r.split}/{r.id}.wav"
        with wave.open(str(root / r.audio)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
            assert w.getnframes() == round(r.duration_s * 16000) == 4 * 16000
        assert r.labels == sorted({e["label"] for e in r.events})
        for e in r.events:
            assert 0 <= e["onset_s"] < e["offset_s"] <= r.duration_s
            assert e["source"] and e["instance"] and isinstance(e["snr_db"], float)
        assert r.caption.endswith(".") and r.background


def test_same_seed_gives_byte_identical_files_whatever_the_workers(small_corpus, tmp_path):
    again = build_small(tmp_path / "again", workers=2)
    for name in ("clips.jsonl", "labels.json", "stats.json"):
        assert (again.root / name).read_bytes() == (small_corpus.root / name).read_bytes(), name
    for r in small_corpus.rows:
        assert (again.root / r.audio).read_bytes() == (small_corpus.root / r.audio).read_bytes()


def test_another_seed_gives_another_corpus(small_corpus, tmp_path):
    other = build_small(tmp_path / "other", replace(SMALL, seed=8))
    assert (other.root / "clips.jsonl").read_bytes() != (small_corpus.root / "clips.jsonl").read_bytes()


def test_no_instance_or_sentence_or_recording_crosses_splits(tmp_path):
    corpus = build_small(tmp_path / "c", replace(SMALL, clips=80, seed=3))
    split_of = defaultdict(set)
    for r in corpus.rows:
        for e in r.events:
            split_of[e["instance"]].add(r.split)
            if e["source"] == "espeak":  # the sentence is the unit: espeak:<lang>:<text>:...
                split_of["text:" + ":".join(e["instance"].split(":")[1:3])].add(r.split)
    assert split_of and all(len(s) == 1 for s in split_of.values()), {k: v for k, v in split_of.items() if len(v) > 1}
    build = json.loads((corpus.root / "build.json").read_text())
    for rec in build["recordings"]:
        used = {r.split for r in corpus.rows for e in r.events if e["instance"].endswith(":" + rec["path"].split("/")[-1])
                and e["source"] == rec["source"]}
        assert used <= {rec["split"]}


def test_splits_follow_the_fractions():
    splits = plan_splits(600, 0)
    assert (splits.count("train"), splits.count("validation"), splits.count("test")) == (480, 60, 60)
    assert splits == plan_splits(600, 0) and splits != plan_splits(600, 1)


def test_stats_match_the_clip_index(small_corpus):
    stats = json.loads((small_corpus.root / "stats.json").read_text())
    assert stats == json.loads(json.dumps(compute_stats(small_corpus.rows, [e["label"] for e in small_corpus.labels])))
    assert sum(stats["splits"].values()) == SMALL.clips
    for r in small_corpus.rows:
        for a in r.labels:
            for b in r.labels:
                if a != b:
                    assert stats["cooccurrence"][a][b] == stats["cooccurrence"][b][a] >= 1
    assert stats["label_counts"]["smoke_alarm"] == sum("smoke_alarm" in r.labels for r in small_corpus.rows)


def test_rebuilding_with_other_settings_needs_overwrite(tmp_path):
    tiny = replace(SMALL, clips=4)
    build_small(tmp_path / "c", tiny)
    wavs = sorted((tmp_path / "c" / "audio").rglob("*.wav"))
    stamps = [w.stat().st_mtime_ns for w in wavs]
    build_small(tmp_path / "c", tiny)  # same settings, every file there: nothing to do
    assert [w.stat().st_mtime_ns for w in wavs] == stamps
    wavs[0].unlink()  # an interrupted or damaged build: mixed again, the same bytes
    build_small(tmp_path / "c", tiny)
    assert wavs[0].exists()
    with pytest.raises(CorpusError, match="--overwrite"):
        build_small(tmp_path / "c", replace(tiny, seed=99))
    from training.corpus.build import build_corpus

    corpus = build_corpus(tmp_path / "c", replace(tiny, clips=2, seed=99), workers=1, overwrite=True, progress=False)
    assert len(list((tmp_path / "c" / "audio").rglob("*.wav"))) == len(corpus.rows) == 2


def test_zero_clips_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="--clips"):
        build_small(tmp_path / "c", replace(SMALL, clips=0))
