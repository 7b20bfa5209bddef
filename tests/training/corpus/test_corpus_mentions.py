"""Reading labels out of free text: longest phrase first, family words, negation scope."""

from __future__ import annotations

import pytest

from training.corpus.ontology import vocabulary
from core.mentions import MentionFinder

MATCHER = MentionFinder(vocabulary())

# text -> [(matched label set as sorted tuple, negated)]
CASES = [
    ("I can hear a smoke alarm.", [(("smoke_alarm",), False)]),
    ("There is no siren, but I can hear a smoke alarm.", [(("siren",), True), (("smoke_alarm",), False)]),
    ("I hear a smoke alarm and no siren", [(("smoke_alarm",), False), (("siren",), True)]),
    ("I don't hear a siren or a dog", [(("siren",), True), (("dog_barking",), True)]),
    ("The siren is not there.", [(("siren",), True)]),
    ("The siren isn't audible; a dog barks.", [(("siren",), True), (("dog_barking",), False), (("dog_barking",), False)]),
    ("Speech cannot be heard.", [(("speech",), True)]),
    ("No, there is no sound of a dog barking in the audio.", [(("dog_barking",), True)]),
    ("An alarm is beeping", [(("alarm_clock", "co_alarm", "siren", "smoke_alarm"), False),
                             (("alarm_clock", "appliance_beep", "co_alarm", "smoke_alarm"), False)]),
    ("Two dogs are heard", [(("dog_barking",), False)]),
    ("The carbon monoxide alarm", [(("co_alarm",), False)]),
    ("Many types of sounds", []),
    ("without any music", [(("music",), True)]),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_mentions(text, expected):
    got = [(tuple(sorted(m.labels)), m.negated) for m in MATCHER.mentions(text)]
    assert got == expected


def test_asserted_labels_leave_out_negated_and_ambiguous_mentions():
    text = "A dog barks and an alarm beeps, but there is no speech."
    assert MATCHER.labels_in(text) == ["dog_barking", "speech"]
    assert MATCHER.asserted_labels(text) == ["dog_barking"]


def test_matcher_over_a_dataset_vocabulary_ignores_foreign_family_words():
    m = MentionFinder([{"label": "dog", "name": "dog", "synonyms": ["dog", "puppy"]}])
    assert m.labels_in("a puppy and an alarm") == ["dog"]
    assert all(mm.labels == {"dog"} for mm in m.mentions("a puppy and an alarm"))
