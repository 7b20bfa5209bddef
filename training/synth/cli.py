"""`listen synth`: LISTEN data synthesis and the hallucination benchmark file.

Cheap to import: torch, transformers and llama.cpp are loaded by the backends when a run starts.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from training.corpus.clip_index import SPLIT_NAMES  # standard library only

DESCRIPTION = """\
LISTEN data synthesis: the frozen backbone LLM reads each clip's metadata as
"[Begin of audio] <caption, tags> [End of audio]" and answers a prompt about what is
present (positives) or absent (negatives: random, popular or adversarial objects).
A consistency filter drops answers that contradict the metadata and reports the
rejection rate per prompt.

  run        write training rows (JSONL); resumable; shardable (--shard K/N, or
             `accelerate launch -m core.cli synth run ...`)
  merge      merge the outputs of several shards
  benchmark  write the object-hallucination benchmark for held-out clips"""


def register(subparsers) -> None:
    p = subparsers.add_parser("synth", help="LISTEN positive/negative data synthesis and benchmark files",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="synth_command", metavar="ACTION")

    r = sub.add_parser("run", help="synthesize training rows from a corpus")
    r.add_argument("--corpus", type=Path, required=True, help="corpus folder (clips.jsonl, labels.json, stats.json)")
    r.add_argument("--out", type=Path, required=True, help="rows JSONL to write or resume")
    r.add_argument("--split", default="train", help="clips of this split, or 'all' (default train)")
    r.add_argument("--answers", choices=["llm", "template"], default="llm",
                   help="llm: the backbone writes the answers; template: deterministic templated answers")
    r.add_argument("--backend", choices=["llamacpp", "transformers"], default="llamacpp",
                   help="LLM runtime (default llamacpp on the GGUF; transformers batches on GPU or CPU)")
    r.add_argument("--model", default="default", help="default, a .gguf path, an HF folder or a hub id")
    r.add_argument("--positives", type=int, default=2, help="positive rows per clip (default 2)")
    r.add_argument("--negatives", type=int, default=2, help="negative rows per clip (default 2)")
    r.add_argument("--seed", type=int, default=0, help="prompt choice, sampling and LLM sampling seed")
    r.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    r.add_argument("--max-new-tokens", type=int, default=64)
    r.add_argument("--batch-size", type=int, default=8, help="prompts per generate call / per flush")
    r.add_argument("--on-reject", choices=["drop", "template"], default="drop",
                   help="drop rejected generations (default), or write the template answer in their place")
    r.add_argument("--shard", help="K/N: take every N-th clip from the K-th (default: from the launcher)")
    r.add_argument("--max-clips", type=int, help="only the first N clips (quick runs)")
    r.add_argument("--device", help="transformers device, e.g. cuda:0 (default cuda if available)")
    r.add_argument("--threads", type=int, help="llama.cpp threads (default: all cores)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=run_run)

    m = sub.add_parser("merge", help="merge shard outputs into one rows file and report")
    m.add_argument("parts", type=Path, nargs="+", help="shard row files (rows.shard000-of-004.jsonl ...)")
    m.add_argument("--out", type=Path, required=True)
    m.set_defaults(func=run_merge)

    b = sub.add_parser("benchmark", help="write the object-hallucination benchmark (POPE format)")
    b.add_argument("--corpus", type=Path, required=True)
    b.add_argument("--split", default="test", choices=SPLIT_NAMES,
                   help="held-out split (default test); real_test: real recordings only; "
                        "unseen: questions about the labels no training clip holds")
    b.add_argument("--out", type=Path, required=True, help="benchmark JSONL")
    b.add_argument("--per-clip", type=int, default=3, help="present labels asked per clip and sampling (default 3)")
    b.add_argument("--seed", type=int, default=0)
    b.set_defaults(func=run_benchmark)
    p.set_defaults(func=lambda _a: (p.print_help(), 2)[1])


def run_run(args: argparse.Namespace) -> int:
    import logging

    from training.synth.backends import GenerationConfig
    from training.synth.plan import PlanConfig
    from training.synth.run import SynthConfig, output_paths, report_markdown, resolve_shard, run_synthesis

    shard = resolve_shard(args.shard)
    device = args.device
    if device is None and shard[1] > 1 and args.backend == "transformers" and args.answers == "llm":
        import os

        import torch

        if torch.cuda.is_available():  # one GPU per process under `accelerate launch`
            device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0')) % torch.cuda.device_count()}"
    cfg = SynthConfig(
        corpus=args.corpus, out=args.out, split=args.split, answers=args.answers, backend=args.backend,
        model=args.model, plan=PlanConfig(args.positives, args.negatives, args.seed),
        gen=GenerationConfig(max_new_tokens=args.max_new_tokens, temperature=args.temperature,
                             batch_size=args.batch_size),
        on_reject=args.on_reject, shard=shard, max_clips=args.max_clips, device=device, threads=args.threads,
    )
    logging.getLogger("training.synth").setLevel(logging.INFO)
    report = run_synthesis(cfg, progress=not args.quiet)
    paths = output_paths(args.out, shard)
    print(report_markdown(report))
    run = report["this_run"]
    speed = f", {run['samples_per_s']} rows/s" if run["samples_per_s"] else ""
    print(f"\n{report['total']['rows']} rows in {paths.rows} (this run: {run['requests']} requests in "
          f"{run['seconds']} s{speed}); rejected generations in {paths.rejected}; report {paths.report}")
    return 0


def run_merge(args: argparse.Namespace) -> int:
    from training.synth.run import merge_outputs, report_markdown

    report = merge_outputs(args.parts, args.out)
    print(report_markdown(report))
    print(f"\nmerged {len(args.parts)} shard(s) into {args.out}")
    return 0


def run_benchmark(args: argparse.Namespace) -> int:
    from training.corpus.folder import load_corpus
    from training.synth.benchmark import make_benchmark, summary, write_benchmark

    corpus = load_corpus(args.corpus, check_audio=True)
    rows = make_benchmark(corpus, args.split, args.per_clip, args.seed)
    write_benchmark(rows, args.out)
    print(json.dumps(summary(rows)))
    print(f"wrote {len(rows)} questions to {args.out}")
    return 0
