"""`listen demo`: the assistant on a folder of labelled demo clips, with a score.

The folder is a corpus (its clip index, `clips.jsonl`, as written by `listen corpus build`,
read with the one reader, training.corpus.clip_index). The device's own assistant answers
(edge.assistant, imported when the command runs). For each clip it asks about every present sound (expected yes),
about as many absent ones from the bundle's vocabulary (expected no), one sound outside the
vocabulary (OUT_OF_VOCABULARY, expected no: none of them is in the demo clips; a bundle with
a presence model may honestly say it can't tell), and one open question; it prints each
answer, heard/confidence, whether it was right, and the timings.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from training.corpus.clip_index import CLIP_INDEX_FILE, read_clip_index
from training.errors import EvalError

QUESTION = "Is there a sound of {name} in the audio?"
OPEN_QUESTION = "What do you hear?"
# Sounds no demo clip holds and no label of the library names: the open-vocabulary path.
OUT_OF_VOCABULARY = ("a theremin", "a tuba", "a didgeridoo", "a hovercraft", "a kazoo")


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
    right = asked = unsure = 0
    with Assistant.from_bundle(args.bundle) as assistant:
        m = assistant.manifest
        vocab = {e["label"]: e["name"] for e in (m.presence.labels if m.presence else m.adapter_info.labels)}
        if m.presence:  # only the sounds the presence model was trained on are asked about as known
            trained = {lab for _, lab in m.presence.vocabulary}
            vocab = {k: v for k, v in vocab.items() if k in trained}
        for clip in clips:
            present = [lab for lab in clip["labels"] if lab in vocab]
            absent_pool = sorted(set(vocab) - set(clip["labels"]))
            absent = rng.sample(absent_pool, min(len(absent_pool), args.absent or max(1, len(present))))
            spans, states, enc_t = assistant.encode(read_audio(clip["audio"]))
            if not args.json:
                print(f"\n== {clip['audio'].name}: contains {', '.join(clip['labels']) or 'nothing labelled'}")
            novel = OUT_OF_VOCABULARY[rng.randrange(len(OUT_OF_VOCABULARY))]
            for name, expected in ([(vocab[lab], True) for lab in present] + [(vocab[lab], False) for lab in absent]
                                   + [(novel, False)]):
                q = QUESTION.format(name=name)
                ans = assistant.ask_encoded(spans, states, q, enc_t, max_new_tokens=24)
                ok = ans.heard == expected
                right, asked = right + ok, asked + 1
                unsure += ans.heard is None
                if args.json:
                    print(json.dumps({"clip": clip["id"], "question": q, "expected": expected, "correct": ok,
                                      **ans.to_json()}))
                else:
                    mark = "right" if ok else ("can't tell" if ans.heard is None else "WRONG")
                    conf = "" if ans.confidence is None else f" conf={ans.confidence:.2f}"
                    print(f"  Q: {q}\n     A: {ans.text!r}  heard={ans.heard}{conf}  [{mark}]"
                          f"  ({ans.timings_ms['total']:.0f} ms)")
            ans = assistant.ask_encoded(spans, states, OPEN_QUESTION, enc_t, max_new_tokens=32)
            if args.json:
                print(json.dumps({"clip": clip["id"], "question": OPEN_QUESTION, **ans.to_json()}))
            else:
                t = ans.timings_ms
                worded = ans.windows[0].worded_by if ans.windows and ans.windows[0].worded_by else None
                print(f"  Q: {OPEN_QUESTION}\n     A: {ans.text!r}" + (f"  (worded by the {worded})" if worded else ""))
                print("     timings (ms): " + ", ".join(f"{k} {t[k]:.0f}" for k in ("presence", "adapter", "first_token", "decode")
                                                       if k in t) + f"; features {enc_t['features']:.0f}, encoder {enc_t['encoder']:.0f}")
    summary = (f"presence answers right: {right}/{asked} ({right / max(asked, 1):.0%}); "
               f"\"I can't tell\": {unsure}")
    print(json.dumps({"summary": summary, "right": right, "asked": asked, "cant_tell": unsure}) if args.json
          else f"\n{summary}")
    return 0
