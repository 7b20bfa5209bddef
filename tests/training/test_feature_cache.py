"""The feature cache returns what the encoder computes, keyed by audio content and encoder config."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from edge.audio_frontend import features_for_window
from training.adapter_config import EncoderConfig
from training.encoder import TappedWhisperEncoder
from training.feature_cache import FeatureCache, encode_audio

from tests.training.train_helpers import clip


@pytest.fixture(scope="module")
def encoder(tiny_whisper_dir):
    from transformers import WhisperModel

    return TappedWhisperEncoder(WhisperModel.from_pretrained(tiny_whisper_dir).encoder, EncoderConfig(window_seconds=1.0))


def test_cache_equals_running_the_encoder(tmp_path, encoder):
    audios = [clip(("siren",), 1), clip(("doorbell",), 2), clip(("siren", "dog_barking"), 3)]
    cache = FeatureCache(tmp_path, encoder)
    keys = cache.fill(audios, batch_size=2, progress=False)
    cached = cache.load_batch(keys)  # (3, n_taps, T, d) fp16
    with torch.no_grad():
        direct = encoder(torch.stack([torch.from_numpy(features_for_window(a, 1.0)) for a in audios]))
    assert cached.dtype == torch.float16 and cached.shape == direct.shape == (3, 3, 50, 64)
    # fp16 storage is the only difference: exactly the fp16 rounding of the direct states
    assert torch.equal(cached, direct.to(torch.float16))
    assert torch.equal(cached, encode_audio(encoder, audios).to(torch.float16))


def test_keys_follow_content_and_entries_are_reused(tmp_path, encoder):
    a, b = clip(("siren",), 1), clip(("siren",), 2)
    cache = FeatureCache(tmp_path, encoder)
    ka, kb, ka2 = cache.fill([a, b, a.copy()], progress=False)
    assert ka == ka2 and ka != kb
    mtime = cache.path(ka).stat().st_mtime_ns
    cache.fill([a], progress=False)
    assert cache.path(ka).stat().st_mtime_ns == mtime  # not recomputed
    a2 = a.copy()
    a2[100] += 1e-3  # one sample changed: a new entry
    assert cache.key(a2) != ka
    # samples past the window do not change what the encoder sees, nor the key
    assert cache.key(np.concatenate([a, np.ones(500, np.float32)])) == ka


def test_other_encoder_config_uses_another_folder(tmp_path, tiny_whisper_dir, encoder):
    from transformers import WhisperModel

    other = TappedWhisperEncoder(WhisperModel.from_pretrained(tiny_whisper_dir).encoder, EncoderConfig(taps=(0,), window_seconds=1.0))
    assert FeatureCache(tmp_path, encoder).dir != FeatureCache(tmp_path, other).dir
