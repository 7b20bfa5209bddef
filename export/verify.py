"""`listen export verify`: re-check a written bundle without torch.

Schema and checksums (the same code the edge loader runs), then each ONNX graph is loaded
and run on one silent window to prove its inputs and outputs match the manifest, and the
GGUF's metadata is compared with the manifest's LLM section. The presence graph, when the
bundle has one, runs on the vocabulary's phrase states. Given a checkpoint folder, the
bundle must also have been exported from it (the sha256 of its weights in the provenance):
that is how `make demo` notices that the committed model changed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.bundle import open_bundle
from core.errors import BundleError


def verify_bundle(path: Path, checkpoint: Path | None = None) -> list[str]:
    bundle = open_bundle(path, verify=True)
    m = bundle.manifest
    if checkpoint is not None:
        _check_source(m, Path(checkpoint), bundle.path)
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
    if m.presence is not None:
        p = m.presence
        vocab = np.load(bundle.file(p.vocabulary_file), allow_pickle=False)
        sess = ort.InferenceSession(str(bundle.file(p.graph.file())), providers=["CPUExecutionProvider"])
        logits, seg, emb = sess.run(None, {"states": states, "phrases": vocab.astype(np.float32)})
        if logits.shape != (1, len(p.vocabulary)) or not np.isfinite(logits).all():
            raise BundleError(f"{p.graph.file()} gives logits of shape {logits.shape} for {len(p.vocabulary)} phrases")
        lines.append(f"presence: {len(p.vocabulary)} phrases -> logits {tuple(logits.shape)}, "
                     f"{seg.shape[-1]} segments, embeddings {tuple(emb.shape)}: OK")
    from export.llm_artifact import read_gguf_info

    info = read_gguf_info(bundle.file(m.llm.file))
    if (info.n_embd, info.vocab_size) != (m.llm.n_embd, m.llm.vocab_size):
        raise BundleError(f"{m.llm.file} has width {info.n_embd} / vocab {info.vocab_size}, the manifest says "
                          f"{m.llm.n_embd} / {m.llm.vocab_size}")
    lines.append(f"{m.llm.file}: {info.architecture}, {info.quantization}, n_embd {info.n_embd}, vocab {info.vocab_size}: OK")
    return lines


def source_fingerprint(checkpoint: Path) -> dict[str, str]:
    """sha256 of the checkpoint's weight files that a bundle is made from (export writes it in the provenance)."""
    from core.checksums import sha256_file

    names = ("adapter.safetensors", "presence.safetensors", "presence.json")
    return {n: sha256_file(checkpoint / n) for n in names if (checkpoint / n).is_file()}


def _check_source(m, checkpoint: Path, where: Path) -> None:
    want = source_fingerprint(checkpoint)
    got = m.provenance.get("source_sha256") or {"adapter.safetensors": m.provenance.get("adapter_sha256")}
    if want != got:
        changed = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        raise BundleError(f"{where} was not exported from {checkpoint} ({', '.join(changed)} differ); "
                          f"re-export it: listen export --checkpoint {checkpoint} --out {where}")
