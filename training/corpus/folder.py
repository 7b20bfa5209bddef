"""A corpus folder as one object: its rows, its label vocabulary and its statistics."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.corpus.clip_index import CLIP_INDEX_FILE, STATS_FILE, ClipRecord, locate, read_clip_index, write_clip_index
from training.corpus.events import LABELS_FILE, read_labels_json, write_labels_json
from training.corpus.ontology import vocabulary
from training.corpus.stats import compute_stats, read_stats, write_stats
from training.errors import AudioReadError, CorpusError, CorpusFileError


@dataclass(frozen=True)
class Corpus:
    root: Path
    rows: list[ClipRecord]
    labels: list[dict]  # labels.json entries {label, name, synonyms}
    stats: dict  # stats.json

    @property
    def label_names(self) -> dict[str, str]:
        return {e["label"]: e["name"] for e in self.labels}

    def split(self, name: str | None) -> list[ClipRecord]:
        return [r for r in self.rows if name in (None, "all", r.split)]


def save_corpus(root: Path, rows: list[ClipRecord], label_entries: list[dict] | None = None) -> Corpus:
    """Write clips.jsonl (the clip index), labels.json (default: the built-in library) and stats.json."""
    root.mkdir(parents=True, exist_ok=True)
    rows = sorted(rows, key=lambda r: r.id)
    write_clip_index(root / CLIP_INDEX_FILE, rows)
    write_labels_json(root / LABELS_FILE, vocabulary() if label_entries is None else label_entries)
    labels = read_labels_json(root / LABELS_FILE)
    stats = compute_stats(rows, [e["label"] for e in labels])
    write_stats(root, stats)
    return Corpus(root, rows, labels, stats)


def load_corpus(root: Path, check_audio: bool = False) -> Corpus:
    """Read a corpus folder; unknown labels, an empty clip index or (optionally) missing audio
    raise an error naming the file and the row."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist; build one with `listen corpus build --out {root}`")
    index = locate(root / CLIP_INDEX_FILE)
    rows = read_clip_index(index)
    if not rows:
        raise CorpusError(f"{index} holds no rows: the corpus is empty; build or import clips into it first")
    labels = read_labels_json(root / LABELS_FILE)
    known = {e["label"] for e in labels}
    for lineno, row in enumerate(rows, start=1):
        unknown = [lab for lab in row.labels if lab not in known]
        if unknown:
            raise CorpusFileError(
                f"{index} row {lineno} (id {row.id}): label(s) {', '.join(unknown)} are not in "
                f"{root / LABELS_FILE}; add them there or fix the row"
            )
        if check_audio:
            path = row.audio_path(root)
            if not path.is_file():
                raise AudioReadError(f"{index} row {lineno} (id {row.id}): audio file {path} does not exist")
    stats_path = root / STATS_FILE
    stats = read_stats(stats_path) if stats_path.exists() else compute_stats(rows, sorted(known))
    return Corpus(root, rows, labels, stats)
