"""Training and benchmark rows, read from JSONL into one small record type (torch-free).

Training rows (`listen synth`): `{id, audio, question, answer, labels?, clip_id?, kind?, ...}`.
Benchmark rows (POPE style): `{audio, prompt_text, object, label: yes|no, sampling, ...}`.
A corpus manifest (`{id, audio, split, labels, ...}`) supplies a clip's presence labels when
a row does not carry them. Relative audio paths are resolved against the row file's folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from training.errors import ManifestError

SAMPLINGS = ("random", "popular", "adversarial")


@dataclass(frozen=True)
class Example:
    row_id: str  # id of the row in its file
    audio: str  # resolved audio path
    question: str
    answer: str  # target text; for benchmark rows "Yes." / "No." (for a loss only)
    clip_labels: tuple[str, ...] | None  # labels present in the clip; None = unknown
    sampling: str = ""  # benchmark rows: random | popular | adversarial
    expected: str = ""  # benchmark rows: yes | no


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ManifestError(f"{path} does not exist; pass the JSONL written by `listen synth` or `listen corpus build`") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as err:
            raise ManifestError(f"{path} line {n} is not valid JSON ({err}); fix or delete that line") from err
        if not isinstance(row, dict):
            raise ManifestError(f"{path} line {n} must be a JSON object")
        yield n, row


def _field(row: dict, names: tuple[str, ...], path: Path, n: int) -> str:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value
    raise ManifestError(f"{path} line {n}: missing field {' or '.join(repr(x) for x in names)}; every row needs it")


def _resolve(audio: str, base: Path) -> str:
    p = Path(audio).expanduser()
    return str(p if p.is_absolute() else (base / p).resolve())


def load_manifest(path: Path) -> dict[str, tuple[tuple[str, ...], str]]:
    """Corpus manifest -> {resolved audio path: (labels, split)}."""
    path = Path(path)
    out = {}
    for n, row in read_jsonl(path):
        audio = _resolve(_field(row, ("audio",), path, n), path.parent)
        labels = row.get("labels")
        if not isinstance(labels, list):
            raise ManifestError(f"{path} line {n}: `labels` must be a list of label ids")
        out[audio] = (tuple(labels), str(row.get("split", "train")))
    return out


def _labels_of(row: dict, audio: str, clips: dict | None, path: Path, n: int) -> tuple[str, ...] | None:
    labels = row.get("labels")
    if isinstance(labels, list):
        return tuple(str(x) for x in labels)
    if labels is not None:
        raise ManifestError(f"{path} line {n}: `labels` must be a list of label ids")
    if clips and audio in clips:
        return clips[audio][0]
    return None


def load_training_rows(path: Path, clips: dict | None = None, splits: tuple[str, ...] = ()) -> list[Example]:
    """Rows with a question and an answer; `splits` keeps only clips of those manifest splits."""
    path = Path(path)
    out = []
    for n, row in read_jsonl(path):
        audio = _resolve(_field(row, ("audio",), path, n), path.parent)
        if splits and clips and audio in clips and clips[audio][1] not in splits:
            continue
        out.append(
            Example(
                row_id=str(row.get("id", n)),
                audio=audio,
                question=_field(row, ("question", "prompt_text"), path, n),
                answer=_field(row, ("answer",), path, n),
                clip_labels=_labels_of(row, audio, clips, path, n),
            )
        )
    if not out:
        raise ManifestError(f"{path} holds no training rows{' for splits ' + str(splits) if splits else ''}")
    return out


def load_benchmark_rows(path: Path, clips: dict | None = None) -> list[Example]:
    """POPE-style yes/no rows; `label` (yes|no) is the expected answer."""
    path = Path(path)
    out = []
    for n, row in read_jsonl(path):
        audio = _resolve(_field(row, ("audio",), path, n), path.parent)
        expected = _field(row, ("label",), path, n).strip().lower()
        if expected not in ("yes", "no"):
            raise ManifestError(f"{path} line {n}: label {expected!r} must be `yes` or `no`")
        sampling = _field(row, ("sampling",), path, n).strip().lower()
        if sampling not in SAMPLINGS:
            raise ManifestError(f"{path} line {n}: sampling {sampling!r} must be one of {SAMPLINGS}")
        out.append(
            Example(
                row_id=str(row.get("id", row.get("audio_index", n))),
                audio=audio,
                question=_field(row, ("prompt_text", "question"), path, n),
                answer="Yes." if expected == "yes" else "No.",
                clip_labels=_labels_of(row, audio, clips, path, n),
                sampling=sampling,
                expected=expected,
            )
        )
    if not out:
        raise ManifestError(f"{path} holds no benchmark rows")
    return out


def find_labels_file(*candidates: Path) -> Path | None:
    """labels.json beside or above the given files (a synth folder sits inside or beside its corpus)."""
    for c in candidates:
        if not c:
            continue
        c = Path(c).resolve()
        for folder in (c.parent, c.parent.parent, c.parent.parent / "corpus"):
            if (folder / "labels.json").is_file():
                return folder / "labels.json"
    return None
