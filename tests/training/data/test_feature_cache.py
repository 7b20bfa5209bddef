"""The feature cache returns what the encoder computes, keyed by audio content and encoder config."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.audio import features_for_window
from training.data.feature_cache import FeatureCache, encode_audio
from training.model.adapter_config import EncoderConfig
from training.model.encoder import TappedWhisperEncoder

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
    assert torch.equal(direct, encode_audio(encoder, audios))  # the same call on the same batch
    # The cache encoded batches of 2 and 1, `direct` one batch of 3: another batch shape makes
    # oneDNN/MKL block the fp32 sums differently, so the states differ in their last bits
    # (Intel and AMD differ here), and storing fp16 can then round to the neighbouring value:
    # at most one fp16 ulp, which is at most 2**-10 of the value (rtol).
    # atol covers elements near zero, whose fp32 error scales with the states' magnitude,
    # not their own: 1e-5 of the largest state (about 3), 40x the fp32 difference measured between
    # batch shapes on AMD EPYC (7e-7).
    atol = 1e-5 * float(direct.abs().max())
    torch.testing.assert_close(cached.float(), direct, rtol=2**-10, atol=atol)
    # the tolerance still tells clips apart: a cache that mixed up entries would fail
    for i, j in ((0, 1), (1, 2), (0, 2)):
        assert not torch.allclose(cached[i].float(), direct[j], rtol=2**-10, atol=atol), (i, j)


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
