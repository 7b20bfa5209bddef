"""`listen corpus`: build a synthetic sound corpus, import real datasets, check and count.

Cheap to import: numpy and the builders are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger("listen.corpus")

DESCRIPTION = """\
Sound corpora in one schema: <DIR>/clips.jsonl (the clip index), labels.json, stats.json and
audio/<split>/<id>.wav (16 kHz mono PCM16).

  build    mix labelled events (procedural, espeak-ng speech, recordings) over ambience
           beds in simulated rooms; deterministic for --seed; split by source recording,
           with held-out real_test and unseen-label splits on request
  import   map a real dataset (AudioCaps, ESC-50, AudioSet, generic JSONL, HF datasets)
           into the same clip index schema
  stats    recount labels and co-occurrence (stats.json) and print them
  check    validate every row and that every audio file exists
  labels   write the built-in event library as labels.json
  sources  fetch the Debian data packages the real recordings come from (apt-get download,
           cached under $LISTEN_HOME/sources/), and report what they give: the source
           table and each label's distinct recordings; --check runs the label checks"""

SOURCES_DESCRIPTION = """\
Real recordings from Debian data packages (0ad-data, supertuxkart-data, ...; the table is
training/corpus/sources/packages.py). Each package is downloaded once with `apt-get download`
into $LISTEN_HOME/sources/debian/ and only its sounds and copyright file are extracted into
$LISTEN_HOME/sources/extracted/PKG/ (a stamp makes reruns do nothing). Files get labels from
the reviewed rules in training/corpus/sources/rules.py, never by guessing.

openttd-opensfx is fetched too but is EVALUATION ONLY: it never joins a training split.

examples:
  listen corpus sources                 fetch what is missing, then print the report
  listen corpus sources --report        the report only (no network): markdown for docs/corpus.md
  listen corpus sources --check         decode every file and flag short, silent and
                                        mislabeled-looking ones (minutes; run it in the background)"""


def register(subparsers) -> None:
    p = subparsers.add_parser("corpus", help="build, import and check sound corpora",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="corpus_command", metavar="ACTION")

    b = sub.add_parser("build", help="mix a synthetic corpus")
    b.add_argument("--out", type=Path, required=True, help="corpus folder to write")
    b.add_argument("--clips", type=int, default=600, help="number of clips (default 600)")
    b.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives identical files (default 0)")
    b.add_argument("--clip-seconds", type=float, default=10.0, help="clip length in seconds (default 10)")
    b.add_argument("--workers", type=int, default=None, help="parallel processes (default: CPU count, at most 4)")
    b.add_argument("--real-test-clips", type=int, default=0,
                   help="clips of held-out real recordings only, split real_test (the issue's split: 400; default 0)")
    b.add_argument("--unseen-labels", type=int, default=0,
                   help="labels held out of training entirely, heard only in split unseen (e.g. 20; default 0)")
    b.add_argument("--unseen-clips", type=int, default=0, help="clips of the unseen labels (default 0)")
    b.add_argument("--split-seed", type=int, default=0,
                   help="picks the unseen labels; keep it fixed across corpora you compare (default 0)")
    b.add_argument("--no-speech", action="store_true", help="no espeak-ng speech events")
    b.add_argument("--no-recordings", action="store_true", help="no sound-theme or pygame recordings")
    b.add_argument("--no-pygame", action="store_true", help="no pygame example sounds")
    b.add_argument("--debian-sources", action="store_true",
                   help="also draw the Debian package recordings fetched by `listen corpus sources`")
    b.add_argument("--solo-share", type=float, default=0.0,
                   help="share of train and validation clips that hold one sound alone, as it reaches a "
                        "microphone: any level (-45 to -1 dBFS peak), 0.2-10 s, dry or in a room, sometimes "
                        "band-limited, 8-bit or clipped, sometimes over a quiet bed (default 0: scenes only)")
    b.add_argument("--raw-splits", action="store_true",
                   help="also write validation_raw, real_raw and unseen_raw: each real recording of validation, "
                        "real_test and unseen played alone (its first 10 s, its own level, no bed, no mixing)")
    b.add_argument("--raw-per-label", type=int, default=20,
                   help="at most this many recordings per label in a raw split (0 = all; default 20)")
    b.add_argument("--overwrite", action="store_true", help="replace a corpus built with other settings")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=run_build)

    s = sub.add_parser("stats", help="recount labels and co-occurrence, print a table")
    s.add_argument("corpus", type=Path, help="corpus folder")
    s.add_argument("--splits", action="store_true",
                   help="also a table per split: clips, hours, labels, distinct real recordings, recordings "
                        "shared with another split (always 0), and the unseen labels (docs/corpus.md section 9)")
    s.set_defaults(func=run_stats)

    c = sub.add_parser("check", help="validate the clip index and the audio files")
    c.add_argument("corpus", type=Path, help="corpus folder")
    c.add_argument("--decode", action="store_true", help="also decode every audio file (slower)")
    c.set_defaults(func=run_check)

    lab = sub.add_parser("labels", help="write the built-in event library as labels.json")
    lab.add_argument("--out", type=Path, required=True, help="file to write, e.g. bundle/labels.json")
    lab.set_defaults(func=run_labels)

    src = sub.add_parser("sources", help="fetch the Debian packages of real recordings and report them",
                         description=SOURCES_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    src.add_argument("--report", action="store_true", help="only report what is already fetched (no download)")
    src.add_argument("--check", action="store_true", help="run the label checks (writes sources/checks.json)")
    src.add_argument("--package", action="append", default=None, metavar="PKG",
                     help="only this package (repeatable; default: every package of the table)")
    src.add_argument("--quiet", action="store_true", help="no progress bars")
    src.set_defaults(func=run_sources)

    from training.corpus.loaders.cli import register_import  # argparse only

    register_import(sub)
    p.set_defaults(func=lambda _a: (p.print_help(), 2)[1])


def run_build(args: argparse.Namespace) -> int:
    import time

    from training.corpus.build import BuildConfig, build_corpus, default_workers
    from training.corpus.mixer import SceneConfig
    from training.corpus.solo import SoloConfig
    from training.errors import CorpusError

    if not 0.0 <= args.solo_share <= 1.0:
        raise CorpusError(f"--solo-share must be between 0 and 1, got {args.solo_share}")
    if args.raw_per_label < 0:
        raise CorpusError(f"--raw-per-label must be 0 (all) or more, got {args.raw_per_label}")

    cfg = BuildConfig(
        clips=args.clips,
        seed=args.seed,
        scene=SceneConfig(clip_s=args.clip_seconds),
        real_test_clips=args.real_test_clips,
        unseen_labels=args.unseen_labels,
        unseen_clips=args.unseen_clips,
        split_seed=args.split_seed,
        use_speech=not args.no_speech,
        use_recordings=not args.no_recordings,
        use_pygame=not args.no_pygame,
        use_debian=args.debian_sources,
        solo=SoloConfig(share=args.solo_share),
        raw_splits=args.raw_splits,
        raw_per_label=args.raw_per_label,
    )
    start = time.perf_counter()
    corpus = build_corpus(args.out, cfg, workers=args.workers or default_workers(),
                          overwrite=args.overwrite, progress=not args.quiet)
    st = corpus.stats
    print(f"wrote {st['clips']} clips ({st['duration_s'] / 3600:.2f} h, splits {st['splits']}) "
          f"to {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from training.corpus.folder import load_corpus
    from training.corpus.stats import compute_stats, markdown_table, write_stats

    corpus = load_corpus(args.corpus)
    stats = compute_stats(corpus.rows, [e["label"] for e in corpus.labels])
    path = write_stats(args.corpus, stats)
    print(markdown_table(stats))
    print(f"\n{stats['clips']} clips, {stats['events']} events; wrote {path}")
    if args.splits:
        import json

        from training.corpus.build import BUILD_FILE
        from training.corpus.stats import split_table

        try:
            unseen = json.loads((args.corpus / BUILD_FILE).read_text(encoding="utf-8")).get("unseen_labels", [])
        except (OSError, ValueError):
            unseen = []  # a corpus imported rather than built has no build record
        print("\n" + split_table(corpus.rows, unseen))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from core.audio_io import read_audio
    from core.errors import AudioInputError
    from training.corpus.clip_index import locate
    from training.corpus.folder import load_corpus
    from training.errors import AudioReadError

    corpus = load_corpus(args.corpus, check_audio=True)
    if args.decode:
        for i, row in enumerate(corpus.rows, start=1):
            try:
                read_audio(row.audio_path(corpus.root))
            except AudioInputError as err:
                raise AudioReadError(f"{locate(corpus.root)} row {i} (id {row.id}): {err}") from err
    print(f"{args.corpus}: {len(corpus.rows)} rows, {len(corpus.labels)} labels, all audio files present")
    return 0


def run_labels(args: argparse.Namespace) -> int:
    from training.corpus.events import write_labels_json
    from training.corpus.ontology import vocabulary

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_labels_json(args.out, vocabulary())
    print(f"wrote {args.out}")
    return 0


def run_sources(args: argparse.Namespace) -> int:
    from core.paths import listen_home
    from training.corpus.sources.debian import fetch
    from training.corpus.sources.discover import discover
    from training.corpus.sources.packages import BY_PACKAGE, SOURCES
    from training.corpus.sources.report import markdown
    from training.errors import CorpusError

    unknown = [p for p in args.package or [] if p not in BY_PACKAGE]
    if unknown:
        raise CorpusError(f"unknown package(s) {', '.join(unknown)}; known: {', '.join(BY_PACKAGE)}")
    specs = [BY_PACKAGE[p] for p in args.package] if args.package else list(SOURCES)
    if not args.report:
        for spec in specs:
            print(f"{spec.package}: {fetch(spec, progress=not args.quiet)}")
    recordings = discover(use_debian=True, include_eval_only=True)
    if args.check:
        from training.corpus.sources.checks import run_checks

        out = listen_home() / "sources" / "checks.json"
        report = run_checks([r for r in recordings if not r.eval_only], out, progress=not args.quiet)
        print(f"checked {report['checked']} recordings: {report['counts']}; details in {out}")
        return 0
    print(markdown(recordings), end="")
    return 0
