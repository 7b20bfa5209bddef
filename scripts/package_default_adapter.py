r"""Package a checkpoint as models/default-adapter with its model card (see training/train/package_adapter.py).

    package_default_adapter.py --checkpoint runs/default/train/best --corpus ... --rows ... \
        --training-seconds 1809 --eval runs/default/eval_test/metrics.json
    package_default_adapter.py --update --eval-as "ablation: positives only=runs/ablation/eval/x"

`--update` keeps the packaged weights and their training facts, and adds evaluations to the card.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WITH = "trained with negatives (this adapter)"
WITHOUT = "trained without negatives"


def machine() -> str:
    from training.provenance import cpu_model

    return f"{os.cpu_count()} cores of {cpu_model()} (shared, no GPU)"


def named_run(text: str) -> tuple[str, Path]:
    name, sep, path = text.rpartition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: give NAME=PATH (a metrics.json or an eval --out folder)")
    return name.strip(), Path(path)


def main() -> int:
    from training.errors import TrainingError
    from training.eval.report import read_run
    from training.train.package_adapter import CardFacts, package, update_card

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, help="the `listen train` checkpoint folder to package")
    ap.add_argument("--update", action="store_true", help="only add evaluations/notes to the card in --out")
    ap.add_argument("--out", type=Path, default=Path("models/default-adapter"))
    ap.add_argument("--eval", type=Path, help="`listen eval --out` metrics.json of the adapter trained with negatives")
    ap.add_argument("--eval-without", type=Path, help="the same for the adapter trained without negatives")
    ap.add_argument("--eval-as", type=named_run, action="append", default=[], metavar="NAME=PATH",
                    help="another evaluation for the card, under this title (repeatable)")
    ap.add_argument("--corpus", type=Path, help="corpus folder the rows came from")
    ap.add_argument("--rows", type=Path, help="training rows (JSONL)")
    ap.add_argument("--data-note", default="", help="how the rows were written, if not by `listen synth`")
    ap.add_argument("--training-seconds", type=float)
    ap.add_argument("--machine", default=machine())
    ap.add_argument("--note", action="append", default=None, help="a caveat for the card (repeatable)")
    args = ap.parse_args()

    try:
        evaluation = {title: read_run(path) for title, path in ((WITH, args.eval), (WITHOUT, args.eval_without),
                                                                  *args.eval_as) if path is not None}
        if args.update:
            out = update_card(args.out, evaluation, args.note)
            print(f"updated the card in {out}")
            return 0
        missing = [f"--{n.replace('_', '-')}" for n in ("checkpoint", "corpus", "rows", "training_seconds")
                   if getattr(args, n) is None]
        if missing:
            ap.error(f"packaging needs {', '.join(missing)} (or --update to change only the card)")
        build = json.loads((args.corpus / "build.json").read_text()) if (args.corpus / "build.json").exists() else {}
        cfg = build.get("config", {})
        rows = [json.loads(line) for line in args.rows.read_text().splitlines() if line.strip()]
        kinds = {k: sum(r.get("kind") == k for r in rows) for k in ("positive", "negative")}
        data = (f"synthetic corpus of {cfg.get('clips', '?')} x {cfg.get('scene', {}).get('clip_s', '?')} s clips "
                f"(`listen corpus build`, seed {cfg.get('seed', '?')}); {len(rows)} training rows "
                f"({kinds['positive']} positive, {kinds['negative']} negative) from the train split"
                + (f"; {args.data_note}" if args.data_note else ""))
        evaluation = {WITH: {}, WITHOUT: {}, **evaluation}
        facts = CardFacts(data, args.machine, args.training_seconds, evaluation, args.note or [])
        out = package(args.checkpoint, args.out, facts)
    except TrainingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"packaged {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
