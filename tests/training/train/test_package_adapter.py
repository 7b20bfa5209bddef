"""The model card: evaluations added after packaging sit side by side, training facts stay put."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from training.data.benchmark_io import load_rows
from training.errors import TrainingError
from training.eval.score import evaluate_rows
from training.train.package_adapter import CARD_FILE, CARD_JSON, update_card

ROOT = Path(__file__).resolve().parents[3]
PREDICTIONS = ROOT / "tests" / "training" / "eval" / "fixtures" / "predictions.jsonl"


def scored(flip_to_yes: bool = False) -> dict:
    rows = load_rows(PREDICTIONS, need_answer=True)
    if flip_to_yes:  # an adapter that says yes to everything
        rows = [r if r.is_open else replace(r, answer="Yes.") for r in rows]
    return {"title": "fixture", **evaluate_rows(rows, [])}


@pytest.fixture
def packaged(tmp_path):
    out = tmp_path / "adapter"
    out.mkdir()
    card = {"recipe": "factorised", "encoder": "default", "llm": "default", "adapter_parameters": 1234, "step": 300,
            "seed": 0, "git_commit": "abc123", "data": "rows", "machine": "2 cores", "training_time_s": 600,
            "evaluation": {"trained with negatives (this adapter)": scored(), "trained without negatives": {}},
            "notes": ["old note"], "validation_history": []}
    (out / CARD_JSON).write_text(json.dumps(card))
    (out / "train_config.json").write_text(json.dumps({"batch_size": 16}))
    return out


def test_update_adds_the_without_negatives_row_beside_the_adapter(packaged):
    update_card(packaged, {"trained without negatives": scored(flip_to_yes=True)}, notes=["new note"])
    card = json.loads((packaged / CARD_JSON).read_text())
    assert card["git_commit"] == "abc123" and card["training_time_s"] == 600  # the weights' facts are kept
    assert list(card["evaluation"]) == ["trained with negatives (this adapter)", "trained without negatives"]
    assert card["notes"] == ["new note"]

    text = (packaged / CARD_FILE).read_text()
    side = text.split("### Side by side", 1)[1].split("###", 1)[0]
    rows = [line for line in side.splitlines() if line.startswith("| ")]
    assert rows[1].startswith("| trained with negatives (this adapter) |")
    assert rows[2].startswith("| trained without negatives |")
    all_yes = card["evaluation"]["trained without negatives"]["parsers"]["paper"]["all"]
    assert all_yes["yes_ratio"] == 1.0 and f"/ {all_yes['yes_ratio'] * 100:.1f} |" in rows[2]
    assert "Not trained in this run" not in text and "- new note" in text


def test_update_without_notes_keeps_them(packaged):
    update_card(packaged, {"another run": scored()})
    card = json.loads((packaged / CARD_JSON).read_text())
    assert card["notes"] == ["old note"]
    assert "trained without negatives" not in card["evaluation"]  # empty placeholders are dropped
    assert "another run" in card["evaluation"]


def test_update_of_a_folder_without_a_card_is_one_clear_error(tmp_path):
    with pytest.raises(TrainingError, match="package the checkpoint first"):
        update_card(tmp_path, {})


def test_script_needs_a_checkpoint_or_update(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "package_default_adapter.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--checkpoint" in proc.stderr and "--update" in proc.stderr
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "package_default_adapter.py"), "--update",
                           "--out", str(tmp_path), "--eval-as", "no equals sign"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "NAME=PATH" in proc.stderr and "Traceback" not in proc.stderr
