"""Generation backends: transformers (batched, left padded) on the tiny Llama; both on the real GGUF."""

from __future__ import annotations

import json

import pytest

from training.corpus.folder import load_corpus
from core.mentions import MentionFinder
from training.errors import SynthError
from training.synth.backends import GenerationConfig, TransformersBackend, make_backend
from training.synth.consistency import check_answer
from training.synth.plan import PlanConfig, plan_corpus
from training.synth.prompts import chat_messages
from training.synth.run import SynthConfig, run_synthesis


def test_transformers_backend_batches_and_is_greedy_deterministic(tiny_llama_dir):
    gen = GenerationConfig(max_new_tokens=6, batch_size=2)
    backend = TransformersBackend(str(tiny_llama_dir), gen, device="cpu")
    prompts = [chat_messages("A dog barks. Tags: dog barking.", q) for q in
               ("Is there a sound of a siren in the audio?", "Describe the sounds you hear in the audio.", "Hi?")]
    out = backend.generate(prompts, [1, 2, 3])
    assert len(out) == 3 and all(isinstance(t, str) for t in out)
    assert backend.generate(prompts, [1, 2, 3]) == out
    # left padding: a prompt's answer does not depend on its batch neighbours
    assert backend.generate(prompts[2:], [3]) == out[2:]
    assert backend.model_id == tiny_llama_dir.name or backend.model_id == str(tiny_llama_dir)
    backend.close()


def test_unknown_backend_and_non_gguf_for_llamacpp(tmp_path):
    with pytest.raises(SynthError, match="unknown backend"):
        make_backend("onnx", "default", GenerationConfig())
    pytest.importorskip("llama_cpp")
    with pytest.raises(SynthError, match=r"needs a \.gguf file"):
        make_backend("llamacpp", str(tmp_path), GenerationConfig())


@pytest.mark.real_weights
def test_real_default_llm_writes_rows_that_pass_the_filter(small_corpus, tmp_path):
    """SmolLM2-135M through llama.cpp on 3 clips (12 generations, well under a minute)."""
    pytest.importorskip("llama_cpp")
    out = tmp_path / "rows.jsonl"
    cfg = SynthConfig(corpus=small_corpus.root, out=out, split="all", answers="llm", backend="llamacpp",
                      model="default", plan=PlanConfig(seed=1), gen=GenerationConfig(max_new_tokens=40),
                      max_clips=3)
    report = run_synthesis(cfg, progress=False)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    rejected = [json.loads(line) for line in out.with_name("rows.rejected.jsonl").read_text().splitlines()]
    assert len(rows) + len(rejected) == report["requests"] == 12
    assert rows, "no generation of the default LLM passed the filter"
    corpus = load_corpus(small_corpus.root)
    matcher = MentionFinder(corpus.labels)
    by_id = {r.id: r for r in plan_corpus(corpus.rows, corpus, cfg.plan)}
    for row in rows:
        assert row["model"] == "SmolLM2-135M-Instruct.Q4_1.gguf" and row["source"] == "llm"
        assert check_answer(by_id[row["id"]], row["answer"], matcher).ok
    for r in rejected:
        assert not check_answer(by_id[r["id"]], r["answer"], matcher).ok
    assert all(p["rejection_rate"] is not None for p in report["prompts"].values())
