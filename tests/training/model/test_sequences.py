"""Inputs built around the soft tokens: the loss and the generation match the plain token path."""

from __future__ import annotations

import pytest
import torch

from training.model.generate import NucleusSampling, generate
from training.model.prompt import build_prompt
from training.model.sequences import (
    answer_ids, answer_loss, generation_inputs, prompt_ids, question_ids, training_inputs,
)


@pytest.fixture(scope="module")
def lm(tiny_llama_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    prompt = build_prompt(tok)
    return model, tok, prompt, prompt_ids(tok, prompt)


def _soft_ids(tok):
    return tok("sound sound beep", add_special_tokens=False).input_ids  # stand-in "soft tokens"


def test_answer_loss_equals_token_path_per_sequence(lm):
    model, tok, prompt, ids = lm
    embed = model.get_input_embeddings()
    soft_ids = _soft_ids(tok)
    qs = [question_ids(tok, prompt, "Is there a siren?"), question_ids(tok, prompt, "What do you hear in this long clip?")]
    ans = [answer_ids(tok, ids, "Yes.", 40), answer_ids(tok, ids, "A dog barks twice, then a door closes.", 40)]
    soft = embed(torch.tensor([soft_ids, soft_ids]))  # (2, S, D)
    with torch.no_grad():
        inputs, mask, targets = training_inputs(embed, ids, soft, qs, ans)
        ours = answer_loss(model, inputs, mask, targets)  # (2,)
        for i in range(2):
            full = list(ids.before_audio) + soft_ids + qs[i] + ans[i]
            labels = [-100] * (len(full) - len(ans[i])) + ans[i]
            ref = model(input_ids=torch.tensor([full]), labels=torch.tensor([labels])).loss
            torch.testing.assert_close(ours[i], ref, rtol=1e-4, atol=1e-5)
    assert int(mask[0].sum()) < mask.shape[1]  # the first row was right-padded


def test_answer_is_cut_and_closed(lm):
    _, tok, _, ids = lm
    a = answer_ids(tok, ids, "one two three four five six seven", 3)
    assert len(a) == 3 + len(ids.answer_end) and a[-len(ids.answer_end):] == list(ids.answer_end)


def test_greedy_generation_equals_hf_generate_with_left_padding(lm):
    model, tok, prompt, ids = lm
    embed = model.get_input_embeddings()
    soft_ids = _soft_ids(tok)
    questions = ["Is there a siren?", "Please describe every sound you can hear in the audio clip."]
    qs = [question_ids(tok, prompt, q) for q in questions]
    with torch.no_grad():
        inputs, mask = generation_inputs(embed, ids, embed(torch.tensor([soft_ids] * 2)), qs)
        ours, first = generate(model, inputs, mask, 5, eos_ids=(-1,))
        for i, q in enumerate(qs):
            full = torch.tensor([list(ids.before_audio) + soft_ids + q])
            ref = model.generate(full, max_new_tokens=5, do_sample=False, eos_token_id=None, pad_token_id=0)
            # left padding and batch 2 vs HF's batch 1: fp32 logits differ in the last bits (1.5e-7
            # measured on AMD EPYC; 1e-4 allows other CPUs); the greedy tokens can be compared exactly
            # because every step's top-2 margin here is about 0.5 (measured), far above that noise
            assert ours[i] == ref[0, full.shape[1]:].tolist()
            torch.testing.assert_close(first[i], model(full).logits[0, -1].float(), rtol=1e-4, atol=1e-4)


def test_sampling_is_seeded(lm):
    model, tok, prompt, ids = lm
    embed = model.get_input_embeddings()
    qs = [question_ids(tok, prompt, "What do you hear?")]
    with torch.no_grad():
        inputs, mask = generation_inputs(embed, ids, embed(torch.tensor([_soft_ids(tok)])), qs)
        a, _ = generate(model, inputs, mask, 6, (-1,), NucleusSampling(temperature=1.0, top_p=0.9, seed=3))
        b, _ = generate(model, inputs, mask, 6, (-1,), NucleusSampling(temperature=1.0, top_p=0.9, seed=3))
        greedy, _ = generate(model, inputs, mask, 6, (-1,))
    assert a == b and len(a[0]) == 6
    assert a != greedy  # a random 49k-vocab model: sampling leaves the argmax path
