"""`listen export`: a training checkpoint -> one verified, self-describing bundle.

Steps (each with a progress line; ONNX steps skipped when their inputs are unchanged):
  1. load the checkpoint and rebuild the encoder and the adapter;
  2. encoder -> ONNX (fp32, offline-optimised) and int8;
  3. adapter -> ONNX (fp32, offline-optimised) and int8; the presence model, when the
     checkpoint has one (`listen presence train`), -> presence.onnx (fp32);
  4. LLM -> GGUF (copy, re-quantize or convert), width checked against the adapter; the
     presence vocabulary's phrase states through llama.cpp on that GGUF;
  5. parity: ONNX vs torch on real clips; GGUF vs transformers with the same injected
     audio embeddings; int8 presence-answer flips; the presence graph and text tower;
  6. manifest with every file's sha256; the temporary folder is renamed into place.
A failed parity check stops the export unless `force` is set (the failure is then
recorded in the manifest).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import audio as af
from core.checksums import sha256_file
from core.manifest import (
    MANIFEST_NAME, SCHEMA_VERSION, AdapterSpec, AudioSpec, FileEntry, GraphSpec, LLMSpec, Manifest, PresenceSpec,
    PromptSpec,
)
from export import onnx_export as ox
from export.errors import ExportError, ParityError
from export.step_cache import StepCache, step_key
from export.verify import source_fingerprint
from export.thresholds import ParityThresholds
from training.provenance import git_commit

log = logging.getLogger(__name__)
VARIANTS = ("fp32", "int8")


@dataclass(frozen=True)
class ExportOptions:
    checkpoint: Path
    out: Path
    llm: str | None = None  # None = the LLM the checkpoint was trained against
    quantization: str | None = None  # None = keep a GGUF as it is (the converter's type after conversion)
    llm_outtype: str = "f16"  # what llama.cpp's converter writes for a Hugging Face LLM: f16, bf16 or f32
    variants: tuple[str, ...] = VARIANTS
    default_variant: str = "fp32"
    clips: tuple[Path, ...] = ()  # audio for the parity checks; empty = recorded theme sounds
    thresholds: ParityThresholds = field(default_factory=ParityThresholds)
    llm_parity_prompts: int = 8  # (clip, question) pairs compared through both LLM runtimes
    skip_llm_parity: bool = False
    force: bool = False  # write the bundle even when a parity check fails
    use_cache: bool = True


def export_bundle(opts: ExportOptions, progress=print) -> Manifest:
    from training.backbones.load import resolve_llm_spec
    from training.model import checkpoint as ckpt
    from training.model.encoder import load_tapped_encoder
    from training.model.prompt import PromptTemplate

    t_start = time.perf_counter()
    unknown = set(opts.variants) - set(VARIANTS)
    if unknown or opts.default_variant not in opts.variants:
        raise ExportError(f"variants {list(opts.variants)} / default {opts.default_variant!r}: choose from {list(VARIANTS)}")
    out = Path(opts.out).expanduser().resolve()
    _check_writable(out)
    cp = Path(opts.checkpoint).expanduser()
    if not (cp / ckpt.ADAPTER_FILE).is_file():
        raise ExportError(f"{cp} is not a checkpoint folder (no {ckpt.ADAPTER_FILE}); pass a folder written by `listen train`")

    progress(f"[1/6] loading checkpoint {cp}")
    adapter, meta = ckpt.load_adapter(cp)
    prompt = PromptTemplate.load(cp / ckpt.PROMPT_FILE)
    labels = ckpt.load_labels(cp)
    encoder = load_tapped_encoder(meta.encoder)
    llm_spec = resolve_llm_spec(opts.llm or meta.llm)
    cache = StepCache(enabled=opts.use_cache)
    base_key = dict(adapter=sha256_file(cp / ckpt.ADAPTER_FILE), meta=(cp / ckpt.ADAPTER_CONFIG_FILE).read_text(),
                    encoder=encoder.fingerprint(), opset=ox.ONNX_OPSET, variants=sorted(opts.variants))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        graphs = {}
        for i, (name, exporter) in enumerate(
            (("encoder", lambda p: ox.export_encoder(encoder, p)),
             ("adapter", lambda p: ox.export_adapter(adapter, encoder, p))), start=2):
            files = {v: f"{name}.onnx" if v == "fp32" else f"{name}.{v}.onnx" for v in opts.variants}
            key = step_key(step=name, **base_key)
            if cache.fetch(name, key, list(files.values()), tmp):
                progress(f"[{i}/6] {name} -> ONNX: unchanged, reused from cache")
            else:
                progress(f"[{i}/6] {name} -> ONNX (opset {ox.ONNX_OPSET}, dynamic batch), optimise, int8")
                raw = tmp / f"{name}.raw.onnx"
                exporter(raw)
                if "fp32" in files:
                    ox.optimize_offline(raw, tmp / files["fp32"])
                if "int8" in files:
                    ox.quantize_int8(raw, tmp / files["int8"])
                raw.unlink()
                cache.store(name, key, list(files.values()), tmp)
            graphs[name] = files
        presence = _load_presence(cp)
        if presence is not None:
            from export.presence import export_presence

            progress("[3/6] presence model -> ONNX (fp32)")
            export_presence(presence[0], encoder, tmp / "presence.raw.onnx")
            ox.optimize_offline(tmp / "presence.raw.onnx", tmp / "presence.onnx")
            (tmp / "presence.raw.onnx").unlink()

        progress(f"[4/6] LLM -> GGUF from {llm_spec}" + (f" ({opts.quantization})" if opts.quantization else ""))
        from export.llm_artifact import prepare_llm_gguf

        llm_info = prepare_llm_gguf(llm_spec, tmp / "llm.gguf", opts.quantization, tmp, opts.llm_outtype)
        if llm_info.n_embd != meta.llm_width:
            raise ExportError(
                f"the LLM {llm_spec} has width {llm_info.n_embd} but the adapter projects to {meta.llm_width}; "
                "export with the LLM the adapter was trained against (--llm)"
            )

        if presence is not None:
            from export.presence import VOCABULARY_FILE, vocabulary_states

            progress(f"      presence vocabulary: {len(presence[1].vocabulary)} phrases through llama.cpp")
            vocab = vocabulary_states(tmp / "llm.gguf", presence[1].template, [p for p, _ in presence[1].vocabulary])
            np.save(tmp / VOCABULARY_FILE, vocab)

        progress("[5/6] parity checks")
        from export import parity

        clips = parity.load_clips(opts.clips, encoder.config.window_seconds)
        onnx_parity = parity.onnx_parity(encoder, adapter, tmp, graphs, clips, len(labels))
        llm_parity = {}
        if not opts.skip_llm_parity:
            llm_parity = parity.llm_parity(
                encoder, adapter, prompt, labels, llm_spec, tmp / "llm.gguf", clips, opts.llm_parity_prompts
            )
        failures = parity.judge(onnx_parity, llm_parity, opts.thresholds)
        for line in parity.describe(onnx_parity, llm_parity):
            progress("      " + line)
        presence_parity = {}
        if presence is not None:
            from export import presence as px

            presence_parity = px.presence_parity(presence[0], presence[1], encoder, llm_spec, tmp / "presence.onnx",
                                                 vocab, clips)
            failures += px.judge(presence_parity, opts.thresholds)
            for line in px.describe(presence_parity):
                progress("      " + line)
        if failures and not opts.force:
            raise ParityError("parity check failed: " + "; ".join(failures) + " (use --force to write the bundle anyway)")

        progress("[6/6] writing manifest and checksums")
        manifest = _manifest(opts, meta, encoder, prompt, labels, llm_spec, llm_info, graphs, tmp,
                             onnx_parity, llm_parity, failures, cp, presence, presence_parity)
        import json

        (tmp / MANIFEST_NAME).write_text(json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n")
        tmp.chmod(0o755)  # mkdtemp makes it 0700; a service user must be able to read the bundle
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except OSError as err:
        raise ExportError(f"writing the bundle failed: {err.strerror or err} ({getattr(err, 'filename', '') or out})") from err
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    progress(f"bundle written to {out} in {time.perf_counter() - t_start:.0f}s")
    return manifest


def _check_writable(out: Path) -> None:
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    import os

    if not os.access(parent, os.W_OK):
        raise ExportError(f"cannot write the bundle to {out}: {parent} is not writable")
    if out.exists() and not (out / MANIFEST_NAME).exists() and any(out.iterdir()):
        raise ExportError(f"{out} exists and is not a bundle; choose an empty or new folder")


def _load_presence(cp: Path):
    """(model, meta) of the checkpoint's presence model, or None when it has none."""
    from training.presence.checkpoint import has_presence, load_presence

    return load_presence(cp) if has_presence(cp) else None


def _presence_spec(presence, folder: Path, parity: dict) -> PresenceSpec | None:
    if presence is None:
        return None
    from dataclasses import asdict

    from export.presence import VOCABULARY_FILE
    from training.presence.features import POSITIONS_PER_SECOND

    model, meta = presence
    p_in, p_out = ox.graph_io(folder / "presence.onnx")
    graph = GraphSpec({"fp32": "presence.onnx"}, "fp32", p_in, p_out, ox.ONNX_OPSET, {"fp32": parity.get("graph", {})})
    return PresenceSpec(graph, meta.text_prefix, meta.pooling, meta.calibration.to_dict(), asdict(meta.rule),
                        [list(v) for v in meta.vocabulary], meta.labels, VOCABULARY_FILE,
                        model.config.segment_frames / POSITIONS_PER_SECOND, parity.get("text_tower", {}), meta.text_suffix)


def _manifest(opts, meta, encoder, prompt, labels, llm_spec, llm_info, graphs, folder: Path,
              onnx_parity, llm_parity, failures, cp: Path, presence=None, presence_parity=None) -> Manifest:
    from training.model import checkpoint as ckpt

    enc_in, enc_out = ox.graph_io(folder / graphs["encoder"][opts.default_variant])
    ad_in, ad_out = ox.graph_io(folder / graphs["adapter"][opts.default_variant])
    n_soft = int(ad_out[0].shape[1])
    files = {p.name: FileEntry(sha256_file(p), p.stat().st_size) for p in sorted(folder.iterdir()) if p.is_file()}
    return Manifest(
        schema_version=SCHEMA_VERSION,
        created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        provenance={
            "encoder": meta.encoder.whisper,
            "encoder_taps": list(encoder.taps),
            "llm": llm_spec if opts.llm or meta.llm != "default" else f"default ({Path(llm_spec).name})",
            "adapter_checkpoint": str(Path(cp).resolve()),
            "adapter_sha256": sha256_file(cp / ckpt.ADAPTER_FILE),
            "source_sha256": source_fingerprint(cp),
            "git_commit": git_commit(),
            "listen_edge_version": _version(),
            "parity_failures_forced": failures,
        },
        audio=AudioSpec(
            sample_rate=af.SAMPLE_RATE, window_seconds=float(encoder.config.window_seconds), n_fft=af.N_FFT,
            hop_length=af.HOP_LENGTH, n_mels=encoder.n_mels, n_frames=encoder.n_frames, frontend="whisper-log-mel",
        ),
        encoder=GraphSpec(graphs["encoder"], opts.default_variant, enc_in, enc_out, ox.ONNX_OPSET, onnx_parity["encoder"]),
        adapter=GraphSpec(graphs["adapter"], opts.default_variant, ad_in, ad_out, ox.ONNX_OPSET, onnx_parity["adapter"]),
        adapter_info=AdapterSpec(recipe=meta.recipe, labels=labels),
        llm=LLMSpec("llm.gguf", llm_info.quantization, llm_info.n_embd, llm_info.vocab_size, llm_info.chat_template, llm_parity),
        prompt=PromptSpec(prompt.before_audio, prompt.after_audio, prompt.after_question, prompt.answer_end, n_soft),
        files=files,
        presence=_presence_spec(presence, folder, presence_parity or {}),
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("listen-edge")
    except PackageNotFoundError:
        return "unknown"
