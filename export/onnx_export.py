"""Encoder and adapter -> ONNX graphs, int8 variants, offline optimisation, parity with torch.

Two graphs, because the adapter takes the question (as a label index): the edge runs the
encoder once per audio window and the adapter once per question.

    encoder.onnx: input_features (batch, n_mels, n_frames) f32 -> states (batch, n_taps, T, d_enc) f32
    adapter.onnx: states (batch, n_taps, T, d_enc) f32, label_index (batch,) i64
                  -> soft_tokens (batch, n_soft, d_llm) f32, presence_logits (batch, n_labels) f32

Exported with torch's `torch.export`-based exporter (opset 18); the batch axis is dynamic
and named "batch".
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np

from core.manifest import TensorSpec
from export.errors import ExportError

ONNX_OPSET = 18
BATCH_AXIS = "batch"
ENCODER_INPUTS, ENCODER_OUTPUTS = ["input_features"], ["states"]
ADAPTER_INPUTS, ADAPTER_OUTPUTS = ["states", "label_index"], ["soft_tokens", "presence_logits"]

log = logging.getLogger(__name__)


def _export(module, args: tuple, path: Path, input_names: list[str], output_names: list[str], dyn: dict) -> None:
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                module, args, str(path), input_names=input_names, output_names=output_names,
                dynamic_shapes=dyn, opset_version=ONNX_OPSET, dynamo=True, optimize=True, verbose=False,
                external_data=False,  # one self-contained file per graph (all are far below 2 GB)
            )
        except Exception as err:  # the exporter raises many internal types
            raise ExportError(f"ONNX export of {path.name} failed: {str(err).strip().splitlines()[0]}") from err


def export_encoder(encoder, path: Path, batch: int = 2) -> Path:
    """Trace the tapped encoder at its configured window into `path`."""
    import torch

    features = torch.randn(batch, encoder.n_mels, encoder.n_frames)
    b = torch.export.Dim(BATCH_AXIS)
    _export(encoder, (features,), path, ENCODER_INPUTS, ENCODER_OUTPUTS, {"features": {0: b}})
    return path


def export_adapter(adapter, encoder, path: Path, batch: int = 2) -> Path:
    """Trace the adapter (states + label index -> soft tokens, presence logits) into `path`."""
    import torch

    with torch.no_grad():
        states = encoder(torch.randn(batch, encoder.n_mels, encoder.n_frames))
    label_index = torch.tensor([0, -1][:batch] + [0] * max(0, batch - 2), dtype=torch.int64)
    b = torch.export.Dim(BATCH_AXIS)
    _export(adapter, (states, label_index), path, ADAPTER_INPUTS, ADAPTER_OUTPUTS,
            {"states": {0: b}, "label_index": {0: b}})
    return path


def quantize_int8(src: Path, dst: Path) -> Path:
    """Dynamic int8 quantization of the weights (MatMul/Gemm), activations stay float."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs one INFO line per skipped node on the root logger
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
    except Exception as err:
        raise ExportError(f"int8 quantization of {src.name} failed: {err}") from err
    finally:
        root.setLevel(level)
    return dst


def optimize_offline(src: Path, dst: Path) -> Path:
    """onnxruntime's offline graph optimisation at the BASIC level.

    Basic rewrites (constant folding, redundant-node removal) stay provider-independent, so
    the same file runs on the CPU, CUDA and TensorRT providers; extended fusions are left to
    the session on the device, which applies them for the provider it really runs.
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    opts.optimized_model_filepath = str(dst)
    try:
        ort.InferenceSession(str(src), opts, providers=["CPUExecutionProvider"])
    except Exception as err:
        raise ExportError(f"onnxruntime cannot load the exported {src.name}: {err}") from err
    return dst


def graph_io(path: Path) -> tuple[list[TensorSpec], list[TensorSpec]]:
    """Input and output specs read back from the ONNX file (names, shapes, dtypes)."""
    import onnx
    from onnx import helper

    model = onnx.load(str(path), load_external_data=False)

    def specs(values) -> list[TensorSpec]:
        out = []
        for v in values:
            t = v.type.tensor_type
            shape = [d.dim_param or d.dim_value for d in t.shape.dim]
            out.append(TensorSpec(v.name, shape, np.dtype(helper.tensor_dtype_to_np_dtype(t.elem_type)).name))
        return out

    return specs(model.graph.input), specs(model.graph.output)


def run_onnx(path: Path, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def compare(reference: np.ndarray, candidate: np.ndarray) -> dict[str, float]:
    """Cosine similarity per row (min over rows) and the maximum absolute error."""
    a = reference.reshape(-1, reference.shape[-1]).astype(np.float64)
    b = candidate.reshape(-1, candidate.shape[-1]).astype(np.float64)
    cos = (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
    return {"cosine_min": float(cos.min()), "cosine_mean": float(cos.mean()), "max_abs_err": float(np.abs(a - b).max())}
