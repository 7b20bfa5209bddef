"""`listen presence card`: the model card is built from eval folders, and says what they say."""

import json
import subprocess
import sys

from training.data.benchmark_io import BenchmarkRow
from training.eval.score import evaluate_rows


def write_eval(folder, answers):
    """A metrics.json as `listen eval --out` writes it, from (label, answer, p_yes) rows."""
    rows = [BenchmarkRow("t", {}, "", f"c{i}", "Is there a dog?", "dog", "positive" if lab == "yes" else "negative",
                         lab, s, "Is there {obj}?", None, ans, p)
            for i, (lab, ans, p) in enumerate(answers) for s in ("random", "popular", "adversarial")]
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(evaluate_rows(rows, [{"label": "dog", "name": "a dog", "synonyms": []}])))
    (folder / "predictions.jsonl").write_text("".join(json.dumps({"label": lab, "object": "dog_barking", "answer": ans}) + "\n"
                                                      for lab, ans, _ in answers))


def test_card_tables_come_from_the_eval_folders(tiny_presence_checkpoint, tmp_path):
    import shutil

    ckpt = tmp_path / "ckpt"
    shutil.copytree(tiny_presence_checkpoint, ckpt)
    write_eval(tmp_path / "real", [("yes", "Yes, I hear a dog.", 0.9), ("no", "No, I don't hear a dog.", 0.1),
                                   ("no", "I can't tell if I hear a dog.", 0.5), ("yes", "No, I don't hear a dog.", 0.2)])
    write_eval(tmp_path / "noneg", [("yes", "I can't tell if I hear a dog.", 0.5), ("no", "I can't tell.", 0.5)])
    (tmp_path / "notes.md").write_text("## Goals\n\nmissed, and why")
    proc = subprocess.run([sys.executable, "-m", "core.cli", "presence", "card", "--checkpoint", str(ckpt),
                           "--eval", f"real={tmp_path / 'real'}", "--ablation", f"without negatives={tmp_path / 'noneg'}",
                           "--reference", "real", "--notes", str(tmp_path / "notes.md")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    card = (ckpt / "MODEL_CARD.md").read_text()
    # per sampling: 3 of 4 right ("can't tell" about an absent sound is not a yes); F1(no) from
    # precision 2/3 and recall 1; yes-ratio 1/4; one "can't tell" per sampling, nothing else
    # of the two present dogs (a trained label), one was answered yes
    assert "| real | 75.0 / 80.0 / 25.0 | 75.0 / 80.0 / 25.0 | 75.0 / 80.0 / 25.0 | 75.0 / 80.0 / 25.0 | 50.0 | 3 | 0 |" in card
    assert "| without negatives | 50.0 / 66.7 / 0.0 |" in card and "missed, and why" in card
    assert (ckpt / "reliability.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((ckpt / "presence_card.json").read_text())["splits"]["real"]["answer_kinds"]["cant_tell"] == 3


def test_card_refuses_a_folder_without_metrics(tiny_presence_checkpoint, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "core.cli", "presence", "card", "--checkpoint", str(tiny_presence_checkpoint),
                           "--eval", f"real={tmp_path}"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "metrics.json" in proc.stderr and "Traceback" not in proc.stderr


def test_the_open_path_section_reports_the_held_out_labels_numbers(tiny_presence_checkpoint, tmp_path):
    import shutil

    ckpt = tmp_path / "ckpt"
    shutil.copytree(tiny_presence_checkpoint, ckpt)
    meta = json.loads((ckpt / "presence.json").read_text())
    meta["metrics"]["zero_shot"] = {
        "labels": ["cow", "goat"], "refused_as_novel": 0.25,
        "metrics": {"n": 8, "accuracy": 0.5, "f1_no": 0.6, "yes_ratio": 0.125, "cant_tell": 0.0, "ece": 0.31},
        "gated": {"n": 8, "accuracy": 0.5, "f1_no": 0.6, "yes_ratio": 0.125, "cant_tell": 0.0, "ece": 0.04},
        "with_rule": {"n": 8, "accuracy": 0.5, "f1_no": 0.6, "yes_ratio": 0.0, "cant_tell": 0.375, "ece": 0.31},
        "accuracy_by_nearest_trained_cosine": {"0.100-0.400": {"n": 4, "present": 0.5, "accuracy": 0.25},
                                               "0.400-0.900": {"n": 4, "present": 0.5, "accuracy": 0.75}}}
    (ckpt / "presence.json").write_text(json.dumps(meta))
    proc = subprocess.run([sys.executable, "-m", "core.cli", "presence", "card", "--checkpoint", str(ckpt)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    card = (ckpt / "MODEL_CARD.md").read_text()
    assert "2 labels held out of training" in card and "cow, goat" in card
    assert "| Platt only, P >= 0.5 | 50.0 | 60.0 | 12.5 | - | 0.310 |" in card
    assert "| with the novelty gate | 50.0 | 60.0 | 12.5 | - | 0.040 |" in card and "| 37.5 | - |" in card
    assert "| 0.100-0.400 | 4 | 50.0 | 25.0 |" in card and "25.0 % fall below the novelty floor" in card


def test_heard_counts_the_trained_labels_of_the_bundle_that_was_evaluated(tmp_path):
    """A "before" bundle trained on fewer labels is judged on its own labels, not the new model's."""
    from training.presence.card import evaluated_trained_labels

    bundle = tmp_path / "before"
    bundle.mkdir()
    (bundle / "manifest.json").write_text(json.dumps({"presence": {"vocabulary": [["a dog", "dog"], ["dogs", "dog"], ["a cat", "cat"]]}}))
    assert evaluated_trained_labels({"system": {"path": str(bundle)}}, {"x"}) == {"dog", "cat"}
    # no bundle on disk (or no presence model in it): the card's own trained labels
    assert evaluated_trained_labels({"system": {"path": str(tmp_path / "gone")}}, {"x"}) == {"x"}
    assert evaluated_trained_labels({}, {"x"}) == {"x"}
