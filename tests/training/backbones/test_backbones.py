"""Backbone loading: the real SmolLM2 GGUF through transformers and through llama.cpp."""

from __future__ import annotations

import pytest

from training.backbones.load import load_llm
from training.errors import BackboneError

QUESTION = "What is the capital of France?"
# With SmolLM2's default system prompt the first answer token is a near tie ("The" vs "L",
# about 1 logit apart), and llama.cpp's Q4_1 activation rounding flips it into French
# rambling. A brief-answer system prompt makes both backends confident; both get the same.
MESSAGES = [
    {"role": "system", "content": "Answer the question in one short sentence."},
    {"role": "user", "content": QUESTION},
]


@pytest.fixture(scope="module")
def smollm2():
    return load_llm("default")


@pytest.mark.real_weights
def test_smollm2_answers_paris_with_transformers(smollm2):
    import torch

    model, tok = smollm2
    assert model.config.hidden_size == 576 and len(tok) == 49152
    ids = tok.apply_chat_template(
        MESSAGES, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )["input_ids"]
    with torch.no_grad():
        out = model.generate(ids, max_new_tokens=24, do_sample=False)
    answer = tok.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
    assert "Paris" in answer, answer
    assert all(not p.requires_grad for p in model.parameters())


@pytest.mark.real_weights
def test_smollm2_answers_paris_with_llama_cpp():
    from llama_cpp import Llama

    from core.paths import smollm2_gguf

    llm = Llama(model_path=str(smollm2_gguf()), n_ctx=256, n_threads=2, verbose=False, seed=0)
    try:
        out = llm.create_chat_completion(
            messages=MESSAGES, max_tokens=24, temperature=0.0
        )
    finally:
        llm.close()
    answer = out["choices"][0]["message"]["content"]
    assert "Paris" in answer, answer


def test_missing_gguf_is_a_clear_error(tmp_path):
    with pytest.raises(BackboneError, match="does not exist"):
        load_llm(str(tmp_path / "nope.gguf"))


def test_unknown_hub_id_offline_is_a_clear_error():
    with pytest.raises(BackboneError, match="neither a local path nor a cached hub model"):
        load_llm("no-such-org/no-such-model-xyz")


def test_tiny_llama_fixture_loads_from_folder(tiny_llama_dir):
    model, tok = load_llm(str(tiny_llama_dir))
    assert model.config.hidden_size == 64
    assert len(tok) == 49152 and tok.chat_template  # the real SmolLM2 tokenizer and template
