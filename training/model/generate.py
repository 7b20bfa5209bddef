"""Greedy and sampled generation from input embeddings, with a KV cache (for evaluation).

The frozen LLM receives the soft tokens inside `inputs_embeds`; every later step feeds the
embedding of the chosen token. Positions follow the attention mask, so left padding is safe.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class NucleusSampling:
    """Torch-side decoding for evaluation: temperature with top-p. The device's sampler is
    edge.llm_session.Sampling (numpy, top-k); the two are different things, so two names."""

    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0  # nucleus sampling mass (with temperature > 0)
    seed: int = 0  # generator seed for sampled decoding


@torch.no_grad()
def generate(
    llm: nn.Module,
    inputs: torch.Tensor,
    mask: torch.Tensor,
    max_new_tokens: int,
    eos_ids: tuple[int, ...],
    sampling: NucleusSampling = NucleusSampling(),
) -> tuple[list[list[int]], torch.Tensor]:
    """-> (new token ids per row, stopping at an eos id; first-step logits (B, V) float32)."""
    embed = llm.get_input_embeddings()
    b = inputs.shape[0]
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # (B, L)
    out = llm(inputs_embeds=inputs, attention_mask=mask, position_ids=positions, use_cache=True)
    # transformers >= 5.2x names the KV cache `cache`; earlier 5.x `past_key_values`
    cache_key = "cache" if getattr(out, "cache", None) is not None else "past_key_values"
    cache, logits = out[cache_key], out.logits[:, -1].float()  # (B, V)
    first_logits = logits
    gen = torch.Generator(device="cpu").manual_seed(sampling.seed)
    eos = torch.tensor(eos_ids, device=inputs.device)
    done = torch.zeros(b, dtype=torch.bool, device=inputs.device)
    tokens: list[list[int]] = [[] for _ in range(b)]
    next_pos = positions[:, -1:] + 1  # (B, 1)
    for _ in range(max_new_tokens):
        nxt = _choose(logits, sampling, gen).to(inputs.device)  # (B,)
        for i in range(b):
            if not done[i]:
                tokens[i].append(int(nxt[i]))
        done |= torch.isin(nxt, eos)
        if bool(done.all()):
            break
        mask = torch.cat([mask, torch.ones(b, 1, dtype=mask.dtype, device=mask.device)], dim=1)
        out = llm(
            inputs_embeds=embed(nxt[:, None]).to(inputs.dtype), attention_mask=mask,
            position_ids=next_pos, use_cache=True, **{cache_key: cache},
        )
        cache, logits = out[cache_key], out.logits[:, -1].float()
        next_pos = next_pos + 1
    return [[t for t in row if t not in eos_ids] for row in tokens], first_logits


def _choose(logits: torch.Tensor, sampling: NucleusSampling, gen: torch.Generator) -> torch.Tensor:
    if sampling.temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.cpu() / sampling.temperature, dim=-1)  # (B, V)
    if sampling.top_p < 1.0:
        sorted_p, order = probs.sort(-1, descending=True)
        keep = sorted_p.cumsum(-1) - sorted_p < sampling.top_p  # the smallest set reaching top_p
        sorted_p = sorted_p * keep
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_p)
    return torch.multinomial(probs, 1, generator=gen).squeeze(-1)
