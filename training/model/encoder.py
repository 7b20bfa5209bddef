"""The frozen Whisper encoder, exposing the hidden states of tapped layers.

Windows shorter than 30 s trim the positional embeddings and the frames, as whisper.cpp's
`audio_ctx` does: Whisper itself refuses anything but 3000 mel frames, so the forward pass
is written out here (conv1, conv2, positions, layers, final LayerNorm) and stays
export-friendly (no data-dependent Python control flow).
"""

from __future__ import annotations

import hashlib
import json

import torch
from torch import nn

from core import audio as af
from training.errors import EncoderConfigError
from training.model.adapter_config import EncoderConfig


class TappedWhisperEncoder(nn.Module):
    """Frozen Whisper encoder -> stacked tapped states.

    forward(features: (B, n_mels, F)) -> (B, n_taps, F // 2, d_model)
    Tap 0 is the input embeddings (convs + positions); tap k is the output of layer k; the
    last layer's output carries the final LayerNorm, as in transformers' hidden_states.
    """

    def __init__(self, whisper_encoder: nn.Module, config: EncoderConfig):
        super().__init__()
        self.conv1 = whisper_encoder.conv1
        self.conv2 = whisper_encoder.conv2
        self.embed_positions = whisper_encoder.embed_positions
        self.layers = whisper_encoder.layers
        self.layer_norm = whisper_encoder.layer_norm
        self.config = config
        n_states = len(self.layers) + 1
        self.taps = tuple(config.taps) if config.taps else tuple(range(n_states))
        bad = [t for t in self.taps if not 0 <= t < n_states]
        if bad or len(set(self.taps)) != len(self.taps):
            raise EncoderConfigError(
                f"taps {list(config.taps)} are invalid for a Whisper encoder with {len(self.layers)} layers; "
                f"use distinct indices in 0..{n_states - 1} (0 = embeddings)"
            )
        self.n_frames = af.window_frames(config.window_seconds)  # mel frames per window
        self.n_positions = self.n_frames // 2  # conv2 has stride 2
        if self.n_positions > self.embed_positions.num_embeddings:
            raise EncoderConfigError(
                f"window of {config.window_seconds} s needs {self.n_positions} positions but the encoder has "
                f"{self.embed_positions.num_embeddings}; use window_seconds <= {af.CHUNK_SECONDS}"
            )
        self.n_mels = self.conv1.in_channels
        self.d_model = self.embed_positions.embedding_dim
        self.eval()
        for p in self.parameters():
            p.requires_grad_(False)

    @property
    def n_taps(self) -> int:
        return len(self.taps)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = nn.functional.gelu(self.conv1(features))  # (B, d, F)
        x = nn.functional.gelu(self.conv2(x))  # (B, d, F/2)
        x = x.permute(0, 2, 1)  # (B, T, d)
        x = x + self.embed_positions.weight[: x.shape[1]]  # trimmed positions (audio_ctx)
        states = [x]
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x, None)
            states.append(self.layer_norm(x) if i == last else x)
        return torch.stack([states[t] for t in self.taps], dim=1)  # (B, n_taps, T, d)

    def fingerprint(self) -> str:
        """A hash of the weights, taps and window: the feature-cache key for this encoder."""
        h = hashlib.sha256()
        h.update(json.dumps({"taps": self.taps, "frames": self.n_frames, "mels": self.n_mels}).encode())
        for name, tensor in sorted(self.state_dict().items()):
            h.update(name.encode())
            h.update(tensor.detach().to(torch.float32).contiguous().cpu().numpy().tobytes())
        return h.hexdigest()


def load_tapped_encoder(config: EncoderConfig) -> TappedWhisperEncoder:
    """Load Whisper via training.backbones.load and wrap its encoder (frozen, eval)."""
    from training.backbones.load import load_whisper

    model, _ = load_whisper(config.whisper)
    return TappedWhisperEncoder(model.model.encoder, config)

