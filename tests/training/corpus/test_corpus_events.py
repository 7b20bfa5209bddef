"""The event library: labels, names, synonyms, captions and labels.json."""

from __future__ import annotations

import json
import re

import pytest

from core.mentions import AMBIGUOUS_TERMS, MentionFinder
from training.corpus.events import EVENTS, read_labels_json, to_label, write_labels_json
from training.corpus.ontology import vocabulary
from training.errors import CorpusFileError


def test_vocabulary_is_plain_data_with_the_contract_fields():
    vocab = vocabulary()
    assert json.loads(json.dumps(vocab)) == vocab
    assert all({"label", "name", "synonyms"} <= set(e) <= {"label", "name", "synonyms", "parents"} for e in vocab)
    known = set(e["label"] for e in vocab)
    assert all(set(e.get("parents", ())) <= known - {e["label"]} for e in vocab)
    labels = [e["label"] for e in vocab]
    assert len(labels) == len(set(labels)) >= 25
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", lab) for lab in labels)
    assert {"smoke_alarm", "co_alarm", "siren", "doorbell", "speech", "dog_barking"} <= set(labels)


def test_no_synonym_means_two_labels():
    owner = {}
    for e in EVENTS:
        for s in e.synonyms:
            assert owner.setdefault(s, e.label) == e.label, f"{s!r} names {owner[s]} and {e.label}"


def test_ambiguous_terms_name_known_labels_only():
    labels = {e.label for e in EVENTS}
    for word, group in AMBIGUOUS_TERMS.items():
        assert group <= labels, word


@pytest.mark.parametrize("spec", EVENTS, ids=lambda e: e.label)
def test_caption_clause_resolves_to_exactly_its_label(spec):
    matcher = MentionFinder(vocabulary())
    assert matcher.labels_in(spec.caption_clause()) == [spec.label]
    assert matcher.labels_in(spec.name) == [spec.label]


def test_labels_json_round_trip(tmp_path):
    path = write_labels_json(tmp_path / "labels.json", vocabulary())
    assert read_labels_json(path) == vocabulary()


@pytest.mark.parametrize("content, needle", [
    ('{"label": "x"}', "JSON list"),
    ('[{"label": "Smoke Alarm", "name": "a", "synonyms": []}]', "snake_case"),
    ('[{"label": "a", "name": "", "synonyms": []}]', "name"),
    ('[{"label": "a", "name": "x", "synonyms": "x"}]', "synonyms"),
    ('[{"label": "a", "name": "x", "synonyms": []}, {"label": "a", "name": "y", "synonyms": []}]', "twice"),
    ("[", "not valid JSON"),
])
def test_bad_labels_json_is_one_line_error_naming_the_file(tmp_path, content, needle):
    path = tmp_path / "labels.json"
    path.write_text(content)
    with pytest.raises(CorpusFileError, match=needle) as err:
        read_labels_json(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_to_label_normalises_dataset_class_names():
    assert to_label("Smoke detector, smoke alarm") == "smoke_detector_smoke_alarm"
    assert to_label(" Dog ") == "dog"
    assert to_label("1st floor") == "c_1st_floor"
    with pytest.raises(CorpusFileError):
        to_label("  --  ")
