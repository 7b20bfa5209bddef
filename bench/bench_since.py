"""An ask whose `since` cuts a buffered segment (issue 29): what its answer costs, and how
faithful it is, on the default bundle.

The daemon keeps each buffered segment's encoder states, windowed on a grid from the segment's
start. A `since` inside a segment now keeps that grid: the kept windows after `since` are read
as kept and only the window `since` falls in is encoded, over its audio from `since` on
(edge/daemon/encoded.py). Before, the whole cut segment was windowed again from `since` and
encoded during the ask; that is still the path of a segment whose states were dropped, so
the baseline here is the same BufferedWindows over the same buffer without the states attached.

1. Answers. Buffered segments made of the project's real recordings (`training.corpus`
   discover(): real recordings of trained labels, cut to 2-12 s and joined back to back,
   so a cut can fall between two sounds), of one, two or three 10 s windows in turn. Each is
   cut at random points, and at a point less than one encoder frame (CUT_TOLERANCE_S) after
   a window start, where the window is kept whole. At every cut, yes/no questions about the
   sounds in the segment and one absent sound go through BufferedWindows and
   `Assistant.ask_encoded`, as the daemon asks them: the decision (yes / no / can't tell) and
   the answer's probability of both paths, and the time from reading the buffer to the
   answer (the presence model decides: no LLM), medians.
2. Windows. The window a cut falls in, scored by the presence model per phrase against the
   encoder's states of its audio from the cut (exactly what the new path reads): the slicing
   of the kept states that the issue proposed and was not taken (the frames from the cut
   moved to the window's start and padded with the states of an encoded silent window; the
   frames before the cut replaced in place by silence; the kept window whole), beside noise
   floors: the same audio from 20 ms or 200 ms later, and the int8 encoder.

Anchored to bare llama.cpp's 50-token prefill in the same run (the issue's ratios). 2 threads.

    python bench/bench_since.py [--segments 24] [--cuts 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import bare_llama, default_bundle  # noqa: E402

THREADS = 2
SR = 16000
T0 = 1_765_000_000.0  # wall clock of every test segment's first sample
PREFILL_TOKENS = 50
GAP_S = 0.2  # DaemonConfig.join_gap_s
DECISIONS = {True: "yes", False: "no", None: "can't tell"}


def real_recordings(listener) -> list:
    from training.corpus.sources.discover import discover

    return [r for r in discover(use_pygame=False) if r.is_real and r.role == "event" and listener.is_trained(r.label)]


def make_segment(recs: list, n_windows: int, window_s: float, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """Real recordings (2-12 s of each, peak-normalised to a random level) back to back, to a
    length of `n_windows` windows; and their labels."""
    from core.audio_io import read_audio

    lo = 3.0 if n_windows == 1 else (n_windows - 1) * window_s + 0.6
    target = int(rng.uniform(lo, n_windows * window_s) * SR)
    parts, labels, n = [], [], 0
    while n < target:
        r = recs[int(rng.integers(len(recs)))]
        x = read_audio(r.path)[: int(rng.uniform(2, 12) * SR)]
        if len(x) < SR // 2:
            continue
        parts.append((x / (np.abs(x).max() + 1e-6) * rng.uniform(0.1, 0.8)).astype(np.float32))
        labels.append(r.label)
        n += len(x)
    return np.concatenate(parts)[:target], labels


def cuts(audio: np.ndarray, windows: tuple, n: int, rng: np.random.Generator) -> list[tuple[str, float]]:
    """(kind, seconds into the segment): `n` random cuts, and one just after a window start."""
    from edge.daemon.encoded import CUT_TOLERANCE_S

    dur = len(audio) / SR
    out = [("inside a window", float(t)) for t in np.sort(rng.uniform(0.1, dur - 0.3, n))]
    start = windows[int(rng.integers(len(windows)))][0]
    out.append(("< 1 frame after a window start", start + float(rng.uniform(0.1, 0.9)) * CUT_TOLERANCE_S))
    return out


def ask(assistant, buf, since: float, question: str):
    """BufferedWindows + ask_encoded, as the daemon's `_ask` runs them: (answer, ms, windows encoded now)."""
    from edge.daemon.encoded import BufferedWindows

    t0 = time.perf_counter()
    bw = BufferedWindows(assistant, buf, since, GAP_S)
    answer = assistant.ask_encoded(bw.spans, bw, question, bw.timings)
    return answer, (time.perf_counter() - t0) * 1e3, len(bw) - bw.reused


def answers(assistant, recs, args, rng) -> list[dict]:
    from edge.daemon.encoded import encode_segment
    from edge.ring_buffer import RingBuffer, Segment

    listener = assistant.listener
    window_s = assistant.manifest.audio.window_seconds
    names = sorted({listener.label_name(r.label) for r in recs})
    rows = []
    for i in range(args.segments):
        audio, labels = make_segment(recs, 1 + i % 3, window_s, rng)
        seg = Segment(T0, audio, "sound")
        kept, bare = (RingBuffer(max_seconds=600.0, max_state_bytes=2**30) for _ in range(2))
        kept.append(seg)
        bare.append(seg)
        states = encode_segment(assistant, seg)
        assert kept.attach(seg, states)
        present = list(dict.fromkeys(listener.label_name(label) for label in labels))
        absent = [n for n in names if n not in present]
        for kind, cut in cuts(audio, states.windows, args.cuts, rng):
            since = T0 + cut
            asked = [present[int(rng.integers(len(present)))], absent[int(rng.integers(len(absent)))]]
            for name in asked:
                question = f"Is there {name}?"
                old, old_ms, old_enc = ask(assistant, bare, since, question)
                new, new_ms, new_enc = ask(assistant, kept, since, question)
                rows.append({"windows": len(states.windows), "kind": kind, "old": old, "new": new, "old_ms": old_ms,
                             "new_ms": new_ms, "old_enc": old_enc, "new_enc": new_enc})
        print(f"  segment {i + 1}/{args.segments}: {len(audio) / SR:.1f} s, {len(states.windows)} window(s)",
              file=sys.stderr, flush=True)
    return rows


def window_fidelity(assistant, int8, recs, args, rng) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """Per cut window: {candidate: [(P of the candidate, P of the exact states) per phrase]}."""
    listener = assistant.listener
    window_s = assistant.manifest.audio.window_seconds
    n = int(window_s * SR)

    def enc(a, who=assistant):
        return who.encode_windows([(0.0, len(a) / SR, a)])[0][0]  # (taps, T, d)

    silence = enc(np.zeros(n, np.float32))
    frames = silence.shape[1]
    out: dict[str, list] = {}
    for _ in range(args.segments):
        audio, labels = make_segment(recs, 1, window_s, rng)
        audio = np.pad(audio, (0, max(0, n - len(audio))))[:n]
        kept = enc(audio)
        phrases = list(dict.fromkeys(listener.label_name(label) for label in labels))
        for cut in rng.uniform(0.1, window_s - 0.5, args.cuts):
            c = int(cut * SR)
            k = int(round(c / n * frames))  # encoder frames before the cut
            exact = enc(audio[c:])
            cands = {  # (taps, T, d) each
                "sliced: the frames from the cut moved to the start, then an encoded silent window's frames":
                    np.concatenate([kept[:, k:], silence[:, frames - k:]], 1),
                "sliced in place: the frames before the cut replaced by an encoded silent window's":
                    np.concatenate([silence[:, :k], kept[:, k:]], 1),
                "the kept window whole (no slicing)": kept,
                "noise floor: the same audio from 20 ms later": enc(audio[c + SR // 50:]),
                "noise floor: the same audio from 200 ms later": enc(audio[c + SR // 5:]),
                "noise floor: the int8 encoder, same audio": enc(audio[c:], int8),
            }
            scores = listener.score(np.stack([exact, *cands.values()]), phrases)
            p = np.array([s.probability for s in scores])  # (phrases, 1 + candidates)
            for j, name in enumerate(cands, 1):
                out.setdefault(name, []).append((p[:, j], p[:, 0]))
    return out


def ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=24, help="buffered segments (one, two, three windows in turn)")
    parser.add_argument("--cuts", type=int, default=3, help="random cuts per segment (plus one within a frame)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from edge.assistant import Assistant

    bundle = default_bundle()
    anchor = bare_llama(bundle / "llm.gguf", PREFILL_TOKENS, THREADS, repeats=7)
    rng = np.random.default_rng(args.seed)
    with Assistant.from_bundle(bundle, n_threads=THREADS) as assistant, \
            Assistant.from_bundle(bundle, variant="int8", n_threads=THREADS) as int8:
        recs = real_recordings(assistant.listener)
        ask(assistant, *_warm(assistant))  # the first graph runs allocate
        rows = answers(assistant, recs, args, rng)
        windows = window_fidelity(assistant, int8, recs, args, rng)
        rule = assistant.listener.rule

    prefill = anchor["prefill_ms"]
    print(f"\n## `since` inside a kept segment: the window it falls in encoded, the rest kept (issue 29; "
          f"default bundle, {THREADS} threads, {_cpu()}, {os.cpu_count()} cores)\n")
    print(f"Bare llama.cpp (llama-cpp-python, llm.gguf): {PREFILL_TOKENS}-token prefill {prefill:.0f} ms. "
          f"{args.segments} buffered segments of real recordings (seed {args.seed}), {len(rows)} yes/no asks, each "
          f"asked both ways in turn; the re-encode is the path before (and of a segment whose states were dropped).\n")
    print("| cut | segment | asks | decision, re-encode (ms) | decision, kept grid (ms) | windows encoded at the ask "
          "(re-encode / kept grid) | same decision | abs P diff, median / p90 / max |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for kind in ("inside a window", "< 1 frame after a window start"):
        for w in (1, 2, 3):
            sel = [r for r in rows if r["kind"] == kind and r["windows"] == w]
            if not sel:
                continue
            print(_row(kind, f"{w} window{'s' if w > 1 else ''}", sel, prefill))
        print(_row(kind, "all", [r for r in rows if r["kind"] == kind], prefill))
    flips = [r for r in rows if {r["old"].heard, r["new"].heard} == {True, False}]
    print(f"\nYes <-> no between the two paths: {len(flips)} of {len(rows)} asks (the rest of the disagreements "
          "are one side's \"can't tell\").")
    print("\nThe window `since` falls in, presence P per phrase against the encoder's states of its audio from the cut "
          f"({sum(len(v) for v in list(windows.values())[:1])} cut windows):\n")
    print("| states read | same decision | yes <-> no | abs P diff, median / p90 / max |")
    print("|---|---:|---:|---:|")
    for name, pairs in windows.items():
        got = np.concatenate([p for p, _ in pairs])
        ref = np.concatenate([r for _, r in pairs])
        dec = lambda x: [rule.decide(float(v)) for v in x]  # noqa: E731
        same = np.mean([a == b for a, b in zip(dec(got), dec(ref))])
        yn = sum({a, b} == {True, False} for a, b in zip(dec(got), dec(ref)))
        d = np.abs(got - ref)
        print(f"| {name} | {same:.1%} | {yn} of {len(d)} | {np.median(d):.3f} / {np.percentile(d, 90):.3f} / {d.max():.3f} |")
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}.")


def _row(kind: str, seg: str, sel: list[dict], prefill: float) -> str:
    old = [r["old_ms"] for r in sel]
    new = [r["new_ms"] for r in sel]
    same = np.mean([r["old"].heard == r["new"].heard for r in sel])
    d = np.array([abs(r["old"].probability - r["new"].probability) for r in sel
                  if r["old"].probability is not None and r["new"].probability is not None])
    enc = f"{statistics.mean(r['old_enc'] for r in sel):.1f} / {statistics.mean(r['new_enc'] for r in sel):.1f}"
    pd = f"{np.median(d):.3f} / {np.percentile(d, 90):.3f} / {d.max():.3f}" if d.size else "-"
    return (f"| {kind} | {seg} | {len(sel)} | {ms(old)} ({statistics.median(old) / prefill:.2f}x) | "
            f"{ms(new)} ({statistics.median(new) / prefill:.2f}x) | {enc} | {same:.1%} | {pd} |")


def _cpu() -> str:
    try:
        return next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.machine()


def _warm(assistant):
    """A one-window buffer and a `since` inside it, for a warm-up ask."""
    from edge.daemon.encoded import encode_segment
    from edge.ring_buffer import RingBuffer, Segment

    seg = Segment(T0, (0.1 * np.random.default_rng(1).standard_normal(5 * SR)).astype(np.float32), "sound")
    buf = RingBuffer(max_seconds=600.0, max_state_bytes=2**30)
    buf.append(seg)
    buf.attach(seg, encode_segment(assistant, seg))
    return buf, T0 + 1.0, "Is there a dog barking?"


if __name__ == "__main__":
    main()
