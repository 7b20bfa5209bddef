"""AudioSet: segment CSVs (`# YTID, start_seconds, end_seconds, positive_labels`) with the
ontology (`ontology.json`, or `class_labels_indices.csv` with `index,mid,display_name`).

Labels are clip-level (weak): events carry no times. Classes the event library knows map
onto its labels by their display name ("Smoke detector, smoke alarm" -> `smoke_alarm`);
others become the snake_case of their first name part ("Dog" -> `dog`), with the other
parts as synonyms. The split comes from the file name (`eval_segments.csv` -> test) unless
given.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from training.corpus.clip_index import ClipRecord
from training.corpus.events import to_label
from training.corpus.loaders.common import ImportOptions, clip_row, find_audio, read_csv_rows, split_from_name
from training.errors import CorpusError, CorpusFileError

AUDIO_PATTERNS = ("Y{ytid}_{start:.3f}_{end:.3f}.wav", "{ytid}_{start:.3f}_{end:.3f}.wav", "Y{ytid}.wav",
                  "{ytid}.wav", "{ytid}_{start:.0f}.wav", "{ytid}_{start:.0f}_{end:.0f}.wav", "{ytid}.flac")
TO_LIBRARY = {  # lower-cased AudioSet display name -> library label
    "speech": "speech", "music": "music", "smoke detector, smoke alarm": "smoke_alarm", "fire alarm": "smoke_alarm",
    "siren": "siren", "civil defense siren": "siren", "police car (siren)": "siren", "ambulance (siren)": "siren",
    "fire engine, fire truck (siren)": "siren", "doorbell": "doorbell", "ding-dong": "doorbell",
    "knock": "knocking", "telephone bell ringing": "phone_ringing", "ringtone": "phone_ringing",
    "beep, bleep": "appliance_beep", "kettle whistle": "kettle_whistle", "tick-tock": "clock_ticking",
    "tick": "clock_ticking", "water tap, faucet": "running_water", "rain": "rain", "rain on surface": "rain",
    "wind": "wind", "vacuum cleaner": "vacuum_cleaner", "vehicle horn, car horn, honking": "car_horn",
    "engine": "engine", "idling": "engine", "applause": "applause", "clapping": "applause",
    "shatter": "glass_breaking", "bark": "dog_barking", "baby cry, infant cry": "baby_crying",
    "walk, footsteps": "footsteps", "typing": "keyboard_typing", "computer keyboard": "keyboard_typing",
    "camera": "camera_shutter", "single-lens reflex camera": "camera_shutter", "explosion": "explosion",
    "alarm clock": "alarm_clock", "whoosh, swoosh, swish": "whoosh",
}


def read_ontology(path: Path) -> dict[str, str]:
    """MID -> display name, from ontology.json or class_labels_indices.csv."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return {row["mid"]: row["display_name"] for _, row in read_csv_rows(path, ["mid", "display_name"])}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(f"ontology {path} does not exist; pass ontology.json or class_labels_indices.csv") from None
    except (OSError, ValueError) as err:
        raise CorpusFileError(f"ontology {path} is not valid JSON: {err}") from err
    if not isinstance(data, list) or not all(isinstance(c, dict) and "id" in c and "name" in c for c in data):
        raise CorpusFileError(f"ontology {path} must be a JSON list of {{id, name, ...}} classes")
    return {c["id"]: c["name"] for c in data}


def class_label(name: str) -> tuple[str, list[str]]:
    """(label, synonyms) of an AudioSet display name."""
    parts = [p.strip().lower() for p in name.split(",") if p.strip()]
    lib = TO_LIBRARY.get(name.strip().lower())
    return (lib, []) if lib else (to_label(parts[0] if parts else name), parts)


def load_audioset(segments_csv: Path, ontology: Path, opts: ImportOptions, pattern: str | None = None
                  ) -> tuple[list[ClipRecord], dict[str, list[str]]]:
    """Rows, and the synonyms of the labels that are not in the library."""
    mids = read_ontology(ontology)
    split = opts.split or split_from_name(segments_csv)
    try:
        lines = Path(segments_csv).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(f"{segments_csv} does not exist; pass an AudioSet segments CSV") from None
    out, synonyms = [], {}
    for lineno, fields in enumerate(csv.reader(lines, skipinitialspace=True), start=1):
        if not fields or fields[0].startswith("#"):
            continue
        where = f"{segments_csv}:{lineno}"
        if len(fields) != 4:
            raise CorpusFileError(f"{where}: expected 4 fields (YTID, start_seconds, end_seconds, positive_labels), found {len(fields)}")
        ytid, start_s, end_s, positive = fields
        try:
            start, end = float(start_s), float(end_s)
        except ValueError as err:
            raise CorpusFileError(f"{where}: start and end must be seconds, found {start_s!r}, {end_s!r}") from err
        labels = []
        for mid in (m.strip() for m in positive.split(",") if m.strip()):
            if mid not in mids:
                raise CorpusFileError(f"{where}: label id {mid!r} is not in the ontology {ontology}")
            label, syn = class_label(mids[mid])
            labels.append(label)
            if syn:
                synonyms.setdefault(label, syn)
        fmt = {"ytid": ytid, "start": start, "end": end}
        names = [pattern.format(**fmt)] if pattern else [p.format(**fmt) for p in AUDIO_PATTERNS]
        path = find_audio(opts.audio_dir, names, where, opts.skip_missing)
        if path is None:
            continue
        out.append(clip_row(f"audioset-{ytid}-{int(start * 1000)}", path, split, labels, "audioset",
                            f"youtube:{ytid}", "", where))
    return sorted(out, key=lambda r: r.id), synonyms
