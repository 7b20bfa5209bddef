"""ESC-50: `meta/esc50.csv` (filename, fold, target, category, esc10, src_file, take).

Each clip holds one class over its 5 s. Classes that the event library knows map onto its
labels (`clock_tick` -> `clock_ticking`); the others keep their own snake_case name. Folds
give the split (default: fold 5 test, fold 4 validation, folds 1-3 train); ESC-50 keeps the
clips cut from one Freesound recording (`src_file`) in one fold, so nothing leaks.
"""

from __future__ import annotations

from pathlib import Path

from training.corpus.clip_index import ClipRecord
from training.corpus.events import to_label
from training.corpus.loaders.common import ImportOptions, clip_row, find_audio, read_csv_rows
from training.errors import CorpusFileError

COLUMNS = ["filename", "fold", "target", "category", "src_file"]
TO_LIBRARY = {  # ESC-50 category -> library label
    "dog": "dog_barking", "rain": "rain", "crying_baby": "baby_crying", "clock_tick": "clock_ticking",
    "door_wood_knock": "knocking", "siren": "siren", "car_horn": "car_horn", "engine": "engine",
    "wind": "wind", "vacuum_cleaner": "vacuum_cleaner", "glass_breaking": "glass_breaking",
    "clapping": "applause", "footsteps": "footsteps", "keyboard_typing": "keyboard_typing",
    "clock_alarm": "alarm_clock",
}


def load_esc50(root: Path, opts: ImportOptions, test_folds=(5,), validation_folds=(4,)) -> list[ClipRecord]:
    """`root` is the ESC-50 folder (meta/esc50.csv, audio/); opts.audio_dir defaults to root/audio."""
    meta = Path(root) / "meta" / "esc50.csv"
    audio_dir = opts.audio_dir if opts.audio_dir else Path(root) / "audio"
    out = []
    for lineno, row in read_csv_rows(meta, COLUMNS):
        where = f"{meta}:{lineno}"
        try:
            fold = int(row["fold"])
        except (TypeError, ValueError) as err:
            raise CorpusFileError(f"{where}: fold must be an integer, found {row['fold']!r}") from err
        category = (row["category"] or "").strip()
        if not category:
            raise CorpusFileError(f"{where}: empty category")
        split = opts.split or ("test" if fold in test_folds else "validation" if fold in validation_folds else "train")
        path = find_audio(audio_dir, [row["filename"]], where, opts.skip_missing)
        if path is None:
            continue
        label = TO_LIBRARY.get(category) or to_label(category)
        out.append(clip_row(f"esc50-{Path(row['filename']).stem}", path, split, [label], "esc50",
                            f"freesound:{row['src_file']}", "", where))
    return sorted(out, key=lambda r: r.id)
