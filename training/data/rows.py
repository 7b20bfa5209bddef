"""Training rows, read from JSONL into one small record type (torch-free).

Training rows (`listen synth`): `{id, audio, question, answer, labels?, clip_id?, kind?, ...}`.
The corpus's clip index (`training.corpus.clip_index.clip_labels`) supplies a clip's
presence labels when a row does not carry them. Relative audio paths are resolved against
the row file's folder. Benchmark rows are read by `training.data.benchmark_io`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.errors import CorpusFileError
from training.jsonl import read_json_lines


@dataclass(frozen=True)
class Example:
    row_id: str  # id of the row in its file
    audio: str  # resolved audio path
    question: str
    answer: str  # target text
    clip_labels: tuple[str, ...] | None  # labels present in the clip; None = unknown


def _field(row: dict, names: tuple[str, ...], path: Path, n: int) -> str:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value
    raise CorpusFileError(f"{path} line {n}: missing field {' or '.join(repr(x) for x in names)}; every row needs it")


def _resolve(audio: str, base: Path) -> str:
    """The absolute, resolved path: the key under which benchmark_io and the clip index
    name the same clip."""
    return str((base / Path(audio).expanduser()).resolve())


def _labels_of(row: dict, audio: str, clips: dict | None, path: Path, n: int) -> tuple[str, ...] | None:
    labels = row.get("labels")
    if isinstance(labels, list):
        return tuple(str(x) for x in labels)
    if labels is not None:
        raise CorpusFileError(f"{path} line {n}: `labels` must be a list of label ids")
    if clips and audio in clips:
        return clips[audio]
    return None


def load_training_rows(path: Path, clips: dict[str, tuple[str, ...]] | None = None) -> list[Example]:
    """Rows with a question and an answer; `clips` ({audio path: labels}, from the clip
    index) gives the labels of rows that carry none."""
    path = Path(path)
    out = []
    for n, row in read_json_lines(path, CorpusFileError, "pass the JSONL written by `listen synth` or `listen corpus build`"):
        audio = _resolve(_field(row, ("audio",), path, n), path.parent)
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
        raise CorpusFileError(f"{path} holds no training rows")
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
