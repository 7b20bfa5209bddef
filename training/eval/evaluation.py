"""One evaluation, start to end: read the rows, get the answers, score, write the outputs.

Answers come from a checkpoint (torch), a bundle (edge runtime) or a predictions file; all
three are scored by `training.eval.score.evaluate_rows`. Outputs in `out` (when given):
`predictions.jsonl` (rows + answer + p_yes; for checkpoints and bundles, so a run can be
re-scored with `--predictions`), `metrics.json` and `report.md`.

The label vocabulary that reads mentions comes from, in order: `labels` if given, the
checkpoint's or bundle's own labels, a `labels.json` beside (or above) the benchmark file,
the built-in event library. Clip labels for the mentions come from the rows' `labels`, or
from the corpus's clip index `clip_index` (default: `clips.jsonl` beside that `labels.json`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from training.data import benchmark_io as bio
from training.errors import EvalError
from training.eval.report import PREDICTIONS_FILE, write_run
from training.eval.runners import RunOptions
from training.eval.score import evaluate_rows

SOURCES = ("checkpoint", "bundle", "predictions")
# The description prompt the synthesis trains with (training/synth/prompts.py, pos_describe).
DEFAULT_OPEN_QUESTION = "Describe the sounds you hear in the audio."


@dataclass(frozen=True)
class EvalRequest:
    source: str  # checkpoint | bundle | predictions
    path: Path  # the checkpoint folder, bundle folder or predictions file
    benchmark: str | None = None  # benchmark file or hf:DATASET (required unless source is predictions)
    labels: Path | None = None  # labels.json for the mentions (default: see the module docstring)
    clip_index: Path | None = None  # the corpus's clip index giving each clip's labels (default: beside labels.json)
    out: Path | None = None  # folder for predictions.jsonl, metrics.json, report.md
    audio_dir: Path | None = None  # where <audio_index>.wav files live, for rows without an audio path
    hf_split: str = "test"  # split of a Hugging Face dataset
    rows_per_sampling: int = 0  # yes/no rows per sampling, drawn reproducibly (0 = all)
    seed: int = 0  # for that draw
    open_question: str | None = DEFAULT_OPEN_QUESTION  # asked once per clip (None = no open questions)
    options: RunOptions = field(default_factory=RunOptions)
    title: str = ""  # heading of the report (default: the source's name)


def _labels_beside(*paths) -> Path | None:
    from training.data.rows import find_labels_file

    return find_labels_file(*[Path(p) for p in paths if p and not str(p).startswith(bio.HF_PREFIX)])


def _label_entries(req: EvalRequest, system_labels: list) -> tuple[list[dict], str]:
    from training.corpus.events import read_labels_json
    from training.corpus.ontology import vocabulary

    if req.labels:
        return read_labels_json(Path(req.labels)), str(req.labels)
    if system_labels:
        return system_labels, f"the {req.source}'s labels"
    found = _labels_beside(req.benchmark, req.path if req.source == "predictions" else None)
    if found:
        return read_labels_json(found), str(found)
    return vocabulary(), "the built-in event library"


def _clip_index(req: EvalRequest) -> Path | None:
    from training.corpus.clip_index import CLIP_INDEX_FILE, locate

    if req.clip_index:
        found = locate(Path(req.clip_index))
        if not found.is_file():
            raise EvalError(f"clip index {req.clip_index} does not exist; pass the corpus's {CLIP_INDEX_FILE} or leave --clip-index out")
        return found
    for labels in (req.labels, _labels_beside(req.benchmark, req.path if req.source == "predictions" else None)):
        if labels and locate(Path(labels).parent / CLIP_INDEX_FILE).is_file():
            return locate(Path(labels).parent / CLIP_INDEX_FILE)
    return None


def rows_to_answer(req: EvalRequest) -> list[bio.BenchmarkRow]:
    """The benchmark rows a checkpoint or bundle answers: `rows_per_sampling` per sampling (bio.subsample)."""
    if not req.benchmark:
        raise EvalError(f"--{req.source} needs --benchmark FILE (JSONL, CSV or hf:DATASET) with the questions")
    rows = bio.load_rows(req.benchmark, req.audio_dir, req.hf_split, need_audio=True,
                         audio_cache=req.out / "audio" if req.out else None)
    return bio.subsample(rows, req.rows_per_sampling, req.seed)


def _answered_predictions(req: EvalRequest) -> list[bio.BenchmarkRow]:
    if not req.benchmark:
        return bio.load_rows(req.path, req.audio_dir, req.hf_split, need_answer=True)
    bench = bio.load_rows(req.benchmark, req.audio_dir, req.hf_split)
    _, raw = bio.read_raw(req.path)
    return bio.join_answers(bench, [row for _, row in raw], str(req.path))


def run_evaluation(req: EvalRequest, progress: bool = True) -> dict:
    """The result (also written to req.out): evaluate_rows output plus provenance."""
    if req.source not in SOURCES:
        raise EvalError(f"source {req.source!r} must be one of {', '.join(SOURCES)}")
    from training.corpus.clip_index import clip_labels as read_clip_labels

    clip_index = _clip_index(req)
    clip_labels = read_clip_labels(clip_index) if clip_index else None
    system, system_labels = None, []
    if req.source == "predictions":
        rows = bio.with_clip_labels(_answered_predictions(req), clip_labels)
    else:
        from training.eval.runners import answer_with_bundle, answer_with_checkpoint

        rows = bio.with_clip_labels(rows_to_answer(req), clip_labels)
        if req.open_question:
            rows = rows + bio.open_question_rows(rows, req.open_question)
        answer = answer_with_checkpoint if req.source == "checkpoint" else answer_with_bundle
        predictions, info = answer(Path(req.path), rows, req.options, progress)
        rows = [replace(r, answer=p.answer, p_yes=p.p_yes) for r, p in zip(rows, predictions)]
        system, system_labels = info.to_dict(), info.labels
        if req.out:
            bio.write_predictions([bio.prediction_record(r, r.answer, r.p_yes) for r in rows],
                                  Path(req.out) / PREDICTIONS_FILE)
    entries, labels_source = _label_entries(req, system_labels)
    t0 = time.perf_counter()
    result = {
        "title": req.title or f"{req.source} {req.path}",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "benchmark": str(req.benchmark or req.path),
        "rows_per_sampling": req.rows_per_sampling or "all",
        "labels_source": labels_source,
        "clip_labels_source": str(clip_index) if clip_index else "the rows' own labels, else the benchmark's objects",
        **({"system": system} if system else {}),
        **evaluate_rows(rows, entries),
    }
    result["scoring_seconds"] = round(time.perf_counter() - t0, 3)
    if req.out:
        write_run(Path(req.out), result, result["title"])
    return result
