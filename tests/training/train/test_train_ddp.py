"""Two CPU processes (DDP over gloo, launched by torchrun) match one process with the same
global batch: 1 x (2 micro-batches accumulated) == 2 processes x 1 micro-batch."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import replace

import torch
from safetensors.torch import load_file

from training.config_io import to_dict

from tests.training.train_helpers import sharpen_tiny_models, tiny_config, write_dataset

# Stated tolerance: the two runs sum the same per-sequence gradients in another order
# (all-reduce vs accumulation), so float32 rounding differs; after 3 AdamW steps at lr 3e-3
# every weight agrees to 2e-5 absolute (measured: about 1e-7).
ATOL = 2e-5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "OMP_NUM_THREADS": "1", "LISTEN_HOME": str(tmp_path / "home")}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_two_process_ddp_matches_one_process(tmp_path, tiny_whisper_dir, tiny_llama_dir):
    whisper, llama = sharpen_tiny_models(tiny_whisper_dir, tiny_llama_dir, tmp_path / "models")
    data = write_dataset(tmp_path / "data")
    base = tiny_config(data, whisper, llama, tmp_path / "one", max_steps=3, batch_size=4, micro_batch=2)
    configs = {}
    for name in ("one", "two"):
        cfg = replace(base, out_dir=str(tmp_path / name), cache_dir=str(tmp_path / f"cache-{name}"))
        configs[name] = tmp_path / f"{name}.json"
        configs[name].write_text(json.dumps(to_dict(cfg)))

    cli = ["-m", "training.cli", "--no-progress", "--config"]
    _run([sys.executable, *cli, str(configs["one"])], tmp_path)
    two = _run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                str(_free_port()), *cli, str(configs["two"])], tmp_path)

    state = json.loads((tmp_path / "two" / "final" / "state.json").read_text())
    assert state["world_size"] == 2, two.stdout[-2000:]
    a = load_file(str(tmp_path / "one" / "final" / "adapter.safetensors"))
    b = load_file(str(tmp_path / "two" / "final" / "adapter.safetensors"))
    worst = max(float((a[k] - b[k]).abs().max()) for k in a)
    print(f"max |one - two| = {worst:.2e}")
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=ATOL, msg=k)
    log_one, log_two = ([json.loads(x) for x in (tmp_path / n / "log.jsonl").read_text().splitlines()] for n in ("one", "two"))
    steps_one, steps_two = ([r for r in log if "loss" in r] for log in (log_one, log_two))
    assert len(steps_one) == len(steps_two) == 3
    for r1, r2 in zip(steps_one, steps_two):  # the logged loss is the global mean in both
        assert abs(r1["loss"] - r2["loss"]) < 1e-4 * max(1.0, abs(r1["loss"]))
