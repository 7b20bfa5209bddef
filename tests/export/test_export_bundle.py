"""`listen export` on the tiny fixtures: a bundle whose parity checks pass, and that catches corruption."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from core.bundle import MAX_MANIFEST_BYTES, open_bundle
from core.errors import BundleError
from core.manifest import MANIFEST_NAME, SEAL_KEY, _canonical_sha256
from export.errors import ExportError
from export.pipeline import ExportOptions, export_bundle
from export.thresholds import ParityThresholds
from export.verify import verify_bundle


def test_bundle_manifest_states_everything(tiny_bundle, tiny_checkpoint):
    m = open_bundle(tiny_bundle).manifest
    assert set(m.files) == {"encoder.onnx", "encoder.int8.onnx", "adapter.onnx", "adapter.int8.onnx", "llm.gguf"}
    assert m.audio.sample_rate == 16000 and m.audio.n_frames == 200 and m.audio.window_seconds == 2.0
    assert [t.name for t in m.encoder.inputs] == ["input_features"]
    assert m.encoder.inputs[0].shape == ["batch", 80, 200]
    assert [t.name for t in m.adapter.inputs] == ["states", "label_index"]
    assert m.adapter.outputs[0].shape == ["batch", m.prompt.n_audio_tokens, 64]
    assert m.encoder.opset >= 17
    assert m.llm.n_embd == 64 and m.llm.vocab_size == 49152
    assert "<|im_start|>" in m.prompt.before_audio and m.prompt.after_question.endswith("assistant\n")
    assert [e["label"] for e in m.adapter_info.labels] == ["smoke_alarm", "dog_bark", "doorbell", "speech"]
    assert m.provenance["adapter_sha256"] and m.provenance["git_commit"]
    assert (tiny_bundle.stat().st_mode & 0o777) == 0o755  # readable by a service user, not mkdtemp's 0700


def test_parity_recorded_and_within_thresholds(tiny_bundle):
    m = open_bundle(tiny_bundle).manifest
    t = ParityThresholds()
    assert m.encoder.parity["fp32"]["cosine_min"] > t.min_cosine_fp32
    assert m.adapter.parity["fp32"]["cosine_min"] > t.min_cosine_fp32
    assert m.adapter.parity["int8"]["cosine_min"] > t.min_cosine_int8
    assert 0.0 <= m.adapter.parity["int8"]["presence_flips"] <= t.max_presence_flips_int8
    assert m.adapter.parity["int8"]["presence_decisions"] > 0  # the flips are measured on clear decisions, not none
    assert m.llm.parity["top1_agreement"] >= t.min_llm_top1 and m.llm.parity["prompts"] == 4
    assert m.provenance["parity_failures_forced"] == []


def test_verify_passes_on_a_good_bundle(tiny_bundle):
    lines = verify_bundle(tiny_bundle)
    assert any("sha256 OK" in line for line in lines) and any("int8" in line for line in lines)


@pytest.mark.parametrize("name", ["encoder.onnx", "adapter.int8.onnx", "llm.gguf", MANIFEST_NAME])
def test_one_flipped_byte_is_detected(tiny_bundle, tmp_path, name):
    copy = tmp_path / "b"
    shutil.copytree(tiny_bundle, copy)
    target = copy / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(BundleError) as err:
        verify_bundle(copy)
    assert name in str(err.value) or "manifest" in str(err.value)
    with pytest.raises(BundleError):
        open_bundle(copy)  # the edge loader runs the same check


def test_missing_checkpoint_is_one_clear_line(tmp_path):
    with pytest.raises(ExportError, match="is not a checkpoint folder"):
        export_bundle(ExportOptions(checkpoint=tmp_path / "nope", out=tmp_path / "out"), progress=lambda m: None)


def test_llm_width_mismatch_is_refused_and_leaves_nothing(tiny_checkpoint, tmp_path):
    from core.paths import smollm2_gguf

    out = tmp_path / "bundle"
    with pytest.raises(ExportError, match="width 576 but the adapter projects to 64"):
        export_bundle(ExportOptions(checkpoint=tiny_checkpoint, out=out, llm=str(smollm2_gguf())), progress=lambda m: None)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]  # no half-written folder left


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_output_is_refused(tiny_checkpoint, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    with pytest.raises(ExportError, match="not writable"):
        export_bundle(ExportOptions(checkpoint=tiny_checkpoint, out=ro / "b"), progress=lambda m: None)


def test_unchanged_steps_are_reused(tiny_checkpoint, tiny_bundle, tmp_path):
    lines: list[str] = []
    export_bundle(ExportOptions(checkpoint=tiny_checkpoint, out=tmp_path / "again", skip_llm_parity=True),
                  progress=lines.append)
    assert sum("reused from cache" in line for line in lines) == 2
    a = json.loads((tiny_bundle / MANIFEST_NAME).read_text())["files"]
    b = json.loads((tmp_path / "again" / MANIFEST_NAME).read_text())["files"]
    assert a["encoder.onnx"] == b["encoder.onnx"] and a["adapter.int8.onnx"] == b["adapter.int8.onnx"]


def test_cli_verify_and_errors(tiny_bundle, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "core.cli", "export", "verify", str(tiny_bundle)],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "core.cli", "export", "verify", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
    assert "manifest.json is missing" in bad.stderr and "Traceback" not in bad.stderr


def _evil_copy(tiny_bundle, tmp_path):
    """A copy of the bundle whose llm.gguf has moved to a sibling folder `good`."""
    evil, good = tmp_path / "evil", tmp_path / "good"
    shutil.copytree(tiny_bundle, evil)
    good.mkdir()
    (evil / "llm.gguf").rename(good / "llm.gguf")
    return evil, good


def test_verify_refuses_a_resealed_manifest_naming_a_file_outside(tiny_bundle, tmp_path):
    """Audit (issue 14): `../good/llm.gguf` with its true checksum, resealed, was verified and loaded."""
    evil, _ = _evil_copy(tiny_bundle, tmp_path)
    data = json.loads((evil / MANIFEST_NAME).read_text())
    data.pop(SEAL_KEY)
    data["llm"]["file"] = "../good/llm.gguf"
    data["files"]["../good/llm.gguf"] = data["files"].pop("llm.gguf")
    (evil / MANIFEST_NAME).write_text(json.dumps({**data, SEAL_KEY: _canonical_sha256(data)}))
    with pytest.raises(BundleError, match=r"manifest field llm\.file is '\.\./good/llm\.gguf': not a plain file name"):
        verify_bundle(evil)
    bad = subprocess.run([sys.executable, "-m", "core.cli", "export", "verify", str(evil)],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "'../good/llm.gguf'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def test_verify_refuses_a_symlink_out_of_the_bundle(tiny_bundle, tmp_path):
    evil, good = _evil_copy(tiny_bundle, tmp_path)
    (evil / "llm.gguf").symlink_to(good / "llm.gguf")  # same bytes, so the sealed checksums still match
    with pytest.raises(BundleError, match="llm.gguf resolves to .*, outside the bundle folder"):
        verify_bundle(evil)


def test_manifest_is_far_below_the_read_limit(tiny_bundle):
    """MAX_MANIFEST_BYTES must never refuse a real manifest: keep a factor 100 of headroom."""
    assert (tiny_bundle / MANIFEST_NAME).stat().st_size * 100 < MAX_MANIFEST_BYTES
