"""Splits by source recording: the plan, its guarantees (property-tested), and the builder's
refusals; the real-recording test split and the unseen-labels split of a built corpus."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.training.corpus.corpus_helpers import (BED_LABELS, SMALL, build_held_out, build_small,
                                                  write_real_sources)
from training.corpus import build as build_module
from training.corpus.recordings import EVAL_SPLITS, Recording
from training.corpus.splits import (REAL_ONLY_SPLITS, TRAINING_SPLITS, ClipSources, SplitPlan,
                                    check_clip_sources, check_plan, plan_recording_splits, unseen_candidates)
from training.errors import CorpusError

LABELS = [f"label{i}" for i in range(10)]
SYNTH = {"label0", "label1"}  # labels a synthesizer also makes: never unseen


def _rec(label: str, content: int, real: bool, eval_only: bool, role: str) -> Recording:
    return Recording(path=Path(f"/src/{label}/{content}.wav"), label=label, source="test", group=f"rec:{content}",
                     is_real=real, eval_only=eval_only, role=role)


recordings_st = st.lists(
    st.builds(_rec, st.sampled_from(LABELS), st.integers(0, 40), st.booleans(),
              st.sampled_from([False, False, False, True]), st.sampled_from(["event", "event", "event", "ambience"])),
    min_size=0, max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(recs=recordings_st, data=st.data())
def test_no_recording_is_in_two_splits_and_the_held_out_stay_out(recs, data):
    candidates = unseen_candidates(recs, SYNTH)
    k = data.draw(st.integers(0, len(candidates)))
    seed = data.draw(st.integers(0, 3))
    plan = plan_recording_splits(recs, k, seed, SYNTH)
    split_of_group = defaultdict(set)
    for r in recs:
        split_of_group[r.group].add(plan.split_of(r))
    assert all(len(s) == 1 for s in split_of_group.values())  # identical files are one recording
    assert len(plan.unseen_labels) == k and set(plan.unseen_labels) <= set(candidates) and not SYNTH & set(plan.unseen_labels)
    eval_groups = {r.group for r in recs if r.eval_only}
    for r in recs:
        split = plan.split_of(r)
        if r.group in eval_groups:
            assert split in EVAL_SPLITS
        if r.label in plan.unseen_labels:
            assert split == "unseen"
        if split in TRAINING_SPLITS:
            assert r.label not in plan.unseen_labels
        if split in REAL_ONLY_SPLITS:
            assert any(o.is_real for o in recs if o.group == r.group)
    shuffled = list(recs)
    random.Random(seed).shuffle(shuffled)
    assert plan == plan_recording_splits(shuffled, k, seed, SYNTH)  # independent of the order found


def test_too_few_unseen_candidates_is_an_error():
    recs = [_rec("label5", i, True, False, "event") for i in range(3)]
    with pytest.raises(CorpusError, match="--unseen-labels 2 .* give 1"):
        plan_recording_splits(recs, 2, 0, SYNTH)


def test_a_plan_that_puts_an_eval_only_recording_in_training_is_refused():
    rec = _rec("label5", 1, True, True, "event")
    with pytest.raises(CorpusError, match="reserved for evaluation"):
        check_plan(SplitPlan({rec.group: "train"}, ()), [rec])
    with pytest.raises(CorpusError, match="unseen label"):
        check_plan(SplitPlan({rec.group: "real_test"}, ("label5",)), [rec])
    check_plan(SplitPlan({rec.group: "real_test"}, ()), [rec])
    with pytest.raises(CorpusError, match="role 'music'"):
        check_plan(SplitPlan({rec.group: "real_test"}, ()), [replace(rec, role="music")])


def test_clip_checks_refuse_every_leak():
    real = _rec("label5", 1, True, False, "event")
    sfx = _rec("label6", 2, True, True, "event")
    theme = _rec("label7", 3, False, False, "event")
    recs = [real, sfx, theme]
    plan = SplitPlan({real.group: "train", sfx.group: "real_test", theme.group: "test"}, ("label9",))
    ok = [ClipSources("c1", "train", ("label5",), (real.group,), 0),
          ClipSources("c2", "real_test", ("label6",), (sfx.group,), 0)]
    check_clip_sources(ok, plan, recs)
    bad = {
        "two splits": ok + [ClipSources("c3", "validation", ("label5",), (real.group,), 0)],
        "planned for": [ClipSources("c3", "test", ("label6",), (sfx.group,), 0)],
        "unseen label": [ClipSources("c3", "train", ("label9",), (), 1)],
        "synthetic event": [ClipSources("c3", "real_test", ("label0",), (), 1)],
        "not a real recording": [ClipSources("c3", "test", ("label7",), (theme.group,), 0),
                                 ClipSources("c4", "real_test", ("label7",), (theme.group,), 0)],
    }
    for message, clips in bad.items():
        with pytest.raises(CorpusError, match=message if message != "not a real recording" else "two splits"):
            check_clip_sources(clips, plan, recs)
    with pytest.raises(CorpusError, match="eval-only"):
        check_clip_sources([ClipSources("c3", "train", ("label6",), (sfx.group,), 0)],
                           SplitPlan({**plan.groups, sfx.group: "train"}, ()), recs)
    with pytest.raises(CorpusError, match="not a real recording"):
        check_clip_sources([ClipSources("c3", "real_test", ("label7",), (theme.group,), 0)],
                           SplitPlan({**plan.groups, theme.group: "real_test"}, ()), recs)


@pytest.fixture(scope="module")
def real_sources(tmp_path_factory):
    return write_real_sources(tmp_path_factory.mktemp("sources"))


@pytest.fixture(scope="module")
def held_out_corpus(tmp_path_factory, real_sources):
    return build_held_out(tmp_path_factory.mktemp("held_out") / "corpus", real_sources)


def test_real_test_and_unseen_splits_hold_only_their_recordings(held_out_corpus, real_sources):
    rows = held_out_corpus.rows
    build = json.loads((held_out_corpus.root / "build.json").read_text())
    unseen = set(build["unseen_labels"])
    assert len(unseen) == 20 and not unseen & set(BED_LABELS)
    assert {s: sum(r.split == s for r in rows) for s in ("real_test", "unseen")} == {"real_test": 12, "unseen": 10}
    planned = {rec["path"]: rec["split"] for rec in build["recordings"]}
    for rec in real_sources:
        if rec.eval_only:
            assert planned[str(rec.path)] in EVAL_SPLITS
        if rec.label in unseen:
            assert planned[str(rec.path)] == "unseen"
    by_instance = defaultdict(set)
    for r in rows:
        for e in r.events:
            by_instance[(e["source"], e["instance"])].add(r.split)
        if r.split in TRAINING_SPLITS:
            assert not unseen & set(r.labels), r.id
        if r.split in REAL_ONLY_SPLITS:
            assert all(e["source"].startswith("fixture-") for e in r.events), r.id
        if r.split == "unseen":
            assert {e["label"] for e in r.events if e["snr_db"] is not None} <= unseen
    assert all(len(s) == 1 for s in by_instance.values())
    assert any(r.labels for r in rows if r.split == "real_test") and any(r.labels for r in rows if r.split == "unseen")


def test_held_out_splits_are_byte_identical_whatever_the_workers(held_out_corpus, real_sources, tmp_path):
    again = build_held_out(tmp_path / "again", real_sources, workers=2)
    for name in ("clips.jsonl", "stats.json", "build.json"):
        assert (again.root / name).read_bytes() == (held_out_corpus.root / name).read_bytes(), name
    for r in held_out_corpus.rows:
        assert (again.root / r.audio).read_bytes() == (held_out_corpus.root / r.audio).read_bytes(), r.id


def test_builder_refuses_a_plan_with_an_eval_only_recording_in_training(real_sources, tmp_path, monkeypatch):
    real = build_module.plan_recording_splits

    def leaky(recordings, *args):
        plan = real(recordings, *args)
        sfx = next(r for r in recordings if r.eval_only)
        return SplitPlan({**plan.groups, sfx.group: "train"}, plan.unseen_labels)

    monkeypatch.setattr(build_module, "plan_recording_splits", leaky)
    with pytest.raises(CorpusError, match="reserved for evaluation"):
        build_small(tmp_path / "c", replace(SMALL, clips=2), recordings=real_sources)
    assert not (tmp_path / "c" / "clips.jsonl").exists()


def test_builder_refuses_clips_that_break_the_plan(real_sources, tmp_path, monkeypatch):
    """Whatever the mixer does, a clip that uses a recording outside its planned split stops the build."""
    real = build_module.mix_scene

    def wrong_split(rng, split, pool, cfg, rooms=None):
        return real(rng, "real_test" if split == "train" else split, pool, cfg, rooms)

    monkeypatch.setattr(build_module, "mix_scene", wrong_split)
    with pytest.raises(CorpusError, match="planned for"):
        build_small(tmp_path / "c", replace(SMALL, clips=6, use_speech=False), recordings=real_sources)
    assert not (tmp_path / "c" / "clips.jsonl").exists()


def test_asking_for_held_out_clips_without_real_sources_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="no real event recording is held out for real_test"):
        build_small(tmp_path / "c", replace(SMALL, clips=2, real_test_clips=4), recordings=[])
    with pytest.raises(CorpusError, match="--unseen-clips needs --unseen-labels"):
        build_small(tmp_path / "c", replace(SMALL, clips=2, unseen_clips=4), recordings=[])


def test_an_unseen_label_needs_three_distinct_recordings():
    from training.corpus.splits import unseen_candidates

    recs = [_rec("frog", i, True, False, "event") for i in range(3)]
    recs += [_rec("owl", 10 + i, True, False, "event") for i in range(2)]
    recs += [_rec("owl", 10, True, False, "event")]  # the same recording again (identical file): still two
    assert unseen_candidates(recs, synthesized=()) == ["frog"]
