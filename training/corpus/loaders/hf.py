"""Hugging Face `datasets` with an Audio column (optional dependency: `pip install datasets`).

The dataset is opened with `load_from_disk` (a saved folder) or `load_dataset` (a name or a
data folder). Its audio may live in memory or in archives, so each clip is decoded,
resampled to 16 kHz mono and written to `<out>/audio/<split>/<id>.wav`; the clip index then
points at those files like a built corpus.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from core.audio import SAMPLE_RATE
from core.audio_io import resample
from training.corpus.clip_files import write_wav
from training.corpus.clip_index import SPLIT_NAMES, ClipRecord
from training.corpus.events import to_label
from training.corpus.loaders.common import library_matcher
from training.errors import CorpusError, CorpusFileError

log = logging.getLogger(__name__)


def open_dataset(spec: str, hf_split: str):
    try:
        import datasets
    except ImportError as err:
        raise CorpusError("importing a Hugging Face dataset needs the `datasets` package: pip install datasets") from err
    try:
        folder = Path(spec)
        if folder.is_dir() and ((folder / "dataset_info.json").exists() or (folder / "dataset_dict.json").exists()):
            ds = datasets.load_from_disk(spec)
            return ds[hf_split] if isinstance(ds, datasets.DatasetDict) else ds
        return datasets.load_dataset(spec, split=hf_split)
    except Exception as err:  # noqa: BLE001 - datasets raises many types for a bad spec
        raise CorpusError(f"cannot open Hugging Face dataset {spec!r} (split {hf_split!r}): {err}") from err


def load_hf(ds, out: Path, split: str, audio_column: str = "audio", tags_column: str | None = None,
            caption_column: str | None = None, id_column: str | None = None, where: str = "dataset") -> list[ClipRecord]:
    """Decode every row of `ds` (an iterable of dicts) into `out/audio/<split>/`, and build rows."""
    if split not in SPLIT_NAMES:
        raise CorpusFileError(f"split {split!r} must be one of {', '.join(SPLIT_NAMES)}")
    matcher = library_matcher()
    rows = []
    for i, item in enumerate(ds):
        at = f"{where} row {i}"
        if audio_column not in item:
            raise CorpusFileError(f"{at}: no column {audio_column!r} (columns: {', '.join(item)}); pass --audio-column")
        x, sr = _decode(item[audio_column], at)
        x = resample(x, sr, SAMPLE_RATE)
        caption = str(item.get(caption_column) or "") if caption_column else ""
        tags = item.get(tags_column) if tags_column else None
        if tags is not None and not (isinstance(tags, list) and all(isinstance(t, (str, int)) for t in tags)):
            raise CorpusFileError(f"{at}: column {tags_column!r} must hold a list of tags, found {tags!r}")
        labels = sorted({to_label(str(t)) for t in tags}) if tags else matcher.asserted_labels(caption)
        rid = to_label(str(item[id_column])) if id_column else f"hf{i:06d}"
        rel = f"audio/{split}/{rid}.wav"
        write_wav(out / rel, x)
        rows.append(ClipRecord(
            id=rid, audio=rel, split=split, duration_s=round(x.size / SAMPLE_RATE, 3), sample_rate=SAMPLE_RATE,
            labels=labels, events=[{"label": lab, "onset_s": None, "offset_s": None, "source": "hf",
                                     "instance": f"{where}:{i}", "snr_db": None} for lab in labels],
            caption=caption.strip(), background=None))
    return rows


def _decode(value, at: str) -> tuple[np.ndarray, int]:
    """An Audio cell: a dict {array, sampling_rate} (datasets < 4) or a torchcodec decoder (>= 4)."""
    if isinstance(value, dict) and "array" in value:
        x = np.asarray(value["array"], dtype=np.float32)
        sr = int(value["sampling_rate"])
    elif hasattr(value, "get_all_samples"):
        samples = value.get_all_samples()
        x = np.asarray(samples.data.numpy(), dtype=np.float32)
        sr = int(samples.sample_rate)
    else:
        raise CorpusFileError(f"{at}: the audio column holds {type(value).__name__}, not decoded audio; cast it with datasets.Audio()")
    if x.ndim == 2:  # (channels, samples) or (samples, channels): average the short axis
        x = x.mean(axis=0 if x.shape[0] < x.shape[1] else 1)
    if x.size == 0:
        raise CorpusFileError(f"{at}: the audio holds no samples")
    return x, sr
