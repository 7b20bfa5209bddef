"""Segment features of a corpus: the frozen encoder's taps, averaged over 1 s segments.

The presence model sees the audio only through these means, (n_taps, S, d) per clip, so they
are computed once per clip and kept in one `.npz` per corpus split (fp16, about 40 KB a clip
instead of 2 MB for the full states). The exported graph pools the full states the same way
(`segment_means`), so training and the edge see the same numbers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from training.errors import PresenceDataError

POSITIONS_PER_SECOND = 50  # Whisper's encoder: 100 mel frames/s, halved by its strided conv
SEGMENT_FRAMES = POSITIONS_PER_SECOND  # encoder positions per segment: 1 s


def segment_means(states: torch.Tensor, segment_frames: int = SEGMENT_FRAMES) -> torch.Tensor:
    """(B, n_taps, T, d) -> (B, n_taps, T // segment_frames, d): the mean of each segment."""
    t = states.shape[2] // segment_frames * segment_frames
    return states[:, :, :t].unflatten(2, (-1, segment_frames)).mean(3)


@dataclass
class SplitFeatures:
    ids: list[str]  # clip ids, in row order
    labels: list[tuple[str, ...]]  # labels present in each clip
    segments: np.ndarray  # (N, n_taps, S, d) float16

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, segments=self.segments, ids=np.array(self.ids),
                 labels=np.array([json.dumps(list(x)) for x in self.labels]))
        tmp.replace(path)

    def __add__(self, other: SplitFeatures) -> SplitFeatures:
        """Two splits' features as one (their clip ids are distinct)."""
        return SplitFeatures(self.ids + other.ids, self.labels + other.labels,
                             np.concatenate([self.segments, other.segments]))

    @classmethod
    def load(cls, path: Path) -> SplitFeatures:
        try:
            with np.load(path) as z:
                return cls([str(i) for i in z["ids"]], [tuple(json.loads(x)) for x in z["labels"]], z["segments"])
        except (OSError, KeyError, ValueError) as err:
            raise PresenceDataError(f"cannot read segment features {path} ({err}); delete it and run again") from err


def features_path(cache_dir: Path, clip_index: Path, split: str, encoder_fingerprint: str,
                  segment_frames: int = SEGMENT_FRAMES) -> Path:
    """One file per (clip index content, split, encoder, segment length): a rebuilt corpus never hits stale features."""
    h = hashlib.sha256(Path(clip_index).read_bytes())
    h.update(f"{split}:{encoder_fingerprint}:{segment_frames}".encode())
    return Path(cache_dir) / f"{Path(clip_index).parent.name}-{split}-{h.hexdigest()[:12]}.npz"


def split_features(clip_index: Path, split: str, encoder, cache_dir: Path, batch_size: int = 8,
                   progress: bool = True, segment_frames: int = SEGMENT_FRAMES) -> SplitFeatures:
    """The segment features of one split of a corpus, from the cache or computed (and cached)."""
    from tqdm.auto import tqdm

    from core.audio_io import read_audio
    from training.corpus.clip_index import read_clip_index
    from training.data.feature_cache import encode_audio

    clip_index = Path(clip_index)
    path = features_path(cache_dir, clip_index, split, encoder.fingerprint(), segment_frames)
    if path.is_file():
        return SplitFeatures.load(path)
    records = [r for r in read_clip_index(clip_index) if r.split == split]
    if not records:
        raise PresenceDataError(f"{clip_index} has no clip in split {split!r}")
    out = []
    with tqdm(total=len(records), desc=f"encoding {split}", unit="clip", disable=not progress) as bar:
        for lo in range(0, len(records), batch_size):
            chunk = records[lo : lo + batch_size]
            states = encode_audio(encoder, [read_audio(r.audio_path(clip_index.parent)) for r in chunk])
            out.append(segment_means(states, segment_frames).to(torch.float16).numpy())
            bar.update(len(chunk))
    feats = SplitFeatures([r.id for r in records], [tuple(r.labels) for r in records], np.concatenate(out))
    feats.save(path)
    return feats
