"""The manifest contract: what the edge refuses, and the message it gives."""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.bundle import read_manifest
from core.presence import MEAN_POOLING
from core.errors import BundleError
from core.manifest import (
    MANIFEST_NAME,
    MAX_DEPTH,
    SCHEMA_VERSION,
    SEAL_KEY,
    Manifest,
    _canonical_sha256,
    check_file_name,
)


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
        (lambda d: d["adapter_info"].__setitem__("recipe", "magic"), "recipe is 'magic'"),
        # wrong types and ranges that the edge used to accept and then crash on (audit, issue 14)
        (lambda d: d["files"]["g.onnx"].__setitem__("size", -1), r"files\.g\.onnx\.size is -1"),
        (lambda d: d["files"]["g.onnx"].__setitem__("sha256", "zz"), r"files\.g\.onnx\.sha256 is 'zz'"),
        (lambda d: d["encoder"]["variants"].__setitem__("fp32", 5), r"encoder\.variants\.fp32 is 5"),
        (lambda d: d["encoder"].__setitem__("default_variant", "int8"), r"encoder\.default_variant is 'int8'"),
        (lambda d: d["encoder"]["inputs"][0].__setitem__("shape", [None, 3]), r"encoder\.inputs\[0\]\.shape is None"),
        (lambda d: d["adapter"]["outputs"].__setitem__(0, {"name": "y", "shape": [True], "dtype": "float32"}),
         r"adapter\.outputs\[0\]\.shape is True"),
        (lambda d: d["adapter_info"].__setitem__("labels", ["a"]), r"adapter_info\.labels\[0\] is 'a'"),
        (lambda d: d["adapter_info"]["labels"][0].__setitem__("synonyms", "x"), r"adapter_info\.labels\[0\]"),
        (lambda d: d["adapter_info"].__setitem__("yes_threshold", 2.0), "yes_threshold is 2.0"),
        (lambda d: d["audio"].__setitem__("window_seconds", float("nan")), "window_seconds is nan"),
        (lambda d: d["audio"].__setitem__("window_seconds", 10**400), "window_seconds is 1000"),
        (lambda d: d["audio"].__setitem__("hop_length", 0), "hop_length is 0"),
        (lambda d: d["prompt"].__setitem__("n_audio_tokens", -3), "n_audio_tokens is -3"),
        (lambda d: d["llm"].__setitem__("n_embd", 0), "n_embd is 0"),
    ],
)
def test_invalid_manifests_name_the_key(edit, message):
    data = _valid()
    edit(data)
    with pytest.raises(BundleError, match=message):
        Manifest.from_dict(_sealed(data))


def _with_presence() -> dict:
    data = _valid()
    data["presence"] = {
        "graph": copy.deepcopy(data["encoder"]), "text_prefix": "The sound of", "pooling": MEAN_POOLING,
        "calibration": {"scale": 1.0, "bias": 0.0},
        "rule": {"threshold": 0.5, "unsure_low": 0.4, "unsure_high": 0.6, "min_similarity": 0.3},
        "vocabulary": [["an a", "a"]], "labels": [{"label": "a", "name": "an a", "synonyms": []}],
        "vocabulary_file": "v.npy", "segment_seconds": 1.0,
    }
    return data


def test_presence_round_trip_and_absence():
    m = Manifest.from_dict(_sealed(_with_presence()))
    assert m.presence.graph.file() == "g.onnx" and m.presence.rule["unsure_low"] == 0.4
    assert Manifest.from_dict(m.to_dict()) == m
    assert Manifest.from_dict(_sealed(_valid())).presence is None  # bundles from before issue 17 still read


@pytest.mark.parametrize("edit, message", [
    (lambda p: p.pop("rule"), "missing presence.rule"),
    (lambda p: p.__setitem__("pooling", "max"), "presence.pooling"),
    (lambda p: p["rule"].__setitem__("unsure_low", 0.7), "presence.rule"),
    (lambda p: p["rule"].__setitem__("bogus", 1), "presence.rule"),
    (lambda p: p["calibration"].__setitem__("scale", float("inf")), "presence.calibration.scale"),
    (lambda p: p.__setitem__("vocabulary_file", "../v.npy"), "presence.vocabulary_file"),
    (lambda p: p.__setitem__("vocabulary", [["only a phrase"]]), "presence.vocabulary"),
    (lambda p: p["labels"].__setitem__(0, {"label": 1}), r"presence\.labels\[0\]"),
    (lambda p: p.__setitem__("segment_seconds", 0), "presence.segment_seconds"),
    (lambda p: p["graph"]["variants"].__setitem__("fp32", "/etc/x"), r"presence\.graph\.variants\.fp32"),
])
def test_invalid_presence_names_the_key(edit, message):
    data = _with_presence()
    edit(data["presence"])
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


# -- file names: a bundle file is a plain name inside the bundle folder (issue 14, path containment)

BAD_NAMES = ["../good/llm.gguf", "/etc/passwd", "../../../../etc/passwd", "sub/llm.gguf", "", ".", "..",
             "a\0b", "..\\llm.gguf"]


def _rename_llm(d: dict, name: str) -> None:
    d["llm"]["file"] = name


def _rename_variant(graph: str):
    def edit(d: dict, name: str) -> None:
        d[graph]["variants"]["fp32"] = name
    return edit


def _rename_listed(d: dict, name: str) -> None:
    d["files"][name] = d["files"].pop("g.onnx")


@pytest.mark.parametrize("name", BAD_NAMES)
@pytest.mark.parametrize("edit, field", [(_rename_llm, "llm.file"), (_rename_variant("encoder"), "encoder.variants.fp32"),
                                         (_rename_variant("adapter"), "adapter.variants.fp32"),
                                         (_rename_listed, "files has a key that")])
def test_file_names_that_leave_the_bundle_are_refused_at_parse_time(edit, field, name):
    data = _valid()
    edit(data, name)
    with pytest.raises(BundleError) as err:
        Manifest.from_dict(_sealed(data))
    assert f"manifest field {field} is {name!r}: not a plain file name" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", ["llm.gguf", "encoder.int8.onnx", "..hidden", "a..b", "x y.onnx"])
def test_plain_file_names_pass(name):
    assert check_file_name(name, "test") == name


def test_lone_surrogate_is_a_bundle_error():
    data = json.loads('{"created": "\\ud800"}')  # valid JSON; the string has no UTF-8 form
    with pytest.raises(BundleError, match="no canonical JSON form"):
        Manifest.from_dict({**_valid(), **data})


def test_deep_nesting_is_a_bundle_error_not_a_recursion_error():
    deep: list = []
    for _ in range(100_000):  # built iteratively: far past the recursion limit
        deep = [deep]
    with pytest.raises(BundleError, match=f"deeper than {MAX_DEPTH} levels"):
        Manifest.from_dict({**_valid(), "provenance": {"x": deep}})


def test_huge_bad_value_gives_a_short_message():
    data = _valid()
    data["llm"]["file"] = "../" * 100_000
    with pytest.raises(BundleError) as err:
        Manifest.from_dict(_sealed(data))
    assert len(str(err.value)) < 400


# -- Hypothesis: whatever the input, the parser raises BundleError or returns a Manifest

_ODD_TEXT = st.sampled_from(["", "..", "../x", "/etc/passwd", "a\0b", "\ud800", "g.onnx", "fp32", "int8", "batch"])
_SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**80), max_value=2**80)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12) | _ODD_TEXT)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | _ODD_TEXT, inner, max_size=4),
    max_leaves=12,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _parse_or_refuse(data) -> Manifest | None:
    try:
        m = Manifest.from_dict(data)
    except BundleError:
        return None
    # what the edge relies on once parsing succeeded
    for name in (m.llm.file, *m.encoder.variants.values(), *m.adapter.variants.values(), *m.files):
        check_file_name(name, "parsed name")
    assert all(type(e.size) is int and e.size >= 0 for e in m.files.values())
    assert m.encoder.file() in m.encoder.variants.values() and m.adapter.file() in m.adapter.variants.values()
    assert math.isfinite(m.audio.window_seconds) and m.audio.window_seconds > 0
    return m


@FUZZ
@given(value=JSON_VALUES, seal=st.booleans())
def test_fuzz_any_json_value(value, seal):
    if seal and isinstance(value, dict):
        try:
            value = _sealed({**value, "schema_version": SCHEMA_VERSION})
        except UnicodeEncodeError:
            pass  # unsealable (lone surrogate): fed as is
    _parse_or_refuse(value)


def _slots(data, path=()):
    """Every (path) to a value inside data, containers included."""
    yield path
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        yield from _slots(v, (*path, k))


VALID_SLOTS = [p for p in _slots(_valid()) if p]


@FUZZ
@given(data=st.data())
def test_fuzz_mutated_valid_manifests(data):
    manifest = _valid()
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        path = data.draw(st.sampled_from(VALID_SLOTS), label="path")
        parent = manifest
        try:
            for k in path[:-1]:
                parent = parent[k]
            if data.draw(st.booleans(), label="delete"):
                del parent[path[-1]]
            else:
                parent[path[-1]] = data.draw(JSON_VALUES, label="value")
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this slot
    try:
        sealed = _sealed(manifest)
    except (UnicodeEncodeError, TypeError):
        # a lone surrogate, or an int key set on a dict that replaced a list, cannot be sealed;
        # the parser must still refuse it cleanly
        sealed = manifest
    _parse_or_refuse(sealed)


@FUZZ
@given(raw=st.binary(max_size=400) | JSON_VALUES.map(lambda v: json.dumps(v).encode()))
def test_fuzz_manifest_bytes(tmp_path, raw):
    (tmp_path / MANIFEST_NAME).write_bytes(raw)
    try:
        read_manifest(tmp_path)
    except BundleError:
        pass


def test_fuzz_control_the_valid_manifest_parses(tmp_path):
    """Must-pass control: the fuzz tests' seed parses, so their refusals are not vacuous."""
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(_sealed(_valid())))
    assert _parse_or_refuse(_sealed(_valid())) is not None
    assert read_manifest(tmp_path).llm.file == "llm.gguf"


# -- numbers the edge sizes memory by (issue 29) -------------------------------------------

def _with_features(data: dict, n_mels: int = 80, n_frames: int = 1000) -> dict:
    data["encoder"]["inputs"] = [{"name": "input_features", "shape": ["batch", n_mels, n_frames], "dtype": "float32"}]
    return data


@pytest.mark.parametrize("n_mels, message", [
    (200000, r"audio\.n_mels is 200000, expected at most 201"),  # once 6.16 GB before an ONNX error
    (10**400, r"audio\.n_mels is 1000.*\(401 chars\), expected at most 201"),  # once a ValueError traceback
    (128, r"audio\.n_mels is 128, expected 80, axis 1 of the encoder's input input_features"),
], ids=["200000", "10**400", "not-the-encoders"])
def test_mel_bands_are_bounded_and_must_match_the_encoders_input(n_mels, message):
    data = _with_features(_valid())
    data["audio"]["n_mels"] = n_mels
    with pytest.raises(BundleError, match=message) as info:
        Manifest.from_dict(_sealed(data))
    assert "\n" not in str(info.value)


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(["sample_rate", "n_fft", "hop_length", "n_mels", "n_frames"]),
       value=st.one_of(st.integers(1, 2**70), st.integers(10**20, 10**500)))
def test_fuzz_audio_numbers_are_in_range_or_a_bundle_error_naming_the_key(key, value):
    """Any positive value of a front-end number: the manifest loads with sizes a device can
    hold, or is refused naming that key (or one it now contradicts: hop_length > n_fft), never
    an exception from numpy or ONNX Runtime."""
    data = _with_features(_valid())
    data["audio"][key] = value
    try:
        m = Manifest.from_dict(_sealed(data))
    except BundleError as err:
        assert f"audio.{key}" in str(err) or f"expected at most {key}" in str(err)
        assert "\n" not in str(err)
        return
    a = m.audio
    assert a.n_mels <= 512 and a.n_fft <= a.sample_rate <= 384000 and a.hop_length <= a.n_fft and a.n_frames <= 3000 * 24
