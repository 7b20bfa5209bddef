"""Package a checkpoint as models/default-adapter with its model card (see training/package_adapter.py)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def machine() -> str:
    from training.provenance import cpu_model

    return f"{os.cpu_count()} cores of {cpu_model()} (shared, no GPU)"


def main() -> int:
    from training.package_adapter import CardFacts, package

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("models/default-adapter"))
    ap.add_argument("--eval", type=Path, help="`listen eval --out` metrics.json of the adapter trained with negatives")
    ap.add_argument("--eval-without", type=Path, help="the same for the adapter trained without negatives")
    ap.add_argument("--corpus", type=Path, required=True, help="corpus folder the rows came from")
    ap.add_argument("--rows", type=Path, required=True, help="training rows (JSONL)")
    ap.add_argument("--data-note", default="", help="how the rows were written, if not by `listen synth`")
    ap.add_argument("--training-seconds", type=float, required=True)
    ap.add_argument("--machine", default=machine())
    ap.add_argument("--note", action="append", default=[], help="a caveat for the card (repeatable)")
    args = ap.parse_args()

    build = json.loads((args.corpus / "build.json").read_text()) if (args.corpus / "build.json").exists() else {}
    cfg = build.get("config", {})
    rows = [json.loads(line) for line in args.rows.read_text().splitlines() if line.strip()]
    kinds = {k: sum(r.get("kind") == k for r in rows) for k in ("positive", "negative")}
    data = (f"synthetic corpus of {cfg.get('clips', '?')} x {cfg.get('scene', {}).get('clip_s', '?')} s clips "
            f"(`listen corpus build`, seed {cfg.get('seed', '?')}); {len(rows)} training rows "
            f"({kinds['positive']} positive, {kinds['negative']} negative) from the train split"
            + (f"; {args.data_note}" if args.data_note else ""))
    evaluation = {"trained with negatives (this adapter)": json.loads(args.eval.read_text()) if args.eval else {},
                  "trained without negatives": json.loads(args.eval_without.read_text()) if args.eval_without else {}}
    out = package(args.checkpoint, args.out, CardFacts(data, args.machine, args.training_seconds, evaluation, args.note))
    print(f"packaged {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
