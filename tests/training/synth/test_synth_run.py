"""Synthesis runs: row schema, the filter at work, resume, shards, and bad input."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest

from training.errors import AudioReadError, SynthError
from training.synth import run as run_mod
from training.synth.plan import PlanConfig
from training.synth.run import SynthConfig, merge_outputs, output_paths, resolve_shard, run_synthesis

ROW_FIELDS = {"id", "audio", "question", "answer", "kind", "object", "sampling", "prompt_id", "source", "model",
              "seed", "clip_id", "labels"}


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _cfg(corpus, out, **kw):
    return SynthConfig(corpus=corpus.root, out=out, split="all", answers="template", **kw)


def test_template_run_writes_contract_rows(small_corpus, tmp_path):
    report = run_synthesis(_cfg(small_corpus, tmp_path / "rows.jsonl"), progress=False)
    rows = _rows(tmp_path / "rows.jsonl")
    assert len(rows) == 4 * len(small_corpus.rows) == report["total"]["rows"]
    clips = {c.id: c for c in small_corpus.rows}
    for r in rows:
        assert ROW_FIELDS <= set(r)
        assert r["kind"] in ("positive", "negative") and r["source"] == "template" and r["model"] == "template"
        assert r["labels"] == clips[r["clip_id"]].labels
        if r["kind"] == "negative":
            assert r["object"] not in r["labels"] and r["sampling"] in ("random", "popular", "adversarial")
    assert report["total"]["rejected"] == 0 and (tmp_path / "rows.report.json").is_file()
    run_synthesis(_cfg(small_corpus, tmp_path / "again.jsonl"), progress=False)
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "rows.jsonl").read_bytes()


class YesMan:
    """A backbone that answers yes to everything, like SmolLM2 does (DESIGN.md 4b)."""

    model_id = "yes-man"

    def __init__(self, *a, **k):
        self.calls = 0

    def generate(self, batch, seeds):
        self.calls += len(batch)
        return ["Yes." for _ in batch]

    def close(self):
        pass


@pytest.fixture
def yes_backend(monkeypatch):
    made = []

    def make(*a, **k):
        made.append(YesMan())
        return made[-1]

    monkeypatch.setattr(run_mod, "make_backend", make)
    monkeypatch.setattr(run_mod, "_model_id", lambda spec: "yes-man")
    return made


def test_filter_rejects_yes_to_absent_and_reports_rates(small_corpus, tmp_path, yes_backend):
    cfg = replace(_cfg(small_corpus, tmp_path / "r.jsonl"), answers="llm")
    report = run_synthesis(cfg, progress=False)
    rows, rejected = _rows(tmp_path / "r.jsonl"), _rows(tmp_path / "r.rejected.jsonl")
    assert {r["prompt_id"] for r in rows} <= {"pos_yn_sound", "pos_yn_hear", "pos_yn_contain"}
    assert all(r["source"] == "llm" and r["model"] == "yes-man" for r in rows)
    assert {r["reason"] for r in rejected if r["prompt_id"].startswith("neg_yn")} == {"yes_to_absent"}
    for pid, p in report["prompts"].items():
        assert p["generated"] == p["accepted"] + p["rejected"]
        assert p["rejection_rate"] == (1.0 if pid.startswith("neg") or pid in ("pos_describe", "pos_list", "pos_caption") else 0.0)
    assert report["negative"]["rejection_rate"] == 1.0
    assert report["this_run"]["generated"] == yes_backend[0].calls == report["requests"]


def test_on_reject_template_keeps_the_row_with_a_template_answer(small_corpus, tmp_path, yes_backend):
    cfg = replace(_cfg(small_corpus, tmp_path / "r.jsonl"), answers="llm", on_reject="template", max_clips=5)
    run_synthesis(cfg, progress=False)
    rows = _rows(tmp_path / "r.jsonl")
    assert len(rows) == 20 and {r["source"] for r in rows} == {"llm", "template_fallback"}
    neg = [r for r in rows if r["prompt_id"].startswith("neg_yn")]
    assert neg and all(r["answer"].startswith("No, ") for r in neg)


def test_resume_skips_done_ids_and_keeps_what_was_written(small_corpus, tmp_path, yes_backend):
    out = tmp_path / "r.jsonl"
    cfg = replace(_cfg(small_corpus, out), answers="llm")
    run_synthesis(replace(cfg, max_clips=4), progress=False)
    first = out.read_text()
    with open(out, "a") as f:
        f.write('{"id": "torn')  # a crash in the middle of a write
    report = run_synthesis(cfg, progress=False)
    assert out.read_text().startswith(first)
    ids = [r["id"] for r in _rows(out)] + [r["id"] for r in _rows(tmp_path / "r.rejected.jsonl")]
    assert len(ids) == len(set(ids)) == report["requests"]
    assert yes_backend[1].calls == report["requests"] - 16  # 4 clips x 4 requests were done already
    again = run_synthesis(cfg, progress=False)
    assert again["this_run"]["requests"] == 0 and len(yes_backend) == 2  # nothing to do: no backend built


def test_damaged_middle_line_is_an_error(small_corpus, tmp_path):
    out = tmp_path / "r.jsonl"
    run_synthesis(replace(_cfg(small_corpus, out), max_clips=2), progress=False)
    lines = out.read_text().splitlines()
    out.write_text(lines[0] + "\n{broken\n" + "\n".join(lines[1:]) + "\n")
    with pytest.raises(SynthError, match=r"r.jsonl:2: damaged row"):
        run_synthesis(_cfg(small_corpus, out), progress=False)


def test_resuming_with_another_model_is_refused(small_corpus, tmp_path, yes_backend):
    out = tmp_path / "r.jsonl"
    run_synthesis(replace(_cfg(small_corpus, out), max_clips=1), progress=False)
    with pytest.raises(SynthError, match="written by template"):
        run_synthesis(replace(_cfg(small_corpus, out), answers="llm"), progress=False)


def test_shards_partition_the_clips_and_merge_to_the_single_run(small_corpus, tmp_path):
    single = tmp_path / "single.jsonl"
    run_synthesis(_cfg(small_corpus, single), progress=False)
    parts = []
    for k in range(3):
        run_synthesis(_cfg(small_corpus, tmp_path / "rows.jsonl", shard=(k, 3)), progress=False)
        parts.append(output_paths(tmp_path / "rows.jsonl", (k, 3)).rows)
    clip_sets = [{r["clip_id"] for r in _rows(p)} for p in parts]
    assert all(a.isdisjoint(b) for i, a in enumerate(clip_sets) for b in clip_sets[i + 1 :])
    merge_outputs(parts, tmp_path / "merged.jsonl")
    key = lambda r: r["id"]  # noqa: E731
    assert sorted(_rows(tmp_path / "merged.jsonl"), key=key) == sorted(_rows(single), key=key)


def test_resolve_shard(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert resolve_shard(None) == (0, 1)
    assert resolve_shard("2/4") == (2, 4)
    with pytest.raises(SynthError, match="K must be in 0..N-1"):
        resolve_shard("4/4")
    with pytest.raises(SynthError, match="K/N"):
        resolve_shard("x")


def test_missing_audio_stops_before_writing_and_resume_works_after_the_fix(small_corpus, tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(small_corpus.root, root)
    out = tmp_path / "r.jsonl"
    cfg = SynthConfig(corpus=root, out=out, split="all", answers="template", plan=PlanConfig())
    run_synthesis(replace(cfg, max_clips=2), progress=False)
    written = out.read_bytes()
    victim = small_corpus.rows[5]
    moved = tmp_path / "moved.wav"
    (root / victim.audio).rename(moved)
    with pytest.raises(AudioReadError, match=rf"\(id {victim.id}\): audio file .* does not exist"):
        run_synthesis(cfg, progress=False)
    assert out.read_bytes() == written  # nothing lost
    moved.rename(root / victim.audio)
    assert run_synthesis(cfg, progress=False)["total"]["rows"] == 4 * len(small_corpus.rows)


def test_bad_options_and_empty_split(small_corpus, tmp_path):
    with pytest.raises(SynthError, match="--answers"):
        run_synthesis(replace(_cfg(small_corpus, tmp_path / "r.jsonl"), answers="maybe"), progress=False)
    with pytest.raises(SynthError, match="no clips in split 'nope'"):
        run_synthesis(replace(_cfg(small_corpus, tmp_path / "r.jsonl"), split="nope"), progress=False)
