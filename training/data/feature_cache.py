"""Cache of frozen-encoder states: computed once per clip, read by every training step.

Key: the sha256 of the clip's 16 kHz float32 samples in the encoder's window, inside a
folder named by the encoder's fingerprint (weights, taps, window). A changed clip or a
changed encoder therefore never hits a stale entry. Each entry is one `.npy` file of
shape (n_taps, T, d_model), float16, written atomically (temporary file, then rename), so
several processes may fill the cache at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from core import audio as af
from core.paths import listen_home
from training.errors import FeatureCacheError
from training.model.encoder import TappedWhisperEncoder


def default_cache_dir() -> Path:
    return listen_home() / "features"


def window_audio(audio: np.ndarray, window_seconds: float) -> np.ndarray:
    """The samples the encoder sees: cut/zero-padded to the window, float32."""
    return af.pad_or_trim(np.asarray(audio, dtype=np.float32), af.window_samples(window_seconds))


def audio_key(audio: np.ndarray, window_seconds: float) -> str:
    return hashlib.sha256(window_audio(audio, window_seconds).tobytes()).hexdigest()


@torch.no_grad()
def encode_audio(encoder: TappedWhisperEncoder, audios: Sequence[np.ndarray]) -> torch.Tensor:
    """Run the frozen encoder (fp32) on waveforms: (B, n_taps, T, d) float32 on the CPU."""
    window = encoder.config.window_seconds
    feats = torch.stack(
        [torch.from_numpy(af.features_for_window(a, window, encoder.n_mels)) for a in audios]
    )  # (B, n_mels, F)
    device = next(encoder.parameters()).device
    return encoder(feats.to(device)).float().cpu()


class FeatureCache:
    def __init__(self, root: Path | str, encoder: TappedWhisperEncoder):
        self.encoder = encoder
        self.window_seconds = encoder.config.window_seconds
        self.dir = Path(root) / encoder.fingerprint()[:20]

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.npy"

    def key(self, audio: np.ndarray) -> str:
        return audio_key(audio, self.window_seconds)

    def load(self, key: str) -> np.ndarray:
        """(n_taps, T, d) float16, memory-mapped."""
        try:
            return np.load(self.path(key), mmap_mode="r")
        except (OSError, ValueError) as err:
            raise FeatureCacheError(
                f"feature cache entry {self.path(key)} is missing or corrupt ({err}); delete it and run again"
            ) from err

    def load_batch(self, keys: Sequence[str]) -> torch.Tensor:
        """(B, n_taps, T, d) float16 tensor."""
        return torch.from_numpy(np.stack([self.load(k) for k in keys]))

    def encode(self, audios: Sequence[np.ndarray]) -> torch.Tensor:
        return encode_audio(self.encoder, audios)

    def fill(self, audios: Sequence[np.ndarray], batch_size: int = 8, progress: bool = True) -> list[str]:
        """Keys of the waveforms, encoding (and storing) those not cached yet."""
        from tqdm.auto import tqdm

        keys = [self.key(a) for a in audios]
        todo = sorted({k: i for i, k in enumerate(keys) if not self.path(k).is_file()}.items())
        bar = tqdm(total=len(todo), desc="encoding clips", unit="clip", disable=not progress or not todo)
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            states = self.encode([audios[i] for _, i in chunk])
            for (key, _), s in zip(chunk, states):
                self._write(key, s.to(torch.float16).numpy())
            bar.update(len(chunk))
        bar.close()
        return keys

    def _write(self, key: str, array: np.ndarray) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, array)
            os.replace(tmp, path)
        except OSError as err:
            Path(tmp).unlink(missing_ok=True)
            raise FeatureCacheError(f"cannot write feature cache entry {path}: {err}") from err
