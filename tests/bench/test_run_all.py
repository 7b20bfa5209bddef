"""`make bench` puts its report into the README between the bench markers, and nowhere else."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("bench_run_all", Path(__file__).resolve().parents[2] / "bench" / "run_all.py")
run_all = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(run_all)

README = f"""# Project

## Benchmarks

Latest run:

{run_all.README_START}
old table
{run_all.README_END}

## Deployment
"""
REPORT = "# Benchmarks\n\nMachine: X\n\n## bench_one\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"


def test_report_replaces_only_the_marked_block():
    out = run_all.into_readme(README, REPORT)
    assert "old table" not in out
    assert out.startswith("# Project\n\n## Benchmarks\n\nLatest run:\n\n")
    assert out.endswith(f"{run_all.README_END}\n\n## Deployment\n")
    block = out.split(run_all.README_START)[1].split(run_all.README_END)[0]
    assert "# Benchmarks" not in block  # the report's title is dropped
    assert "\n### bench_one\n" in block and "| 1 | 2 |" in block  # headings one level down
    assert run_all.into_readme(out, REPORT) == out  # idempotent


def test_a_readme_without_markers_is_one_clear_error():
    with pytest.raises(SystemExit, match="bench:start"):
        run_all.into_readme("# Project\n", REPORT)
