"""The text tower, training side: a phrase -> the frozen LLM's last hidden states, averaged.

The phrase is read after a fixed prefix ("The sound of"), so that the LLM takes it for the
name of a sound; the states of the phrase's own tokens (not the prefix's, which are the same
for every phrase) are averaged. The last hidden state is the one after the final norm:
`last_hidden_state` here, llama.cpp's output embeddings on the edge
(`edge.text_tower`), on the same GGUF weights. Both tokenize the prefix and " " + phrase
separately, without special tokens, so the ids agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

TEXT_PREFIX = "The sound of"  # what the LLM reads before the phrase
POOLING = "mean of the phrase tokens' last hidden states (after the final norm)"


def phrase_token_ids(tokenizer, phrase: str, prefix: str = TEXT_PREFIX) -> tuple[list[int], list[int]]:
    """(prefix ids, phrase ids): the same split the edge tokenizes with."""
    pre = tokenizer(prefix, add_special_tokens=False).input_ids
    body = tokenizer(" " + phrase.strip(), add_special_tokens=False).input_ids
    return pre, body


@torch.no_grad()
def phrase_states(llm, tokenizer, phrases: Sequence[str], prefix: str = TEXT_PREFIX,
                  batch_size: int = 32) -> np.ndarray:
    """(P, n_embd) float32: each phrase's mean last hidden state over its own tokens."""
    base = llm.get_decoder() if hasattr(llm, "get_decoder") else llm.model
    out = []
    for lo in range(0, len(phrases), batch_size):
        pairs = [phrase_token_ids(tokenizer, p, prefix) for p in phrases[lo : lo + batch_size]]
        width = max(len(a) + len(b) for a, b in pairs)
        ids = torch.zeros(len(pairs), width, dtype=torch.long)
        attn = torch.zeros(len(pairs), width, dtype=torch.long)
        keep = torch.zeros(len(pairs), width)
        for i, (a, b) in enumerate(pairs):  # right padding: a causal model never attends to it
            n = len(a) + len(b)
            ids[i, :n] = torch.tensor(a + b)
            attn[i, :n] = 1
            keep[i, len(a) : n] = 1
        h = base(input_ids=ids, attention_mask=attn).last_hidden_state.float()  # (b, n, D)
        out.append(((h * keep[..., None]).sum(1) / keep.sum(1, keepdim=True)).numpy())
    return np.concatenate(out) if out else np.zeros((0, llm.config.hidden_size), np.float32)
