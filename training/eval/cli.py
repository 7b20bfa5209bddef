"""`listen eval`: argument parsing only (cheap to import: no torch here)."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Score a system on the object-hallucination benchmark (Kuan et al. 2024: yes/no questions
about present and absent sounds, sampled random / popular / adversarial).

  listen eval --checkpoint DIR --benchmark FILE   answer with a training checkpoint (torch)
  listen eval --bundle DIR --benchmark FILE       answer with an exported bundle (edge runtime)
  listen eval --predictions FILE                  score answers given as rows + `answer`
  listen eval --compare A B ...                   runs side by side (metrics.json or their folders)

Benchmark: JSONL, CSV or a Hugging Face dataset (hf:NAME, a saved folder or a .parquet)
with columns audio_index/audio, prompt_text, object, attribute, label, sampling.
Scoring: an answer containing the word "yes" is yes, anything else no (the paper's rule);
a stricter first-word parse is reported alongside. Metrics per sampling and per template:
accuracy, precision / recall / F1 of "no", yes-ratio, unparsable answers; and, from one
open question per clip, the share of answers naming a sound that is not there.
Outputs with --out DIR: metrics.json, report.md, predictions.jsonl."""


def register(subparsers) -> None:
    p = subparsers.add_parser("eval", help="hallucination benchmark: score a checkpoint, a bundle or predictions",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", type=Path, metavar="DIR", help="training checkpoint folder (e.g. runs/x/final)")
    src.add_argument("--bundle", type=Path, metavar="DIR", help="exported bundle folder (manifest.json, ONNX, GGUF)")
    src.add_argument("--predictions", type=Path, metavar="FILE", help="rows with an `answer` column (JSONL or CSV)")
    src.add_argument("--compare", type=Path, nargs="+", metavar="RUN", help="metrics.json files or eval --out folders")
    p.add_argument("--benchmark", metavar="FILE", help="benchmark: .jsonl, .csv, or hf:DATASET (with --predictions: "
                   "join its answers by entry_id or order)")
    p.add_argument("--labels", type=Path, help="labels.json whose synonyms read the mentions (default: the system's, "
                   "else beside the benchmark, else the built-in library)")
    p.add_argument("--clip-index", type=Path, help="the corpus's clip index (clips.jsonl) giving each clip's labels (default: beside labels.json)")
    p.add_argument("--out", type=Path, metavar="DIR", help="write metrics.json, report.md (and predictions.jsonl) here")
    p.add_argument("--audio-dir", type=Path, help="folder of <audio_index>.wav/.flac for rows without an audio path")
    p.add_argument("--hf-split", default="test", help="split of a Hugging Face dataset (default test)")
    p.add_argument("--rows", type=int, default=0, help="yes/no rows per sampling, drawn with --seed (default 0 = all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--open-question", default=None,
                   help="open question asked once per clip for the mentions (default: the training description prompt)")
    p.add_argument("--no-open", action="store_true", help="ask no open question (yes/no metrics only)")
    p.add_argument("--batch-size", type=int, default=16, help="checkpoint: questions per generation batch")
    p.add_argument("--max-new-tokens", type=int, default=8, help="tokens per yes/no answer (default 8)")
    p.add_argument("--open-max-new-tokens", type=int, default=48, help="tokens per open answer (default 48)")
    p.add_argument("--precision", choices=["auto", "bf16", "fp32"], default="auto",
                   help="checkpoint: autocast (auto = the run's mixed_precision)")
    p.add_argument("--device", default="", help="checkpoint: torch device (default cuda if available, else cpu)")
    p.add_argument("--cache-dir", default="", help="checkpoint: feature cache folder ('none' = run the encoder live)")
    p.add_argument("--threads", type=int, help="bundle: ONNX Runtime and llama.cpp threads")
    p.add_argument("--variant", help="bundle: ONNX graph variant (fp32, int8; default the manifest's)")
    p.add_argument("--describe-audio-tokens", choices=("yes", "no"), default="yes",
                   help="bundle with a presence model: whether descriptions see the soft tokens beside the detections "
                        "(no: the LLM words the detections from text alone, 36 fewer positions to prefill)")
    p.add_argument("--title", default="", help="heading of the report")
    p.add_argument("--names", help="--compare: comma-separated row names (default: each run's title)")
    p.add_argument("--reference", action="append", choices=["listen", "kuan2024"],
                   help="--compare: reference rows to add (default listen; repeat for both)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from training.errors import EvalError

    if args.compare:
        from training.eval.report import comparison_markdown, read_run

        names = [n.strip() for n in args.names.split(",")] if args.names else None
        if names and len(names) != len(args.compare):
            raise EvalError(f"--names gives {len(names)} names for {len(args.compare)} runs; give one per run")
        results = [read_run(p) for p in args.compare]
        runs = list(zip(names or [r.get("title", str(p)) for r, p in zip(results, args.compare)], results))
        text = comparison_markdown(runs, tuple(args.reference or ("listen",)))
        print(text, end="")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "comparison.md").write_text(text, encoding="utf-8")
        return 0

    from training.eval.evaluation import DEFAULT_OPEN_QUESTION, EvalRequest, run_evaluation
    from training.eval.report import run_markdown
    from training.eval.runners import RunOptions

    if args.batch_size < 1 or args.max_new_tokens < 1 or args.open_max_new_tokens < 1 or args.rows < 0:
        raise EvalError("--batch-size, --max-new-tokens and --open-max-new-tokens must be >= 1, --rows >= 0")
    source = "checkpoint" if args.checkpoint else "bundle" if args.bundle else "predictions"
    request = EvalRequest(
        source=source, path=args.checkpoint or args.bundle or args.predictions, benchmark=args.benchmark,
        labels=args.labels, clip_index=args.clip_index, out=args.out, audio_dir=args.audio_dir, hf_split=args.hf_split,
        rows_per_sampling=args.rows, seed=args.seed,
        open_question=None if args.no_open else (args.open_question or DEFAULT_OPEN_QUESTION),
        options=RunOptions(batch_size=args.batch_size, max_new_tokens=args.max_new_tokens,
                           open_max_new_tokens=args.open_max_new_tokens, precision=args.precision, device=args.device,
                           cache_dir=args.cache_dir, threads=args.threads, variant=args.variant,
                           describe_audio_tokens=args.describe_audio_tokens == "yes"),
        title=args.title,
    )
    result = run_evaluation(request, progress=not args.quiet)
    print(run_markdown(result, result["title"]), end="")
    if args.out:
        print(f"\nwrote {args.out}/metrics.json and report.md" + ("" if source == "predictions" else " and predictions.jsonl"))
    return 0
