"""Answered rows -> the evaluation result: both parsers' metrics and the mentions (torch-free).

This is what `listen eval` computes for every source of answers (a checkpoint, a bundle, a
predictions file), so all of them are scored by the same code.
"""

from __future__ import annotations

from collections import defaultdict

from core.hierarchy import Hierarchy
from core.mentions import MentionFinder
from core.replies import reply_agrees
from training.data.benchmark_io import BenchmarkRow
from training.errors import EvalError
from training.eval.mentions import OpenAnswer, score_mentions
from training.eval.metrics import ScoredRow, expected_calibration_error, score_all_parsers


def _label_of(obj: str, known: set[str], matcher: MentionFinder) -> str | None:
    """A benchmark object as a label id: itself when it is one, else the one label its words name."""
    if obj in known:
        return obj
    named = matcher.labels_in(obj)
    return named[0] if len(named) == 1 else None


def answer_kinds(answers: list[str]) -> dict:
    """How yes/no questions were answered: yes, no, "I can't tell", or neither (a description in
    place of a yes/no, a broken sentence), by the answer's opening (`core.replies`)."""
    kinds = {"yes": 0, "no": 0, "cant_tell": 0, "neither": 0}
    for a in answers:
        kind = next((k for k, h in (("yes", True), ("no", False), ("cant_tell", None)) if reply_agrees(h, a)), "neither")
        kinds[kind] += 1
    return kinds


def open_answers(rows: list[BenchmarkRow], matcher: MentionFinder, known: set[str],
                 hierarchy: Hierarchy | None = None) -> list[OpenAnswer]:
    """Open rows with their clip's labels: exact when known, else the benchmark's own objects.
    With a label hierarchy, what a clip's labels imply is present too ("a brass instrument" for a
    trumpet) and what is finer than them is unknown ("a snare drum" for "a drum")."""
    hierarchy = hierarchy or Hierarchy({})
    present: dict[str, set[str]] = defaultdict(set)
    absent: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if not r.is_open:
            label = _label_of(r.object, known, matcher)
            if label:
                (present if r.label == "yes" else absent)[r.clip].add(label)
    out = []
    for r in rows:
        if not r.is_open:
            continue
        if r.clip_labels is not None:
            present_here = hierarchy.implied(r.clip_labels)
            finer = frozenset({d for lab in r.clip_labels for d in hierarchy.descendants(lab)} - present_here)
            out.append(OpenAnswer(r.answer or "", present_here, None, r.clip, finer))
        else:
            out.append(OpenAnswer(r.answer or "", frozenset(present[r.clip]), frozenset(absent[r.clip]), r.clip))
    return out


def evaluate_rows(rows: list[BenchmarkRow], label_entries: list[dict]) -> dict:
    """{"questions": n, "parsers": {paper, first_word}, "mentions": {...} when open rows exist}."""
    missing = next((r for r in rows if r.answer is None), None)
    if missing is not None:
        raise EvalError(f"{missing.where}: no answer to score")
    yes_no = [ScoredRow(r.label, r.answer, r.sampling, r.template) for r in rows if not r.is_open]
    result: dict = {
        "questions": len(yes_no),
        "parsers": {name: s.to_dict() for name, s in score_all_parsers(yes_no).items()},
        "answer_kinds": answer_kinds([r.answer for r in rows if not r.is_open]),
    }
    scored = [r for r in rows if not r.is_open and r.p_yes is not None]
    if scored:
        result["calibration"] = expected_calibration_error([r.p_yes for r in scored], [r.label == "yes" for r in scored])
    if any(r.is_open for r in rows):
        matcher = MentionFinder(label_entries)
        result["mentions"] = score_mentions(open_answers(rows, matcher, {e["label"] for e in label_entries},
                                                         Hierarchy.from_entries(label_entries)), matcher)
    return result
