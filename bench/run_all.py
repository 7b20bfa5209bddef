"""Run every `bench/bench_*.py` and collect their Markdown tables into one report.

Each benchmark is a script whose stdout is Markdown (a heading and a table that compares
against its baseline in the same run). This runner adds the machine it ran on, and with
`--readme` puts the report between the README's bench markers (headings one level down).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from training.provenance import cpu_model  # noqa: E402


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu_model()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


README_START = "<!-- bench:start (make bench writes this part) -->"
README_END = "<!-- bench:end -->"


def into_readme(readme: str, report: str) -> str:
    """`readme` with the text between its bench markers replaced by `report` (its title dropped,
    its headings one level deeper, so they sit under the README's own Benchmarks heading)."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"the README has no {README_START!r} ... {README_END!r} block; add one where the table goes")
    body = report.split("\n", 1)[1] if report.startswith("# ") else report
    body = "\n".join("#" + line if line.startswith("#") else line for line in body.splitlines()).strip()
    return readme[: start + len(README_START)] + "\n" + body + "\n" + readme[end:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, help="also write the report to this Markdown file")
    ap.add_argument("--readme", type=Path, help="also put the report between this README's bench markers")
    ap.add_argument("only", nargs="*", help="names of benchmarks to run (default: all)")
    args = ap.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if any(o in s.stem for o in args.only)]
    parts = [f"# Benchmarks\n\nMachine: {machine()}\nDate: {time.strftime('%Y-%m-%d %H:%M')}\n"]
    failed = 0
    for script in scripts:
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        if proc.returncode != 0:
            failed += 1
            tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
            parts.append(f"## {script.stem}\n\nFAILED (exit {proc.returncode}): {tail[0]}\n")
        else:
            parts.append(proc.stdout.strip() + "\n")
    report = "\n".join(parts)
    print(report)
    if args.out:
        args.out.write_text(report)
    if args.readme and not args.only:  # a partial run does not replace the README's whole table
        args.readme.write_text(into_readme(args.readme.read_text(), report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
