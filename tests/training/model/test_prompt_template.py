"""The prompt is cut out of the chat template once, and its parts rebuild the same text."""

from __future__ import annotations

import pytest

from training.errors import PromptError
from training.model.prompt import PromptTemplate, build_prompt


@pytest.fixture(scope="module")
def tokenizer(tiny_llama_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_llama_dir)


def test_parts_rebuild_the_chat_template(tokenizer):
    prompt = build_prompt(tokenizer)
    question = "Is there a siren?"
    text = prompt.before_audio + "<AUDIO>" + prompt.question_text(question)
    ref = tokenizer.apply_chat_template(
        [{"role": "user", "content": f"<AUDIO>\n{question}"}], tokenize=False, add_generation_prompt=True
    )
    assert text == ref
    assert prompt.source == "chat_template"
    assert prompt.answer_end == "<|im_end|>"  # ChatML closes the assistant turn
    assert prompt.before_audio.endswith("<|im_start|>user\n")


def test_save_load_roundtrip_and_bad_file(tmp_path, tokenizer):
    prompt = build_prompt(tokenizer)
    prompt.save(tmp_path / "prompt.json")
    assert PromptTemplate.load(tmp_path / "prompt.json") == prompt
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(PromptError, match="bad.json"):
        PromptTemplate.load(tmp_path / "bad.json")


def test_fallback_without_chat_template(tokenizer):
    class Plain:
        chat_template = None
        eos_token = "</s>"

    prompt = build_prompt(Plain())
    assert prompt.source == "fallback"
    assert prompt.before_audio == "Audio: " and prompt.question_text("Q?") == "\nQuestion: Q?\nAnswer: "
