"""Questions map to the one label they name, else to no label (table-driven)."""

from __future__ import annotations

import pytest

from core.labels import NO_LABEL, LabelMatcher
from training.corpus.ontology import vocabulary

MATCHER = LabelMatcher.from_entries(vocabulary())


@pytest.mark.parametrize("question,label", [
    ("Is there a sound of a smoke alarm in the audio?", "smoke_alarm"),
    ("Can you detect the sound of a dog barking in the audio?", "dog_barking"),
    ("Does the audio contain the sound of an alarm clock?", "alarm_clock"),  # not "clock_ticking"
    ("IS THERE A SIREN???", "siren"),
    ("Is a kettle whistling?", "kettle_whistle"),
    ("Is there typing on a keyboard?", "keyboard_typing"),
    ("Do you hear a carbon monoxide detector?", "co_alarm"),
    ("Is there an alarm?", None),  # ambiguous word only
    ("What do you hear?", None),  # open question
    ("Do you hear glass breaking or a siren?", None),  # two labels
])
def test_match(question, label):
    assert MATCHER.match_label(question) == label


def test_every_label_name_maps_to_itself():
    for i, e in enumerate(vocabulary()):
        assert MATCHER.match(f"Is there {e['name']} in the audio?") == i, e["label"]


def test_shared_phrase_names_neither_label():
    m = LabelMatcher.from_entries([
        {"label": "alpha", "name": "thing one", "synonyms": ["thing"]},
        {"label": "beta", "name": "thing two", "synonyms": ["thing"]},
    ])
    assert m.match("is there a thing?") == NO_LABEL
    assert m.match("is there thing two?") == 1
