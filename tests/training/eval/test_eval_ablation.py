"""scripts/ablation.sh end to end on tiny fixtures: a corpus of 8 clips, template answers,
2 training steps per arm with the tiny backbones, both arms evaluated and compared.

Only the plain `listen` recipe runs here (each arm costs two processes of torch start-up);
the factorised recipe's training and evaluation are covered by the training tests and by
test_eval_runners (the tiny checkpoint is factorised).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TINY_TRAIN_ARGS = ("--encoder.window_seconds 2 --adapter.num_queries 4 --adapter.num_layers 1 --adapter.num_heads 4 "
                   "--micro_batch 2 --mixed_precision no --warmup_steps 1")


def test_ablation_recipe_end_to_end(tmp_path, tiny_whisper_dir, tiny_llama_dir):
    out = tmp_path / "ablation"
    env = {**os.environ, "OUT": str(out), "CLIPS": "8", "CLIP_SECONDS": "2", "STEPS": "2", "BATCH": "4",
           "RECIPES": "listen", "LLM": str(tiny_llama_dir), "WHISPER": str(tiny_whisper_dir),
           "TRAIN_ARGS": TINY_TRAIN_ARGS, "EVAL_ARGS": "--max-new-tokens 3 --open-max-new-tokens 4",
           "LISTEN": str(Path(sys.executable).parent / "listen")}
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "ablation.sh")], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]

    # the same clips; arm (a) has no negative rows, arm (b) has them and the same positives
    pos = [json.loads(line) for line in (out / "rows" / "positives.jsonl").read_text().splitlines()]
    both = [json.loads(line) for line in (out / "rows" / "negatives.jsonl").read_text().splitlines()]
    assert pos and {r["kind"] for r in pos} == {"positive"}
    assert {r["kind"] for r in both} == {"positive", "negative"}
    assert pos == [r for r in both if r["kind"] == "positive"]  # the same positive rows, word for word

    # the same budget and seed, only the data differs
    configs = [json.loads((out / "train" / f"listen-{arm}" / "final" / "train_config.json").read_text())
               for arm in ("positives", "negatives")]
    assert configs[0]["train_data"].endswith("positives.jsonl") and configs[1]["train_data"].endswith("negatives.jsonl")
    for key in ("max_steps", "batch_size", "seed", "presence_weight", "adapter", "encoder"):
        assert configs[0][key] == configs[1][key], key
    assert configs[0]["adapter"]["recipe"] == "listen" and configs[0]["presence_weight"] == 0  # plain LISTEN

    n_bench = len((out / "bench_test.jsonl").read_text().splitlines())
    for arm in ("positives", "negatives"):
        result = json.loads((out / "eval" / f"listen-{arm}" / "metrics.json").read_text())
        assert result["parsers"]["paper"]["all"]["n"] == n_bench
        assert result["system"]["recipe"] == "listen"
        assert result["mentions"]["exact_labels"] == result["mentions"]["n_answers"] > 0  # labels from the clip index

    table = (out / "ablation.md").read_text()
    assert table in proc.stdout
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert [r.split(" | ")[0] for r in rows[1:]] == [
        "| listen: positives only", "| listen: positives + negatives",
        "| *LISTEN paper: positives only*", "| *LISTEN paper: positives + negatives*"]
    assert "Wall time:" in table and "train_listen-positives" in table

    # a resumed run skips what is done and keeps the stage times of the first run
    times = (out / "timing.tsv").read_text()
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "ablation.sh")], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "timing.tsv").read_text() == times
    assert "== ablation: train" not in proc.stderr and "== ablation: evaluate" not in proc.stderr


def test_make_target_runs_the_script():
    proc = subprocess.run(["make", "-n", "ablation", "STEPS=3"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and "bash scripts/ablation.sh" in proc.stdout
