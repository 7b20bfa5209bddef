"""`listen train`: argument parsing only (cheap to import: no torch here).

Every TrainConfig field is a flag (`--lr`, `--adapter.num_queries`, `--encoder.taps 0,1,2`),
documented by `--help`; `--config FILE` loads a JSON config first, and flags override it.
Unknown flags and unknown config keys are refused.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

DESCRIPTION = """\
Train the LISTEN adapter (Q-Former + projection) between a frozen Whisper encoder and a
frozen LLM. Recipes: `factorised` (default for LLMs under 1B parameters): a presence head
decides yes/no and decision tokens carry it to the LLM; `listen`: plain LISTEN (answer
cross-entropy only), the default for large backbones. Runs on CPU, one GPU or several
(`accelerate launch -m training.cli ...` or `accelerate launch $(which listen) train ...`).
Checkpoints (adapter safetensors, configs, prompt, labels, optimizer) go to OUT_DIR/step-N;
logs to OUT_DIR/log.jsonl. Resume with --resume auto (the newest step-N) or a folder."""


def register(subparsers) -> None:
    from training.config_io import add_arguments
    from training.train.config import TrainConfig

    parser = subparsers.add_parser(
        "train", help="train the adapter (LISTEN, frozen encoder and LLM)", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, help="JSON file with TrainConfig fields (flags override it)")
    parser.add_argument("--resume", metavar="DIR|auto", help="resume from a checkpoint folder, or `auto` = newest in out_dir")
    parser.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars (logs still written)")
    add_arguments(parser, TrainConfig)
    parser.set_defaults(func=run)


def resolve_config(args: argparse.Namespace):
    from training.config_io import from_dict, merge, overrides_from_args, to_dict
    from training.train.config import TrainConfig

    base = to_dict(TrainConfig())
    if args.config:
        from training.config_io import load_config

        base = to_dict(load_config(TrainConfig, args.config))
    return from_dict(TrainConfig, merge(base, overrides_from_args(args)), "config")


def run(args: argparse.Namespace) -> int:
    from training.config_io import to_dict

    cfg = resolve_config(args)
    if args.print_config:
        print(json.dumps(to_dict(cfg), indent=2))
        return 0
    from training.train.loop import train

    result = train(cfg, resume=args.resume, progress=not args.no_progress)
    last = result["history"][-1]["eval"] if result["history"] else {}
    print(json.dumps({"step": result["step"], "recipe": result["recipe"], "elapsed_s": round(result["elapsed_s"], 1),
                      "last_validation": {k: v for k, v in last.items() if k != "answers"}}, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m training.cli ...` (e.g. under `accelerate launch`)."""
    import sys

    from core.errors import ListenError

    parser = argparse.ArgumentParser(prog="listen")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    args = parser.parse_args(["train", *(sys.argv[1:] if argv is None else argv)])
    try:
        return args.func(args)
    except ListenError as err:
        print(f"listen train: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
