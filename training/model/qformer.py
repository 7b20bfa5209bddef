"""The trainable adapter: a Q-Former over tapped Whisper states, a projection to the LLM
width, a per-label presence head, and (factorised recipe) the decision tokens.

forward(states, label_index[, decision_p]) -> (soft_tokens, presence_logits)
  states:        (B, n_taps, T, d_enc) frozen encoder states (fp16 from the cache is fine)
  label_index:   (B,) int64, the label the question asks about, -1 for none (open question)
  soft_tokens:   (B, num_queries [+ decision_tokens], d_llm), placed in the LLM's audio slot
  presence_logits: (B, n_labels), one logit per label of the vocabulary

The forward has no data-dependent Python control flow, so export can trace it into one
ONNX graph (the question enters as `label_index`, a tensor). `decision_p` (B,) is a
training-only override (teacher forcing of the decision, NaN = use the head's own value,
detached); export leaves it out.
"""

from __future__ import annotations

import torch
from torch import nn

from training.errors import AdapterConfigError
from training.model.adapter_config import HEAD_INPUTS, RECIPES, AdapterConfig


class QFormerBlock(nn.Module):
    """Pre-norm block: self-attention over the queries, cross-attention to states, feed-forward."""

    def __init__(self, width: int, enc_width: int, heads: int, ffn_mult: int, dropout: float):
        super().__init__()
        self.norm_self = nn.LayerNorm(width)
        self.self_attn = nn.MultiheadAttention(width, heads, dropout=dropout, batch_first=True)
        self.norm_cross = nn.LayerNorm(width)
        self.cross_attn = nn.MultiheadAttention(
            width, heads, dropout=dropout, kdim=enc_width, vdim=enc_width, batch_first=True
        )
        self.norm_ffn = nn.LayerNorm(width)
        self.ffn = nn.Sequential(
            nn.Linear(width, ffn_mult * width), nn.GELU(), nn.Linear(ffn_mult * width, width), nn.Dropout(dropout)
        )

    def forward(self, q: torch.Tensor, kv: torch.Tensor) -> torch.Tensor:
        h = self.norm_self(q)  # (N, Q, W)
        q = q + self.self_attn(h, h, h, need_weights=False)[0]
        h = self.norm_cross(q)
        q = q + self.cross_attn(h, kv, kv, need_weights=False)[0]  # kv: (N, T', d_enc)
        return q + self.ffn(self.norm_ffn(q))


class ListenAdapter(nn.Module):
    def __init__(
        self, config: AdapterConfig, recipe: str, n_taps: int, enc_width: int, llm_width: int, n_labels: int
    ):
        super().__init__()
        if recipe not in RECIPES or recipe == "auto":
            raise AdapterConfigError(f"recipe {recipe!r} must be resolved to `factorised` or `listen` first")
        if config.head_input not in HEAD_INPUTS:
            raise AdapterConfigError(f"head_input {config.head_input!r} is not one of {HEAD_INPUTS}")
        width = config.width or enc_width
        if width % config.num_heads:
            raise AdapterConfigError(f"num_heads {config.num_heads} does not divide the Q-Former width {width}")
        if recipe == "factorised" and n_labels < 1:
            raise AdapterConfigError("the factorised recipe needs a label vocabulary (labels.json with >= 1 label)")
        self.config = config
        self.recipe = recipe
        self.n_taps, self.enc_width, self.llm_width, self.n_labels = n_taps, enc_width, llm_width, n_labels

        self.state_norm = nn.LayerNorm(enc_width, elementwise_affine=False)  # taps differ in scale
        self.tap_scale = nn.Parameter(torch.ones(n_taps, enc_width))
        self.tap_shift = nn.Parameter(torch.zeros(n_taps, enc_width))
        self.queries = nn.Parameter(torch.randn(n_taps, config.num_queries, width) * 0.02)
        self.blocks = nn.ModuleList(
            QFormerBlock(width, enc_width, config.num_heads, config.ffn_mult, config.dropout)
            for _ in range(config.num_layers)
        )
        self.layer_logits = nn.Parameter(torch.zeros(n_taps))  # softmax-weighted sum over taps
        self.out_norm = nn.LayerNorm(width)
        self.proj = nn.Linear(width, llm_width)
        head_in = width if config.head_input == "qformer" else n_taps * enc_width
        self.presence_head = nn.Linear(head_in, max(n_labels, 1))
        self.decision_yes = self.decision_no = self.decision_open = None
        if recipe == "factorised":  # (K, D) each: the decision said in the LLM's embedding space
            self.decision_yes = nn.Parameter(torch.zeros(config.decision_tokens, llm_width))
            self.decision_no = nn.Parameter(torch.zeros(config.decision_tokens, llm_width))
            self.decision_open = nn.Parameter(torch.zeros(config.decision_tokens, llm_width))

    @property
    def num_soft_tokens(self) -> int:
        return self.config.num_queries + (0 if self.decision_yes is None else self.decision_yes.shape[0])

    def head_parameters(self) -> list[nn.Parameter]:
        """The presence head's parameters (trained with their own, higher learning rate)."""
        return list(self.presence_head.parameters())

    def forward(
        self, states: torch.Tensor, label_index: torch.Tensor, decision_p: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        b = states.shape[0]
        p = self.config.frame_pool
        x = states.to(self.queries.dtype)  # (B, n, T, d)
        x = x.unflatten(2, (-1, p)).mean(3)  # (B, n, T/p, d)
        x = self.state_norm(x) * self.tap_scale[:, None] + self.tap_shift[:, None]  # (B, n, T/p, d)
        kv = x.flatten(0, 1)  # (B*n, T/p, d)
        q = self.queries.unsqueeze(0).expand(b, -1, -1, -1).flatten(0, 1)  # (B*n, Q, W)
        for block in self.blocks:
            q = block(q, kv)
        q = q.unflatten(0, (b, self.n_taps))  # (B, n, Q, W)
        w = torch.softmax(self.layer_logits, dim=0)  # (n,)
        h = self.out_norm((q * w[None, :, None, None]).sum(1))  # (B, Q, W)

        if self.config.head_input == "qformer":
            presence_logits = self.presence_head(h.mean(1))  # (B, L): before the projection (DESIGN 4b)
        else:
            presence_logits = self.presence_head(x.mean(2).flatten(1))  # (B, L) from (B, n*d)
        presence_logits = presence_logits[:, : self.n_labels]
        audio_tokens = self.proj(h)  # (B, Q, D)
        if self.decision_yes is None:  # plain LISTEN: the LLM decides from the audio tokens
            return audio_tokens, presence_logits

        asked = label_index.clamp(min=0).unsqueeze(1)  # (B, 1)
        p_yes = torch.sigmoid(presence_logits.gather(1, asked)).squeeze(1)  # (B,)
        if decision_p is not None:  # training: teacher-forced values; NaN = use the head (detached)
            p_yes = torch.where(torch.isnan(decision_p), p_yes.detach(), decision_p.to(p_yes.dtype))
        p_yes = p_yes[:, None, None]  # (B, 1, 1)
        decided = p_yes * self.decision_yes + (1 - p_yes) * self.decision_no  # (B, K, D)
        has_label = (label_index >= 0)[:, None, None]  # (B, 1, 1)
        decision = torch.where(has_label, decided, self.decision_open.expand_as(decided))  # (B, K, D)
        return torch.cat([audio_tokens, decision.to(audio_tokens.dtype)], dim=1), presence_logits

    @torch.no_grad()
    def init_for_llm(self, embedding_rms: float, yes: torch.Tensor, no: torch.Tensor, opened: torch.Tensor) -> None:
        """Start in the LLM's embedding scale: projection output RMS ~= embedding RMS, and the
        decision tokens from the embeddings of short phrases ((K, D) each)."""
        self.proj.weight.mul_(embedding_rms / (self.proj.weight.std() * self.proj.in_features**0.5))
        self.proj.bias.zero_()
        if self.decision_yes is None:
            return
        for param, emb in ((self.decision_yes, yes), (self.decision_no, no), (self.decision_open, opened)):
            param.copy_(_fit_rows(emb, param.shape[0]))


def _fit_rows(emb: torch.Tensor, k: int) -> torch.Tensor:
    """Repeat or cut (n, D) rows to exactly k rows."""
    reps = -(-k // emb.shape[0])
    return emb.repeat(reps, 1)[:k]
