"""The torch-free front end against transformers' WhisperFeatureExtractor (the reference)."""

from __future__ import annotations

import numpy as np
import pytest

from core import audio as af

# Stated tolerances, absolute, in normalised log-mel units ((log10 + 4) / 4):
ATOL_NUMPY = 1e-6  # the extractor's numpy path is float64 like ours: float32 rounding only (measured 1.2e-7)
ATOL_CALL = 1e-4  # its __call__ uses torch's float32 STFT when torch is present (measured 7e-6)


def _signal(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * af.SAMPLE_RATE)) / af.SAMPLE_RATE
    tone = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 3150 * t)
    return (tone + 0.05 * rng.standard_normal(t.shape)).astype(np.float32)


@pytest.fixture(scope="module")
def extractor():
    transformers = pytest.importorskip("transformers")
    return transformers.WhisperFeatureExtractor(feature_size=af.N_MELS)


def test_constants_match_whisper(extractor):
    assert (af.SAMPLE_RATE, af.N_FFT, af.HOP_LENGTH) == (
        extractor.sampling_rate, extractor.n_fft, extractor.hop_length,
    )


def test_mel_filters_match_reference(extractor):
    # transformers stores (n_freqs, n_mels); ours is (n_mels, n_freqs) like openai/whisper
    np.testing.assert_allclose(af.mel_filters(af.N_MELS), extractor.mel_filters.T, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("seconds,window", [(30.0, 30.0), (3.2, 10.0), (12.0, 10.0)])
def test_log_mel_matches_extractor(extractor, seconds, window):
    audio = _signal(seconds, seed=int(seconds * 10))
    ours = af.features_for_window(audio, window)
    n = af.window_samples(window)
    ref = extractor._np_extract_fbank_features(af.pad_or_trim(audio, n)[None], "cpu")[0]
    assert ours.shape == (af.N_MELS, af.window_frames(window)) == ref.shape
    np.testing.assert_allclose(ours, ref, atol=ATOL_NUMPY, rtol=0)


def test_full_window_matches_extractor_call(extractor):
    """The public __call__ (30 s padding, torch STFT when torch is present) agrees too."""
    audio = _signal(7.0, seed=1)
    ref = extractor(audio, sampling_rate=af.SAMPLE_RATE, return_tensors="np").input_features[0]
    np.testing.assert_allclose(af.features_for_window(audio, af.CHUNK_SECONDS), ref, atol=ATOL_CALL, rtol=0)


def test_silence_is_floor_and_short_window_rejects_odd_frames():
    feats = af.log_mel_spectrogram(np.zeros(af.window_samples(1.0)))
    np.testing.assert_allclose(feats, (np.log10(af.LOG_FLOOR) + 4) / 4)
    with pytest.raises(ValueError, match="multiple of 0.02"):
        af.window_frames(0.01)


def test_rejects_stereo():
    with pytest.raises(ValueError, match="mono"):
        af.log_mel_spectrogram(np.zeros((2, 16000)))
