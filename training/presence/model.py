"""The presence model: two small projections into one space, and a score per 1 s segment.

forward(segments, phrases) -> (clip_logits, segment_logits)
  segments:       (B, n_taps, S, d_enc) segment means of the frozen encoder's taps
  phrases:        (P, d_llm) the text tower's phrase states (`text_tower.phrase_states`)
  segment_logits: (B, P, S) scale * cos(audio segment, phrase) + bias
  clip_logits:    (B, P) pooled over the segments (`PresenceConfig.pooling`):
                  "lse": logsumexp of the segment logits, a soft max, so that a 1 s event in a
                  10 s clip counts, and the segment that carried it dates it;
                  "attention": the segments' embeddings averaged with weights from a learned
                  salience of each segment plus its match to the phrase, then scored once
                  (silence and padding can be weighed out; several segments of one sound add up)

Uncalibrated: `calibration.Platt` maps clip logits to probabilities. Sized for 2 CPU cores:
about 1.5 M parameters, trained in minutes on cached features (`train`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from training.presence.features import SEGMENT_FRAMES, segment_means


POOLINGS = ("lse", "attention")


@dataclass(frozen=True)
class PresenceConfig:
    dim: int = field(default=256, metadata={"help": "width of the shared audio-text space"})
    hidden: int = field(default=512, metadata={"help": "hidden width of each projection"})
    context: int = field(default=3, metadata={"help": "segments each audio embedding sees (odd; 1 = none)"})
    dropout: float = field(default=0.2, metadata={"help": "dropout inside both projections while training"})
    segment_frames: int = field(default=SEGMENT_FRAMES, metadata={"help": "encoder positions per segment (50 = 1 s)"})
    pooling: str = field(default="lse", metadata={"help": "segments to clip: lse (logsumexp of segment scores) or "
                                                           "attention (salience + phrase-match weighted embedding)"})

    def to_dict(self) -> dict:
        return asdict(self)


class PresenceModel(nn.Module):
    def __init__(self, config: PresenceConfig, n_taps: int, enc_width: int, text_width: int):
        super().__init__()
        if config.context < 1 or config.context % 2 == 0:
            raise ValueError(f"context {config.context} must be an odd number of segments >= 1")
        if config.pooling not in POOLINGS:
            raise ValueError(f"pooling {config.pooling!r} must be one of {', '.join(POOLINGS)}")
        self.config = config
        self.n_taps, self.enc_width, self.text_width = n_taps, enc_width, text_width
        self.tap_norm = nn.LayerNorm(enc_width, elementwise_affine=False)  # the taps differ in scale
        self.audio = nn.Sequential(
            nn.Dropout(config.dropout),
            nn.Conv1d(n_taps * enc_width, config.hidden, config.context, padding=config.context // 2),
            nn.GELU(), nn.Dropout(config.dropout), nn.Conv1d(config.hidden, config.dim, 1),
        )
        self.text = nn.Sequential(
            nn.LayerNorm(text_width), nn.Dropout(config.dropout), nn.Linear(text_width, config.hidden),
            nn.GELU(), nn.Dropout(config.dropout), nn.Linear(config.hidden, config.dim),
        )
        self.log_scale = nn.Parameter(torch.tensor(math.log(10.0)))
        self.bias = nn.Parameter(torch.tensor(-5.0))  # most (clip, phrase) pairs are absent
        if config.pooling == "attention":
            self.salience = nn.Conv1d(n_taps * enc_width, 1, 1)  # how much a segment holds any sound
            self.log_sharpness = nn.Parameter(torch.tensor(math.log(5.0)))  # of the phrase-match term

    def _taps(self, segments: torch.Tensor) -> torch.Tensor:
        """(B, n_taps, S, d) -> (B, n_taps * d, S), each tap normalised."""
        x = self.tap_norm(segments.to(self.log_scale.dtype))  # (B, n, S, d)
        return x.permute(0, 1, 3, 2).flatten(1, 2)

    def embed_audio(self, segments: torch.Tensor) -> torch.Tensor:
        """(B, n_taps, S, d) -> (B, S, dim), unit length."""
        return nn.functional.normalize(self.audio(self._taps(segments)).transpose(1, 2), dim=-1)

    def embed_text(self, phrases: torch.Tensor) -> torch.Tensor:
        """(P, d_llm) -> (P, dim), unit length."""
        return nn.functional.normalize(self.text(phrases.to(self.log_scale.dtype)), dim=-1)

    def score(self, audio: torch.Tensor, text: torch.Tensor,
              salience: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        cos = torch.einsum("bsk,pk->bps", audio, text)  # (B, P, S)
        seg = self.log_scale.exp() * cos + self.bias
        if self.config.pooling == "lse":
            return torch.logsumexp(seg, dim=-1), seg
        weights = torch.softmax(salience[:, None, :] + self.log_sharpness.exp() * cos, dim=-1)  # (B, P, S)
        pooled = nn.functional.normalize(torch.einsum("bps,bsk->bpk", weights, audio), dim=-1)
        return self.log_scale.exp() * torch.einsum("bpk,pk->bp", pooled, text) + self.bias, seg

    def forward(self, segments: torch.Tensor, phrases: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.score_segments(segments, self.embed_text(phrases))

    def score_segments(self, segments: torch.Tensor, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Clip and segment logits of segment features (B, n_taps, S, d) against embedded phrases (P, dim)."""
        if self.config.pooling == "lse":
            return self.score(self.embed_audio(segments), text)
        x = self._taps(segments)
        audio = nn.functional.normalize(self.audio(x).transpose(1, 2), dim=-1)
        return self.score(audio, text, self.salience(x)[:, 0, :])


class PresenceGraph(nn.Module):
    """What export traces: full encoder states in, scores and phrase embeddings out.

    forward(states (W, n_taps, T, d), phrases (P, d_llm)) ->
        logits (W, P), segment_logits (W, P, S), phrase_embeddings (P, dim)
    """

    def __init__(self, model: PresenceModel):
        super().__init__()
        self.model = model

    def forward(self, states: torch.Tensor, phrases: torch.Tensor):
        text = self.model.embed_text(phrases)
        logits, seg = self.model.score_segments(segment_means(states, self.model.config.segment_frames), text)
        return logits, seg, text
