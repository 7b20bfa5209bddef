"""Loaders for real datasets, on small files in each dataset's own schema."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import main
from training.corpus.clip_files import write_wav
from training.corpus.folder import load_corpus
from training.corpus.events import event
from training.corpus.loaders.audiocaps import load_audiocaps
from training.corpus.loaders.audioset import load_audioset
from training.corpus.loaders.common import ImportOptions, write_imported
from training.corpus.loaders.esc50 import load_esc50
from training.corpus.loaders.jsonl import load_jsonl
from training.errors import AudioReadError, CorpusFileError


def _wav(path, seconds=1.0, sr=16000):
    write_wav(path, 0.1 * np.sin(np.arange(int(seconds * sr)) / 5.0), sample_rate=sr)
    return path


AUDIOCAPS = """audiocap_id,youtube_id,start_time,caption
91139,r1nicOVtvkQ,130,A woman talks nearby as water pours
58146,UDGBjjwyaqE,20,Multiple clanging and clanking sounds
11542,r1nicOVtvkQ,130,"A dog barks, then a woman speaks"
"""


def test_audiocaps_merges_captions_and_tags_from_them(tmp_path):
    (tmp_path / "val.csv").write_text(AUDIOCAPS)
    _wav(tmp_path / "audio" / "r1nicOVtvkQ_130.wav", 2.0)
    _wav(tmp_path / "audio" / "58146.wav", 1.0, sr=32000)
    rows = load_audiocaps(tmp_path / "val.csv", ImportOptions(audio_dir=tmp_path / "audio"))
    assert [r.id for r in rows] == ["audiocaps-UDGBjjwyaqE-20", "audiocaps-r1nicOVtvkQ-130"]
    clank, talk = rows
    assert talk.split == "validation" and talk.duration_s == 2.0 and talk.sample_rate == 16000
    assert talk.caption == "A dog barks, then a woman speaks"  # lowest audiocap_id
    assert talk.labels == ["dog_barking", "speech"] and talk.events[0]["onset_s"] is None
    assert clank.labels == ["clang"] and clank.sample_rate == 32000  # "clanging": an everyday label since issue 16
    assert talk.audio.startswith("/")


def test_missing_audio_names_file_and_line_unless_skipped(tmp_path):
    (tmp_path / "train.csv").write_text(AUDIOCAPS)
    (tmp_path / "audio").mkdir()
    with pytest.raises(AudioReadError, match=r"train.csv:4: no audio file found"):
        load_audiocaps(tmp_path / "train.csv", ImportOptions(audio_dir=tmp_path / "audio"))
    assert load_audiocaps(tmp_path / "train.csv", ImportOptions(audio_dir=tmp_path / "audio", skip_missing=True)) == []


def test_audiocaps_bad_row(tmp_path):
    (tmp_path / "train.csv").write_text("audiocap_id,youtube_id,start_time,caption\nx,a,1,hello\n")
    with pytest.raises(CorpusFileError, match=r"train.csv:2: audiocap_id and start_time must be numbers"):
        load_audiocaps(tmp_path / "train.csv", ImportOptions(audio_dir=tmp_path))
    (tmp_path / "train.csv").write_text("id,caption\n1,x\n")
    with pytest.raises(CorpusFileError, match="missing column"):
        load_audiocaps(tmp_path / "train.csv", ImportOptions(audio_dir=tmp_path))


ESC50 = """filename,fold,target,category,esc10,src_file,take
1-100032-A-0.wav,1,0,dog,True,100032,A
4-102844-A-49.wav,4,49,hand_saw,False,102844,A
5-103415-A-38.wav,5,38,clock_tick,False,103415,A
"""


def test_esc50_folds_and_library_labels(tmp_path):
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "esc50.csv").write_text(ESC50)
    for name in ("1-100032-A-0.wav", "4-102844-A-49.wav", "5-103415-A-38.wav"):
        _wav(tmp_path / "audio" / name, 5.0, sr=44100)
    rows = load_esc50(tmp_path, ImportOptions(audio_dir=None))
    got = {r.id: (r.split, r.labels, r.sample_rate) for r in rows}
    assert got == {"esc50-1-100032-A-0": ("train", ["dog_barking"], 44100),
                   "esc50-4-102844-A-49": ("validation", ["hand_saw"], 44100),
                   "esc50-5-103415-A-38": ("test", ["clock_ticking"], 44100)}
    corpus = write_imported(tmp_path / "out", rows)
    entries = {e["label"]: e for e in corpus.labels}
    assert entries["hand_saw"]["name"] == "hand saw" and entries["dog_barking"]["name"] == "a dog barking"
    assert load_corpus(tmp_path / "out", check_audio=True).stats["label_counts"]["hand_saw"] == 1


ONTOLOGY = [{"id": "/m/09x0r", "name": "Speech"}, {"id": "/m/01y3hg", "name": "Smoke detector, smoke alarm"},
            {"id": "/m/0bt9lr", "name": "Dog"}, {"id": "/m/0ytgt", "name": "Child speech, kid speaking"}]
SEGMENTS = """# Segments csv created Sun Mar  5 10:54:31 2017
# num_ytids=2, num_segs=2, num_unique_labels=3, num_positive_labels=4
# YTID, start_seconds, end_seconds, positive_labels
--PJHxphWEs, 30.000, 40.000, "/m/09x0r,/m/0ytgt"
-0RWZT-miFs, 420.000, 430.000, "/m/01y3hg,/m/0bt9lr"
"""


@pytest.mark.parametrize("ontology_kind", ["json", "csv"])
def test_audioset_segments_with_ontology(tmp_path, ontology_kind):
    if ontology_kind == "json":
        ontology = tmp_path / "ontology.json"
        ontology.write_text(json.dumps(ONTOLOGY))
    else:
        ontology = tmp_path / "class_labels_indices.csv"
        ontology.write_text("index,mid,display_name\n" + "".join(
            f'{i},{c["id"]},"{c["name"]}"\n' for i, c in enumerate(ONTOLOGY)))
    (tmp_path / "eval_segments.csv").write_text(SEGMENTS)
    _wav(tmp_path / "a" / "Y--PJHxphWEs_30.000_40.000.wav")
    _wav(tmp_path / "a" / "-0RWZT-miFs.wav")
    rows, synonyms = load_audioset(tmp_path / "eval_segments.csv", ontology, ImportOptions(audio_dir=tmp_path / "a"))
    got = {r.id: (r.split, r.labels) for r in rows}
    assert got == {"audioset---PJHxphWEs-30000": ("test", ["child_speech", "speech"]),
                   "audioset--0RWZT-miFs-420000": ("test", ["dog", "smoke_alarm"])}
    assert synonyms["child_speech"] == ["child speech", "kid speaking"]
    corpus = write_imported(tmp_path / "out", rows, synonyms)
    # child_speech is a library label since issue 16: labels.json carries the library's entry
    assert {e["label"]: e["synonyms"] for e in corpus.labels}["child_speech"] == list(event("child_speech").synonyms)


def test_audioset_unknown_label_id(tmp_path):
    (tmp_path / "ontology.json").write_text(json.dumps(ONTOLOGY[:1]))
    (tmp_path / "seg.csv").write_text('abc, 0.000, 10.000, "/m/nope"\n')
    with pytest.raises(CorpusFileError, match=r"seg.csv:1: label id '/m/nope' is not in the ontology"):
        load_audioset(tmp_path / "seg.csv", tmp_path / "ontology.json", ImportOptions(audio_dir=tmp_path))


def test_generic_jsonl(tmp_path):
    _wav(tmp_path / "clips" / "a.wav")
    _wav(tmp_path / "clips" / "b.wav")
    (tmp_path / "data.jsonl").write_text(
        json.dumps({"audio": "clips/a.wav", "tags": ["Smoke alarm", "Cat meowing"]}) + "\n"
        + json.dumps({"audio": str(tmp_path / "clips" / "b.wav"), "caption": "A siren and no music.", "split": "test"})
        + "\n")
    a, b = load_jsonl(tmp_path / "data.jsonl", ImportOptions(audio_dir=None))
    assert (a.id, a.labels, a.split) == ("a", ["cat_meow", "smoke_alarm"], "train")  # "cat": a library label
    assert (b.id, b.labels, b.split, b.caption) == ("b", ["siren"], "test", "A siren and no music.")


@pytest.mark.parametrize("line, needle", [
    ('{"tags": ["x"]}', '"audio"'),
    ('{"audio": "a.wav", "tags": "x"}', '"tags" must be a list'),
    ('{"audio": "a.wav", "split": "dev"}', "split 'dev'"),
    ('not json', "not valid JSON"),
])
def test_generic_jsonl_errors_name_the_line(tmp_path, line, needle):
    _wav(tmp_path / "a.wav")
    (tmp_path / "d.jsonl").write_text('{"audio": "a.wav"}\n' + line + "\n")
    with pytest.raises(CorpusFileError, match=needle) as err:
        load_jsonl(tmp_path / "d.jsonl", ImportOptions(audio_dir=None))
    assert "d.jsonl line 2" in str(err.value)


def test_import_cli_writes_a_corpus_folder(tmp_path, capsys):
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "esc50.csv").write_text(ESC50)
    for name in ("1-100032-A-0.wav", "4-102844-A-49.wav", "5-103415-A-38.wav"):
        _wav(tmp_path / "audio" / name)
    assert main(["corpus", "import", "esc50", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    assert "imported 3 clips" in capsys.readouterr().out
    assert load_corpus(tmp_path / "out", check_audio=True).stats["splits"] == {"test": 1, "train": 1, "validation": 1}


def test_hf_datasets_audio_column(tmp_path):
    datasets = pytest.importorskip("datasets", reason="Hugging Face `datasets` is an optional dependency")
    from training.corpus.loaders.hf import load_hf

    sr = 22050
    ds = datasets.Dataset.from_dict({
        "audio": [{"array": np.zeros(sr, dtype=np.float32), "sampling_rate": sr}],
        "labels": [["Dog"]], "text": ["a dog barks"]})
    rows = load_hf(ds, tmp_path, "train", tags_column="labels", caption_column="text")
    assert rows[0].labels == ["dog"] and rows[0].duration_s == 1.0


def test_hf_loader_on_plain_rows(tmp_path):
    """The same code path without `datasets`: any iterable of dicts with decoded audio."""
    from training.corpus.loaders.hf import load_hf

    rows = load_hf([{"audio": {"array": np.zeros((2, 8000)), "sampling_rate": 8000}, "caption": "A siren wails."}],
                   tmp_path, "test", caption_column="caption")
    (row,) = rows
    assert (row.labels, row.split, row.duration_s, row.sample_rate) == (["siren"], "test", 1.0, 16000)
    assert (tmp_path / row.audio).is_file()
    with pytest.raises(CorpusFileError, match="row 0: no column 'audio'"):
        load_hf([{"sound": 1}], tmp_path, "train")
