"""The one definition of yes/no scoring for the object-hallucination benchmark (torch-free).

Parsers (answer text -> predicted class):
- `parse_paper` (Kuan et al. 2024, the number every table reports): an answer that contains
  the word "yes", case-insensitive and as a whole word, is "yes"; anything else, the empty
  answer included, is "no". "Yesterday I heard..." is therefore "no". The rule itself is
  `core.answers.paper_says_yes`, beside the device's stricter rule.
- `parse_first_word` (stricter, reported alongside): the first word decides, "yes" or "no";
  an answer whose first word is neither ("I can't tell", "Yeah", "") is "unparsable".

A `Confusion` counts rows by expected class (yes | no) and predicted class (yes | no |
unparsable); the paper parser never predicts "unparsable". The benchmark's positive class
is **"no"** (does the model say no when the sound is absent?):

    accuracy         = (yes->yes + no->no) / n          (an unparsable answer is wrong)
    precision_no     = no->no / predicted no
    recall_no        = no->no / expected no
    f1_no            = 2 P R / (P + R)
    yes_ratio        = predicted yes / n                (unparsable rows count in n)
    unparsable       = count of unparsable answers; unparsable_ratio = that / n

Degenerate cases, defined once here:
- empty (n = 0): every ratio is None (undefined: JSON null, "-" in tables), counts are 0;
- a zero denominator with n > 0 gives 0.0 (scikit-learn's zero_division=0): a model that
  always says yes has precision_no = recall_no = f1_no = 0 and yes_ratio 1; one that always
  says no on a balanced set has accuracy 0.5, precision_no 0.5, recall_no 1, f1_no 2/3,
  yes_ratio 0; with no "no" row expected, recall_no is 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from core.answers import paper_says_yes

YES, NO, UNPARSABLE = "yes", "no", "unparsable"
EXPECTED = (YES, NO)
PREDICTED = (YES, NO, UNPARSABLE)
SAMPLING_ORDER = ("random", "popular", "adversarial")  # the paper's column order
PARSERS = ("paper", "first_word")

_FIRST_WORD = re.compile(r"^[\W_]*([A-Za-z]+)")


def parse_paper(answer: str) -> str:
    """"yes" if the answer contains the whole word yes (any case), else "no"."""
    return YES if paper_says_yes(answer) else NO


def parse_first_word(answer: str) -> str:
    """"yes" / "no" from the first word (leading punctuation skipped), else "unparsable"."""
    m = _FIRST_WORD.match(answer or "")
    word = m.group(1).lower() if m else ""
    return word if word in (YES, NO) else UNPARSABLE


PARSE = {"paper": parse_paper, "first_word": parse_first_word}


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass(frozen=True)
class Confusion:
    """Counts by expected class (first word) and predicted class (second word)."""

    yes_yes: int = 0
    yes_no: int = 0
    yes_unparsable: int = 0
    no_yes: int = 0
    no_no: int = 0
    no_unparsable: int = 0

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Confusion:
        """From (expected, predicted) pairs; expected in EXPECTED, predicted in PREDICTED."""
        counts = {f.name: 0 for f in fields(cls)}
        for expected, predicted in pairs:
            key = f"{expected}_{predicted}"
            if key not in counts:
                raise ValueError(f"pair ({expected!r}, {predicted!r}): expected must be yes|no, predicted yes|no|unparsable")
            counts[key] += 1
        return cls(**counts)

    def count(self, expected: str, predicted: str) -> int:
        return getattr(self, f"{expected}_{predicted}")

    def __add__(self, other: Confusion) -> Confusion:
        return Confusion(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def n(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    @property
    def predicted_yes(self) -> int:
        return self.yes_yes + self.no_yes

    @property
    def predicted_no(self) -> int:
        return self.yes_no + self.no_no

    @property
    def expected_no(self) -> int:
        return self.no_yes + self.no_no + self.no_unparsable

    @property
    def unparsable(self) -> int:
        return self.yes_unparsable + self.no_unparsable

    def metrics(self) -> dict:
        """The benchmark's metrics (see the module docstring for the degenerate cases)."""
        n = self.n
        if n == 0:
            return {"n": 0, "accuracy": None, "precision_no": None, "recall_no": None, "f1_no": None,
                    "yes_ratio": None, "unparsable": 0, "unparsable_ratio": None}
        precision = _ratio(self.no_no, self.predicted_no)
        recall = _ratio(self.no_no, self.expected_no)
        return {
            "n": n,
            "accuracy": (self.yes_yes + self.no_no) / n,
            "precision_no": precision,
            "recall_no": recall,
            "f1_no": _ratio(2 * precision * recall, precision + recall),
            "yes_ratio": self.predicted_yes / n,
            "unparsable": self.unparsable,
            "unparsable_ratio": self.unparsable / n,
        }

    def table(self) -> dict[str, dict[str, int]]:
        """{expected: {predicted: count}}, for JSON."""
        return {e: {p: self.count(e, p) for p in PREDICTED} for e in EXPECTED}


def yes_no_metrics(expected: Sequence[str], predicted: Sequence[str]) -> dict:
    """Metrics of predicted classes (yes | no | unparsable) against expected ones (yes | no)."""
    if len(expected) != len(predicted):
        raise ValueError(f"{len(expected)} expected labels but {len(predicted)} predictions")
    return Confusion.from_pairs(zip(expected, predicted)).metrics()


@dataclass(frozen=True)
class ScoredRow:
    expected: str  # yes | no
    answer: str  # the model's text
    sampling: str  # random | popular | adversarial
    template: str  # the question's template ("Is there a sound of {obj} in the audio?")


@dataclass(frozen=True)
class Scores:
    """One parser's confusion matrices: over all rows, per sampling and per template."""

    parser: str
    all: Confusion
    by_sampling: dict[str, Confusion]
    by_template: dict[str, Confusion]

    def to_dict(self) -> dict:
        def entry(c: Confusion) -> dict:
            return {**c.metrics(), "confusion": c.table()}

        return {
            "parser": self.parser,
            "all": entry(self.all),
            "by_sampling": {k: entry(v) for k, v in self.by_sampling.items()},
            "by_template": {k: entry(v) for k, v in self.by_template.items()},
        }


def _sampling_key(s: str) -> tuple:
    return (SAMPLING_ORDER.index(s) if s in SAMPLING_ORDER else len(SAMPLING_ORDER), s)


def score_rows(rows: Sequence[ScoredRow], parser: str = "paper") -> Scores:
    """Confusion matrices of one parser over scored rows."""
    parse = PARSE[parser]
    pairs = [(r, (r.expected, parse(r.answer))) for r in rows]
    samplings = sorted({r.sampling for r in rows}, key=_sampling_key)
    templates = sorted({r.template for r in rows})
    return Scores(
        parser,
        Confusion.from_pairs(p for _, p in pairs),
        {s: Confusion.from_pairs(p for r, p in pairs if r.sampling == s) for s in samplings},
        {t: Confusion.from_pairs(p for r, p in pairs if r.template == t) for t in templates},
    )


def score_all_parsers(rows: Sequence[ScoredRow]) -> dict[str, Scores]:
    return {name: score_rows(rows, name) for name in PARSERS}


ECE_BINS = 10  # equal-width bins over [0.5, 1]: 0.05 wide


def expected_calibration_error(p_yes: np.ndarray, present: np.ndarray, bins: int = ECE_BINS) -> dict:
    """Top-label ECE of answers "yes" when p_yes >= 0.5, with the table behind it: the answers
    are binned by their confidence (the probability of the answer given, >= 0.5) and each
    bin's |accuracy - mean confidence| is weighted by its share of the answers."""
    p = np.asarray(p_yes, dtype=np.float64)
    y = np.asarray(present, dtype=bool)
    said_yes = p >= 0.5
    conf = np.where(said_yes, p, 1 - p)
    right = said_yes == y
    edges = np.linspace(0.5, 1.0, bins + 1)
    idx = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        m = idx == b
        if not m.any():
            continue
        acc, mean_conf = float(right[m].mean()), float(conf[m].mean())
        ece += m.mean() * abs(acc - mean_conf)
        rows.append({"lo": float(edges[b]), "hi": float(edges[b + 1]), "n": int(m.sum()), "accuracy": acc,
                     "confidence": mean_conf})
    return {"ece": float(ece), "n": int(p.size), "bins": rows}
