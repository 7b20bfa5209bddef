"""`listen synth run|merge` through the real dispatcher."""

from __future__ import annotations

import json
import sys

from core.cli import main
from training.synth.run import resolve_shard


def test_run_template_then_merge(small_corpus, tmp_path, capsys):
    base = ["synth", "run", "--corpus", str(small_corpus.root), "--split", "all", "--answers", "template", "--quiet"]
    for k in range(2):
        assert main(base + ["--out", str(tmp_path / "rows.jsonl"), "--shard", f"{k}/2"]) == 0
    out = capsys.readouterr().out
    assert "| prompt | kind |" in out and "rows.shard001-of-002.jsonl" in out
    parts = [str(tmp_path / f"rows.shard00{k}-of-002.jsonl") for k in range(2)]
    assert main(["synth", "merge", *parts, "--out", str(tmp_path / "all.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert len(rows) == 4 * len(small_corpus.rows)
    report = json.loads((tmp_path / "all.report.json").read_text())
    assert report["total"]["rows"] == len(rows)


def test_bad_corpus_is_one_line(tmp_path, capsys):
    assert main(["synth", "run", "--corpus", str(tmp_path / "none"), "--out", str(tmp_path / "r.jsonl"),
                 "--answers", "template"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("listen synth: error:") and "does not exist" in err and "\n" not in err


def test_shard_from_a_launcher_environment(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    assert resolve_shard(None) == (3, 4)
    assert resolve_shard("1/2") == (1, 2)  # an explicit shard wins


def test_accelerate_launch_shards_across_two_cpu_processes(small_corpus, tmp_path):
    """`accelerate launch` on two CPU processes: each rank writes its own shard, the merge is whole."""
    import os
    import subprocess
    from pathlib import Path

    import pytest

    launcher = Path(sys.executable).with_name("accelerate")
    if not launcher.exists():
        pytest.skip("the accelerate launcher is not installed beside this Python")
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    cmd = [str(launcher), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
           "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "29517", "-m", "core.cli",
           "synth", "run", "--corpus", str(small_corpus.root), "--split", "all", "--out", str(tmp_path / "rows.jsonl"),
           "--answers", "template", "--quiet"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    parts = [tmp_path / f"rows.shard00{k}-of-002.jsonl" for k in range(2)]
    assert all(p.is_file() for p in parts)
    assert main(["synth", "merge", *map(str, parts), "--out", str(tmp_path / "all.jsonl")]) == 0
    assert len((tmp_path / "all.jsonl").read_text().splitlines()) == 4 * len(small_corpus.rows)
