"""Training rows turned into what a step needs, and the deterministic batch plan.

Every random draw of a step (which rows, the teacher-forced decision values) is a function
of (seed, step) only, never of the process or of earlier steps, so that a run split over
processes, or interrupted and resumed, sees exactly the same batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from core.labels import NO_LABEL
from training.corpus.clip_index import clip_labels
from training.data.benchmark_io import BenchmarkRow, load_rows, subsample
from training.data.rows import Example, find_labels_file, load_training_rows
from training.errors import CorpusFileError, TrainingError
from training.model.sequences import answer_ids, question_ids
from training.model.system import ListenSystem

UNKNOWN = -1  # presence of the asked label unknown (clip labels not given)


@dataclass(frozen=True)
class TrainRow:
    audio: str
    question_ids: tuple[int, ...]
    answer_ids: tuple[int, ...]
    label_index: int  # asked label (matcher), NO_LABEL for open questions
    asked_present: int  # 1 / 0 / UNKNOWN: is the asked label in the clip
    present: tuple[int, ...]  # indices of the clip's labels in the vocabulary
    labels_known: bool


def read_label_entries(*, labels: str, train_data: str, clip_index: str) -> list[dict]:
    """The run's labels.json entries: the file `labels`, or ("") the one beside `train_data`
    or its corpus (`clip_index`). The arguments are the TrainConfig fields of those names."""
    from training.corpus.events import read_labels_json

    path = Path(labels) if labels else find_labels_file(Path(train_data), Path(clip_index or ""))
    if path is None:
        raise TrainingError(
            f"no labels.json found beside {train_data}; pass --labels CORPUS/labels.json"
        )
    return read_labels_json(path)


def load_examples(*, train_data: str, clip_index: str, val_data: str, eval_rows: int,
                  seed: int) -> tuple[list[Example], list[BenchmarkRow]]:
    """(training examples, validation rows: `eval_rows` yes/no rows per sampling of val_data,
    drawn by `benchmark_io.subsample` with the run's seed, as `listen eval --rows` draws them).
    The arguments are the TrainConfig fields of those names ("" = none given)."""
    if not train_data:
        raise TrainingError("no training data: pass --train_data ROWS.jsonl (written by `listen synth`)")
    clips = clip_labels(Path(clip_index)) if clip_index else None
    train = load_training_rows(Path(train_data), clips)
    val = [r for r in load_rows(val_data, need_audio=True) if not r.is_open] if val_data else []
    held_out = {r.audio for r in val}
    leaked = sum(r.audio in held_out for r in train)
    if leaked:
        raise CorpusFileError(
            f"{leaked} training rows use clips of the validation set {val_data}; build them from disjoint splits"
        )
    return train, subsample(val, eval_rows, seed)


def tokenize_rows(system: ListenSystem, examples: list[Example], max_answer_tokens: int) -> list[TrainRow]:
    index = {e["label"]: i for i, e in enumerate(system.label_entries)}
    rows = []
    for ex in examples:
        label = system.matcher.match(ex.question)
        known = ex.clip_labels is not None
        present = tuple(sorted(index[x] for x in (ex.clip_labels or ()) if x in index))
        asked = UNKNOWN if label == NO_LABEL or not known else int(label in present)
        rows.append(TrainRow(
            ex.audio,
            tuple(question_ids(system.tokenizer, system.prompt, ex.question)),
            tuple(answer_ids(system.tokenizer, system.ids, ex.answer, max_answer_tokens)),
            label, asked, present, known,
        ))
    return rows


class BatchPlan:
    """Row indices and uniform draws of each global batch, from (seed, step) alone."""

    def __init__(self, n_rows: int, global_batch: int, seed: int):
        self.n, self.g, self.seed = n_rows, global_batch, seed

    @lru_cache(maxsize=4)
    def _order(self, epoch: int) -> list[int]:
        gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        return torch.randperm(self.n, generator=gen).tolist()

    def indices(self, step: int) -> list[int]:
        positions = range(step * self.g, (step + 1) * self.g)
        return [self._order(p // self.n)[p % self.n] for p in positions]

    def clips(self, step: int, n_clips: int, count: int) -> list[int]:
        """`count` distinct-clip indices in [0, n_clips) for the presence-only pass of this step."""
        if count == 0 or n_clips == 0:
            return []
        gen = torch.Generator().manual_seed(self.seed * 104_729 + step + 1)
        return torch.randint(n_clips, (count,), generator=gen).tolist()

    def uniforms(self, step: int) -> torch.Tensor:
        """(G,) in [0, 1): the per-row draws of this step."""
        gen = torch.Generator().manual_seed(self.seed * 7_919 + step + 1)
        return torch.rand(self.g, generator=gen)


def decision_targets(rows: list[TrainRow], u: torch.Tensor, margin: float) -> torch.Tensor:
    """Teacher-forced presence values: U(0.5+m, 1) if present, U(0, 0.5-m) if absent, NaN if
    unknown (the adapter then uses its own head, detached). (B,) float32."""
    asked = torch.tensor([r.asked_present for r in rows])
    span = 0.5 - margin
    p = torch.where(asked == 1, 1.0 - u * span, u * span)
    return torch.where(asked == UNKNOWN, torch.full_like(p, float("nan")), p)


def presence_clips(rows: list[TrainRow]) -> list[TrainRow]:
    """One row per distinct clip with known labels (in first-seen order), for the presence-only pass."""
    seen: dict[str, TrainRow] = {}
    for r in rows:
        if r.labels_known and r.audio not in seen:
            seen[r.audio] = r
    return list(seen.values())


def presence_targets(rows: list[TrainRow], n_labels: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(multi-hot (B, L) float32, labels-known mask (B,) float32)."""
    y = torch.zeros(len(rows), max(n_labels, 1))
    for i, r in enumerate(rows):
        y[i, list(r.present)] = 1.0
    return y[:, :n_labels], torch.tensor([float(r.labels_known) for r in rows])
