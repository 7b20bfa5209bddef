"""The corpus manifest: one JSON object per clip, and the corpus folder around it.

```
<corpus>/manifest.jsonl    one row per clip (schema below)
<corpus>/labels.json       [{"label", "name", "synonyms"}]
<corpus>/stats.json        label counts and co-occurrence (see stats.py)
<corpus>/audio/<split>/<id>.wav   16 kHz mono PCM16 (built corpora; imported ones may point elsewhere)
```

Row: `{"id", "audio", "split", "duration_s", "sample_rate", "labels", "events", "caption",
"background"}`; `audio` is relative to the corpus folder, or absolute; `labels` is sorted and
unique; each event is `{"label", "onset_s", "offset_s", "source", "instance", "snr_db"}`, where
the times and the SNR are null when a dataset gives only clip-level tags.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from training.errors import ManifestError

MANIFEST_FILE = "manifest.jsonl"
STATS_FILE = "stats.json"
SPLIT_NAMES = ("train", "validation", "test")
ROW_FIELDS = ("id", "audio", "split", "duration_s", "sample_rate", "labels", "events", "caption", "background")
EVENT_FIELDS = ("label", "onset_s", "offset_s", "source", "instance", "snr_db")


@dataclass(frozen=True)
class ManifestRow:
    id: str  # unique clip id; a file name stem
    audio: str  # path relative to the corpus folder, or absolute
    split: str  # train | validation | test
    duration_s: float  # seconds
    sample_rate: int  # Hz of the audio file
    labels: list[str]  # sorted unique labels present in the clip
    events: list[dict] = field(default_factory=list)  # {label, onset_s, offset_s, source, instance, snr_db}
    caption: str = ""  # one sentence, "" when unknown
    background: str | None = None  # what lies under the events, when known

    def to_json(self) -> dict:
        return {
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

    def audio_path(self, corpus_dir: Path) -> Path:
        p = Path(self.audio)
        return p if p.is_absolute() else corpus_dir / p


def dumps_row(row: ManifestRow) -> str:
    return json.dumps(row.to_json(), ensure_ascii=False)


def write_manifest(path: Path, rows: list[ManifestRow]) -> None:
    """Write rows as JSONL, atomically (a temporary file renamed over the target)."""
    ids = [r.id for r in rows]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ManifestError(f"clip id {dup!r} appears twice in {path}; ids must be unique")
    write_text_atomic(path, "".join(dumps_row(r) + "\n" for r in rows))


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(path: Path) -> list[ManifestRow]:
    """Read and check every row; an error names the file, the line and the field."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ManifestError(f"manifest {path} does not exist; build a corpus with `listen corpus build --out DIR`") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ManifestError(f"cannot read manifest {path}: {err}") from err
    rows, seen = [], {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except ValueError as err:
            raise ManifestError(f"{where}: not valid JSON ({err.msg}); fix or delete the row") from err
        row = parse_row(obj, where)
        if row.id in seen:
            raise ManifestError(f"{where}: clip id {row.id!r} already used on line {seen[row.id]}; ids must be unique")
        seen[row.id] = lineno
        rows.append(row)
    return rows


def parse_row(obj: object, where: str) -> ManifestRow:
    """Check the types of one row (a dict from JSON) and build it."""
    if not isinstance(obj, dict):
        raise ManifestError(f"{where}: a row must be a JSON object, found {type(obj).__name__}")
    missing = [k for k in ROW_FIELDS if k not in obj]
    if missing:
        raise ManifestError(f"{where}: row lacks field(s) {', '.join(missing)}; every row needs {', '.join(ROW_FIELDS)}")
    _expect(obj, "id", str, where)
    _expect(obj, "audio", str, where)
    _expect(obj, "split", str, where)
    if obj["split"] not in SPLIT_NAMES:
        raise ManifestError(f"{where}: split {obj['split']!r} must be one of {', '.join(SPLIT_NAMES)}")
    _expect_number(obj, "duration_s", where)
    if isinstance(obj["sample_rate"], bool) or not isinstance(obj["sample_rate"], int) or obj["sample_rate"] <= 0:
        raise ManifestError(f"{where}: field 'sample_rate' must be a positive integer (Hz), found {obj['sample_rate']!r}")
    labels = obj["labels"]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ManifestError(f"{where}: field 'labels' must be a list of strings, found {labels!r}")
    if labels != sorted(set(labels)):
        raise ManifestError(f"{where}: field 'labels' must be sorted and unique, found {labels!r}")
    if not isinstance(obj["events"], list):
        raise ManifestError(f"{where}: field 'events' must be a list, found {type(obj['events']).__name__}")
    for i, ev in enumerate(obj["events"]):
        _check_event(ev, f"{where}: events[{i}]", labels)
    if not isinstance(obj["caption"], str):
        raise ManifestError(f"{where}: field 'caption' must be a string (\"\" when unknown), found {obj['caption']!r}")
    if obj["background"] is not None and not isinstance(obj["background"], str):
        raise ManifestError(f"{where}: field 'background' must be a string or null, found {obj['background']!r}")
    return ManifestRow(**{k: obj[k] for k in ROW_FIELDS})


def _check_event(ev: object, where: str, labels: list[str]) -> None:
    if not isinstance(ev, dict):
        raise ManifestError(f"{where}: an event must be an object, found {type(ev).__name__}")
    missing = [k for k in EVENT_FIELDS if k not in ev]
    if missing:
        raise ManifestError(f"{where}: event lacks field(s) {', '.join(missing)}")
    if not isinstance(ev["label"], str) or ev["label"] not in labels:
        raise ManifestError(f"{where}: event label {ev['label']!r} is not in the row's labels {labels}")
    for k in ("onset_s", "offset_s", "snr_db"):
        v = ev[k]
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise ManifestError(f"{where}: field {k!r} must be a number or null, found {v!r}")
    if ev["onset_s"] is not None and ev["offset_s"] is not None and ev["offset_s"] < ev["onset_s"]:
        raise ManifestError(f"{where}: offset_s {ev['offset_s']} is before onset_s {ev['onset_s']}")
    if not isinstance(ev["source"], str):
        raise ManifestError(f"{where}: field 'source' must be a string, found {ev['source']!r}")
    if ev["instance"] is not None and not isinstance(ev["instance"], str):
        raise ManifestError(f"{where}: field 'instance' must be a string or null, found {ev['instance']!r}")


def _expect(obj: dict, key: str, typ: type, where: str) -> None:
    if not isinstance(obj[key], typ) or (typ is str and not obj[key]):
        raise ManifestError(f"{where}: field {key!r} must be a non-empty {typ.__name__}, found {obj[key]!r}")


def _expect_number(obj: dict, key: str, where: str) -> None:
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise ManifestError(f"{where}: field {key!r} must be a positive number, found {v!r}")
