"""`listen export` and `listen export verify`: argument parsing only; the work is in pipeline/verify."""

from __future__ import annotations

import argparse
from pathlib import Path

from export.thresholds import ParityThresholds

_FLOORS = ParityThresholds()

DESCRIPTION = """\
Turn a training checkpoint into one self-describing bundle for the edge:

  encoder.onnx, adapter.onnx (+ .int8.onnx)   Whisper encoder with tapped layers, Q-Former adapter
  llm.gguf                                    the frozen LLM for llama.cpp (copied, re-quantized or converted)
  manifest.json                               front end, graph I/O, prompt text, labels, parity, sha256 of every file

Parity checks run by default (ONNX vs torch on real clips, GGUF vs transformers with the same
injected audio embeddings) and stop the export when a threshold is missed, unless --force.
Steps whose inputs did not change are reused from $LISTEN_HOME/export-cache.

examples:
  listen export --checkpoint runs/train/best --out bundles/mine
  listen export --checkpoint runs/train/best --out bundles/q8 --quantize q8_0
  listen export verify bundles/mine"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export", help="checkpoint -> ONNX + GGUF bundle, with parity checks",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--checkpoint", type=Path, help="checkpoint folder written by `listen train` (e.g. runs/train/best)")
    p.add_argument("--out", type=Path, help="bundle folder to write (replaced atomically if it is a bundle)")
    p.add_argument("--llm", help="LLM to bundle (default: the one the adapter was trained against): .gguf, HF folder or hub id")
    p.add_argument("--quantize", metavar="TYPE", help="GGUF type for the LLM, e.g. q8_0, q4_k_m, f16 (default: keep a GGUF as is)")
    p.add_argument("--llm-outtype", default="f16", choices=("f16", "bf16", "f32"),
                   help="type llama.cpp's converter writes for a Hugging Face LLM, before --quantize (default: %(default)s)")
    p.add_argument("--variants", default="fp32,int8", help="ONNX variants, comma-separated (default: %(default)s)")
    p.add_argument("--default-variant", default="fp32", help="variant the edge loads by default (default: %(default)s)")
    p.add_argument("--clips", type=Path, nargs="+", default=(), help="audio files for the parity checks (default: theme sounds)")
    p.add_argument("--min-cosine", type=float, default=_FLOORS.min_cosine_fp32, help="fp32 soft-token cosine floor (default: %(default)s)")
    p.add_argument("--min-cosine-int8", type=float, default=_FLOORS.min_cosine_int8, help="int8 soft-token cosine floor (default: %(default)s)")
    p.add_argument("--max-int8-flips", type=float, default=_FLOORS.max_presence_flips_int8, help="max share of presence decisions int8 may change (default: %(default)s)")
    p.add_argument("--min-llm-top1", type=float, default=_FLOORS.min_llm_top1, help="GGUF vs transformers top-1 agreement floor (default: %(default)s)")
    p.add_argument("--llm-parity-prompts", type=int, default=8, help="prompts for the GGUF parity check (default: %(default)s)")
    p.add_argument("--skip-llm-parity", action="store_true", help="skip the GGUF vs transformers check (slow for large LLMs)")
    p.add_argument("--force", action="store_true", help="write the bundle even if a parity check fails (recorded in the manifest)")
    p.add_argument("--no-cache", action="store_true", help="redo every step even when its inputs are unchanged")
    p.set_defaults(func=run_export)
    sub = p.add_subparsers(dest="export_action", metavar="ACTION", required=False)
    v = sub.add_parser("verify", help="re-check a bundle: schema, sizes, sha256, graphs load and match the manifest")
    v.add_argument("bundle", type=Path, help="bundle folder")
    v.add_argument("--checkpoint", type=Path, help="also check that the bundle was exported from this checkpoint "
                   "(its adapter and presence weights), e.g. models/default-adapter")
    v.set_defaults(func=run_verify)


def run_export(args: argparse.Namespace) -> int:
    from core.errors import ListenError
    from export.pipeline import ExportOptions, export_bundle

    if not args.checkpoint or not args.out:
        raise ListenError("listen export needs --checkpoint DIR and --out BUNDLE (or `listen export verify BUNDLE`)")
    opts = ExportOptions(
        checkpoint=args.checkpoint, out=args.out, llm=args.llm, quantization=args.quantize, llm_outtype=args.llm_outtype,
        variants=tuple(v.strip() for v in args.variants.split(",") if v.strip()),
        default_variant=args.default_variant, clips=tuple(args.clips),
        thresholds=ParityThresholds(args.min_cosine, args.min_cosine_int8, args.max_int8_flips, args.min_llm_top1),
        llm_parity_prompts=args.llm_parity_prompts, skip_llm_parity=args.skip_llm_parity,
        force=args.force, use_cache=not args.no_cache,
    )
    export_bundle(opts, progress=lambda msg: print(msg, flush=True))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from export.verify import verify_bundle

    for line in verify_bundle(args.bundle, args.checkpoint):
        print(line)
    return 0
