"""Grounded descriptions (edge.presence.describe): the LLM's wording only when it names what was detected."""

import pytest

from core.mentions import MentionFinder
from core.replies import Detection, describe
from edge.presence.describe import detections_note, grounded_description, is_grounded

ENTRIES = [
    {"label": "dog_bark", "name": "a dog barking", "synonyms": ["dog", "barking"]},
    {"label": "speech", "name": "speech", "synonyms": ["talking", "a woman speaks", "speaking"]},
    {"label": "rain", "name": "rain", "synonyms": ["raining"]},
]
FINDER = MentionFinder(ENTRIES, ambiguous={})
DOG = Detection("dog_bark", "a dog barking", ((0.0, 4.0),), 0.9)


@pytest.mark.parametrize("text,ok", [
    ("A dog is barking.", True),
    ("A dog is barking while a woman speaks.", False),  # speech was not detected
    ("A dog barks, and there is no rain.", True),  # a negated mention asserts nothing
    ("Something happens.", False),  # names none of the detected sounds
    ("", False),
])
def test_is_grounded(text, ok):
    assert is_grounded(text, [DOG], FINDER) is ok


def test_the_template_stands_in_for_an_ungrounded_wording():
    text, own = grounded_description("A woman speaks in a church.", [DOG], FINDER)
    assert (text, own) == (describe([DOG]), False)
    text, own = grounded_description("I hear a dog barking.", [DOG], FINDER)
    assert (text, own) == ("I hear a dog barking.", True)


def test_with_nothing_detected_any_named_sound_is_refused():
    assert grounded_description("It is raining.", [], FINDER)[1] is False
    assert grounded_description("It is quiet.", [], FINDER) == ("It is quiet.", True)


def test_the_note_gives_the_llm_the_detections_and_their_times():
    assert detections_note([DOG]) == "Sounds detected: a dog barking (0-4 s)."
    assert "none" in detections_note([])
