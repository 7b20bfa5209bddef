"""Benchmark and predictions loaders: each format from a small fixture, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training.data import benchmark_io as bio
from training.errors import EvalError

FIXTURES = Path(__file__).parents[1] / "eval" / "fixtures"  # the benchmark files `listen eval`'s tests read too


def _wav(path: Path) -> Path:
    from training.corpus.clip_files import write_wav

    write_wav(path, np.zeros(1600, dtype=np.float32))
    return path


def test_kuan_csv_with_audio_dir(tmp_path):
    audio = tmp_path / "audiocaps"
    _wav(audio / "Y7fmOlUlwoNg.wav")
    _wav(audio / "YAbC_123.flac")
    rows = bio.load_rows(FIXTURES / "kuan_bench.csv", audio_dir=audio, need_audio=True)
    assert [r.label for r in rows] == ["yes", "no", "no", "yes"]  # "Yes"/"No" normalised
    assert [r.sampling for r in rows] == ["random", "random", "popular", "adversarial"]
    assert rows[0].audio == str((audio / "Y7fmOlUlwoNg.wav").resolve())
    assert rows[3].audio.endswith("YAbC_123.flac")
    assert rows[0].clip == rows[1].clip == "Y7fmOlUlwoNg"
    assert rows[1].object == "siren, loud"  # a quoted cell with a comma
    assert rows[0].template == "Is there a sound of {obj} in the audio?"
    assert rows[2].template == "Does the audio contain the sound of {obj}?"  # "a rain": the article joins {obj}
    assert rows[0].where == f"{FIXTURES / 'kuan_bench.csv'} row 1"
    assert rows[0].fields["entry_id"] == "0"


def test_kuan_csv_without_audio_is_fine_for_scoring_but_not_for_answering(tmp_path):
    rows = bio.load_rows(FIXTURES / "kuan_bench.csv")
    assert all(r.audio == "" for r in rows)
    with pytest.raises(EvalError, match=r"kuan_bench\.csv row 1: no audio .*--audio-dir"):
        bio.load_rows(FIXTURES / "kuan_bench.csv", need_audio=True)


def test_synth_jsonl_resolves_relative_audio_and_reads_labels():
    rows = bio.load_rows(FIXTURES / "synth_bench.jsonl")
    assert len(rows) == 2  # the blank line is skipped
    assert rows[0].audio == str((FIXTURES / "clips" / "c0.wav").resolve())
    assert rows[0].template == "Is there a sound of {obj} in the audio?"  # object_name "a smoke alarm" replaced
    assert rows[1].template == "Is {obj} audible in this recording?"
    assert rows[0].clip_labels is None and rows[1].clip_labels == ("smoke_alarm", "speech")
    assert rows[1].where.endswith("synth_bench.jsonl line 3")


def test_predictions_file_reads_answers_and_open_rows():
    rows = bio.load_rows(FIXTURES / "predictions.jsonl", need_answer=True)
    assert [r.answer for r in rows][:2] == ["Yes, a dog barks.", "Yes."]
    assert rows[0].p_yes == 0.9 and rows[1].p_yes is None
    assert rows[-1].is_open and rows[-1].label == "" and rows[-1].clip_labels == ("dog_barking", "speech")


def _bad(tmp_path, text: str, name: str = "bad.jsonl") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


GOOD = {"audio_index": "a", "prompt_text": "Is there a siren?", "object": "siren", "label": "no", "sampling": "random"}


@pytest.mark.parametrize("row, message", [
    ({**GOOD, "label": "maybe"}, r"line 2: label 'maybe' must be 'yes' or 'no'"),
    ({k: v for k, v in GOOD.items() if k != "label"}, r"line 2: label '\(missing\)' must be"),
    ({**GOOD, "sampling": "popularity"}, r"line 2: sampling 'popularity' must be one of random, popular, adversarial"),
    ({**GOOD, "attribute": "positive"}, r"line 2: attribute 'positive' disagrees with label 'no'"),
    ({k: v for k, v in GOOD.items() if k != "prompt_text"}, r"line 2: missing column 'prompt_text' or 'question'"),
    ({**GOOD, "prompt_text": ["a"]}, r"line 2: 'prompt_text' must be text"),
    ({**GOOD, "labels": "[oops"}, r"line 2: labels '\[oops' is not a JSON list"),
    ({**GOOD, "attribute": "open"}, r"line 2: an open-question row .* drop label 'no'"),
])
def test_bad_rows_name_the_file_and_line(tmp_path, row, message):
    p = _bad(tmp_path, json.dumps(GOOD) + "\n" + json.dumps(row) + "\n")
    with pytest.raises(EvalError, match=message) as err:
        bio.load_rows(p)
    assert str(p) in str(err.value) and "\n" not in str(err.value)


def test_file_level_errors(tmp_path):
    with pytest.raises(EvalError, match=r"line 1 is not valid JSON"):
        bio.load_rows(_bad(tmp_path, "{nope\n"))
    with pytest.raises(EvalError, match=r"line 1 is a JSON list"):
        bio.load_rows(_bad(tmp_path, "[1, 2]\n"))
    with pytest.raises(EvalError, match=r"holds no rows"):
        bio.load_rows(_bad(tmp_path, "\n"))
    with pytest.raises(EvalError, match=r"does not exist"):
        bio.load_rows(tmp_path / "missing.jsonl")
    with pytest.raises(EvalError, match=r"unknown format '\.txt'"):
        bio.load_rows(_bad(tmp_path, "x", "bench.txt"))
    with pytest.raises(EvalError, match=r"bad\.csv row 2 has more cells than the header"):
        bio.load_rows(_bad(tmp_path, "prompt_text,label,sampling\nIs it?,yes,random\nIs it?,no,random,extra\n", "bad.csv"))
    p = _bad(tmp_path, json.dumps(GOOD) + "\n", "noanswer.jsonl")
    with pytest.raises(EvalError, match=r"noanswer\.jsonl line 1: missing 'answer'"):
        bio.load_rows(p, need_answer=True)


def test_subsample_is_reproducible_and_keeps_open_rows():
    rows = [bio.parse_row(f"r{i}", {**GOOD, "sampling": s, "prompt_text": f"q{i}", "label": "yes" if i % 2 else "no"}, Path("."))
            for i, s in enumerate(["random"] * 5 + ["popular"] * 5 + ["adversarial"] * 2)]
    rows += bio.open_question_rows(rows[:1], "What do you hear?")
    a, b = bio.subsample(rows, 2, seed=3), bio.subsample(rows, 2, seed=3)
    assert a == b
    assert [r.sampling for r in a].count("random") == 2 and [r.sampling for r in a].count("adversarial") == 2
    assert a[-1].is_open
    assert bio.subsample(rows, 0) == rows


def test_subsample_is_balanced_per_sampling():
    rows = [bio.parse_row(f"r{i}{s}", {"audio": f"a{i}", "prompt_text": "q", "label": "yes" if i % 4 else "no", "sampling": s},
                          Path("."))
            for i in range(120) for s in ("random", "popular")]
    picked = bio.subsample(rows, 10, seed=0)
    for s in ("random", "popular"):
        group = [r for r in picked if r.sampling == s]
        assert len(group) == 10 and sum(r.label == "yes" for r in group) == 5
    assert bio.subsample(rows, 10, seed=0) == picked and len(bio.subsample(rows, 0, 0)) == len(rows)


def test_validation_and_listen_eval_score_the_same_rows(tmp_path):
    """The training run's validation rows and `listen eval --rows N --seed S` are one draw."""
    from training.data.batches import load_examples
    from training.eval.evaluation import EvalRequest, rows_to_answer

    bench = []
    for i in range(40):
        _wav(tmp_path / "held_out" / f"h{i}.wav")
        for s in bio.SAMPLINGS:
            bench.append({"audio": f"held_out/h{i}.wav", "prompt_text": f"Is there a siren? ({s})", "object": "siren",
                          "label": "yes" if (i + len(s)) % 3 else "no", "sampling": s})
    (tmp_path / "bench.jsonl").write_text("".join(json.dumps(r) + "\n" for r in bench))
    (tmp_path / "rows.jsonl").write_text(json.dumps({"audio": "t.wav", "question": "q", "answer": "a"}) + "\n")
    for seed in (0, 7):
        validation = load_examples(train_data=str(tmp_path / "rows.jsonl"), clip_index="",
                                   val_data=str(tmp_path / "bench.jsonl"), eval_rows=6, seed=seed)[1]
        listen_eval = rows_to_answer(EvalRequest("checkpoint", tmp_path, str(tmp_path / "bench.jsonl"),
                                                 rows_per_sampling=6, seed=seed))
        assert [r.where for r in validation] == [r.where for r in listen_eval]
        assert len(validation) == 18 and sum(r.label == "yes" for r in validation) == 9


def test_clip_index_labels_and_open_questions(tmp_path):
    from training.corpus.clip_index import ClipRecord, clip_labels, write_clip_index

    corpus = tmp_path / "corpus"
    write_clip_index(corpus / "clips.jsonl", [ClipRecord("c0", "audio/c0.wav", "test", 1.0, 16000, ["siren"])])
    row = bio.parse_row("r", {**GOOD, "audio": str(corpus / "audio" / "c0.wav"), "audio_index": 7}, tmp_path)
    by_id = bio.parse_row("r", {**GOOD, "clip_id": "c0", "audio_index": 8}, tmp_path)
    labelled = bio.with_clip_labels([row, by_id], clip_labels(corpus / "clips.jsonl"))
    assert [r.clip_labels for r in labelled] == [("siren",), ("siren",)]
    opened = bio.open_question_rows(labelled + labelled, "Describe the sounds.")
    assert len(opened) == 2 and {r.clip for r in opened} == {"7", "8"}
    assert opened[0].fields["labels"] == ["siren"] and opened[0].is_open


def test_prediction_records_round_trip(tmp_path):
    rows = bio.load_rows(FIXTURES / "synth_bench.jsonl")
    recs = [bio.prediction_record(r, f"answer {i}", 0.25 if i else None) for i, r in enumerate(rows)]
    path = bio.write_predictions(recs, tmp_path / "p.jsonl")
    again = bio.load_rows(path, need_answer=True)
    assert [r.answer for r in again] == ["answer 0", "answer 1"]
    assert [r.p_yes for r in again] == [None, 0.25]
    assert [r.audio for r in again] == [r.audio for r in rows]
    assert [(r.label, r.sampling, r.template) for r in again] == [(r.label, r.sampling, r.template) for r in rows]


def test_join_answers_by_entry_id_or_order():
    bench = bio.load_rows(FIXTURES / "kuan_bench.csv")
    joined = bio.join_answers(bench, [{"entry_id": 3, "answer": "d"}, {"entry_id": 0, "answer": "a"},
                                      {"entry_id": 2, "answer": "c"}, {"entry_id": 1, "answer": "b", "p_yes": 0.5}], "p")
    assert [r.answer for r in joined] == ["a", "b", "c", "d"] and joined[1].p_yes == 0.5
    assert [r.answer for r in bio.join_answers(bench, [{"answer": x} for x in "wxyz"], "p")] == list("wxyz")
    with pytest.raises(EvalError, match="p holds 1 answers for 4 benchmark rows"):
        bio.join_answers(bench, [{"answer": "x"}], "p")
    with pytest.raises(EvalError, match="entry_id '1' has no answer in p"):
        bio.join_answers(bench, [{"entry_id": 0, "answer": "a"}], "p")


def test_hugging_face_dataset_with_an_audio_column(tmp_path):
    datasets = pytest.importorskip("datasets", reason="Hugging Face `datasets` is an optional dependency")
    wav = _wav(tmp_path / "src" / "clip.wav")
    ds = datasets.Dataset.from_dict({
        "entry_id": [0, 1],
        "audio_index": ["clipA", "clipA"],
        "audio": [str(wav), str(wav)],
        "prompt_text": ["Is there a sound of rain in the audio?", "Is there a sound of music in the audio?"],
        "object": ["rain", "music"], "attribute": ["positive", "negative"], "label": ["yes", "no"],
        "sampling": ["random", "random"],
    }).cast_column("audio", datasets.Audio())
    folder = tmp_path / "hf"
    datasets.DatasetDict({"test": ds}).save_to_disk(str(folder))  # embeds the audio bytes
    wav.unlink()  # so the loader must write the bytes out
    rows = bio.load_rows(f"hf:{folder}", need_audio=True, audio_cache=tmp_path / "cache")
    assert [r.label for r in rows] == ["yes", "no"] and rows[0].where == f"{folder} row 0"
    assert rows[0].audio == str((tmp_path / "cache" / "clipA.wav").resolve()) and Path(rows[0].audio).is_file()
    assert rows[0].clip == "clipA"
    assert rows[1].template == "Is there a sound of {obj} in the audio?"
    # the parquet export of the paper's text-only tables reads the same way
    pq = tmp_path / "bench.parquet"
    ds.remove_columns("audio").to_parquet(str(pq))
    assert [r.object for r in bio.load_rows(pq)] == ["rain", "music"]
