"""The text tower, training side: a phrase -> the frozen LLM's last hidden states, pooled.

The phrase is read inside a fixed template (`core.presence.TextTemplate`: "The sound of" +
phrase), so that the LLM takes it for the name of a sound; the states of the phrase's own
tokens (not the prefix's, which are the same for every phrase) are averaged, or, with a
PromptEOL template ('This sound: <phrase> means in one word: "'), the last token's state is
taken. The last hidden state is the one after the final norm: `last_hidden_state` here,
llama.cpp's output embeddings on the edge (`edge.presence.text_tower`), on the same GGUF weights.
Both tokenize the prefix, " " + phrase and the suffix separately, without special tokens, so
the ids agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from core.presence import TEXT_TEMPLATES, TextTemplate

DEFAULT_TEMPLATE = TEXT_TEMPLATES["mean"]


def phrase_token_ids(tokenizer, phrase: str, template: TextTemplate = DEFAULT_TEMPLATE) -> tuple[list[int], list[int], list[int]]:
    """(prefix ids, phrase ids, suffix ids): the same split the edge tokenizes with."""
    def ids(text: str) -> list[int]:
        return tokenizer(text, add_special_tokens=False).input_ids if text else []

    return ids(template.prefix), ids(" " + phrase.strip()), ids(template.suffix)


@torch.no_grad()
def phrase_states(llm, tokenizer, phrases: Sequence[str], template: TextTemplate = DEFAULT_TEMPLATE,
                  batch_size: int = 32) -> np.ndarray:
    """(P, n_embd) float32: each phrase's pooled last hidden state (the template's pooling)."""
    base = llm.get_decoder() if hasattr(llm, "get_decoder") else llm.model
    out = []
    for lo in range(0, len(phrases), batch_size):
        parts = [phrase_token_ids(tokenizer, p, template) for p in phrases[lo : lo + batch_size]]
        width = max(len(a) + len(b) + len(c) for a, b, c in parts)
        ids = torch.zeros(len(parts), width, dtype=torch.long)
        attn = torch.zeros(len(parts), width, dtype=torch.long)
        keep = torch.zeros(len(parts), width)
        for i, (a, b, c) in enumerate(parts):  # right padding: a causal model never attends to it
            n = len(a) + len(b) + len(c)
            ids[i, :n] = torch.tensor(a + b + c)
            attn[i, :n] = 1
            if template.last:
                keep[i, n - 1] = 1
            else:
                keep[i, len(a) : len(a) + len(b)] = 1
        h = base(input_ids=ids, attention_mask=attn).last_hidden_state.float()  # (b, n, D)
        out.append(((h * keep[..., None]).sum(1) / keep.sum(1, keepdim=True)).numpy())
    return np.concatenate(out) if out else np.zeros((0, llm.config.hidden_size), np.float32)
