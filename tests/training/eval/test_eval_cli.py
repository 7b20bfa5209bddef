"""`listen eval --predictions` and `--compare` end to end, as the user runs them (subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def listen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.cli", "eval", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("eval") / "run"
    proc = listen("--predictions", FIXTURES / "predictions.jsonl", "--out", out, "--title", "fixture run")
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_predictions_are_scored_as_worked_out_by_hand(scored):
    out, stdout = scored
    result = json.loads((out / "metrics.json").read_text())
    paper, strict = result["parsers"]["paper"], result["parsers"]["first_word"]
    # paper: yes->yes 2 (incl. "Yesterday, yes."), yes->no 1 ("I can't tell."), no->yes 1, no->no 2
    assert paper["all"]["confusion"] == {"yes": {"yes": 2, "no": 1, "unparsable": 0},
                                         "no": {"yes": 1, "no": 2, "unparsable": 0}}
    assert paper["all"]["accuracy"] == pytest.approx(4 / 6)
    assert paper["all"]["f1_no"] == pytest.approx(2 / 3)
    assert paper["all"]["yes_ratio"] == pytest.approx(0.5)
    assert paper["by_sampling"]["random"]["accuracy"] == pytest.approx(0.5)
    assert paper["by_sampling"]["adversarial"]["accuracy"] == pytest.approx(1.0)
    # first word: "I can't tell." and "Yesterday, yes." are unparsable
    assert strict["all"]["unparsable"] == 2
    assert strict["all"]["accuracy"] == pytest.approx(3 / 6)
    assert strict["all"]["f1_no"] == pytest.approx(0.8)  # P = 2/2, R = 2/3
    assert set(paper["by_template"]) == {"Is there a sound of {obj} in the audio?",
                                         "Does the audio contain the sound of {obj}?",
                                         "Can you detect the sound of {obj} in the audio?"}
    m = result["mentions"]  # "A dog barks and a siren wails." on a clip with a dog and speech
    assert (m["n_answers"], m["answers_hallucinating"], m["mentions"], m["mentions_hallucinated"]) == (1, 1, 2, 1)
    assert m["coverage"] == pytest.approx(0.5) and m["exact_labels"] == 1
    assert result["labels_source"] == "the built-in event library"
    report = (out / "report.md").read_text()
    assert report == stdout.split("\nwrote ")[0]
    assert "## fixture run" in report
    assert "| all | 6 | 66.7 | 66.7 | 66.7 | 66.7 | 50.0 |" in report
    assert "| random (first word): expected \\ answered | yes | no | unparsable |" in report
    assert "names absent siren" in report


def test_predictions_joined_to_a_benchmark_by_entry_id(tmp_path):
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps({"entry_id": i, "answer": a}) + "\n"
                               for i, a in [(3, "Yes."), (2, "No."), (1, "No."), (0, "no")]))
    proc = listen("--predictions", answers, "--benchmark", FIXTURES / "kuan_bench.csv", "--out", tmp_path / "o")
    assert proc.returncode == 0, proc.stderr
    paper = json.loads((tmp_path / "o" / "metrics.json").read_text())["parsers"]["paper"]
    assert paper["all"]["confusion"]["yes"] == {"yes": 1, "no": 1, "unparsable": 0}
    assert paper["all"]["confusion"]["no"] == {"yes": 0, "no": 2, "unparsable": 0}


def test_compare_prints_runs_beside_the_papers(scored, tmp_path):
    out, _ = scored
    proc = listen("--compare", out, out / "metrics.json", "--names", "a,b", "--reference", "listen",
                  "--reference", "kuan2024", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # random: yes->yes, no->yes (all yes); popular: no->no, yes->no (all no); adversarial: both right
    assert lines[2] == "| a | 50.0 / 0.0 / 100.0 | 50.0 / 66.7 / 0.0 | 100.0 / 100.0 / 50.0 | 66.7 / 66.7 / 50.0 | 2 | 100.0 % |"
    assert lines[3].startswith("| b | 50.0 / 0.0 / 100.0 |")
    assert "| *LISTEN paper: positives + negatives* | - | - | - | 77.5 / 77.1 / - | - | - |" in lines
    assert any(line.startswith("| *SALMONN-13B* | 67.6 / 53.1 / 81.1 |") for line in lines)
    assert (tmp_path / "comparison.md").read_text() == proc.stdout


@pytest.mark.parametrize("args, message", [
    (["--predictions", "nope.jsonl"], "nope.jsonl does not exist"),
    (["--checkpoint", "ckpt"], "--checkpoint needs --benchmark FILE"),
    (["--compare", "a", "b", "--names", "x"], "--names gives 1 names for 2 runs"),
    (["--compare", "missing"], "missing does not exist; pass a metrics.json"),
])
def test_errors_are_one_line_and_exit_2(tmp_path, args, message):
    proc = subprocess.run([sys.executable, "-m", "core.cli", "eval", *args], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
