"""One question about a 10 s clip, end to end: the edge runtime against transformers + torch,
both anchored to bare llama.cpp on the same prompt length.

Same clip, same weights, same question, the same work: the LLM answers from the soft tokens.
The edge runs the bundle (numpy log-mel, ONNX Runtime encoder + adapter, llama.cpp with
injected soft tokens); the baseline runs the checkpoint in torch (the same log-mel, the
torch encoder + adapter, transformers generate on the GGUF dequantized to fp32); bare
llama.cpp (llama-cpp-python alone) prefills a text prompt as long as the edge's and decodes.
With a presence model the product answers a yes/no question without the LLM: that path's
time to the decision is reported beside (bench_latency.py times it through the daemon).
Each backend runs in its own process, so its peak RSS is its own (the edge process imports
no torch). Medians of REPEATS runs after a warm-up.

The checkpoint is `models/default-adapter` when it exists, else a freshly initialised
adapter of the default size (latency does not depend on training).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import bare_llama  # noqa: E402

THREADS = 2
REPEATS = 3
MAX_NEW = 24
QUESTION = "Is there a sound of a smoke alarm in the audio?"
DEFAULT_ADAPTER = ROOT / "models" / "default-adapter"


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _clip(seconds: float = 10.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * 16000)) / 16000
    beep = (np.sin(2 * np.pi * 3100 * t) * ((t % 1.0) < 0.5)).astype(np.float32)  # T3-like alarm beeps
    return (0.3 * beep + 0.02 * rng.standard_normal(t.size)).astype(np.float32)


def run_edge(bundle: Path) -> dict:
    t0 = time.perf_counter()
    from edge.assistant import Assistant
    from edge.llm_session import Sampling

    a = Assistant.from_bundle(bundle, n_threads=THREADS)
    load = time.perf_counter() - t0
    audio = _clip()
    windows = a.windows(audio)
    label, prompt = a.matcher.match(QUESTION), a.manifest.prompt

    def once():
        a.llm.reset()  # cold: no KV reuse between repeats, like a first question
        t = time.perf_counter()
        states, marks = a.encode_windows(windows)
        t1 = time.perf_counter()
        soft, _ = a.soft_tokens(states, label)
        marks["adapter"] = (time.perf_counter() - t1) * 1e3
        gen = a.llm.generate([prompt.before_audio, soft[0].astype(np.float32), *prompt.question_parts(QUESTION)],
                             Sampling(max_new_tokens=MAX_NEW))
        marks.update(prefill=gen.timings.prefill_ms, first_token=gen.timings.first_token_ms, decode=gen.timings.decode_ms)
        return (time.perf_counter() - t) * 1e3, marks, gen

    def decision() -> float:  # the product's yes/no path: decided by the presence model when the bundle has one
        t = time.perf_counter()
        a.ask(audio, QUESTION, max_new_tokens=MAX_NEW)
        return (time.perf_counter() - t) * 1e3

    once()
    runs = [once() for _ in range(REPEATS)]
    decision()
    decided = statistics.median(decision() for _ in range(REPEATS))
    _, marks, gen = runs[0]
    out = {"load_s": load, "total_ms": statistics.median(r[0] for r in runs),
           "ttft_ms": statistics.median(sum(r[1][k] for k in ("features", "encoder", "adapter", "first_token")) for r in runs),
           "breakdown": {k: statistics.median(r[1][k] for r in runs) for k in marks},
           "decode_tok_s": statistics.median(r[2].timings.decode_tokens_per_s for r in runs),
           "n_prompt": gen.timings.n_prompt, "answer": gen.text, "decision_ms": decided,
           "presence": a.listener is not None, "rss_mib": _peak_rss_mib(), "torch_loaded": "torch" in sys.modules}
    a.close()
    return out


def run_bare(bundle: Path, n_tokens: int) -> dict:
    from core.bundle import open_bundle

    out = bare_llama(bundle / open_bundle(bundle, verify=False).manifest.llm.file, n_tokens, THREADS, REPEATS)
    return {**out, "rss_mib": _peak_rss_mib()}


def run_torch(checkpoint: Path) -> dict:
    import torch

    torch.set_num_threads(THREADS)
    t0 = time.perf_counter()
    from core import audio as af
    from core.labels import LabelMatcher
    from training.backbones.load import load_llm
    from training.model import checkpoint as ckpt
    from training.model.encoder import load_tapped_encoder
    from training.model.generate import generate
    from training.model.prompt import PromptTemplate
    from training.model.sequences import generation_inputs, prompt_ids, question_ids

    adapter, meta = ckpt.load_adapter(checkpoint)
    encoder = load_tapped_encoder(meta.encoder)
    llm, tok = load_llm(meta.llm)
    prompt = PromptTemplate.load(checkpoint / ckpt.PROMPT_FILE)
    ids = prompt_ids(tok, prompt)
    label = LabelMatcher.from_entries(ckpt.load_labels(checkpoint)).match(QUESTION)
    load = time.perf_counter() - t0
    audio = _clip()

    def once():
        marks = {}
        t = time.perf_counter()
        feats = torch.from_numpy(af.features_for_window(audio, meta.encoder.window_seconds, encoder.n_mels))[None]
        with torch.no_grad():
            soft, _ = adapter(encoder(feats), torch.tensor([label]))
            marks["encoder+adapter"] = (time.perf_counter() - t) * 1e3
            inputs, mask = generation_inputs(llm.get_input_embeddings(), ids, soft, [question_ids(tok, prompt, QUESTION)])
            t1 = time.perf_counter()
            generate(llm, inputs, mask, 1, ids.eos_ids)
            marks["first_token"] = (time.perf_counter() - t1) * 1e3
            t2 = time.perf_counter()
            toks, _ = generate(llm, inputs, mask, MAX_NEW, ids.eos_ids)
            marks["generate"] = (time.perf_counter() - t2) * 1e3
        return (time.perf_counter() - t) * 1e3 - marks["first_token"], marks, toks[0]

    once()
    runs = [once() for _ in range(REPEATS)]
    total = statistics.median(r[0] for r in runs)
    _, marks, toks = runs[0]
    ttft = marks["encoder+adapter"] + marks["first_token"]
    return {"load_s": load, "ttft_ms": ttft, "total_ms": total, "breakdown": marks,
            "decode_tok_s": (len(toks) - 1) / ((marks["generate"] - marks["first_token"]) / 1e3) if len(toks) > 1 else 0.0,
            "answer": tok.decode(toks), "rss_mib": _peak_rss_mib(), "torch_loaded": True}


def _child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench child {args[:2]} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backend", choices=("edge", "torch", "bare"))
    ap.add_argument("--bundle", type=Path)
    ap.add_argument("--checkpoint", type=Path)
    ap.add_argument("--tokens", type=int, help="bare: prompt length")
    args = ap.parse_args()
    if args.backend == "edge":
        print(json.dumps(run_edge(args.bundle)))
        return
    if args.backend == "bare":
        print(json.dumps(run_bare(args.bundle, args.tokens)))
        return
    if args.backend == "torch":
        print(json.dumps(run_torch(args.checkpoint)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = DEFAULT_ADAPTER if (DEFAULT_ADAPTER / "adapter.safetensors").exists() else _fresh_checkpoint(Path(tmp))
        from export.pipeline import ExportOptions, export_bundle

        bundle = Path(tmp) / "bundle"
        export_bundle(ExportOptions(checkpoint=checkpoint, out=bundle, skip_llm_parity=True), progress=lambda m: None)
        torch_r = _child(["--backend", "torch", "--checkpoint", str(checkpoint)])
        edge_r = _child(["--backend", "edge", "--bundle", str(bundle)])
        bare_r = _child(["--backend", "bare", "--bundle", str(bundle), "--tokens", str(edge_r["n_prompt"])])
    which = "trained default adapter" if checkpoint == DEFAULT_ADAPTER else "untrained adapter of the default size"
    n = edge_r["n_prompt"]
    print(f"## One question about a 10 s clip: edge runtime vs transformers + torch ({which}, {THREADS} threads)\n")
    print("| pipeline | load (s) | time to first token (ms) | total (ms) | decode (tok/s) | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in (("transformers + torch (fp32)", torch_r), ("edge: ONNX Runtime + llama.cpp (Q4_1)", edge_r)):
        print(f"| {name} | {r['load_s']:.1f} | {r['ttft_ms']:.0f} | {r['total_ms']:.0f} | {r['decode_tok_s']:.1f} | {r['rss_mib']:.0f} |")
    print(f"| bare llama.cpp, a {n}-token text prompt (no audio) | {bare_r['load_s']:.1f} | {bare_r['prefill_ms']:.0f} "
          f"(prefill) | - | {bare_r['decode_tok_s']:.1f} | {bare_r['rss_mib']:.0f} |")
    print(f"\nRatios (torch / edge): first token {torch_r['ttft_ms'] / edge_r['ttft_ms']:.2f}x, total "
          f"{torch_r['total_ms'] / edge_r['total_ms']:.2f}x, peak RSS {torch_r['rss_mib'] / edge_r['rss_mib']:.2f}x. "
          f"Edge against bare llama.cpp on the same {n} positions: prefill {edge_r['breakdown']['prefill'] / bare_r['prefill_ms']:.2f}x "
          f"its time, decode {edge_r['decode_tok_s'] / bare_r['decode_tok_s']:.0%} of its rate.")
    b = edge_r["breakdown"]
    print("Edge breakdown (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in b.items()) +
          f". Torch imported in the edge process: {edge_r['torch_loaded']}.")
    if edge_r["presence"]:
        print(f"The product answers this yes/no question with its presence model, without the LLM: "
              f"{edge_r['decision_ms']:.0f} ms to the answer here, encoder included ({edge_r['decision_ms'] / torch_r['ttft_ms']:.2f}x "
              f"torch's first token).")


def _fresh_checkpoint(tmp: Path) -> Path:
    from training.corpus.ontology import vocabulary
    from training.model import checkpoint as ckpt
    from training.model.adapter_config import AdapterConfig, EncoderConfig
    from training.model.system import build_system

    labels = vocabulary()
    enc, ad = EncoderConfig(), AdapterConfig()
    system = build_system(enc, ad, "default", labels, 0)
    meta = ckpt.AdapterMeta(enc, ad, system.recipe, system.encoder.n_taps, system.encoder.d_model,
                            system.embed.embedding_dim, len(labels), "default")
    return ckpt.save_checkpoint(tmp / "fresh", system.adapter, meta, system.prompt, labels, {}, None, {"step": 0})


if __name__ == "__main__":
    main()
