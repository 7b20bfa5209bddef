"""The label hierarchy as the edge reads it from labels.json (core.hierarchy)."""

from core.hierarchy import Hierarchy

ENTRIES = [
    {"label": "music", "name": "music", "synonyms": []},
    {"label": "musical_instrument", "name": "a musical instrument", "synonyms": [], "parents": ["music"]},
    {"label": "brass_instrument", "name": "a brass instrument", "synonyms": [], "parents": ["musical_instrument"]},
    {"label": "trumpet", "name": "a trumpet", "synonyms": [], "parents": ["brass_instrument", "not_a_label"]},
    {"label": "drum", "name": "a drum", "synonyms": [], "parents": ["musical_instrument"]},
    {"label": "snare_drum", "name": "a snare drum", "synonyms": [], "parents": ["drum"]},
    {"label": "dog_barking", "name": "a dog barking", "synonyms": []},
]


def test_ancestors_are_the_transitive_parents_and_unknown_parents_are_ignored():
    h = Hierarchy.from_entries(ENTRIES)
    assert h.ancestors("trumpet") == {"brass_instrument", "musical_instrument", "music"}
    assert h.ancestors("music") == frozenset() and h.ancestors("dog_barking") == frozenset()
    assert h.descendants("musical_instrument") == {"brass_instrument", "trumpet", "drum", "snare_drum"}
    assert h.implied(["trumpet", "dog_barking"]) == {"trumpet", "dog_barking", "brass_instrument",
                                                     "musical_instrument", "music"}


def test_related_labels_are_never_absent_for_a_clip():
    h = Hierarchy.from_entries(ENTRIES)
    clip = ["trumpet"]
    assert h.related("music", clip) and h.related("brass_instrument", clip) and h.related("trumpet", clip)
    assert not h.related("drum", clip) and not h.related("snare_drum", clip) and not h.related("dog_barking", clip)
    assert h.related("snare_drum", ["drum"])  # "a drum" may be a snare drum: not a "no"


def test_a_cycle_in_the_table_cannot_loop_and_a_flat_vocabulary_is_the_identity():
    h = Hierarchy.from_entries([{"label": "a", "name": "a", "synonyms": [], "parents": ["b"]},
                                {"label": "b", "name": "b", "synonyms": [], "parents": ["a"]}])
    assert h.ancestors("a") == {"b"} and h.ancestors("b") == {"a"}
    flat = Hierarchy.from_entries([{"label": "x", "name": "x", "synonyms": []}])
    assert flat.implied(["x"]) == {"x"} and not flat.related("y", ["x"])
