"""ONNX Runtime sessions for the bundle's encoder and adapter graphs.

Providers are tried in order TensorRT, CUDA, CPU (those this onnxruntime build offers);
ONNX Runtime silently falls back to the CPU when a GPU provider cannot start, so the
provider that really runs is read back from `session.get_providers()`, never assumed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import BundleError
from core.manifest import GraphSpec
from edge.errors import EdgeError

log = logging.getLogger(__name__)
PREFERRED_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider")


def choose_providers(requested: list[str] | None = None) -> list[str]:
    import onnxruntime as ort

    available = ort.get_available_providers()
    wanted = requested or list(PREFERRED_PROVIDERS)
    chosen = [p for p in wanted if p in available]
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    return chosen


def session_options(threads: int = 0):
    """The edge's ONNX Runtime session options (the benchmarks use them too)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
    opts.log_severity_level = 3  # errors only: provider fallbacks are reported by us
    # No CPU arena: it keeps every run's activations for the session's life and fragments
    # (720 against 576 MiB peak for the same encoder runs); without it they are freed after each run.
    opts.enable_cpu_mem_arena = False
    # No spinning: by default each session's pool busy-waits after a run, and on a 2-core
    # device the next graph (adapter after encoder: 96 -> 40 ms for the two) or llama.cpp's
    # prefill (230 -> 185 ms) then shares the cores with threads that do nothing
    # (bench/bench_export.py, AMD EPYC, 2 threads).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return opts


@dataclass
class GraphSession:
    """One ONNX graph: its session, the provider that really runs it, and its declared I/O."""

    path: Path
    spec: GraphSpec
    session: object
    provider: str

    @classmethod
    def open(cls, path: Path, spec: GraphSpec, providers: list[str] | None = None, threads: int = 0) -> GraphSession:
        import onnxruntime as ort

        opts = session_options(threads)
        try:
            sess = ort.InferenceSession(str(path), opts, providers=choose_providers(providers))
        except Exception as err:  # onnxruntime raises its own exception types
            raise BundleError(f"onnxruntime cannot load {path.name}: {str(err).splitlines()[0]}") from err
        declared = [t.name for t in spec.inputs]
        actual = [i.name for i in sess.get_inputs()]
        if declared != actual:
            raise BundleError(f"{path.name} takes inputs {actual}, the manifest says {declared}; re-export the bundle")
        return cls(path, spec, sess, sess.get_providers()[0])

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Outputs of one run; an ONNX Runtime failure (out of memory, bad shapes) is one EdgeError line."""
        try:
            return self.session.run(None, feeds)
        except Exception as err:  # onnxruntime raises its own exception types (Fail, RuntimeException, ...)
            shapes = ", ".join(f"{k} {tuple(v.shape)} {v.dtype}" for k, v in feeds.items())
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise EdgeError(
                f"onnxruntime failed running {self.path.name} on {shapes}: {first}; "
                f"check free memory, or re-export the bundle if its graphs do not match this edge"
            ) from err

    def close(self) -> None:
        self.session = None
