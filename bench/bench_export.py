"""Encoder + adapter latency for one default window: ONNX fp32 and int8 against torch eager.

Uses the real default encoder (Whisper tiny.en, 10 s window, all taps) and an adapter of
the default size projecting to SmolLM2's width (576) over the corpus label vocabulary;
latency does not depend on the adapter's training, so a fresh one serves. All three
pipelines run in this process on the same inputs; ratios are against torch eager.
Also reports each variant's file sizes.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPEATS = 10  # timed runs per pipeline (after 2 warm-up runs); the median is reported
THREADS = 2  # torch and ONNX Runtime get the same thread count


def _median_ms(fn) -> float:
    for _ in range(2):
        fn()
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main() -> None:
    import onnxruntime as ort
    import torch

    from core import audio as af
    from edge.onnx_sessions import session_options
    from export import onnx_export as ox
    from training.corpus.ontology import vocabulary
    from training.model.adapter_config import AdapterConfig, EncoderConfig, resolve_recipe
    from training.model.encoder import load_tapped_encoder
    from training.model.qformer import ListenAdapter

    torch.set_num_threads(THREADS)
    encoder = load_tapped_encoder(EncoderConfig())
    labels = vocabulary()
    cfg = AdapterConfig()
    adapter = ListenAdapter(cfg, resolve_recipe(cfg, 135_000_000), encoder.n_taps, encoder.d_model, 576, len(labels)).eval()
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(af.window_samples(encoder.config.window_seconds))).astype(np.float32)
    feats = af.features_for_window(audio, encoder.config.window_seconds, encoder.n_mels)[None]  # (1, M, F)
    label = np.array([0], dtype=np.int64)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        ox.export_encoder(encoder, d / "encoder.raw.onnx")
        ox.export_adapter(adapter, encoder, d / "adapter.raw.onnx")
        for g in ("encoder", "adapter"):
            ox.optimize_offline(d / f"{g}.raw.onnx", d / f"{g}.onnx")
            ox.quantize_int8(d / f"{g}.raw.onnx", d / f"{g}.int8.onnx")

        ft, lt = torch.from_numpy(feats), torch.from_numpy(label)

        def torch_run():
            with torch.no_grad():
                adapter(encoder(ft), lt)

        base = _median_ms(torch_run)
        rows.append(("torch eager (fp32)", base, 1.0, "-"))
        spinning = ort.SessionOptions()  # ONNX Runtime's defaults: each session's threads spin after a run
        spinning.intra_op_num_threads = THREADS
        for variant, suffix, opts in (("fp32, threads spinning (ORT default)", "", spinning), ("fp32", "", session_options(THREADS)),
                                      ("int8", ".int8", session_options(THREADS))):
            enc = ort.InferenceSession(str(d / f"encoder{suffix}.onnx"), opts, providers=["CPUExecutionProvider"])
            ada = ort.InferenceSession(str(d / f"adapter{suffix}.onnx"), opts, providers=["CPUExecutionProvider"])

            def ort_run():
                (states,) = enc.run(None, {"input_features": feats})
                ada.run(None, {"states": states, "label_index": label})

            ms = _median_ms(ort_run)
            size = (d / f"encoder{suffix}.onnx").stat().st_size + (d / f"adapter{suffix}.onnx").stat().st_size
            rows.append((f"ONNX Runtime {variant} (CPU)", ms, base / ms, f"{size / 1e6:.1f} MB"))

    print(f"## Encoder + adapter, one {encoder.config.window_seconds:.0f} s window (Whisper tiny.en, batch 1, {THREADS} threads)\n")
    print("| pipeline | median latency (ms) | speed-up vs torch | encoder+adapter files |")
    print("|---|---:|---:|---:|")
    for name, ms, ratio, size in rows:
        print(f"| {name} | {ms:.1f} | {ratio:.2f}x | {size} |")
    print(f"\n{REPEATS} timed runs each after 2 warm-ups; sizes are the offline-optimised fp32 and the dynamic-int8 graphs. "
          "The edge's session options (edge.onnx_sessions.session_options) turn ONNX Runtime's thread spinning off: "
          "the encoder's and the adapter's pools otherwise busy-wait on the same cores while the other graph runs.")


if __name__ == "__main__":
    main()
