"""Where a batch's encoder states come from: the feature cache, or the encoder live.

`CachedStates` indexes every clip once (reading its audio, hashing it, encoding it if the
cache lacks it) and afterwards only reads `.npy` entries. `LiveStates` reads the audio and
runs the frozen encoder at every step (what training costs without the cache).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from core.audio_io import read_audio
from training.data.feature_cache import FeatureCache, encode_audio
from training.model.encoder import TappedWhisperEncoder

INDEX_CHUNK = 64  # clips read into memory at once while indexing (10 s clips: 40 MB)


class CachedStates:
    def __init__(self, cache: FeatureCache, audio_paths: Sequence[str], progress: bool = True):
        from tqdm.auto import tqdm

        self.cache = cache
        self.keys: dict[str, str] = {}
        unique = sorted(set(audio_paths))
        bar = tqdm(total=len(unique), desc="indexing clips", unit="clip", disable=not progress)
        for start in range(0, len(unique), INDEX_CHUNK):
            chunk = unique[start : start + INDEX_CHUNK]
            keys = cache.fill([read_audio(p) for p in chunk], progress=False)
            self.keys.update(zip(chunk, keys))
            bar.update(len(chunk))
        bar.close()

    def __call__(self, audio_paths: Sequence[str]) -> torch.Tensor:
        """(B, n_taps, T, d) float16."""
        return self.cache.load_batch([self.keys[p] for p in audio_paths])


class LiveStates:
    def __init__(self, encoder: TappedWhisperEncoder):
        self.encoder = encoder

    def __call__(self, audio_paths: Sequence[str]) -> torch.Tensor:
        """(B, n_taps, T, d) float32, encoder run now."""
        return encode_audio(self.encoder, [read_audio(p) for p in audio_paths])
