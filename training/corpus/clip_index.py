"""The clip index of a corpus: one JSON object per clip, and the corpus folder around it.

```
<corpus>/clips.jsonl       the clip index: one record per clip (schema below)
<corpus>/labels.json       [{"label", "name", "synonyms"}]
<corpus>/stats.json        label counts and co-occurrence (see stats.py)
<corpus>/audio/<split>/<id>.wav   16 kHz mono PCM16 (built corpora; imported ones may point elsewhere)
```

Record: `{"id", "audio", "split", "duration_s", "sample_rate", "labels", "events", "caption",
"background"}`; `audio` is relative to the corpus folder, or absolute; `labels` is sorted and
unique; each event is `{"label", "onset_s", "offset_s", "source", "instance", "snr_db"}`, where
the times and the SNR are null when a dataset gives only clip-level tags. Optional
`sources`: the provenance of each real recording the clip uses, one object per recording
`{"recording_id", "package", "version", "path", "licence", "sha256"}` (absent = []).

Corpora written before the clip index had its own name hold `manifest.jsonl` instead of
`clips.jsonl`; `locate` reads that file when it is alone (with one log line), so existing
corpora under $LISTEN_HOME and runs/ keep working without a rebuild.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from training.errors import CorpusFileError
from training.jsonl import read_json_lines

CLIP_INDEX_FILE = "clips.jsonl"
LEGACY_CLIP_INDEX_FILE = "manifest.jsonl"  # its name before it had its own (see the docstring)
STATS_FILE = "stats.json"
SPLIT_NAMES = ("train", "validation", "test", "real_test", "unseen",
               "validation_raw", "real_raw", "unseen_raw")  # see splits.py
ROW_FIELDS = ("id", "audio", "split", "duration_s", "sample_rate", "labels", "events", "caption", "background")
EVENT_FIELDS = ("label", "onset_s", "offset_s", "source", "instance", "snr_db")
SOURCE_FIELDS = ("recording_id", "package", "version", "path", "licence", "sha256")  # = provenance.PROVENANCE_FIELDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClipRecord:
    id: str  # unique clip id; a file name stem
    audio: str  # path relative to the corpus folder, or absolute
    split: str  # one of SPLIT_NAMES
    duration_s: float  # seconds
    sample_rate: int  # Hz of the audio file
    labels: list[str]  # sorted unique labels present in the clip
    events: list[dict] = field(default_factory=list)  # {label, onset_s, offset_s, source, instance, snr_db}
    caption: str = ""  # one sentence, "" when unknown
    background: str | None = None  # what lies under the events, when known
    sources: list[dict] = field(default_factory=list)  # provenance of the real recordings used

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "audio": self.audio,
            "split": self.split,
            "duration_s": self.duration_s,
            "sample_rate": self.sample_rate,
            "labels": list(self.labels),
            "events": [{k: e[k] for k in EVENT_FIELDS} for e in self.events],
            "caption": self.caption,
            "background": self.background,
        }
        if self.sources:
            out["sources"] = [{k: src[k] for k in SOURCE_FIELDS} for src in self.sources]
        return out

    def audio_path(self, corpus_dir: Path) -> Path:
        p = Path(self.audio)
        return p if p.is_absolute() else corpus_dir / p


def dumps_record(record: ClipRecord) -> str:
    return json.dumps(record.to_json(), ensure_ascii=False)


def write_clip_index(path: Path, records: list[ClipRecord]) -> None:
    """Write records as JSONL, atomically (a temporary file renamed over the target)."""
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise CorpusFileError(f"clip id {dup!r} appears twice in {path}; ids must be unique")
    write_text_atomic(path, "".join(dumps_record(r) + "\n" for r in records))


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def locate(path: Path) -> Path:
    """`path`, or the legacy `manifest.jsonl` beside it when `path` is a missing `clips.jsonl`
    (or a corpus folder) and only the legacy file exists."""
    path = Path(path)
    if path.is_dir():
        path = path / CLIP_INDEX_FILE
    legacy = path.with_name(LEGACY_CLIP_INDEX_FILE)
    if path.name == CLIP_INDEX_FILE and not path.exists() and legacy.is_file():
        log.warning("reading the clip index %s under its old name (a rebuild writes %s)", legacy, CLIP_INDEX_FILE)
        return legacy
    return path


def read_clip_index(path: Path) -> list[ClipRecord]:
    """Read and check every record of a clip index file (or a corpus folder's); an error
    names the file, the line and the field."""
    path = locate(path)
    records, seen = [], {}
    for lineno, obj in read_json_lines(path, CorpusFileError, "build a corpus with `listen corpus build --out DIR`"):
        where = f"{path} line {lineno}"
        record = parse_record(obj, where)
        if record.id in seen:
            raise CorpusFileError(f"{where}: clip id {record.id!r} already used on line {seen[record.id]}; ids must be unique")
        seen[record.id] = lineno
        records.append(record)
    return records


def clip_labels(path: Path) -> dict[str, tuple[str, ...]]:
    """{resolved audio path, and clip id: the clip's labels} of a clip index file: how rows
    that name a clip by its audio or its id find its labels."""
    path = locate(path)
    out: dict[str, tuple[str, ...]] = {}
    for r in read_clip_index(path):
        out[str(r.audio_path(path.parent).resolve())] = tuple(r.labels)
        out[r.id] = tuple(r.labels)
    return out


def parse_record(obj: object, where: str) -> ClipRecord:
    """Check the types of one row (a dict from JSON) and build it."""
    if not isinstance(obj, dict):
        raise CorpusFileError(f"{where}: a row must be a JSON object, found {type(obj).__name__}")
    missing = [k for k in ROW_FIELDS if k not in obj]
    if missing:
        raise CorpusFileError(f"{where}: row lacks field(s) {', '.join(missing)}; every row needs {', '.join(ROW_FIELDS)}")
    _expect(obj, "id", str, where)
    _expect(obj, "audio", str, where)
    _expect(obj, "split", str, where)
    if obj["split"] not in SPLIT_NAMES:
        raise CorpusFileError(f"{where}: split {obj['split']!r} must be one of {', '.join(SPLIT_NAMES)}")
    _expect_number(obj, "duration_s", where)
    if isinstance(obj["sample_rate"], bool) or not isinstance(obj["sample_rate"], int) or obj["sample_rate"] <= 0:
        raise CorpusFileError(f"{where}: field 'sample_rate' must be a positive integer (Hz), found {obj['sample_rate']!r}")
    labels = obj["labels"]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise CorpusFileError(f"{where}: field 'labels' must be a list of strings, found {labels!r}")
    if labels != sorted(set(labels)):
        raise CorpusFileError(f"{where}: field 'labels' must be sorted and unique, found {labels!r}")
    if not isinstance(obj["events"], list):
        raise CorpusFileError(f"{where}: field 'events' must be a list, found {type(obj['events']).__name__}")
    for i, ev in enumerate(obj["events"]):
        _check_event(ev, f"{where}: events[{i}]", labels)
    if not isinstance(obj["caption"], str):
        raise CorpusFileError(f"{where}: field 'caption' must be a string (\"\" when unknown), found {obj['caption']!r}")
    if obj["background"] is not None and not isinstance(obj["background"], str):
        raise CorpusFileError(f"{where}: field 'background' must be a string or null, found {obj['background']!r}")
    sources = obj.get("sources", [])
    if not isinstance(sources, list):
        raise CorpusFileError(f"{where}: field 'sources' must be a list, found {type(sources).__name__}")
    for i, src in enumerate(sources):
        if not isinstance(src, dict) or any(not isinstance(src.get(k), str) or not src.get(k) for k in SOURCE_FIELDS):
            raise CorpusFileError(f"{where}: sources[{i}] must be an object with string fields {', '.join(SOURCE_FIELDS)}")
    return ClipRecord(**{k: obj[k] for k in ROW_FIELDS}, sources=sources)


def _check_event(ev: object, where: str, labels: list[str]) -> None:
    if not isinstance(ev, dict):
        raise CorpusFileError(f"{where}: an event must be an object, found {type(ev).__name__}")
    missing = [k for k in EVENT_FIELDS if k not in ev]
    if missing:
        raise CorpusFileError(f"{where}: event lacks field(s) {', '.join(missing)}")
    if not isinstance(ev["label"], str) or ev["label"] not in labels:
        raise CorpusFileError(f"{where}: event label {ev['label']!r} is not in the row's labels {labels}")
    for k in ("onset_s", "offset_s", "snr_db"):
        v = ev[k]
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise CorpusFileError(f"{where}: field {k!r} must be a number or null, found {v!r}")
    if ev["onset_s"] is not None and ev["offset_s"] is not None and ev["offset_s"] < ev["onset_s"]:
        raise CorpusFileError(f"{where}: offset_s {ev['offset_s']} is before onset_s {ev['onset_s']}")
    if not isinstance(ev["source"], str):
        raise CorpusFileError(f"{where}: field 'source' must be a string, found {ev['source']!r}")
    if ev["instance"] is not None and not isinstance(ev["instance"], str):
        raise CorpusFileError(f"{where}: field 'instance' must be a string or null, found {ev['instance']!r}")


def _expect(obj: dict, key: str, typ: type, where: str) -> None:
    if not isinstance(obj[key], typ) or (typ is str and not obj[key]):
        raise CorpusFileError(f"{where}: field {key!r} must be a non-empty {typ.__name__}, found {obj[key]!r}")


def _expect_number(obj: dict, key: str, where: str) -> None:
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise CorpusFileError(f"{where}: field {key!r} must be a positive number, found {v!r}")
