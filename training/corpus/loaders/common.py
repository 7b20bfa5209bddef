"""What every loader shares: finding audio files, building rows, writing the corpus folder."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from training.corpus.clip_files import audio_info
from training.corpus.clip_index import SPLIT_NAMES, ClipRecord
from training.corpus.folder import Corpus, save_corpus
from training.corpus.ontology import entries_for, vocabulary
from core.mentions import MentionFinder
from training.errors import AudioReadError, CorpusError, CorpusFileError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportOptions:
    audio_dir: Path  # where the dataset's audio files are
    split: str | None = None  # force a split (default: from the dataset or its file name)
    skip_missing: bool = False  # drop rows whose audio is missing (logged) instead of failing


def find_audio(audio_dir: Path, candidates: list[str], where: str, skip_missing: bool) -> Path | None:
    """The first existing file among `candidates` (names relative to audio_dir)."""
    for name in candidates:
        p = Path(name) if Path(name).is_absolute() else audio_dir / name
        if p.is_file():
            return p
    if skip_missing:
        return None
    raise AudioReadError(
        f"{where}: no audio file found in {audio_dir} (tried {', '.join(candidates[:4])}); "
        f"fix --audio-dir or --audio-pattern, or pass --skip-missing"
    )


def clip_row(rid: str, path: Path, split: str, labels: list[str], source: str, instance: str | None,
             caption: str, where: str, onset_offset: tuple[float | None, float | None] = (None, None)) -> ClipRecord:
    """A row for a dataset clip: duration and rate from the file header, weak (untimed) events."""
    if split not in SPLIT_NAMES:
        raise CorpusFileError(f"{where}: split {split!r} must be one of {', '.join(SPLIT_NAMES)}")
    try:
        duration, sr = audio_info(path)
    except AudioReadError as err:
        raise AudioReadError(f"{where}: {err}") from err
    labels = sorted(set(labels))
    onset, offset = onset_offset
    events = [{"label": lab, "onset_s": onset, "offset_s": offset, "source": source, "instance": instance,
               "snr_db": None} for lab in labels]
    return ClipRecord(id=rid, audio=str(path.resolve()), split=split, duration_s=round(duration, 3),
                       sample_rate=sr, labels=labels, events=events, caption=caption, background=None)


def library_matcher() -> MentionFinder:
    return MentionFinder(vocabulary())


def read_csv_rows(path: Path, required: list[str], comment: str | None = None) -> list[tuple[int, dict]]:
    """(line number, row) pairs of a CSV with a header; missing columns name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusError(f"{path} does not exist; pass the dataset's metadata file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise CorpusError(f"cannot read {path}: {err}") from err
    lines = [(i, line) for i, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not (comment and line.startswith(comment))]
    if not lines:
        raise CorpusError(f"{path} holds no rows")
    reader = csv.DictReader([line for _, line in lines], skipinitialspace=True)
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise CorpusFileError(f"{path}: missing column(s) {', '.join(missing)} (found {', '.join(header)})")
    return [(lines[k + 1][0], row) for k, row in enumerate(reader)]


def split_from_name(path: Path, default: str = "train") -> str:
    name = Path(path).stem.lower()
    if "eval" in name or "test" in name:
        return "test"
    if "val" in name:
        return "validation"
    return "train" if "train" in name else default


def write_imported(out: Path, rows: list[ClipRecord], label_synonyms: dict[str, list[str]] | None = None,
                   names: dict[str, str] | None = None) -> Corpus:
    """Write an imported corpus folder; labels.json holds the dataset's labels
    (library entries where the label is in the library, derived ones otherwise)."""
    if not rows:
        raise CorpusError("the import produced no rows (every clip missing or filtered); nothing written")
    labels = sorted({lab for r in rows for lab in r.labels})
    entries = entries_for(labels, label_synonyms)
    for e in entries:
        if names and e["label"] in names:
            e["name"] = names[e["label"]]
    return save_corpus(out, rows, entries)
