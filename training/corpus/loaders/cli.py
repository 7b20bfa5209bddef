"""`listen corpus import FORMAT ...`: argument parsing only (the loaders are imported lazily)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register_import(sub) -> None:
    p = sub.add_parser("import", help="map a real dataset into a corpus folder",
                       description="Read a dataset's metadata and write <OUT>/clips.jsonl, labels.json and "
                                   "stats.json (audio paths absolute; HF datasets are decoded to WAV under OUT).")
    fmt = p.add_subparsers(dest="import_format", metavar="FORMAT")

    def common(q, audio_dir_required=True):
        q.add_argument("--out", type=Path, required=True, help="corpus folder to write")
        q.add_argument("--audio-dir", type=Path, required=audio_dir_required, help="folder holding the audio files")
        q.add_argument("--split", choices=["train", "validation", "test"], help="force the split of every row")
        q.add_argument("--skip-missing", action="store_true", help="drop rows whose audio is missing instead of failing")
        q.set_defaults(func=run_import)

    a = fmt.add_parser("audiocaps", help="AudioCaps CSV (audiocap_id,youtube_id,start_time,caption)")
    a.add_argument("csv", type=Path)
    a.add_argument("--audio-pattern", help="file name pattern, e.g. '{youtube_id}_{start_time}.wav'")
    common(a)
    e = fmt.add_parser("esc50", help="ESC-50 folder (meta/esc50.csv, audio/)")
    e.add_argument("root", type=Path)
    e.add_argument("--test-folds", type=int, nargs="+", default=[5])
    e.add_argument("--validation-folds", type=int, nargs="+", default=[4])
    common(e, audio_dir_required=False)
    s = fmt.add_parser("audioset", help="AudioSet segments CSV plus ontology.json or class_labels_indices.csv")
    s.add_argument("csv", type=Path)
    s.add_argument("--ontology", type=Path, required=True)
    s.add_argument("--audio-pattern", help="file name pattern, e.g. 'Y{ytid}_{start:.3f}_{end:.3f}.wav'")
    common(s)
    j = fmt.add_parser("jsonl", help="generic JSONL of {audio, tags?, caption?, id?, split?}")
    j.add_argument("jsonl", type=Path)
    common(j, audio_dir_required=False)
    h = fmt.add_parser("hf", help="Hugging Face dataset with an Audio column (needs `datasets`)")
    h.add_argument("dataset", help="dataset name, data folder or save_to_disk folder")
    h.add_argument("--hf-split", default="train", help="the dataset's split to read (default train)")
    h.add_argument("--audio-column", default="audio")
    h.add_argument("--tags-column")
    h.add_argument("--caption-column")
    h.add_argument("--id-column")
    common(h, audio_dir_required=False)


def run_import(args: argparse.Namespace) -> int:
    from training.corpus.loaders.common import ImportOptions, write_imported

    opts = ImportOptions(audio_dir=args.audio_dir, split=args.split, skip_missing=args.skip_missing)
    synonyms = None
    if args.import_format == "audiocaps":
        from training.corpus.loaders.audiocaps import load_audiocaps

        rows = load_audiocaps(args.csv, opts, args.audio_pattern)
    elif args.import_format == "esc50":
        from training.corpus.loaders.esc50 import load_esc50

        rows = load_esc50(args.root, opts, tuple(args.test_folds), tuple(args.validation_folds))
    elif args.import_format == "audioset":
        from training.corpus.loaders.audioset import load_audioset

        rows, synonyms = load_audioset(args.csv, args.ontology, opts, args.audio_pattern)
    elif args.import_format == "jsonl":
        from training.corpus.loaders.jsonl import load_jsonl

        rows = load_jsonl(args.jsonl, opts)
    else:
        from training.corpus.loaders.hf import load_hf, open_dataset

        ds = open_dataset(args.dataset, args.hf_split)
        split = args.split or {"validation": "validation", "valid": "validation", "val": "validation",
                               "test": "test"}.get(args.hf_split, "train")
        rows = load_hf(ds, args.out, split, args.audio_column, args.tags_column, args.caption_column,
                       args.id_column, where=args.dataset)
    corpus = write_imported(args.out, rows, synonyms)
    print(f"imported {len(corpus.rows)} clips with {len(corpus.labels)} labels "
          f"(splits {corpus.stats['splits']}) into {args.out}")
    return 0
