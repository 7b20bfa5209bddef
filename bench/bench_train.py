"""Training throughput with and without the feature cache, in one run, on the same machine.

    .venv/bin/python bench/bench_train.py                 # default models (Whisper tiny.en, SmolLM2)
    .venv/bin/python bench/bench_train.py --models tiny   # tiny random models (seconds)

Both modes train the same adapter on the same clips for the same steps; only where the
encoder states come from differs (cached fp16 .npy files vs. reading the audio and running
the frozen encoder every step). The cache's one-time fill is reported apart. Prints a
Markdown table; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from core.audio import SAMPLE_RATE  # noqa: E402

LABELS = [
    {"label": "siren", "name": "a siren", "synonyms": ["siren"]},
    {"label": "doorbell", "name": "a doorbell", "synonyms": ["doorbell"]},
    {"label": "dog_barking", "name": "a dog barking", "synonyms": ["dog", "barking"]},
]
TONES = {"siren": 700.0, "doorbell": 1900.0, "dog_barking": 300.0}


def write_clips(root: Path, n: int, seconds: float) -> dict:
    from training.corpus.clip_files import write_wav

    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    rows = []
    for i in range(n):
        present = [LABELS[i % 3]["label"]]
        x = 0.01 * rng.standard_normal(t.shape) + 0.3 * np.sin(2 * np.pi * TONES[present[0]] * t)
        path = root / f"clip{i}.wav"
        write_wav(path, x.astype(np.float32))
        for e in LABELS:
            yes = e["label"] in present
            rows.append({"audio": str(path), "question": f"Is there {e['name']} in the audio?",
                         "answer": f"{'Yes' if yes else 'No'}, there is {'' if yes else 'no '}{e['name'].split(' ', 1)[1]}.",
                         "labels": present})
    (root / "labels.json").write_text(json.dumps(LABELS))
    (root / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return {"rows": root / "rows.jsonl", "labels": root / "labels.json"}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", choices=["default", "tiny"], default="default")
    p.add_argument("--clips", type=int, default=16)
    p.add_argument("--steps", type=int, default=6, help="optimizer steps per mode (the first is not timed)")
    p.add_argument("--batch", type=int, default=8, help="sequences per step")
    p.add_argument("--precision", default="bf16")
    args = p.parse_args()

    import torch

    from training.model.adapter_config import AdapterConfig, EncoderConfig
    from training.model.system import build_system
    from training.train.config import TrainConfig
    from training.train.loop import train

    tmp = Path(tempfile.mkdtemp(prefix="bench_train_"))
    os.environ.setdefault("LISTEN_HOME", str(tmp / "home"))
    if args.models == "tiny":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.tiny_models import build_tiny_llama, build_tiny_whisper

        whisper, llm = str(build_tiny_whisper(tmp / "w")), str(build_tiny_llama(tmp / "l"))
        adapter = AdapterConfig(recipe="factorised", num_queries=8, num_layers=1, num_heads=4)
    else:
        whisper, llm, adapter = "default", "default", AdapterConfig()
    seconds = 10.0
    data = write_clips(tmp / "clips", args.clips, seconds)
    base = TrainConfig(
        train_data=str(data["rows"]), labels=str(data["labels"]), llm=llm,
        encoder=EncoderConfig(whisper=whisper, window_seconds=seconds), adapter=adapter,
        max_steps=args.steps, batch_size=args.batch, micro_batch=args.batch, presence_clips=0,
        mixed_precision=args.precision, log_every=1, eval_every=0, save_every=0, warmup_steps=1,
    )
    shared = build_system(base.encoder, base.adapter, base.llm, LABELS, 0)
    results = {}
    for mode, use_cache in (("feature cache", True), ("encoder every step", False)):
        cfg = replace(base, use_cache=use_cache, out_dir=str(tmp / mode.replace(" ", "_")), cache_dir=str(tmp / "cache"))
        system = build_system(cfg.encoder, cfg.adapter, cfg.llm, LABELS, 0, shared.encoder, (shared.llm, shared.tokenizer))
        t0 = time.perf_counter()
        result = train(cfg, progress=False, system=system)
        total = time.perf_counter() - t0
        log = [json.loads(x) for x in (Path(cfg.out_dir) / "log.jsonl").read_text().splitlines()]
        steps = [r for r in log if "loss" in r]  # one record per step; the first step warms up, untimed
        rate = (len(steps) - 1) * args.batch / (steps[-1]["elapsed_s"] - steps[0]["elapsed_s"])
        results[mode] = {"samples_per_s": rate, "run_s": total, "loop_s": result["elapsed_s"]}
    fill = results["feature cache"]["run_s"] - results["feature cache"]["loop_s"]
    print("## Adapter training: feature cache vs running the encoder every step\n")
    print(f"{args.models.capitalize()} models, {args.batch} sequences/step, {args.precision}, "
          f"{args.clips} clips of {seconds:.0f} s; torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{platform.processor() or platform.machine()}.\n")
    print("| states from | samples/s | speed-up |")
    print("|---|---|---|")
    ref = results["encoder every step"]["samples_per_s"]
    for mode, r in results.items():
        print(f"| {mode} | {r['samples_per_s']:.2f} | {r['samples_per_s'] / ref:.2f}x |")
    print(f"\nOne-time cost of the cache run outside the loop (loading, hashing, encoding {args.clips} clips): {fill:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
