"""Score a trained checkpoint on a yes/no benchmark file (held-out clips).

    python -m training.eval_checkpoint runs/x/final --bench bench_test.jsonl [--rows 0] [--out m.json]

Prints one Markdown row per sampling (accuracy, yes-ratio, F1 of "no", the presence head's
own accuracy) and writes the full metrics (and every answer with --answers) as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from pathlib import Path


def evaluate_checkpoint(folder: Path, bench: Path, cache_dir: Path | None, rows: int, seed: int = 0,
                        batch_size: int = 16, max_new_tokens: int = 6, bf16: bool = True, answers: bool = False) -> dict:
    import torch

    from training.data.clip_features import CachedStates
    from training.data.rows import load_benchmark_rows
    from training.eval.validation import evaluate_benchmark, subsample
    from training.data.feature_cache import FeatureCache, default_cache_dir
    from training.model.system import load_system

    system = load_system(folder)
    bench_rows = subsample(load_benchmark_rows(bench), rows, seed)
    cache = FeatureCache(cache_dir or default_cache_dir(), system.encoder)
    states_of = CachedStates(cache, [r.audio for r in bench_rows])
    autocast = (lambda: torch.autocast("cpu", torch.bfloat16)) if bf16 else nullcontext
    return evaluate_benchmark(system, bench_rows, states_of, batch_size, max_new_tokens, autocast, keep_answers=answers)


def markdown(metrics: dict) -> str:
    lines = ["| sampling | n | accuracy | yes-ratio | F1 (no) | head accuracy |", "|---|---|---|---|---|---|"]
    for k in ("random", "popular", "adversarial", "all"):
        if k in metrics:
            m = metrics[k]
            lines.append(f"| {k} | {m['n']} | {m['accuracy']:.3f} | {m['yes_ratio']:.3f} | {m['f1_no']:.3f} | {m['head_accuracy']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", type=Path)
    p.add_argument("--bench", type=Path, required=True, help="benchmark JSONL (audio, prompt_text, label, sampling)")
    p.add_argument("--cache-dir", type=Path, help="feature cache folder (default $LISTEN_HOME/features)")
    p.add_argument("--rows", type=int, default=0, help="rows per sampling (0 = all)")
    p.add_argument("--max-new-tokens", type=int, default=6)
    p.add_argument("--fp32", action="store_true", help="no bf16 autocast")
    p.add_argument("--answers", action="store_true", help="keep every answer in the JSON")
    p.add_argument("--out", type=Path, help="write the metrics here as JSON")
    args = p.parse_args(argv)
    from core.errors import ListenError

    try:
        metrics = evaluate_checkpoint(args.checkpoint, args.bench, args.cache_dir, args.rows,
                                      max_new_tokens=args.max_new_tokens, bf16=not args.fp32, answers=args.answers)
    except ListenError as err:
        print(f"eval_checkpoint: error: {err}", file=sys.stderr)
        return 2
    print(markdown(metrics))
    if args.out:
        args.out.write_text(json.dumps(metrics, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
