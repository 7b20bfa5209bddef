"""Label checks on the real recordings: durations, silence, and a statistic that catches a
mislabeled file (each label's mean log-mel spectrum, and each file's distance to it).

Run once over the extracted files (`listen corpus sources --check`, in the background: it
decodes every file); it writes `$LISTEN_HOME/sources/checks.json` and prints what each check
flagged. Flags are not applied at run time: each decision goes into the rules table
(`rules.CHECKED_OUT` exclusions or a changed rule), so it is reviewed and reproducible.

- `short`: under MIN_SECONDS of sound after trimming silence (or empty);
- `silent`: peak below SILENT_DBFS;
- `outlier`: the file's mean log-mel spectrum is far from the rest of its label's (leave-one-out
  mean, Euclidean distance, robust z-score above OUTLIER_Z; labels with at least
  MIN_FOR_STATS recordings). A `cattle` file that holds a sword clash lands here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.audio import SAMPLE_RATE, log_mel_spectrogram
from core.audio_io import iter_audio_blocks
from training.corpus.recordings import Recording

MAX_SECONDS = 30.0  # decoded per file: enough for a spectrum, bounded for 3-minute ambiences
MIN_SECONDS = 0.15  # shorter than this after trimming: too short to name
SILENT_DBFS = -50.0  # a peak below this is silence
TRIM_DB = 35.0  # frames more than this below the file's peak count as silence when trimming
MIN_FOR_STATS = 4  # recordings a label needs for the outlier statistic
OUTLIER_Z = 3.5  # robust z-score (median / MAD) above which a file is flagged


@dataclass(frozen=True)
class FileStats:
    duration_s: float  # seconds decoded (at most MAX_SECONDS)
    sound_s: float  # seconds within TRIM_DB of the peak
    peak_dbfs: float
    mean_mel: np.ndarray  # (N_MELS,) mean log-mel over the sounding frames


def file_stats(path: Path) -> FileStats:
    """Decode up to MAX_SECONDS with the project's reader and summarise them."""
    blocks, got = [], 0
    for block in iter_audio_blocks(path):
        blocks.append(block)
        got += block.size
        if got >= MAX_SECONDS * SAMPLE_RATE:
            break
    x = np.concatenate(blocks)[: int(MAX_SECONDS * SAMPLE_RATE)]
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    peak_db = 20 * np.log10(max(peak, 1e-10))
    frame = SAMPLE_RATE // 100
    n = x.size // frame
    rms = np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-20) if n else np.zeros(0)
    loud = 20 * np.log10(rms) > peak_db - TRIM_DB
    sound_s = float(loud.sum()) / 100
    if x.size < 401:
        mel = np.zeros(80, dtype=np.float32)
    else:
        spec = log_mel_spectrogram(x)  # (80, T)
        keep = loud[: spec.shape[1]]  # 10 ms RMS frames = mel frames (hop 160 at 16 kHz)
        cols = spec[:, : keep.size][:, keep] if keep.any() else spec
        mel = cols.mean(axis=1)
    return FileStats(x.size / SAMPLE_RATE, sound_s, peak_db, mel)


def outliers(vectors: dict[str, np.ndarray]) -> dict[str, float]:
    """{key: robust z} of the keys whose distance to the others' mean is an outlier."""
    keys = sorted(vectors)
    if len(keys) < MIN_FOR_STATS:
        return {}
    m = np.stack([vectors[k] for k in keys])  # (N, M)
    total = m.sum(axis=0)
    dist = np.array([np.linalg.norm(m[i] - (total - m[i]) / (len(keys) - 1)) for i in range(len(keys))])
    med = np.median(dist)
    mad = np.median(np.abs(dist - med)) * 1.4826 + 1e-9
    z = (dist - med) / mad
    return {k: float(zi) for k, zi in zip(keys, z) if zi > OUTLIER_Z}


def run_checks(recordings: list[Recording], out: Path, progress: bool = True) -> dict:
    """Check every recording (one per recording id); write and return the report."""
    from tqdm import tqdm

    unique = {}
    for r in recordings:
        unique.setdefault(r.recording_id, r)
    flagged: dict[str, list[dict]] = {"unreadable": [], "short": [], "silent": [], "outlier": []}
    by_label: dict[str, dict[str, np.ndarray]] = {}
    where = {}
    for rid, r in tqdm(sorted(unique.items()), desc="checking recordings", unit="file", disable=not progress):
        where[rid] = {"recording_id": rid, "label": r.label, "instance": r.instance_id}
        try:
            st = file_stats(r.path)
        except Exception as err:  # noqa: BLE001 - any decoder failure is a finding, not a crash
            flagged["unreadable"].append({**where[rid], "error": str(err)[:200]})
            continue
        if st.peak_dbfs < SILENT_DBFS:
            flagged["silent"].append({**where[rid], "peak_dbfs": round(st.peak_dbfs, 1)})
        elif st.sound_s < MIN_SECONDS:
            flagged["short"].append({**where[rid], "sound_s": st.sound_s})
        else:
            by_label.setdefault(r.label, {})[rid] = st.mean_mel
    for label, vectors in sorted(by_label.items()):
        for rid, z in sorted(outliers(vectors).items()):
            flagged["outlier"].append({**where[rid], "z": round(z, 1)})
    report = {"checked": len(unique), "counts": {k: len(v) for k, v in flagged.items()}, "flagged": flagged,
              "label_means": {lab: np.mean(list(v.values()), axis=0).round(3).tolist() for lab, v in by_label.items()}}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report
