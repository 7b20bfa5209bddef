"""The parity floors an export must meet: one definition, read by the pipeline and the CLI's defaults.

Kept apart from export/pipeline.py so that `listen export --help` does not import torch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParityThresholds:
    min_cosine_fp32: float = 0.999  # soft tokens, ONNX fp32 vs torch (float rounding only)
    min_cosine_int8: float = 0.95  # soft tokens, ONNX int8 vs torch (weight quantization)
    max_presence_flips_int8: float = 0.10  # share of per-label presence decisions int8 changes
    min_llm_top1: float = 0.90  # GGUF vs transformers next-token agreement on injected prompts
    # Phrase states, llama.cpp (Q4_1 weights, activations rounded to 8 bits in its matmuls)
    # vs transformers (the same weights dequantized, fp32): measured 0.997-0.9995 on SmolLM2.
    min_text_tower_cosine: float = 0.99
    max_presence_probability_shift: float = 0.10  # of a calibrated P(present), from that rounding alone
