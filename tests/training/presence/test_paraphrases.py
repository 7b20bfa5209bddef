"""LLM-written paraphrases: what a candidate must be to be kept, and the cached table."""

import json

import pytest

from core.mentions import MentionFinder
from training.presence.paraphrases import candidates, llm_completer, paraphrase_table, review, write_paraphrases

ENTRIES = [
    {"label": "dog_bark", "name": "a dog barking", "synonyms": ["dog barking", "barking dog"]},
    {"label": "church_bell", "name": "a church bell", "synonyms": ["church bell", "church bells"]},
    {"label": "rain", "name": "rain", "synonyms": ["rain", "rainfall"]},
]


def test_a_completion_line_splits_into_clean_phrases():
    assert candidates(' bell of a church; "Church Chimes", tolling bell.\nnext: line') == [
        "bell of a church", "church chimes", "tolling bell"]
    assert candidates("   ") == []


@pytest.mark.parametrize(("phrase", "why"), [
    ("barking dog", "repeats_a_phrase"),
    ("a loud noise", "generic"),
    ("dog 2000!", "not_a_short_phrase"),
    ("a very long phrase that goes on and on", "not_a_short_phrase"),
    ("dog barking in the rain", "names_another_sound"),
    ("woofing hound", None),
])
def test_review_keeps_only_short_specific_phrases_that_name_no_other_sound(phrase, why):
    assert review(phrase, "dog_bark", {"barking dog", "dog barking"}, MentionFinder(ENTRIES)) == why


def test_written_paraphrases_pass_review_and_are_capped():
    answers = {"dog barking": " barking dog; woofing hound; hound baying; yapping pup; canine yelp",
               "church bell": " church bell; rain on a bell; bell of a church"}

    def complete(prompts, seeds, temperature):  # a fixed text source, to test the selection alone
        return [answers[p.rsplit("\n", 1)[1].rstrip(":")] for p in prompts]

    out = write_paraphrases(ENTRIES, ["dog_bark", "church_bell"], complete, samples=2, per_label=3)
    assert out["paraphrases"] == {"dog_bark": ["woofing hound", "hound baying", "yapping pup"],
                                  "church_bell": ["bell of a church"]}
    assert out["rejected"]["repeats_a_phrase"] >= 2 and out["rejected"]["names_another_sound"] == 2


def test_the_tiny_llm_writes_a_cached_table(tiny_llama_dir, tmp_path):
    complete, close = llm_completer(str(tiny_llama_dir), max_new_tokens=6)
    texts = complete(["popcorn popping:", "rain:"], [0, 1], 0.0)
    close()
    assert len(texts) == 2 and all(isinstance(t, str) and "\n" not in t for t in texts)
    table = paraphrase_table(ENTRIES, ["rain", "dog_bark"], str(tiny_llama_dir), tmp_path, "tag", per_label=2,
                             progress=lambda m: None)
    assert set(table) == {"rain", "dog_bark"} and all(len(v) <= 2 for v in table.values())
    saved = json.loads((tmp_path / "paraphrases-tag.json").read_text())
    assert saved["paraphrases"]["rain"] == table["rain"]
    # a second run reads the cache: no LLM is loaded (a missing model would fail if one were)
    assert paraphrase_table(ENTRIES, ["rain"], "/nonexistent/model", tmp_path, "tag", progress=lambda m: None) == {
        "rain": table["rain"]}
