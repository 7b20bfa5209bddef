"""The levers table of docs/presence.md from `listen presence train` runs (their presence.json).

    python scripts/levers_table.py RUN_DIR [RUN_DIR ...]

Validation is what each run was chosen and calibrated on; the held-out splits were scored after
training (`--report_splits`), torch side. Cells: accuracy / F1 of "no" / yes-ratio in %, paper
parser ("can't tell" is not a yes); "heard" is the share of present sounds of trained labels
answered yes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def cell(m: dict) -> str:
    return f"{100 * m['accuracy']:.1f} / {100 * m['f1_no']:.1f} / {100 * m['yes_ratio']:.1f}"


def main(runs: list[str]) -> None:
    splits = ("real_raw", "real_test", "unseen", "unseen_raw")
    print("| run | validation | " + " | ".join(splits) + " | real_raw: heard | real_raw: ECE |")
    print("|---|---:|" + "---:|" * len(splits) + "---:|---:|")
    for run in runs:
        m = json.loads((Path(run) / "presence.json").read_text())["metrics"]
        held = m.get("held_out", {})
        cells = [cell(held[s]) if s in held else "-" for s in splits]
        raw = held.get("real_raw", {})
        heard = raw.get("present_trained_answered_yes")
        print(f"| {Path(run).name} | {cell(m['validation'])} | " + " | ".join(cells)
              + f" | {'-' if heard is None else f'{100 * heard:.1f}'} | {raw.get('ece', float('nan')):.3f} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
