"""The consistency filter, table-driven: each answer and the reason it is kept or dropped."""

from __future__ import annotations

import pytest

from training.corpus.clip_index import ClipRecord
from training.corpus.ontology import vocabulary
from core.mentions import MentionFinder
from training.synth.consistency import REASONS, check_answer, polarity
from training.synth.plan import SynthRequest
from training.synth.prompts import PROMPTS

MATCHER = MentionFinder(vocabulary())


def _req(prompt_id: str, labels: list[str], obj: str | None = None, other: str | None = None) -> SynthRequest:
    clip = ClipRecord("c1", "a.wav", "train", 10.0, 16000, sorted(labels), [], "A caption.", None)
    return SynthRequest(f"c1:0:{prompt_id}", clip, "/a.wav", PROMPTS[prompt_id], "q?", obj, other, None, 1, "meta")


CASES = [
    # prompt, present, obj, answer, expected reason (None = kept)
    ("neg_yn_sound", ["smoke_alarm"], "siren", "Yes, there is a siren.", "yes_to_absent"),
    ("neg_yn_sound", ["smoke_alarm"], "siren", "Yes.", "yes_to_absent"),
    ("neg_yn_sound", ["smoke_alarm"], "siren", "No, there is no siren; I hear a smoke alarm.", None),
    ("neg_yn_sound", ["smoke_alarm"], "siren", "I don't hear a siren.", None),
    ("neg_yn_sound", ["smoke_alarm"], "siren", "The audio is calm.", "unclear_yes_no"),
    ("neg_yn_sound", ["smoke_alarm"], "siren", "No, there is a siren.", "mentions_absent"),
    ("neg_yn_sound", ["smoke_alarm"], "siren", "No, but a dog barks.", "mentions_absent"),
    ("neg_yn_sound", ["smoke_alarm"], "siren", "No, and there is no smoke alarm either.", "denies_present"),
    ("neg_yn_hear", ["speech"], "music", "The audio contains no music.", None),
    ("pos_yn_sound", ["smoke_alarm"], "smoke_alarm", "Yes, a smoke alarm is beeping.", None),
    ("pos_yn_sound", ["smoke_alarm"], "smoke_alarm", "No, I cannot hear one.", "no_to_present"),
    ("pos_yn_sound", ["smoke_alarm"], "smoke_alarm", "There is no smoke alarm.", "no_to_present"),
    ("pos_yn_sound", ["smoke_alarm"], "smoke_alarm", "Yes, and a siren too.", "mentions_absent"),
    ("pos_describe", ["dog_barking", "speech"], None, "A dog barks while a man is talking.", None),
    ("pos_describe", ["dog_barking", "speech"], None, "A dog barks, but there is no speech.", "denies_present"),
    ("pos_describe", ["dog_barking"], None, "A dog barks and a baby cries.", "mentions_absent"),
    ("pos_describe", ["dog_barking"], None, "Some sounds in a room.", "names_nothing"),
    ("pos_describe", [], None, "Only a faint hiss.", None),
    ("pos_describe", [], None, "Gentiles Gentiles walk in the park.", "names_nothing"),
    ("pos_list", ["speech"], None, "Speech speech speech speech speech speech speech speech speech.", "repetitive"),
    ("pos_describe", [], None, "A smoke alarm beeps.", "mentions_absent"),
    ("pos_describe", ["smoke_alarm"], None, "An alarm is beeping.", None),  # family word fits
    ("pos_describe", ["speech"], None, "The description mentions speech.", "mentions_metadata"),
    ("pos_list", ["speech"], None, "Tags: speech", "mentions_metadata"),
    ("neg_name_absent", ["speech"], "siren", "A siren is not in the audio.", None),
    ("neg_name_absent", ["speech"], "siren", "Speech is not in the audio.", "names_present_as_missing"),
    ("neg_name_absent", ["speech"], "siren", "Nothing at all.", "names_nothing"),
    ("neg_which_absent", ["speech"], "siren", "The siren is not in the audio; speech is.", None),
    ("neg_which_absent", ["speech"], "siren", "Speech.", "misses_object"),
    ("neg_which_absent", ["speech"], "siren", "The siren; there is no speech.", "denies_present"),
    ("pos_caption", ["rain"], None, "   ", "empty"),
    ("pos_describe", [], None, "Yes.", "too_short"),
]


@pytest.mark.parametrize("prompt_id, present, obj, answer, reason", CASES)
def test_filter(prompt_id, present, obj, answer, reason):
    verdict = check_answer(_req(prompt_id, present, obj, "speech"), answer, MATCHER)
    assert (verdict.ok, verdict.reason) == (reason is None, reason)
    assert reason is None or reason in REASONS


def test_name_absent_reports_the_named_label():
    verdict = check_answer(_req("neg_name_absent", ["speech"], "rain"), "A dog barking is missing.", MATCHER)
    assert verdict.ok and verdict.named == "dog_barking"


@pytest.mark.parametrize("answer, expected", [("Yes.", "yes"), ("no", "no"), ("Nope, nothing", "no"),
                                              ("Certainly!", "yes"), ("Hmm", None)])
def test_polarity_from_the_leading_word(answer, expected):
    assert polarity(answer, []) == expected
