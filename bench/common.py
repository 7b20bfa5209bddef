"""What several benchmarks share: the default bundle they run on, and bare llama.cpp as their anchor."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ADAPTER = ROOT / "models" / "default-adapter"


def default_bundle() -> Path:
    """$LISTEN_HOME/default-bundle, exported from the committed adapter when it does not verify."""
    from core.paths import listen_home

    bundle = listen_home() / "default-bundle"
    listen = [sys.executable, "-m", "core.cli"]
    if subprocess.run(listen + ["export", "verify", str(bundle)], capture_output=True).returncode != 0:
        print(f"assembling {bundle} from {DEFAULT_ADAPTER} (about a minute) ...", file=sys.stderr, flush=True)
        for cmd in (["models"], ["export", "--checkpoint", str(DEFAULT_ADAPTER), "--out", str(bundle)]):
            proc = subprocess.run(listen + cmd, capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                raise SystemExit(f"`listen {' '.join(cmd)}` failed: {proc.stderr.strip().splitlines()[-1:]}")
    return bundle


def bare_llama(gguf: Path, n_tokens: int, threads: int, repeats: int) -> dict:
    """llama-cpp-python alone on the GGUF, the anchor of the edge's figures: the prefill of an
    `n_tokens` text prompt (ms) and the greedy decode rate after it (tokens/s), medians."""
    from llama_cpp import Llama

    t0 = time.perf_counter()
    llm = Llama(model_path=str(gguf), n_threads=threads, n_threads_batch=threads, n_ctx=1024, verbose=False)
    load_s = time.perf_counter() - t0
    text = "The kitchen was quiet until a loud sound started near the window, and then " * (1 + n_tokens // 8)
    tokens = llm.tokenize(text.encode())[:n_tokens]
    prefill, decode = [], []
    for i in range(repeats + 1):
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(tokens)
        t1 = time.perf_counter()
        for _ in range(32):
            llm.eval([llm.sample(temp=0.0)])
        t2 = time.perf_counter()
        if i:  # the first is a warm-up
            prefill.append((t1 - t0) * 1e3)
            decode.append(32 / (t2 - t1))
    llm.close()
    return {"prefill_ms": statistics.median(prefill), "decode_tok_s": statistics.median(decode), "load_s": load_s,
            "n_tokens": len(tokens)}
