"""The LLM step of a question: llama.cpp session vs transformers + torch, same weights.

Prompt: the bundle layout with SmolLM2's chat template, 32 soft tokens at the audio slot and
a question after it; greedy answer up to 32 tokens, stopping at the end of the turn. The
soft tokens are the token embeddings of a sentence (dequantized from the GGUF), so both
backends see the same realistic input. Weights: the default SmolLM2-135M Q4_1 GGUF, run by
llama.cpp as is and by transformers dequantized to fp32 (what training uses).

Each backend runs in its own process, so that its peak RSS is its own (the edge process
has no torch). Both get the same thread count. Timings are medians of REPEATS runs after a
warm-up; "cold" evaluates the whole prompt, "prefix cached" asks a second question about
the same window with the before-audio text and the soft tokens reused from the KV cache.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

THREADS = 2  # llama.cpp and torch get the same
REPEATS = 5  # timed runs per measurement, after one warm-up; medians reported
N_SOFT = 32  # soft tokens at the audio slot
MAX_NEW = 32  # answer tokens at most
BEFORE = "<|im_start|>system\nAnswer the question in one short sentence.<|im_end|>\n<|im_start|>user\n"
QUESTIONS = [
    "\nWhat can you hear in this audio?<|im_end|>\n<|im_start|>assistant\n",
    "\nIs there a dog barking in the audio?<|im_end|>\n<|im_start|>assistant\n",
]
SOFT_TEXT = "A dog barks twice in a quiet garden while birds sing and a car passes by on the road in the distance " * 2


def _peak_rss_mib() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the
    parent across fork+exec, so a child would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # KiB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _soft_tokens(gguf_path: Path) -> np.ndarray:
    """Token embeddings of SOFT_TEXT's first N_SOFT tokens, dequantized from the GGUF: (N_SOFT, D)."""
    import gguf
    from gguf.quants import dequantize

    from edge.llama_native import NativeModel

    with NativeModel(gguf_path, vocab_only=True) as vocab:
        ids = vocab.tokenize(SOFT_TEXT)[:N_SOFT]
    reader = gguf.GGUFReader(str(gguf_path))
    table = next(t for t in reader.tensors if t.name == "token_embd.weight")
    return dequantize(table.data, table.tensor_type)[ids].astype(np.float32)  # (N_SOFT, D)


def _median(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def child_llama(gguf_path: Path, soft: np.ndarray) -> dict:
    from edge.llm_session import LLMSession, Sampling, SessionConfig

    t0 = time.perf_counter()
    session = LLMSession(gguf_path, SessionConfig(n_ctx=512, n_threads=THREADS))
    load_s = time.perf_counter() - t0
    sampling = Sampling(max_new_tokens=MAX_NEW)
    cold, cached, answer = [], [], ""
    with session:
        for i in range(REPEATS + 1):
            session.reset()
            t0 = time.perf_counter()
            gen = session.generate([BEFORE, soft, QUESTIONS[0]], sampling)
            total = (time.perf_counter() - t0) * 1e3
            t = gen.timings
            row = dict(ttft_ms=t.first_token_ms, total_ms=total, tok_s=t.decode_tokens_per_s, tokens=t.n_generated)
            t0 = time.perf_counter()
            gen2 = session.generate([BEFORE, soft, QUESTIONS[1]], sampling)  # same window, second question
            total2 = (time.perf_counter() - t0) * 1e3
            t2 = gen2.timings
            row2 = dict(ttft_ms=t2.first_token_ms, total_ms=total2, tok_s=t2.decode_tokens_per_s, tokens=t2.n_generated)
            if i:  # the first pass warms up
                cold.append(row)
                cached.append(row2)
            answer = gen.text
    return dict(load_s=load_s, cold=_median(cold), cached=_median(cached), answer=answer, peak_rss_mib=_peak_rss_mib())


def child_torch(gguf_path: Path, soft: np.ndarray) -> dict:
    import torch

    from training.backbones.load import load_llm

    torch.set_num_threads(THREADS)
    t0 = time.perf_counter()
    model, tok = load_llm(str(gguf_path))
    load_s = time.perf_counter() - t0
    embed = model.get_input_embeddings()
    eog = {tok.convert_tokens_to_ids("<|im_end|>"), tok.eos_token_id}

    def ids(text: str) -> torch.Tensor:
        return torch.tensor(tok(text, add_special_tokens=False).input_ids)

    def run(question: str) -> tuple[dict, list[int]]:
        t0 = time.perf_counter()
        with torch.no_grad():
            x = torch.cat([embed(ids(BEFORE)), torch.from_numpy(soft), embed(ids(question))])[None]  # (1, L, D)
            out = model(inputs_embeds=x, use_cache=True)
            nxt = int(out.logits[0, -1].argmax())
            t_first = time.perf_counter()
            answer = [nxt]
            while nxt not in eog and len(answer) < MAX_NEW:
                out = model(input_ids=torch.tensor([[nxt]]), past_key_values=out.past_key_values, use_cache=True)
                nxt = int(out.logits[0, -1].argmax())
                answer.append(nxt)
        t_end = time.perf_counter()
        steps = len(answer) - 1
        return dict(
            ttft_ms=(t_first - t0) * 1e3, total_ms=(t_end - t0) * 1e3,
            tok_s=steps / (t_end - t_first) if steps else 0.0, tokens=len(answer),
        ), answer

    cold, cached = [], []
    for i in range(REPEATS + 1):
        row, answer = run(QUESTIONS[0])
        row2, _ = run(QUESTIONS[1])  # transformers re-evaluates the whole prompt every time
        if i:
            cold.append(row)
            cached.append(row2)
    text = tok.decode([t for t in answer if t not in eog])
    return dict(load_s=load_s, cold=_median(cold), cached=_median(cached), answer=text, peak_rss_mib=_peak_rss_mib())


def _run_child(backend: str, gguf_path: Path, soft_path: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", backend, "--gguf", str(gguf_path), "--soft", str(soft_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    if proc.returncode != 0:
        raise SystemExit(f"{backend} benchmark failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--child", choices=["llama", "torch"])
    ap.add_argument("--gguf", type=Path)
    ap.add_argument("--soft", type=Path)
    args = ap.parse_args()
    if args.child:
        soft = np.load(args.soft)
        result = (child_llama if args.child == "llama" else child_torch)(args.gguf, soft)
        print(json.dumps(result))
        return

    from core.paths import smollm2_gguf

    gguf_path = smollm2_gguf()
    with tempfile.TemporaryDirectory() as tmp:
        soft_path = Path(tmp) / "soft.npy"
        np.save(soft_path, _soft_tokens(gguf_path))
        torch_r = _run_child("torch", gguf_path, soft_path)
        llama_r = _run_child("llama", gguf_path, soft_path)

    def row(name: str, r: dict, key: str) -> str:
        m = r[key]
        return (f"| {name} | {r['load_s']:.2f} | {m['ttft_ms']:.0f} | {m['total_ms']:.0f} | {m['tok_s']:.1f} "
                f"| {m['tokens']:.0f} | {r['peak_rss_mib']:.0f} |")

    def ratio(key: str) -> str:
        t, l = torch_r[key], llama_r[key]
        return (f"| torch / llama.cpp ({key}) | {torch_r['load_s'] / llama_r['load_s']:.1f}x | "
                f"{t['ttft_ms'] / l['ttft_ms']:.1f}x | {t['total_ms'] / l['total_ms']:.1f}x | "
                f"{l['tok_s'] / t['tok_s']:.1f}x faster | | {torch_r['peak_rss_mib'] / llama_r['peak_rss_mib']:.1f}x |")

    load = os.getloadavg()[0]
    print("## LLM step: llama.cpp session vs transformers + torch (SmolLM2-135M, same weights)\n")
    print(f"Prompt: {N_SOFT} soft tokens + question, greedy, at most {MAX_NEW} answer tokens; "
          f"{THREADS} threads each; median of {REPEATS} runs; load average at the end {load:.1f}.\n")
    print("| pipeline | load (s) | time to first token (ms) | total (ms) | decode tokens/s | answer tokens | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|---|")
    print(row("transformers + torch, fp32 (dequantized Q4_1), cold", torch_r, "cold"))
    print(row("transformers + torch, 2nd question (no cache reuse)", torch_r, "cached"))
    print(row("llama.cpp session, Q4_1 GGUF, cold", llama_r, "cold"))
    print(row("llama.cpp session, 2nd question (prefix + soft tokens cached)", llama_r, "cached"))
    print(ratio("cold"))
    print(ratio("cached"))
    same = "the same" if torch_r["answer"].strip() == llama_r["answer"].strip() else "different"
    print(f"\nAnswers ({same}): torch {torch_r['answer'].strip()!r}; llama.cpp {llama_r['answer'].strip()!r}")


if __name__ == "__main__":
    main()
