"""LISTEN synthesis throughput: llama.cpp against transformers on the default LLM, in one run.

Builds a small corpus (10 s clips), plans the same requests for every backend (2 positive
and 2 negative prompts per clip, greedy decoding, at most 64 new tokens), and runs:
- `template`: deterministic templated answers (the floor: planning, filtering, writing);
- `llamacpp`: SmolLM2-135M Q4_1 GGUF through llama-cpp-python, one prompt at a time;
- `transformers`: the same GGUF dequantized to fp32, batched `generate` on CPU (or GPU).
Samples/s include the consistency filter and the writes; model loading is timed apart.
The rejection rates of the filter are reported per kind, and the corpus build speed too.

    python bench/bench_synth.py [--clips 8] [--batch-size 8] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=8, help="clips to synthesize for (4 requests each)")
    ap.add_argument("--batch-size", type=int, default=8, help="transformers prompts per generate call")
    ap.add_argument("--threads", type=int, default=2, help="llama.cpp and torch threads")
    args = ap.parse_args()

    import torch

    from training.corpus.build import BuildConfig, build_corpus
    from training.synth.backends import GenerationConfig
    from training.synth.plan import PlanConfig
    from training.synth.run import SynthConfig, run_synthesis

    torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="bench_synth_"))
    build_rows = []
    for workers in (1, 2):
        t0 = time.perf_counter()
        corpus = build_corpus(work / f"corpus{workers}", BuildConfig(clips=60, seed=0), workers=workers, progress=False)
        build_rows.append((workers, 60 / (time.perf_counter() - t0)))

    base = SynthConfig(corpus=corpus.root, out=work / "x.jsonl", split="all", plan=PlanConfig(seed=0),
                       gen=GenerationConfig(max_new_tokens=64, batch_size=args.batch_size),
                       max_clips=args.clips, threads=args.threads, device="cpu" if not torch.cuda.is_available() else None)
    runs = [("template", replace(base, answers="template")),
            ("llamacpp", replace(base, answers="llm", backend="llamacpp")),
            ("transformers", replace(base, answers="llm", backend="transformers"))]
    results = {}
    for name, cfg in runs:
        t0 = time.perf_counter()
        report = run_synthesis(replace(cfg, out=work / f"{name}.jsonl"), progress=False)
        total = time.perf_counter() - t0
        results[name] = (report, total)

    device = "GPU" if torch.cuda.is_available() else f"CPU, {args.threads} threads"
    print(f"## LISTEN synthesis throughput ({args.clips} clips x 4 prompts, SmolLM2-135M, greedy, <= 64 tokens, {device})\n")
    print("| answers | samples/s | x llama.cpp | wall s (incl. load) | rejected: positive | negative | total |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    ref = results["llamacpp"][0]["this_run"]["samples_per_s"]
    for name, (report, total) in results.items():
        sps = report["this_run"]["samples_per_s"]
        rate = {k: report[k]["rejection_rate"] for k in ("positive", "negative", "total")}
        fmt = {k: "-" if v is None else f"{100 * v:.0f} %" for k, v in rate.items()}
        print(f"| {name} | {sps:.2f} | {sps / ref:.2f} | {total:.1f} | {fmt['positive']} | {fmt['negative']} | {fmt['total']} |")

    print("\n### Rejection by prompt (llama.cpp | transformers)\n")
    print("| prompt | llama.cpp rejected / generated | transformers rejected / generated | main reasons (llama.cpp) |")
    print("|---|---:|---:|---|")
    lc, tf = results["llamacpp"][0]["prompts"], results["transformers"][0]["prompts"]
    for pid in sorted(set(lc) | set(tf)):
        a, b = lc.get(pid, {}), tf.get(pid, {})
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(a.get("reasons", {}).items(), key=lambda kv: -kv[1])[:2])
        print(f"| {pid} | {a.get('rejected', 0)} / {a.get('generated', 0)} | {b.get('rejected', 0)} / {b.get('generated', 0)} | {reasons} |")

    same = _same_answers(work / "llamacpp.jsonl", work / "transformers.jsonl")
    print(f"\nAccepted rows with the identical answer in both backends: {same}.")
    print("\n### Corpus build (60 clips of 10 s)\n")
    print("| workers | clips/s | x 1 worker |")
    print("|---:|---:|---:|")
    for workers, cps in build_rows:
        print(f"| {workers} | {cps:.1f} | {cps / build_rows[0][1]:.2f} |")


def _same_answers(a: Path, b: Path) -> str:
    ra = {r["id"]: r["answer"] for r in map(json.loads, a.read_text().splitlines())}
    rb = {r["id"]: r["answer"] for r in map(json.loads, b.read_text().splitlines())}
    both = set(ra) & set(rb)
    return f"{sum(ra[i] == rb[i] for i in both)} of {len(both)} ids accepted by both"


if __name__ == "__main__":
    main()
