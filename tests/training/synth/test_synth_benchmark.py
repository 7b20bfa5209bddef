"""The object-hallucination benchmark file (DESIGN.md section 6)."""

from __future__ import annotations

import json

from core.cli import main
from training.synth.benchmark import make_benchmark, summary
from training.synth.prompts import BENCHMARK_TEMPLATES

FIELDS = {"audio_index", "audio", "prompt_text", "object", "attribute", "label", "sampling", "template_id"}


def test_benchmark_rows_are_balanced_and_truthful(small_corpus):
    rows = make_benchmark(small_corpus, split="train", per_clip=2, seed=0)
    assert rows and all(FIELDS <= set(r) for r in rows)
    s = summary(rows)
    assert set(s["samplings"]) == {"random", "popular", "adversarial"}
    for counts in s["samplings"].values():
        assert counts["yes"] == counts["no"] > 0
    assert len(BENCHMARK_TEMPLATES) >= 5 and len(s["templates"]) >= 5
    clips = {c.id: c for c in small_corpus.rows}
    for r in rows:
        labels = clips[r["clip_id"]].labels
        assert (r["object"] in labels) == (r["attribute"] == "positive") == (r["label"] == "yes")
        assert r["prompt_text"] == BENCHMARK_TEMPLATES[r["template_id"]].format(obj=r["object_name"])
        assert r["audio"].endswith(f"{r['clip_id']}.wav")
    indexes = [r["audio_index"] for r in rows]
    assert sorted(set(indexes)) == list(range(len(set(indexes))))
    assert rows == make_benchmark(small_corpus, split="train", per_clip=2, seed=0)


def test_adversarial_rows_ask_about_cooccurring_labels(small_corpus):
    rows = make_benchmark(small_corpus, split="train", per_clip=1)
    cooc = small_corpus.stats["cooccurrence"]
    clips = {c.id: c for c in small_corpus.rows}
    for r in rows:
        if r["sampling"] == "adversarial" and r["label"] == "no":
            labels = clips[r["clip_id"]].labels
            score = sum(cooc.get(p, {}).get(r["object"], 0) for p in labels)
            best = max(sum(cooc.get(p, {}).get(x, 0) for p in labels) for x in small_corpus.label_names if x not in labels)
            assert score == best


def test_benchmark_cli(small_corpus, tmp_path, capsys):
    out = tmp_path / "bench.jsonl"
    assert main(["synth", "benchmark", "--corpus", str(small_corpus.root), "--split", "train", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == json.loads(capsys.readouterr().out.splitlines()[0])["questions"]


def test_real_test_benchmark_is_balanced_per_sampling(held_out_corpus, tmp_path, capsys):
    rows = make_benchmark(held_out_corpus, split="real_test", per_clip=2, seed=0)
    clips = {c.id: c for c in held_out_corpus.rows}
    assert rows and {clips[r["clip_id"]].split for r in rows} == {"real_test"}
    for counts in summary(rows)["samplings"].values():
        assert counts["yes"] == counts["no"] > 0
    for r in rows:
        assert (r["object"] in clips[r["clip_id"]].labels) == (r["label"] == "yes")
    out = tmp_path / "real.jsonl"
    assert main(["synth", "benchmark", "--corpus", str(held_out_corpus.root), "--split", "real_test", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == json.loads(capsys.readouterr().out.splitlines()[0])["questions"]


def test_unseen_benchmark_asks_only_about_labels_no_training_clip_holds(held_out_corpus):
    rows = make_benchmark(held_out_corpus, split="unseen", per_clip=2, seed=0)
    trained = {lab for c in held_out_corpus.rows if c.split in ("train", "validation") for lab in c.labels}
    unseen = set(json.loads((held_out_corpus.root / "build.json").read_text())["unseen_labels"])
    assert rows and {r["object"] for r in rows} <= unseen and not {r["object"] for r in rows} & trained
    s = summary(rows)
    assert set(s["samplings"]) == {"random", "popular", "adversarial"}
    for counts in s["samplings"].values():
        assert counts["yes"] == counts["no"] > 0
    clips = {c.id: c for c in held_out_corpus.rows}
    for r in rows:
        assert clips[r["clip_id"]].split == "unseen"
        assert (r["object"] in clips[r["clip_id"]].labels) == (r["label"] == "yes")
