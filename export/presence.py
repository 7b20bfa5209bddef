"""The presence model -> `presence.onnx` + the vocabulary's phrase states, and their parity.

    presence.onnx: states (batch, n_taps, T, d_enc) f32, phrases (n_phrases, d_llm) f32
                   -> logits (batch, n_phrases), segment_logits (batch, n_phrases, S),
                      phrase_embeddings (n_phrases, dim)

The vocabulary's phrase states are computed the way the edge computes an asked phrase's:
llama.cpp on the bundle's GGUF (`edge.presence.text_tower`). Parity covers both halves:
- the graph: ONNX Runtime against torch on the same inputs (logits, and the decisions their
  calibrated probabilities make);
- the text tower: llama.cpp's phrase states against the transformers states the model was
  trained on (cosine, and how far the calibrated probabilities move on real clips).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from export import onnx_export as ox

PRESENCE_INPUTS = ["states", "phrases"]
PRESENCE_OUTPUTS = ["logits", "segment_logits", "phrase_embeddings"]
VOCABULARY_FILE = "presence_vocabulary.npy"
PARITY_PHRASES = 16  # vocabulary phrases compared through both text towers


def export_presence(model, encoder, path: Path) -> Path:
    import torch

    from training.presence.model import PresenceGraph

    graph = PresenceGraph(model).eval()
    with torch.no_grad():
        states = encoder(torch.randn(2, encoder.n_mels, encoder.n_frames))
    phrases = torch.randn(3, model.text_width)
    b, p = torch.export.Dim(ox.BATCH_AXIS), torch.export.Dim("n_phrases")
    ox._export(graph, (states, phrases), path, PRESENCE_INPUTS, PRESENCE_OUTPUTS, {"states": {0: b}, "phrases": {0: p}})
    return path


def vocabulary_states(gguf: Path, template, phrases: list[str]) -> np.ndarray:
    """(P, n_embd) float32: the edge's text tower (`core.presence.TextTemplate`) on every vocabulary phrase."""
    from edge.llama_native import NativeModel, default_threads
    from edge.presence.text_tower import TextTower

    with NativeModel(gguf) as model, TextTower(model, template, default_threads(), cache_size=0) as tower:
        return tower.states(phrases)


def presence_parity(model, meta, encoder, llm_spec: str, onnx_file: Path, vocab_states: np.ndarray,
                    clips: list[np.ndarray]) -> dict:
    import torch

    from core import audio as af
    from training.backbones.load import load_llm
    from training.presence.calibration import Platt
    from training.presence.features import segment_means
    from training.presence.text_tower import phrase_states

    window = encoder.config.window_seconds
    feats = np.stack([af.features_for_window(c, window, encoder.n_mels) for c in clips]).astype(np.float32)
    k = min(PARITY_PHRASES, len(meta.vocabulary))
    rows = np.linspace(0, len(meta.vocabulary) - 1, k).astype(int)
    phrases = [meta.vocabulary[i][0] for i in rows]
    edge_states = vocab_states[rows]
    llm, tok = load_llm(llm_spec)
    ref_states = phrase_states(llm, tok, phrases, meta.template)
    del llm
    platt = Platt(meta.calibration.scale, meta.calibration.bias)
    with torch.no_grad():
        states = encoder(torch.from_numpy(feats))
        segments = segment_means(states, model.config.segment_frames)
        ref_logits = model(segments, torch.from_numpy(ref_states))[0].numpy()
        edge_torch = model(segments, torch.from_numpy(edge_states))[0].numpy()
    logits = ox.run_onnx(onnx_file, {"states": states.numpy(), "phrases": edge_states})[0]
    p_onnx, p_torch = platt.probability(logits), platt.probability(edge_torch)
    p_ref = platt.probability(ref_logits)
    return {
        "graph": {**ox.compare(edge_torch, logits), "decision_flips": float(np.mean((p_onnx >= 0.5) != (p_torch >= 0.5))),
                  "clips": len(clips), "phrases": k},
        "text_tower": {**ox.compare(ref_states, edge_states), "max_probability_shift": float(np.abs(p_onnx - p_ref).max()),
                       "decision_flips": float(np.mean((p_onnx >= 0.5) != (p_ref >= 0.5))), "phrases": k},
    }


def judge(result: dict, thresholds) -> list[str]:
    fails = []
    if result["graph"]["cosine_min"] < thresholds.min_cosine_fp32:
        fails.append(f"presence graph cosine min {result['graph']['cosine_min']:.5f} < {thresholds.min_cosine_fp32}")
    t = result["text_tower"]
    if t["cosine_min"] < thresholds.min_text_tower_cosine:
        fails.append(f"text tower (llama.cpp vs transformers) cosine min {t['cosine_min']:.4f} < {thresholds.min_text_tower_cosine}")
    if t["max_probability_shift"] > thresholds.max_presence_probability_shift:
        fails.append(f"text tower moves a presence probability by {t['max_probability_shift']:.3f} "
                     f"> {thresholds.max_presence_probability_shift}")
    return fails


def describe(result: dict) -> list[str]:
    g, t = result["graph"], result["text_tower"]
    return [f"presence fp32: cosine min {g['cosine_min']:.5f}, max abs err {g['max_abs_err']:.2e}, "
            f"decision flips {g['decision_flips']:.1%}",
            f"text tower llama.cpp vs transformers: cosine min {t['cosine_min']:.4f} on {t['phrases']} phrases, "
            f"presence probability shift max {t['max_probability_shift']:.3f}, decision flips {t['decision_flips']:.1%}"]
