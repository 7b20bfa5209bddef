"""Clip index records and corpus folders: every bad input is a one-line error naming file and row."""

from __future__ import annotations

import json
import shutil

import pytest

from training.corpus.clip_index import read_clip_index
from training.corpus.folder import load_corpus
from training.errors import AudioReadError, CorpusError, CorpusFileError

GOOD = {"id": "c1", "audio": "audio/train/c1.wav", "split": "train", "duration_s": 10.0, "sample_rate": 16000,
        "labels": ["siren"], "events": [{"label": "siren", "onset_s": 1.0, "offset_s": 2.0, "source": "procedural",
                                          "instance": "proc:siren:1", "snr_db": 5.0}],
        "caption": "A siren wails.", "background": None}


def _bad(**changes):
    row = json.loads(json.dumps(GOOD))
    for k, v in changes.items():
        if v is ...:
            del row[k]
        else:
            row[k] = v
    return row


ERRORS = [
    (_bad(labels="siren"), "'labels' must be a list"),
    (_bad(labels=["siren", "dog"]), "sorted and unique"),
    (_bad(duration_s="10"), "'duration_s' must be a positive number"),
    (_bad(sample_rate=16000.0), "'sample_rate' must be a positive integer"),
    (_bad(split="dev"), "split 'dev'"),
    (_bad(caption=None), "'caption' must be a string"),
    (_bad(id=7), "'id' must be a non-empty str"),
    (_bad(audio=...), "lacks field"),
    (_bad(events=[{"label": "dog", "onset_s": 0, "offset_s": 1, "source": "x", "instance": None, "snr_db": None}]),
     "not in the row's labels"),
    (_bad(events=[{**GOOD["events"][0], "onset_s": "1"}]), "'onset_s' must be a number or null"),
    (_bad(events=[{**GOOD["events"][0], "onset_s": 3.0}]), "before onset_s"),
    ([1, 2], "is a JSON list, not an object"),
]


@pytest.mark.parametrize("row, needle", ERRORS)
def test_bad_row_names_file_line_and_field(tmp_path, row, needle):
    path = tmp_path / "clips.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(row) + "\n")
    with pytest.raises(CorpusFileError, match=needle) as err:
        read_clip_index(path)
    assert f"{path} line 2" in str(err.value) and "\n" not in str(err.value)


def test_good_row_round_trips(tmp_path):
    path = tmp_path / "clips.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n")
    (row,) = read_clip_index(path)
    assert row.to_json() == GOOD


def test_invalid_json_and_duplicate_ids(tmp_path):
    path = tmp_path / "clips.jsonl"
    path.write_text(json.dumps(GOOD) + "\n{oops\n")
    with pytest.raises(CorpusFileError, match=r"clips\.jsonl line 2 is not valid JSON"):
        read_clip_index(path)
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    with pytest.raises(CorpusFileError, match="already used on line 1"):
        read_clip_index(path)


@pytest.fixture
def corpus_copy(small_corpus, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(small_corpus.root, dst)
    return dst


def test_empty_corpus_is_an_error(corpus_copy):
    (corpus_copy / "clips.jsonl").write_text("")
    with pytest.raises(CorpusError, match="empty"):
        load_corpus(corpus_copy)


def test_unknown_label_names_the_row(corpus_copy):
    labels = json.loads((corpus_copy / "labels.json").read_text())
    rows = read_clip_index(corpus_copy / "clips.jsonl")
    victim = next(i for i, r in enumerate(rows) if r.labels)
    kept = [e for e in labels if e["label"] != rows[victim].labels[0]]
    (corpus_copy / "labels.json").write_text(json.dumps(kept))
    with pytest.raises(CorpusFileError, match=rf"row {victim + 1} \(id {rows[victim].id}\).*not in"):
        load_corpus(corpus_copy)


def test_missing_audio_names_the_file_and_row(corpus_copy):
    rows = read_clip_index(corpus_copy / "clips.jsonl")
    (corpus_copy / rows[3].audio).unlink()
    load_corpus(corpus_copy)  # not checked unless asked
    with pytest.raises(AudioReadError, match=rf"row 4 \(id {rows[3].id}\): audio file .*{rows[3].id}.wav does not exist"):
        load_corpus(corpus_copy, check_audio=True)


def test_missing_folder_or_labels(tmp_path, corpus_copy):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")
    (corpus_copy / "labels.json").unlink()
    with pytest.raises(CorpusFileError, match="labels.json"):
        load_corpus(corpus_copy)


def test_a_corpus_with_the_old_file_name_still_reads(corpus_copy, caplog):
    """Corpora built before the rename hold manifest.jsonl: read, with one log line, not rebuilt."""
    from training.corpus.clip_index import clip_labels

    before = read_clip_index(corpus_copy / "clips.jsonl")
    (corpus_copy / "clips.jsonl").rename(corpus_copy / "manifest.jsonl")
    with caplog.at_level("WARNING"):
        assert load_corpus(corpus_copy).rows == before
        assert read_clip_index(corpus_copy / "clips.jsonl") == before
        assert clip_labels(corpus_copy / "clips.jsonl")[before[0].id] == tuple(before[0].labels)
    assert "old name" in caplog.text and "manifest.jsonl" in caplog.text
