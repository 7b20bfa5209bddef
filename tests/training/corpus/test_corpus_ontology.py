"""The label hierarchy drawn from the AudioSet ontology subset (training.corpus.ontology)."""

from core.hierarchy import Hierarchy
from training.corpus.events import EVENTS
from training.corpus.ontology import ADDED, ALARM_STAND_IN, DROPPED, description, ontology_nodes, parents, vocabulary

LABELS = {e.label for e in EVENTS}


def test_instruments_imply_their_families_and_music():
    h = Hierarchy.from_entries(vocabulary())
    assert h.ancestors("trumpet") == {"brass_instrument", "musical_instrument", "music"}
    assert h.ancestors("hi_hat") == {"cymbal", "percussion", "musical_instrument", "music"}
    assert "speech" in h.ancestors("female_speech") and "bird" in h.ancestors("duck")


def test_reviewed_corrections_hold():
    up = parents()
    assert "cattle" not in up.get("cowbell", ())  # the instrument, not the animal
    assert all(ALARM_STAND_IN not in ps for ps in up.values())  # the CO alarm label is nobody's parent
    for child, parent, _ in DROPPED:
        assert parent not in up.get(child, ()), (child, parent)
    for child, parent, _ in ADDED:
        assert parent in up[child], (child, parent)


def test_every_edge_names_vocabulary_labels_and_every_correction_says_why():
    assert all(c in LABELS and set(ps) <= LABELS - {c} for c, ps in parents().items())
    assert all(c in LABELS and p in LABELS and why for c, p, why in DROPPED + ADDED)


def test_the_subset_holds_every_vocabulary_class_with_its_description():
    names = {n["name"] for n in ontology_nodes().values()}
    assert {e.audioset for e in EVENTS} <= names
    assert description("trumpet").startswith("The sound of") and description("not_a_label") == ""
    entries = {e["label"]: e for e in vocabulary()}
    assert entries["trumpet"]["parents"] == ["brass_instrument"] and "parents" not in entries["music"]
