"""`listen ask`: questions about an audio file, answered on this device from a bundle."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from edge.llm_session import MAX_THREADS, Sampling, SessionConfig

DESCRIPTION = """\
Ask questions about the sounds in an audio file. Runs on this device: ONNX Runtime for the
encoder and adapter, llama.cpp for the LLM, no torch. WAV, FLAC or OGG at any rate and
channel count (resampled to 16 kHz mono). Audio longer than the bundle's window is split:
a yes/no question is heard if any window hears it, an open question gets one answer per window.
The file is read in blocks and the windows are encoded a few at a time, so memory does not
grow with the audio's length. Yes/no questions are understood in English only: a question
ending in "?" that opens with no English question word gets an answer saying so.

On a terminal, one question's answer is streamed: a yes/no question's decision ("heard: yes")
is printed as soon as it is known, before its words, and the words as they are generated.

examples:
  listen ask --audio kitchen.wav "Is there a smoke alarm?"
  listen ask --audio door.ogg "Is someone knocking?" "What do you hear?"
  listen ask --bundle bundles/q8 --audio clip.flac --json "Is a dog barking?"

--json prints one object per question:
  {"answer", "heard", "confidence", "windows": [{"start", "end", "answer", "heard", "confidence"}],
   "timings_ms": {...}, "bundle": {...}, "question"}"""


def _question(text: str) -> str:
    """argparse type: a question that holds a word (checked before anything is loaded)."""
    from edge.assistant import check_question  # the one rule; numpy only, cheap to import
    from edge.errors import EdgeError

    try:
        return check_question(text)
    except EdgeError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _at_least_one(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; pass e.g. 2") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; pass a whole number >= 1")
    return value


def _threads(text: str) -> int:
    """argparse type: a thread count in 1..MAX_THREADS."""
    value = _at_least_one(text)
    if value > MAX_THREADS:
        raise argparse.ArgumentTypeError(f"{value} threads is not allowed; pass 1..{MAX_THREADS} (about one per CPU)")
    return value


def _temperature(text: str) -> float:
    """argparse type: a finite float >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; pass 0 (greedy) or e.g. 0.7") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not allowed; pass a finite number >= 0 (0 = greedy)")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ask", help="ask about an audio file (on-device, no torch)", description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("questions", nargs="+", type=_question, metavar="QUESTION",
                   help="one or more questions; they share one encoder pass")
    p.add_argument("--audio", type=Path, required=True, help="WAV, FLAC or OGG file (read in blocks: any length)")
    p.add_argument("--bundle", type=Path, help="bundle folder (default: $LISTEN_HOME/default-bundle)")
    p.add_argument("--json", action="store_true", help="machine-readable output, one JSON object per line")
    p.add_argument("--variant", help="ONNX variant from the manifest, e.g. fp32 or int8 (default: the bundle's)")
    p.add_argument("--max-tokens", type=_at_least_one, default=Sampling.max_new_tokens,
                   help="answer length limit in tokens (default: %(default)s)")
    p.add_argument("--temperature", type=_temperature, default=0.0, help="0 = greedy (default); > 0 samples")
    p.add_argument("--threads", type=_threads, help="CPU threads for ONNX Runtime and llama.cpp (default: all)")
    p.add_argument("--n-ctx", "--ctx", dest="n_ctx", type=_at_least_one, metavar="TOKENS",
                   help=f"LLM context in tokens: prompt, soft tokens and answer (default: {SessionConfig.n_ctx}); "
                        "raise it when a long question does not fit")
    p.add_argument("--no-verify", action="store_true", help="skip the sha256 check of the bundle files (faster start)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from itertools import chain

    from edge.assistant import Assistant
    from core.audio_io import iter_audio_blocks

    blocks = iter_audio_blocks(args.audio)
    first = next(blocks)  # a missing, unreadable or empty file fails here, before the models load
    stream = not args.json and sys.stdout.isatty() and len(args.questions) == 1  # several: answers interleave
    with Assistant.from_bundle(args.bundle, variant=args.variant, n_threads=args.threads,
                               verify=not args.no_verify, n_ctx=args.n_ctx) as assistant:
        printer = _Streamed(args.questions[0]) if stream else None
        answers = assistant.ask_windows(
            assistant.stream_windows(chain([first], blocks)), args.questions, max_new_tokens=args.max_tokens,
            temperature=args.temperature, on_token=printer and printer.token, on_decision=printer and printer.decision,
        )
        for question, answer in zip(args.questions, answers):
            if args.json:
                print(json.dumps({**answer.to_json(assistant.bundle.summary()), "question": question}))
                continue
            if printer is not None:
                printer.end()
            else:
                print(f"Q: {question}\nA: {answer.text}")
            heard = heard_line(answer)
            if heard and not (printer and printer.decided):
                print(heard)
            if len(answer.windows) > 1:
                for w in answer.windows:
                    mark = "" if w.heard is None else (" [heard]" if w.heard else " [not heard]")
                    print(f"   {w.start:6.1f}-{w.end:6.1f} s{mark}: {w.answer}")
            t = answer.timings_ms
            print("   timings (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in t.items()))
    return 0


def heard_line(answer) -> str:
    """"   heard: yes (confidence 0.93)" for a decided answer; "" for an open question."""
    if answer.heard is not None:
        return f"   heard: {'yes' if answer.heard else 'no'} (confidence {answer.confidence:.2f})"
    if answer.probability is not None:
        return f"   heard: can't tell (P(present) {answer.probability:.2f})"
    return ""


class _Streamed:
    """One question's answer on a terminal: the decision as soon as it is known, then the words."""

    def __init__(self, question: str) -> None:
        self.decided = False
        self._words = False
        print(f"Q: {question}", flush=True)

    def decision(self, _index: int, answer) -> None:
        line = heard_line(answer)
        if line and not self._words:  # without a presence model the words came first: printed after them
            print(line, flush=True)
            self.decided = True

    def token(self, _index: int, piece) -> None:
        if not self._words:
            print("A: ", end="", flush=True)
            self._words = True
        print(piece.text, end="", flush=True)

    def end(self) -> None:
        print() if self._words else print("A: ")
