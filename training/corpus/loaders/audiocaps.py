"""AudioCaps: `audiocap_id,youtube_id,start_time,caption` CSVs (train.csv, val.csv, test.csv).

Validation and test list five captions per clip; rows of the same clip merge into one
clip record (the first caption by `audiocap_id`, labels from all captions). AudioCaps has
no tags, so labels are the library labels that the captions assert (`MentionFinder`, negated
mentions excluded); a clip whose captions name no library sound gets no labels.
"""

from __future__ import annotations

from pathlib import Path

from training.corpus.loaders.common import (
    ImportOptions, clip_row, find_audio, library_matcher, read_csv_rows, split_from_name,
)
from training.corpus.clip_index import ClipRecord
from training.errors import CorpusFileError

COLUMNS = ["audiocap_id", "youtube_id", "start_time", "caption"]
AUDIO_PATTERNS = ("{youtube_id}_{start_time}.wav", "Y{youtube_id}_{start_time}.wav", "{audiocap_id}.wav",
                  "{youtube_id}.wav", "Y{youtube_id}.wav", "{youtube_id}_{start_time}.flac")


def load_audiocaps(csv_path: Path, opts: ImportOptions, pattern: str | None = None) -> list[ClipRecord]:
    split = opts.split or split_from_name(csv_path)
    matcher = library_matcher()
    clips: dict[tuple[str, str], list[tuple[int, int, dict]]] = {}
    for lineno, row in read_csv_rows(csv_path, COLUMNS):
        where = f"{csv_path}:{lineno}"
        try:
            cap_id, start = int(row["audiocap_id"]), int(float(row["start_time"]))
        except (TypeError, ValueError) as err:
            raise CorpusFileError(f"{where}: audiocap_id and start_time must be numbers, found "
                                f"{row['audiocap_id']!r}, {row['start_time']!r}") from err
        if not row["youtube_id"] or not (row["caption"] or "").strip():
            raise CorpusFileError(f"{where}: youtube_id and caption must not be empty")
        clips.setdefault((row["youtube_id"], str(start)), []).append((cap_id, lineno, row))
    out = []
    for (ytid, start), items in clips.items():
        items.sort(key=lambda t: t[0])
        cap_id, lineno, first = items[0]
        where = f"{csv_path}:{lineno}"
        fields = {"youtube_id": ytid, "start_time": start, "audiocap_id": cap_id}
        names = [pattern.format(**fields)] if pattern else [p.format(**fields) for p in AUDIO_PATTERNS]
        path = find_audio(opts.audio_dir, names, where, opts.skip_missing)
        if path is None:
            continue
        labels = sorted({lab for _, _, r in items for lab in matcher.asserted_labels(r["caption"])})
        out.append(clip_row(f"audiocaps-{ytid}-{start}", path, split, labels, "audiocaps", f"youtube:{ytid}",
                            first["caption"].strip(), where))
    return sorted(out, key=lambda r: r.id)
