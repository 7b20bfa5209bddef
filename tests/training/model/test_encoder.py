"""The tapped encoder reproduces transformers' Whisper encoder, and trims windows like audio_ctx."""

from __future__ import annotations

import pytest
import torch

from training.errors import EncoderConfigError
from training.model.adapter_config import EncoderConfig
from training.model.encoder import TappedWhisperEncoder


@pytest.fixture(scope="module")
def whisper(tiny_whisper_dir):
    from transformers import WhisperModel

    return WhisperModel.from_pretrained(tiny_whisper_dir).eval()


def test_full_window_equals_transformers_hidden_states(whisper):
    enc = TappedWhisperEncoder(whisper.encoder, EncoderConfig(window_seconds=30.0))
    feats = torch.randn(2, 80, 3000)
    with torch.no_grad():
        ours = enc(feats)  # (B, n_taps, T, d)
        ref = whisper.encoder(feats, output_hidden_states=True).hidden_states
    assert ours.shape == (2, len(ref), 1500, 64)
    # the same layers on the same batch (bitwise equal on AMD EPYC); 1e-5 absolute is about 100
    # fp32 ulps of the states' scale (up to 3), room for another CPU's kernels and nothing more
    for k, state in enumerate(ref):
        torch.testing.assert_close(ours[:, k], state, rtol=0, atol=1e-5)


def test_trimmed_window_and_selected_taps(whisper):
    enc = TappedWhisperEncoder(whisper.encoder, EncoderConfig(taps=(2, 0), window_seconds=10.0))
    feats = torch.randn(1, 80, 1000)
    with torch.no_grad():
        out = enc(feats)
    assert out.shape == (1, 2, 500, 64)
    # tap 0 is conv + trimmed positions only: compare with the first 500 positions of a full run
    full = TappedWhisperEncoder(whisper.encoder, EncoderConfig(taps=(0,), window_seconds=30.0))
    padded = torch.nn.functional.pad(feats, (0, 2000))
    with torch.no_grad():
        ref0 = full(padded)[:, 0, :499]  # the last trimmed frame sees conv padding instead of the next frame
    # a shorter conv input: per-frame sums are the same, their blocking may not be (states about 1)
    torch.testing.assert_close(out[:, 1, :499], ref0, rtol=0, atol=1e-5)


def test_frozen_and_fingerprint_depends_on_config(whisper):
    a = TappedWhisperEncoder(whisper.encoder, EncoderConfig(window_seconds=10.0))
    b = TappedWhisperEncoder(whisper.encoder, EncoderConfig(taps=(1,), window_seconds=10.0))
    c = TappedWhisperEncoder(whisper.encoder, EncoderConfig(window_seconds=5.0))
    assert not any(p.requires_grad for p in a.parameters())
    assert len({a.fingerprint(), b.fingerprint(), c.fingerprint()}) == 3
    assert a.fingerprint() == TappedWhisperEncoder(whisper.encoder, EncoderConfig(window_seconds=10.0)).fingerprint()


@pytest.mark.parametrize("config,match", [
    (EncoderConfig(taps=(5,)), "taps"),
    (EncoderConfig(taps=(1, 1)), "taps"),
    (EncoderConfig(window_seconds=40.0), "window"),
])
def test_bad_config_is_refused(whisper, config, match):
    with pytest.raises(EncoderConfigError, match=match):
        TappedWhisperEncoder(whisper.encoder, config)
