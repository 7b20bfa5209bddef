"""`listen export verify`: re-check a written bundle without torch.

Schema and checksums (the same code the edge loader runs), then each ONNX graph is loaded
and run on one silent window to prove its inputs and outputs match the manifest, and the
GGUF's metadata is compared with the manifest's LLM section.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.bundle import open_bundle
from core.errors import BundleError


def verify_bundle(path: Path) -> list[str]:
    bundle = open_bundle(path, verify=True)
    m = bundle.manifest
    lines = [f"{bundle.path}: schema {m.schema_version}, {len(m.files)} files, sizes and sha256 OK"]
    import onnxruntime as ort

    feats = np.zeros((1, m.audio.n_mels, m.audio.n_frames), dtype=np.float32)
    for variant in m.encoder.variants:
        enc = ort.InferenceSession(str(bundle.file(m.encoder.file(variant))), providers=["CPUExecutionProvider"])
        (states,) = enc.run(None, {m.encoder.inputs[0].name: feats})
        ad = ort.InferenceSession(str(bundle.file(m.adapter.file(variant))), providers=["CPUExecutionProvider"])
        soft, logits = ad.run(None, {"states": states, "label_index": np.array([-1], dtype=np.int64)})
        want = (1, m.prompt.n_audio_tokens, m.llm.n_embd)
        if soft.shape != want or not np.isfinite(soft).all():
            raise BundleError(f"{m.adapter.file(variant)} gives soft tokens of shape {soft.shape}, the manifest says {want}")
        if logits.shape[1] != len(m.adapter_info.labels):
            raise BundleError(f"{m.adapter.file(variant)} scores {logits.shape[1]} labels, the manifest lists {len(m.adapter_info.labels)}")
        lines.append(f"{variant}: encoder {tuple(states.shape)} -> adapter {tuple(soft.shape)}, {logits.shape[1]} labels: OK")
    from export.llm_artifact import read_gguf_info

    info = read_gguf_info(bundle.file(m.llm.file))
    if (info.n_embd, info.vocab_size) != (m.llm.n_embd, m.llm.vocab_size):
        raise BundleError(f"{m.llm.file} has width {info.n_embd} / vocab {info.vocab_size}, the manifest says "
                          f"{m.llm.n_embd} / {m.llm.vocab_size}")
    lines.append(f"{m.llm.file}: {info.architecture}, {info.quantization}, n_embd {info.n_embd}, vocab {info.vocab_size}: OK")
    return lines
