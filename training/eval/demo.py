"""`listen demo`: the assistant on a folder of labelled demo clips, with a score.

The folder is a corpus (its clip index, `clips.jsonl`, as written by `listen corpus build`,
read with the one reader, training.corpus.clip_index). The device's own assistant answers
(edge.assistant, imported when the command runs). For each clip it asks about every present sound (expected yes),
about as many absent ones from the bundle's vocabulary (expected no), and one open
question; it prints each answer, heard/confidence, whether it was right, and the timings.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from training.corpus.clip_index import CLIP_INDEX_FILE, read_clip_index
from training.eval.errors import EvalError

QUESTION = "Is there a sound of {name} in the audio?"
OPEN_QUESTION = "What do you hear?"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo", help="run the assistant on labelled demo clips and score its yes/no answers",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--clips", type=Path, required=True, help=f"corpus folder with {CLIP_INDEX_FILE} (e.g. from `listen corpus build`)")
    p.add_argument("--bundle", type=Path, help="bundle folder (default: $LISTEN_HOME/default-bundle)")
    p.add_argument("--limit", type=int, default=8, help="clips to use (default: %(default)s)")
    p.add_argument("--absent", type=int, default=0, help="absent sounds asked per clip (default: as many as present)")
    p.add_argument("--seed", type=int, default=0, help="picks the absent sounds (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="one JSON object per answer")
    p.set_defaults(func=run)


def read_clips(folder: Path, limit: int) -> list[dict]:
    records = read_clip_index(folder)[:limit]
    return [{"audio": r.audio_path(folder), "labels": list(r.labels), "id": r.id} for r in records]


def run(args: argparse.Namespace) -> int:
    from core.audio_io import read_audio
    from edge.assistant import Assistant

    clips = read_clips(args.clips, args.limit)
    if not clips:
        raise EvalError(f"the clip index in {args.clips} holds no clips; build some with `listen corpus build --out {args.clips}`")
    rng = random.Random(args.seed)
    right = asked = 0
    with Assistant.from_bundle(args.bundle) as assistant:
        vocab = {e["label"]: e["name"] for e in assistant.manifest.adapter_info.labels}
        for clip in clips:
            present = [lab for lab in clip["labels"] if lab in vocab]
            absent_pool = sorted(set(vocab) - set(clip["labels"]))
            absent = rng.sample(absent_pool, min(len(absent_pool), args.absent or max(1, len(present))))
            spans, states, enc_t = assistant.encode(read_audio(clip["audio"]))
            if not args.json:
                print(f"\n== {clip['audio'].name}: contains {', '.join(clip['labels']) or 'nothing labelled'}")
            for label, expected in [(lab, True) for lab in present] + [(lab, False) for lab in absent]:
                q = QUESTION.format(name=vocab[label])
                ans = assistant.ask_encoded(spans, states, q, enc_t, max_new_tokens=24)
                ok = ans.heard == expected
                right, asked = right + ok, asked + 1
                if args.json:
                    print(json.dumps({"clip": clip["id"], "question": q, "expected": expected, "correct": ok,
                                      **ans.to_json()}))
                else:
                    mark = "right" if ok else "WRONG"
                    print(f"  Q: {q}\n     A: {ans.text!r}  heard={ans.heard} conf={ans.confidence:.2f}  [{mark}]"
                          f"  ({ans.timings_ms['total']:.0f} ms)")
            ans = assistant.ask_encoded(spans, states, OPEN_QUESTION, enc_t, max_new_tokens=32)
            if args.json:
                print(json.dumps({"clip": clip["id"], "question": OPEN_QUESTION, **ans.to_json()}))
            else:
                t = ans.timings_ms
                print(f"  Q: {OPEN_QUESTION}\n     A: {ans.text!r}")
                print(f"     timings (ms): features {enc_t['features']:.0f}, encoder {enc_t['encoder']:.0f}, "
                      f"adapter {t['adapter']:.0f}, first token {t['first_token']:.0f}, decode {t['decode']:.0f}")
    summary = f"presence answers right: {right}/{asked} ({right / max(asked, 1):.0%})"
    print(json.dumps({"summary": summary, "right": right, "asked": asked}) if args.json else f"\n{summary}")
    return 0
