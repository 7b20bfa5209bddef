"""Token ids of the prompt parts, and the LLM input sequences built around the soft tokens.

Training layout (right-padded):   [before_audio][soft tokens][question text][answer + end][pad]
Generation layout (left-padded):  [pad][before_audio][soft tokens][question text]
The loss is next-token cross-entropy on the answer tokens only, averaged per sequence and
then over sequences, so that a global batch split over processes gives the same loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from training.model.prompt import PromptTemplate


@dataclass(frozen=True)
class PromptIds:
    before_audio: tuple[int, ...]
    answer_end: tuple[int, ...]
    pad_id: int
    eos_ids: tuple[int, ...]  # generation stops at any of these


def _ids(tokenizer, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False).input_ids) if text else []


def prompt_ids(tokenizer, prompt: PromptTemplate) -> PromptIds:
    end = tuple(_ids(tokenizer, prompt.answer_end))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    eos = {i for i in (tokenizer.eos_token_id,) if i is not None} | ({end[0]} if end else set())
    return PromptIds(tuple(_ids(tokenizer, prompt.before_audio)), end, int(pad or 0), tuple(sorted(eos)))


def question_ids(tokenizer, prompt: PromptTemplate, question: str) -> list[int]:
    return _ids(tokenizer, prompt.question_text(question))


def answer_ids(tokenizer, ids: PromptIds, answer: str, max_tokens: int) -> list[int]:
    return _ids(tokenizer, answer.strip())[:max_tokens] + list(ids.answer_end)


def training_inputs(
    embed: nn.Embedding, ids: PromptIds, soft: torch.Tensor, questions: list[list[int]], answers: list[list[int]]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """-> inputs_embeds (B, L, D), attention_mask (B, L), targets (B, L) with -100 off the answers."""
    b, s, _ = soft.shape
    device = soft.device
    nb = len(ids.before_audio)
    lt = max(len(q) + len(a) for q, a in zip(questions, answers))
    text = torch.full((b, lt), ids.pad_id, dtype=torch.long, device=device)
    mask = torch.zeros(b, nb + s + lt, dtype=torch.long, device=device)
    targets = torch.full((b, nb + s + lt), -100, dtype=torch.long, device=device)
    for i, (q, a) in enumerate(zip(questions, answers)):
        text[i, : len(q) + len(a)] = torch.tensor(q + a, device=device)
        mask[i, : nb + s + len(q) + len(a)] = 1
        start = nb + s + len(q)
        targets[i, start : start + len(a)] = torch.tensor(a, device=device)
    before = embed(torch.tensor(ids.before_audio, dtype=torch.long, device=device))  # (nb, D)
    inputs = torch.cat(
        [before.unsqueeze(0).expand(b, -1, -1), soft.to(before.dtype), embed(text)], dim=1
    )  # (B, nb + S + Lt, D)
    return inputs, mask, targets


def answer_loss(llm: nn.Module, inputs: torch.Tensor, mask: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-sequence mean cross-entropy on the answer tokens: (B,). The LM head runs only
    where a target exists (the vocabulary projection dominates memory otherwise)."""
    b, n, _ = inputs.shape
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # (B, L)
    hidden = llm.base_model(inputs_embeds=inputs, attention_mask=mask, position_ids=positions).last_hidden_state
    predicts = targets[:, 1:] != -100  # (B, L-1): position t predicts token t+1
    logits = llm.get_output_embeddings()(hidden[:, :-1][predicts])  # (N, V)
    ce = nn.functional.cross_entropy(logits.float(), targets[:, 1:][predicts], reduction="none")  # (N,)
    seq = torch.arange(b, device=inputs.device)[:, None].expand(b, n - 1)[predicts]  # (N,)
    total = torch.zeros(b, device=inputs.device).index_add(0, seq, ce)
    count = torch.zeros(b, device=inputs.device).index_add(0, seq, torch.ones_like(ce))
    return total / count.clamp(min=1)


def generation_inputs(
    embed: nn.Embedding, ids: PromptIds, soft: torch.Tensor, questions: list[list[int]]
) -> tuple[torch.Tensor, torch.Tensor]:
    """-> inputs_embeds (B, L, D), attention_mask (B, L), left-padded."""
    b, s, _ = soft.shape
    device = soft.device
    nb = len(ids.before_audio)
    lq = max(len(q) for q in questions)
    n = nb + s + lq
    before = embed(torch.tensor(ids.before_audio, dtype=torch.long, device=device))  # (nb, D)
    rows, masks = [], []
    for i, q in enumerate(questions):
        pad = lq - len(q)
        qe = embed(torch.tensor(q, dtype=torch.long, device=device))  # (len q, D)
        pe = embed(torch.full((pad,), ids.pad_id, dtype=torch.long, device=device))  # (pad, D)
        rows.append(torch.cat([pe, before, soft[i].to(before.dtype), qe]))  # (n, D)
        masks.append(torch.cat([torch.zeros(pad, dtype=torch.long), torch.ones(n - pad, dtype=torch.long)]))
    return torch.stack(rows), torch.stack(masks).to(device)
