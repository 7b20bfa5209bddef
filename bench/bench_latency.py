"""Latency through a real daemon: question -> decision, -> first words, -> full answer.

A `listen serve` process on the default bundle replays a 10 s recording of smoke-alarm beeps
(its microphone) into its buffer, and this script asks it streamed questions over the socket
(PROTOCOL.md minor 1), timing on the client the `decision` line, the first `token` line and
the `answer`. Two daemons run one after the other: one that encodes audio as it arrives (the
default) and one with `--states-mb 0`, which runs the encoder when asked (the daemon before
issue 18). Every figure is anchored to bare llama.cpp in the same run: llama-cpp-python on
the same GGUF with the same threads, prefilling a 50-token prompt (and decoding). Last,
`listen ask` on a 10 s file as a cold process, wall time from start to exit. And what the
number of soft tokens costs: the LLM's prefill after the cached prefix (what a second
question pays) for 0 to the bundle's soft tokens, in the same llama.cpp session.

Medians of REPEATS after a warm-up; 2 threads everywhere (the speaker's budget). `--code`
runs another checkout's daemon and `listen ask` (e.g. a worktree of the commit before issue
18): a daemon that does not stream answers a streamed ask with the answer alone, so its
decision and first words are its full answer, as its clients saw them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import bare_llama, default_bundle  # noqa: E402

THREADS = 2
REPEATS = 7
SR = 16000
PREFILL_TOKENS = 50
QUESTIONS = {  # row name -> question
    "yes/no, sound present": "Is there a smoke alarm?",
    "yes/no, sound absent": "Is a dog barking?",
    "open question": "What do you hear?",
}
SOFT_COUNTS = (0, 8, 16, 32)  # prompt positions of audio measured beside the bundle's own count
GOALS = {"decision": 0.5, "first words": 1.0, "full answer": 2.0}  # x bare 50-token prefill (issue 18)
COLD_ASK_GOAL_S = 1.0


def write_clip(path: Path, seconds: float = 10.0) -> Path:
    """Smoke-alarm-like beeps (3.1 kHz, 0.5 s on / 0.5 s off) over quiet room noise."""
    import soundfile as sf

    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * SR)) / SR
    beep = np.sin(2 * np.pi * 3100 * t) * ((t % 1.0) < 0.5)
    sf.write(path, (0.3 * beep + 0.003 * rng.standard_normal(t.size)).astype(np.float32), SR, subtype="PCM_16")
    return path


class Served:
    """A `listen serve` process replaying `clip` into its buffer, until `close`."""

    def __init__(self, bundle: Path, clip: Path, sock: Path, extra: list[str], code: Path = ROOT) -> None:
        from edge.client.requests import DaemonClient

        cmd = [sys.executable, "-m", "core.cli", "serve", "--bundle", str(bundle), "--source", str(clip), "--speed", "4",
               "--socket", str(sock), "--threads", str(THREADS), *extra]
        self.log = sock.with_suffix(".log").open("w")
        self.proc = subprocess.Popen(cmd, cwd=code, env=_env(code), stdout=self.log, stderr=subprocess.STDOUT)
        self.client = DaemonClient(sock, timeout_s=120, connect=False)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:  # loaded, replayed, and every job (the encodings) done
            if self.proc.poll() is not None:
                raise SystemExit(f"listen serve exited with {self.proc.returncode}; see {self.log.name}")
            try:
                s = self.client.status()
                if s.source_ended and s.queued == 0 and s.buffer_segments:
                    time.sleep(1.0)  # a job taken off the queue may still run
                    self.status = self.client.status()
                    return
            except Exception:  # noqa: BLE001 - not listening yet
                pass
            time.sleep(0.2)
        raise SystemExit("listen serve did not buffer the clip within 180 s")

    def ask(self, question: str) -> dict:
        """Client-side ms to the decision, the first words and the answer of one streamed ask."""
        marks: dict[str, float] = {}
        t0 = time.perf_counter()

        def mark(name: str):
            return lambda _line: marks.setdefault(name, (time.perf_counter() - t0) * 1e3)

        reply = self.client.ask(question, on_decision=mark("decision"), on_token=mark("first words"))
        marks["full answer"] = (time.perf_counter() - t0) * 1e3
        marks.setdefault("first words", marks["full answer"])
        if reply.heard is not None or reply.probability is not None:  # a yes/no answer: decided at the latest with it
            marks.setdefault("decision", marks["full answer"])
        return {**marks, "answer": reply.answer, "timings": reply.timings_ms}

    def close(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


def _env(code: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(code)}


def daemon_rows(bundle: Path, clip: Path, tmp: Path, extra: list[str], repeats: int, code: Path = ROOT) -> tuple[dict, dict]:
    served = Served(bundle, clip, tmp / f"d{len(extra)}.sock", extra, code)
    try:
        rows = {}
        for name, question in QUESTIONS.items():
            served.ask(question)  # warm-up: the phrase's text-tower states, llama.cpp's prefix cache
            runs = [served.ask(question) for _ in range(repeats)]
            rows[name] = {k: statistics.median(r[k] for r in runs) for k in ("decision", "first words", "full answer")
                          if all(k in r for r in runs)}
            rows[name]["answer"] = runs[0]["answer"]
            rows[name]["encoder_ms"] = statistics.median(r["timings"].get("encoder", 0.0) for r in runs)
        return rows, {"segments": served.status.buffer_segments, "encoded": served.status.encoded_segments}
    finally:
        served.close()


def prefill_by_soft_tokens(bundle: Path, repeats: int) -> tuple[int, dict[int, float]]:
    """The bundle's soft-token count, and the median prefill (ms) after the cached prefix of
    [soft tokens, the question] for each count (the values do not change the time)."""
    from core.bundle import open_bundle
    from edge.llm_session import LLMSession, Sampling, SessionConfig

    m = open_bundle(bundle, verify=False).manifest
    n_soft = int(m.adapter.outputs[0].shape[1])
    rng = np.random.default_rng(0)
    out = {}
    with LLMSession(bundle / m.llm.file, SessionConfig(n_threads=THREADS)) as llm:
        for n in sorted({*SOFT_COUNTS, n_soft}):
            times = []
            for i in range(repeats + 1):
                soft = (0.02 * rng.standard_normal((n, llm.n_embd))).astype(np.float32)  # fresh: never reused
                parts = [m.prompt.before_audio, *([soft] if n else []), *m.prompt.question_parts(QUESTIONS["yes/no, sound absent"])]
                gen = llm.generate(parts, Sampling(max_new_tokens=1))
                if i:  # the first fills the prefix cache
                    times.append(gen.timings.prefill_ms)
            out[n] = statistics.median(times)
    return n_soft, out


def cold_ask(bundle: Path, clip: Path, repeats: int, code: Path = ROOT) -> float:
    """Median wall seconds of `listen ask` as a fresh process, start to exit."""
    cmd = [sys.executable, "-m", "core.cli", "ask", "--bundle", str(bundle), "--audio", str(clip), "--threads",
           str(THREADS), QUESTIONS["yes/no, sound present"]]
    walls = []
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=code, env=_env(code), capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"listen ask failed: {proc.stderr.strip().splitlines()[-1:]}")
        if i:  # the first warms the page cache
            walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", type=Path, help="bundle folder (default: $LISTEN_HOME/default-bundle, exported when missing)")
    ap.add_argument("--repeats", type=int, default=REPEATS, help="timed runs per figure (default: %(default)s)")
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose daemon and `listen ask` run (default: this one)")
    args = ap.parse_args()
    code = args.code.resolve()
    from core.bundle import open_bundle

    bundle = args.bundle or default_bundle()
    gguf = bundle / open_bundle(bundle).manifest.llm.file
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        clip = write_clip(tmp / "alarm.wav")
        print(f"daemon of {code} ...", file=sys.stderr, flush=True)
        ahead, kept = daemon_rows(bundle, clip, tmp, [], args.repeats, code)
        daemons = [("encoded as it arrives" if code == ROOT else f"{code.name} (its default)", ahead)]
        if code == ROOT:
            print("daemon (--states-mb 0) ...", file=sys.stderr, flush=True)
            daemons.append(("encoder at ask time (`--states-mb 0`)", daemon_rows(bundle, clip, tmp, ["--states-mb", "0"], args.repeats)[0]))
        print("bare llama.cpp ...", file=sys.stderr, flush=True)
        bare = bare_llama(gguf, PREFILL_TOKENS, THREADS, args.repeats)
        print("listen ask, cold ...", file=sys.stderr, flush=True)
        cold = cold_ask(bundle, clip, max(3, args.repeats // 2), code)
        print("prefill by soft tokens ...", file=sys.stderr, flush=True)
        n_soft, by_soft = prefill_by_soft_tokens(bundle, args.repeats)
    anchor = bare["prefill_ms"]
    print(f"## Latency through the daemon ({THREADS} threads, medians of {args.repeats}, ratios to bare llama.cpp's "
          f"{PREFILL_TOKENS}-token prefill in the same run)\n")
    print(f"Bare llama.cpp (llama-cpp-python, {gguf.name}): {PREFILL_TOKENS}-token prefill {anchor:.0f} ms, "
          f"decode {bare['decode_tok_s']:.0f} tok/s. The daemon buffered {kept['segments']} segment(s) of a 10 s "
          f"smoke-alarm recording and kept the states of {kept['encoded']}.\n")
    print("| question | daemon | decision (ms) | first words (ms) | full answer (ms) | encoder at ask (ms) |")
    print("|---|---|---:|---:|---:|---:|")
    for name in QUESTIONS:
        for which, rows in daemons:
            r = rows[name]
            cells = [f"{r[k]:.0f} ({r[k] / anchor:.2f}x)" if k in r else "-" for k in ("decision", "first words", "full answer")]
            print(f"| {name} | {which} | {' | '.join(cells)} | {r['encoder_ms']:.0f} |")
    print(f"\n`listen ask` on a 10 s file, cold process start to exit: {cold:.2f} s (goal <= {COLD_ASK_GOAL_S:.1f} s: "
          f"{'met' if cold <= COLD_ASK_GOAL_S else 'missed'}).\n")
    print(f"Prefill after the cached system prompt, by audio positions (the bundle has {n_soft}): " +
          ", ".join(f"{n}: {ms:.0f} ms" for n, ms in by_soft.items()) +
          f" ({(by_soft[n_soft] - by_soft[0]) / n_soft:.1f} ms per soft token). A yes/no question answered by the "
          "presence model does not run the LLM: the soft tokens cost only descriptions and bundles without one.\n")
    goals = []
    for key, ratio in GOALS.items():
        worst = max(ahead[n][key] for n in QUESTIONS if key in ahead[n] and n.startswith("yes/no"))
        goals.append(f"{key} <= {ratio:g}x: {worst / anchor:.2f}x ({'met' if worst <= ratio * anchor else 'missed'})")
    print("Goals for a yes/no question, worst of present/absent (issue 18): " + "; ".join(goals) + ".")
    print("Answers: " + "; ".join(f"{n}: \"{ahead[n]['answer']}\"" for n in QUESTIONS) + ".")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
