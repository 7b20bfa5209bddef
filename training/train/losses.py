"""The training objective of one micro-batch.

loss = mean over sequences of (answer cross-entropy + w * presence BCE of the clip)
     + w * mean presence BCE of the extra presence-only clips (once per step)

The presence BCE weights each label's positives by negatives/positives (capped): labels
are in a few % of clips, while yes/no questions ask with even odds, so p = 0.5 then means
even odds for the decision the factorised recipe takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from training.data.batches import TrainRow, decision_targets, presence_targets
from training.model.sequences import answer_loss, training_inputs
from training.model.system import ListenSystem
from training.train.config import TrainConfig


@dataclass
class StepLosses:
    sequences: torch.Tensor  # scalar: mean over the micro-batch's sequences of LM + w * presence
    extra: torch.Tensor  # scalar: w * mean presence BCE of the extra clips (0 without them)
    lm: torch.Tensor  # detached, for the log
    presence: torch.Tensor  # detached, mean BCE over every clip of the forward

    def objective(self, micro_count: int) -> torch.Tensor:
        """This micro-batch's share of the step's loss (sequence terms are accumulated)."""
        return self.sequences / micro_count + self.extra


def compute_losses(
    system: ListenSystem, adapter, rows: list[TrainRow], states: torch.Tensor, u: torch.Tensor, cfg: TrainConfig,
    pos_weight: torch.Tensor | None = None, extra: list[TrainRow] = (), extra_states: torch.Tensor | None = None,
) -> StepLosses:
    """Losses of one micro-batch. `extra` clips (with their states) join the adapter's forward
    for the presence loss only; their mean BCE is added once (not per sequence)."""
    device = states.device
    b = len(rows)
    label_index = torch.tensor([r.label_index for r in rows] + [-1] * len(extra), device=device)  # (B+E,)
    decision_p = decision_targets(rows, u, cfg.decision_margin).to(device)  # (B,)
    if extra:
        # fp16 from the cache: concatenate in fp32 (CPU autocast refuses fp16 cat)
        states = torch.cat([states.float(), extra_states.to(device).float()])  # (B+E, n, T, d)
        decision_p = torch.cat([decision_p, torch.full((len(extra),), float("nan"), device=device)])
    soft, presence_logits = adapter(states, label_index, decision_p)  # (B+E, S, D), (B+E, L)
    inputs, mask, targets = training_inputs(
        system.embed, system.ids, soft[:b], [list(r.question_ids) for r in rows], [list(r.answer_ids) for r in rows]
    )
    lm = answer_loss(system.llm, inputs, mask, targets)  # (B,)
    presence = torch.zeros(b + len(extra), device=device)
    if presence_logits.shape[1] and cfg.presence_weight:
        y, known = presence_targets(list(rows) + list(extra), presence_logits.shape[1])
        bce = torch.nn.functional.binary_cross_entropy_with_logits(
            presence_logits.float(), y.to(device), reduction="none",
            pos_weight=None if pos_weight is None else pos_weight.to(device),
        ).mean(1)  # (B+E,)
        presence = bce * known.to(device)
    sequences = (lm + cfg.presence_weight * presence[:b]).mean()
    extra_loss = cfg.presence_weight * presence[b:].mean() if extra else torch.zeros((), device=device)
    return StepLosses(sequences, extra_loss, lm.mean().detach(), presence.mean().detach())


def presence_pos_weight(rows: list[TrainRow], n_labels: int, cap: float) -> torch.Tensor | None:
    """(L,) negatives/positives per label over the distinct training clips, capped; None if cap is 0.
    Each label is in a few % of clips, while yes/no questions ask with even odds."""
    if cap <= 0 or n_labels == 0:
        return None
    clips = {r.audio: r.present for r in rows if r.labels_known}
    pos = torch.zeros(n_labels)
    for present in clips.values():
        pos[list(present)] += 1
    return ((len(clips) - pos) / pos.clamp(min=1)).clamp(min=1.0, max=cap)
