"""The manifest contract: what the edge refuses, and the message it gives."""

from __future__ import annotations

import copy

import pytest

from edge.manifest import SCHEMA_VERSION, SEAL_KEY, BundleError, Manifest, _canonical_sha256


def _valid() -> dict:
    tensor = {"name": "x", "shape": ["batch", 3], "dtype": "float32"}
    graph = {"variants": {"fp32": "g.onnx"}, "default_variant": "fp32", "inputs": [tensor], "outputs": [tensor], "opset": 18}
    data = {
        "schema_version": SCHEMA_VERSION, "created": "2026-11-26T00:00:00+00:00", "provenance": {"llm": "x"},
        "audio": {"sample_rate": 16000, "window_seconds": 10.0, "n_fft": 400, "hop_length": 160, "n_mels": 80,
                  "n_frames": 1000, "frontend": "whisper-log-mel"},
        "encoder": graph, "adapter": copy.deepcopy(graph),
        "adapter_info": {"recipe": "factorised", "labels": [{"label": "a", "name": "an a", "synonyms": []}]},
        "llm": {"file": "llm.gguf", "quantization": "Q4_1", "n_embd": 576, "vocab_size": 49152, "chat_template": ""},
        "prompt": {"before_audio": "<s>", "after_audio": "\n", "after_question": "</s>", "answer_end": "</s>", "n_audio_tokens": 36},
        "files": {"g.onnx": {"sha256": "0" * 64, "size": 1}},
    }
    return data


def _sealed(data: dict) -> dict:
    return {**data, SEAL_KEY: _canonical_sha256(data)}


def test_round_trip():
    m = Manifest.from_dict(_sealed(_valid()))
    assert m.encoder.file() == "g.onnx" and m.encoder.inputs[0].shape == ["batch", 3]
    assert Manifest.from_dict(m.to_dict()) == m
    assert m.prompt.question_text(" Is it? ") == "\nIs it?</s>"


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.pop("llm"), "missing llm"),
        (lambda d: d["audio"].pop("n_mels"), "missing audio.n_mels"),
        (lambda d: d["audio"].__setitem__("sample_rate", "16k"), "audio.sample_rate has str"),
        (lambda d: d["llm"].__setitem__("n_embd", True), "llm.n_embd has bool"),
        (lambda d: d["encoder"].__setitem__("inputs", {}), "encoder.inputs must be a list"),
        (lambda d: d.__setitem__("schema_version", 99), "schema_version is 99"),
        (lambda d: d["adapter_info"].__setitem__("recipe", "magic"), "recipe 'magic'"),
    ],
)
def test_invalid_manifests_name_the_key(edit, message):
    data = _valid()
    edit(data)
    with pytest.raises(BundleError, match=message):
        Manifest.from_dict(_sealed(data))


def test_edited_manifest_breaks_the_seal():
    data = _sealed(_valid())
    data["prompt"]["before_audio"] = "<s> "
    with pytest.raises(BundleError, match="manifest_sha256"):
        Manifest.from_dict(data)


def test_unknown_variant_lists_the_available_ones():
    m = Manifest.from_dict(_sealed(_valid()))
    with pytest.raises(BundleError, match=r"available: \['fp32'\]"):
        m.encoder.file("int4")
