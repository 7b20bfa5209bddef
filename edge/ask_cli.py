"""`listen ask`: questions about an audio file, answered on this device from a bundle."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DESCRIPTION = """\
Ask questions about the sounds in an audio file. Runs on this device: ONNX Runtime for the
encoder and adapter, llama.cpp for the LLM, no torch. WAV, FLAC or OGG at any rate and
channel count (resampled to 16 kHz mono). Audio longer than the bundle's window is split:
a yes/no question is heard if any window hears it, an open question gets one answer per window.

examples:
  listen ask --audio kitchen.wav "Is there a smoke alarm?"
  listen ask --audio door.ogg "Is someone knocking?" "What do you hear?"
  listen ask --bundle bundles/q8 --audio clip.flac --json "Is a dog barking?"

--json prints one object per question:
  {"answer", "heard", "confidence", "windows": [{"start", "end", "answer", "heard", "confidence"}],
   "timings_ms": {...}, "bundle": {...}, "question"}"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ask", help="ask about an audio file (on-device, no torch)", description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("questions", nargs="+", metavar="QUESTION", help="one or more questions; they share one encoder pass")
    p.add_argument("--audio", type=Path, required=True, help="WAV, FLAC or OGG file")
    p.add_argument("--bundle", type=Path, help="bundle folder (default: $LISTEN_HOME/default-bundle)")
    p.add_argument("--json", action="store_true", help="machine-readable output, one JSON object per line")
    p.add_argument("--variant", help="ONNX variant from the manifest, e.g. fp32 or int8 (default: the bundle's)")
    p.add_argument("--max-tokens", type=int, default=48, help="answer length limit in tokens (default: %(default)s)")
    p.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default); > 0 samples")
    p.add_argument("--threads", type=int, help="CPU threads for ONNX Runtime and llama.cpp (default: all)")
    p.add_argument("--no-verify", action="store_true", help="skip the sha256 check of the bundle files (faster start)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from edge.assistant import Assistant
    from edge.audio_io import read_audio

    audio = read_audio(args.audio)
    with Assistant.from_bundle(args.bundle, variant=args.variant, n_threads=args.threads,
                               verify=not args.no_verify) as assistant:
        spans, states, enc_timings = assistant.encode(audio)
        for i, question in enumerate(args.questions):
            stream = not args.json and sys.stdout.isatty()
            if stream:
                print(f"Q: {question}\nA: ", end="", flush=True)
            answer = assistant.ask_encoded(
                spans, states, question, enc_timings if i == 0 else None, None, args.max_tokens, args.temperature,
                on_token=(lambda piece: print(piece.text, end="", flush=True)) if stream else None,
            )
            if args.json:
                print(json.dumps({**answer.to_json(assistant.bundle.summary()), "question": question}))
                continue
            if stream:
                print()
            else:
                print(f"Q: {question}\nA: {answer.text}")
            if answer.heard is not None:
                print(f"   heard: {'yes' if answer.heard else 'no'} (confidence {answer.confidence:.2f})")
            if len(answer.windows) > 1:
                for w in answer.windows:
                    mark = "" if w.heard is None else (" [heard]" if w.heard else " [not heard]")
                    print(f"   {w.start:6.1f}-{w.end:6.1f} s{mark}: {w.answer}")
            t = answer.timings_ms
            print("   timings (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in t.items()))
    return 0
