"""Parsers and metrics against answers and confusion matrices worked out by hand."""

from __future__ import annotations

import pytest

from core.answers import paper_says_yes
from training.eval.metrics import (
    Confusion, ScoredRow, parse_first_word, parse_paper, score_all_parsers, score_rows, yes_no_metrics,
)

# answer, paper parser, first-word parser
PARSER_TABLE = [
    ("Yes.", "yes", "yes"),
    ("yes, but", "yes", "yes"),
    ("No, there isn't", "no", "no"),
    ("I can't tell", "no", "unparsable"),
    ("", "no", "unparsable"),
    ("YES!", "yes", "yes"),
    ("Yesterday I heard a dog", "no", "unparsable"),  # whole-word rule: "Yesterday" is not yes
    ("  ...no.", "no", "no"),
    ("No. Yes, there is one.", "yes", "no"),  # the paper's rule: containing yes is yes
    ("Nope", "no", "unparsable"),
    ("I think yes", "yes", "unparsable"),
    ("Eyes open", "no", "unparsable"),
    ("NO", "no", "no"),
    ("\"Yes\", I hear it", "yes", "yes"),
]


@pytest.mark.parametrize("answer, paper, first", PARSER_TABLE)
def test_parsers_on_tricky_answers(answer, paper, first):
    assert parse_paper(answer) == paper
    assert parse_first_word(answer) == first
    assert paper_says_yes(answer) == (paper == "yes")


def approx(d: dict) -> dict:
    return {k: (pytest.approx(v) if isinstance(v, float) else v) for k, v in d.items()}


def test_metrics_of_a_mixed_matrix():
    # expected yes,yes,yes,no,no,no,no ; predicted yes,no,yes,no,yes,no,no
    # yes->yes 2, yes->no 1, no->yes 1, no->no 3: n 7
    c = Confusion.from_pairs(zip("yes yes yes no no no no".split(), "yes no yes no yes no no".split()))
    assert c == Confusion(yes_yes=2, yes_no=1, no_yes=1, no_no=3)
    assert c.metrics() == approx({
        "n": 7, "accuracy": 5 / 7, "precision_no": 3 / 4, "recall_no": 3 / 4, "f1_no": 0.75,
        "yes_ratio": 3 / 7, "unparsable": 0, "unparsable_ratio": 0.0,
    })


def test_metrics_with_unparsable_answers():
    # yes->unparsable, yes->yes, no->no, no->unparsable: unparsable answers are wrong, never "no"
    c = Confusion.from_pairs([("yes", "unparsable"), ("yes", "yes"), ("no", "no"), ("no", "unparsable")])
    assert c.metrics() == approx({
        "n": 4, "accuracy": 0.5, "precision_no": 1.0, "recall_no": 0.5, "f1_no": 2 / 3,
        "yes_ratio": 0.25, "unparsable": 2, "unparsable_ratio": 0.5,
    })
    assert c.table() == {"yes": {"yes": 1, "no": 0, "unparsable": 1}, "no": {"yes": 0, "no": 1, "unparsable": 1}}


def test_all_yes_has_zero_f1_of_no():
    c = Confusion.from_pairs(zip(["yes", "yes", "no", "no"], ["yes"] * 4))
    assert c.metrics() == approx({"n": 4, "accuracy": 0.5, "precision_no": 0.0, "recall_no": 0.0, "f1_no": 0.0,
                                  "yes_ratio": 1.0, "unparsable": 0, "unparsable_ratio": 0.0})


def test_all_no_on_a_balanced_set():
    c = Confusion.from_pairs(zip(["yes", "yes", "no", "no"], ["no"] * 4))
    assert c.metrics() == approx({"n": 4, "accuracy": 0.5, "precision_no": 0.5, "recall_no": 1.0, "f1_no": 2 / 3,
                                  "yes_ratio": 0.0, "unparsable": 0, "unparsable_ratio": 0.0})


def test_empty_is_undefined_not_zero():
    m = Confusion().metrics()
    assert m == {"n": 0, "accuracy": None, "precision_no": None, "recall_no": None, "f1_no": None,
                 "yes_ratio": None, "unparsable": 0, "unparsable_ratio": None}
    assert yes_no_metrics([], []) == m


def test_no_expected_no_rows_gives_zero_recall():
    m = Confusion.from_pairs([("yes", "yes"), ("yes", "no")]).metrics()
    assert (m["accuracy"], m["precision_no"], m["recall_no"], m["f1_no"]) == (0.5, 0.0, 0.0, 0.0)


def test_yes_no_metrics_matches_the_confusion_and_refuses_bad_input():
    assert yes_no_metrics(["yes", "no", "no"], ["no", "no", "yes"]) == Confusion(yes_no=1, no_no=1, no_yes=1).metrics()
    with pytest.raises(ValueError, match="2 expected labels but 1"):
        yes_no_metrics(["yes", "no"], ["no"])
    with pytest.raises(ValueError, match="maybe"):
        Confusion.from_pairs([("yes", "maybe")])


def test_confusions_add_up():
    a = Confusion(yes_yes=1, no_unparsable=2)
    b = Confusion(yes_yes=3, no_no=1)
    assert a + b == Confusion(yes_yes=4, no_no=1, no_unparsable=2)
    assert (a + b).n == 7


def test_scores_per_sampling_and_template():
    t1, t2 = "Is there {obj}?", "Did you hear {obj}?"
    rows = [
        ScoredRow("yes", "Yes.", "random", t1),
        ScoredRow("no", "Yes, I think so.", "random", t2),
        ScoredRow("no", "No.", "adversarial", t1),
        ScoredRow("yes", "I can't tell.", "popular", t2),
        ScoredRow("no", "Hmm, no", "popular", t1),
    ]
    paper = score_rows(rows, "paper")
    assert list(paper.by_sampling) == ["random", "popular", "adversarial"]  # the paper's column order
    assert paper.by_sampling["random"] == Confusion(yes_yes=1, no_yes=1)
    assert paper.by_sampling["popular"] == Confusion(yes_no=1, no_no=1)
    assert paper.by_sampling["adversarial"] == Confusion(no_no=1)
    assert paper.by_template[t1] == Confusion(yes_yes=1, no_no=2)
    assert paper.by_template[t2] == Confusion(no_yes=1, yes_no=1)
    assert paper.all == sum(paper.by_sampling.values(), Confusion())

    strict = score_all_parsers(rows)["first_word"]
    assert strict.by_sampling["popular"] == Confusion(yes_unparsable=1, no_unparsable=1)
    d = strict.to_dict()
    assert d["all"]["unparsable"] == 2 and d["all"]["n"] == 5
    assert d["by_template"][t2]["confusion"]["yes"]["unparsable"] == 1
