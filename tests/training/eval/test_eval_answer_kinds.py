"""`listen eval`'s count of how yes/no questions were answered, and the calibration of p_yes."""

from training.data.benchmark_io import BenchmarkRow
from training.eval.score import answer_kinds, evaluate_rows


def row(label: str, answer: str, p_yes: float | None) -> BenchmarkRow:
    return BenchmarkRow("t", {}, "", "c", "Is there a dog?", "dog", "positive" if label == "yes" else "negative",
                        label, "random", "Is there {obj}?", None, answer, p_yes)


def test_answer_kinds_read_the_opening():
    kinds = answer_kinds(["Yes, I hear a dog.", "No, I don't hear a dog.", "I can't tell if I hear a dog.",
                          "The sound of a theremin is heard in the background.", "yes", "Yesterday, a dog"])
    assert kinds == {"yes": 2, "no": 1, "cant_tell": 1, "neither": 2}


def test_evaluate_rows_reports_kinds_and_ece_when_p_yes_is_given():
    rows = [row("yes", "Yes, I hear a dog.", 0.9), row("no", "No, I don't hear a dog.", 0.2),
            row("no", "I can't tell if I hear a dog.", 0.5), row("yes", "No, I don't hear a dog.", 0.3)]
    result = evaluate_rows(rows, [{"label": "dog", "name": "a dog", "synonyms": []}])
    assert result["answer_kinds"] == {"yes": 1, "no": 2, "cant_tell": 1, "neither": 0}
    assert result["calibration"]["n"] == 4 and 0.0 <= result["calibration"]["ece"] <= 1.0
    assert "calibration" not in evaluate_rows([row("yes", "Yes.", None)], [])
