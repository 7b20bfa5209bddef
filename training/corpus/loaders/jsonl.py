"""A generic JSONL: one `{"audio": path, "tags"?: [..], "caption"?: "..", "id"?, "split"?}` per line.

`audio` is absolute or relative to the JSONL's folder. Tags become snake_case labels
(library labels where a tag names one, e.g. "Smoke alarm" -> `smoke_alarm`); a row without
tags gets the library labels its caption asserts.
"""

from __future__ import annotations

from pathlib import Path

from training.corpus.clip_index import SPLIT_NAMES, ClipRecord
from training.corpus.events import to_label
from training.corpus.loaders.common import ImportOptions, clip_row, find_audio, library_matcher
from training.errors import CorpusFileError
from training.jsonl import read_json_lines


def load_jsonl(path: Path, opts: ImportOptions) -> list[ClipRecord]:
    path = Path(path)
    matcher = library_matcher()
    audio_dir = opts.audio_dir or path.parent
    out, seen = [], set()
    for lineno, obj in read_json_lines(path, CorpusFileError, "pass a JSONL of {audio, tags?, caption?} rows"):
        where = f"{path} line {lineno}"
        if not isinstance(obj.get("audio"), str) or not obj["audio"]:
            raise CorpusFileError(f"{where}: each row needs \"audio\": a path string")
        tags, caption = obj.get("tags", []), obj.get("caption", "")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise CorpusFileError(f"{where}: \"tags\" must be a list of strings, found {tags!r}")
        if not isinstance(caption, str):
            raise CorpusFileError(f"{where}: \"caption\" must be a string, found {caption!r}")
        split = opts.split or obj.get("split", "train")
        if split not in SPLIT_NAMES:
            raise CorpusFileError(f"{where}: split {split!r} must be one of {', '.join(SPLIT_NAMES)}")
        file = find_audio(audio_dir, [obj["audio"]], where, opts.skip_missing)
        if file is None:
            continue
        labels = [_tag_label(t, matcher) for t in tags] if tags else matcher.asserted_labels(caption)
        rid = str(obj.get("id") or Path(obj["audio"]).stem)
        if rid in seen:
            raise CorpusFileError(f"{where}: id {rid!r} is used twice; give rows distinct \"id\" fields")
        seen.add(rid)
        out.append(clip_row(rid, file, split, labels, "jsonl", obj["audio"], caption.strip(), where))
    return sorted(out, key=lambda r: r.id)


def _tag_label(tag: str, matcher) -> str:
    """A tag that is exactly one library phrase ("dog", "Smoke alarm") takes that label."""
    labels = matcher.phrases.get(tag.strip().lower())
    return next(iter(labels)) if labels and len(labels) == 1 else to_label(tag)
