"""Split a `listen eval --out` run's yes/no answers by whether the scored bundle knows the asked label.

    python scripts/known_vs_unknown.py BUNDLE EVAL_DIR [EVAL_DIR ...]

Prints, per run, accuracy and yes-answers on present and on absent sounds, for the labels in
the bundle's vocabulary (manifest adapter_info.labels) and for the others (paper parser).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.answers import paper_says_yes
from core.bundle import read_manifest


def main(bundle: str, runs: list[str]) -> None:
    known = {e["label"] for e in read_manifest(bundle).adapter_info.labels}
    print("| run | labels | questions | accuracy | yes on present | yes on absent |")
    print("|---|---|---:|---:|---:|---:|")
    for run in runs:
        with open(Path(run) / "predictions.jsonl", encoding="utf-8") as f:
            rows = [r for r in map(json.loads, f) if r.get("label") in ("yes", "no")]
        for name, inside in (("known to the bundle", True), ("unknown to the bundle", False)):
            sel = [r for r in rows if (r["object"] in known) == inside]
            if not sel:
                continue
            pos = [paper_says_yes(r["answer"]) for r in sel if r["label"] == "yes"]
            neg = [paper_says_yes(r["answer"]) for r in sel if r["label"] == "no"]
            accuracy = (sum(pos) + len(neg) - sum(neg)) / len(sel)
            print(f"| {Path(run).name} | {name} | {len(sel)} | {100 * accuracy:.1f} | {sum(pos)}/{len(pos)} | "
                  f"{sum(neg)}/{len(neg)} |")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
