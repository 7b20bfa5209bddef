"""Opening a bundle folder: the manifest is read safely, and no file the edge opens lies outside the folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.bundle import MAX_MANIFEST_BYTES, Bundle, open_bundle, read_manifest
from core.checksums import sha256_file
from core.errors import BundleError
from core.manifest import MANIFEST_NAME, MAX_DEPTH, SEAL_KEY, _canonical_sha256

FILES = {"enc.onnx": b"encoder", "ada.onnx": b"adapter", "llm.gguf": b"GGUF llm"}


def _manifest_dict(folder: Path) -> dict:
    """A sealed manifest over whatever enc.onnx, ada.onnx and llm.gguf are in folder."""
    tensor = {"name": "x", "shape": ["batch", 3], "dtype": "float32"}

    def graph(name: str) -> dict:
        return {"variants": {"fp32": name}, "default_variant": "fp32", "inputs": [tensor], "outputs": [tensor], "opset": 18}

    data = {
        "schema_version": 1, "created": "2026-12-01T00:00:00+00:00", "provenance": {"llm": "x"},
        "audio": {"sample_rate": 16000, "window_seconds": 2.0, "n_fft": 400, "hop_length": 160, "n_mels": 80,
                  "n_frames": 200, "frontend": "whisper-log-mel"},
        "encoder": graph("enc.onnx"), "adapter": graph("ada.onnx"),
        "adapter_info": {"recipe": "factorised", "labels": [{"label": "a", "name": "an a", "synonyms": []}]},
        "llm": {"file": "llm.gguf", "quantization": "F32", "n_embd": 64, "vocab_size": 100, "chat_template": ""},
        "prompt": {"before_audio": "<s>", "after_audio": "\n", "after_question": "</s>", "answer_end": "</s>",
                   "n_audio_tokens": 4},
        "files": {n: {"sha256": sha256_file(folder / n), "size": (folder / n).stat().st_size} for n in FILES},
    }
    return {**data, SEAL_KEY: _canonical_sha256(data)}


def _write(folder: Path, data: dict) -> None:
    data = {k: v for k, v in data.items() if k != SEAL_KEY}
    (folder / MANIFEST_NAME).write_text(json.dumps({**data, SEAL_KEY: _canonical_sha256(data)}))


@pytest.fixture
def bundle(tmp_path) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, content in FILES.items():
        (folder / name).write_bytes(content)
    _write(folder, _manifest_dict(folder))
    return folder


def test_control_a_good_bundle_opens(bundle):
    b = open_bundle(bundle)
    assert b.file("llm.gguf") == bundle.resolve() / "llm.gguf"


# -- path containment (audit: a resealed manifest naming ../good/llm.gguf was loaded)

def _point_llm_at(bundle: Path, name: str, target: Path) -> None:
    """Reseal the manifest so that llm.file names `name`, with target's true checksum (as an attacker would)."""
    data = _manifest_dict(bundle)
    data["llm"]["file"] = name
    data["files"][name] = {"sha256": sha256_file(target), "size": target.stat().st_size}
    _write(bundle, data)


def _escapes(bundle: Path) -> list[tuple[str, Path]]:
    good = bundle.parent / "good"
    good.mkdir(exist_ok=True)
    (good / "llm.gguf").write_bytes(b"another GGUF")
    ups = "../" * len(bundle.resolve().parts)  # enough to reach / from any tmp depth
    return [("../good/llm.gguf", good / "llm.gguf"), (str(good / "llm.gguf"), good / "llm.gguf"),
            (ups + "etc/passwd", Path("/etc/passwd"))]


@pytest.mark.parametrize("case", [0, 1, 2], ids=["relative", "absolute", "etc-passwd"])
@pytest.mark.parametrize("verify", [True, False], ids=["verify", "no-verify"])
def test_a_manifest_naming_a_file_outside_the_bundle_is_refused(bundle, case, verify):
    name, target = _escapes(bundle)[case]
    if not target.is_file():
        pytest.skip(f"{target} is not here")
    _point_llm_at(bundle, name, target)
    with pytest.raises(BundleError, match="manifest field llm.file is .*: not a plain file name"):
        open_bundle(bundle, verify=verify)  # `listen ask --no-verify` parses too: refused before any load


def test_a_symlink_out_of_the_bundle_is_refused(bundle):
    good = bundle.parent / "good"
    good.mkdir()
    (good / "llm.gguf").write_bytes(b"another GGUF")
    (bundle / "llm.gguf").unlink()
    (bundle / "llm.gguf").symlink_to(good / "llm.gguf")
    _point_llm_at(bundle, "llm.gguf", good / "llm.gguf")  # checksums match the linked file
    with pytest.raises(BundleError, match="resolves to .*good/llm.gguf, outside the bundle folder"):
        open_bundle(bundle)
    b = open_bundle(bundle, verify=False)
    with pytest.raises(BundleError, match="outside the bundle folder"):
        b.file("llm.gguf")  # the loader's own check, with or without verification


def test_a_symlink_inside_the_bundle_is_allowed(bundle):
    """Control: containment is about where a file resolves, not about links as such."""
    (bundle / "llm.gguf").rename(bundle / "real.gguf")
    (bundle / "llm.gguf").symlink_to("real.gguf")
    assert open_bundle(bundle).file("llm.gguf").resolve() == bundle.resolve() / "real.gguf"


@pytest.mark.parametrize("name", ["../good/llm.gguf", "/etc/passwd", "", "..", ".", "a\0b", "sub/x"])
def test_bundle_file_refuses_names_that_skipped_the_parser(bundle, name):
    """Defence in depth: a Manifest built in code never went through from_dict."""
    b = open_bundle(bundle)
    with pytest.raises(BundleError, match="not a plain file name"):
        Bundle(b.path, b.manifest).file(name)


# -- reading manifest.json: regular files only, bounded, and a clean error for any content

def _read_in_child(folder: Path) -> subprocess.CompletedProcess:
    """read_manifest in a child under 1 GiB of address space, so a regression fails instead of hanging or swapping."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
            "from core.bundle import read_manifest; from core.errors import BundleError\n"
            "try: read_manifest(sys.argv[1])\nexcept BundleError as e: print('BundleError:', e); sys.exit(3)")
    return subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])


def test_a_fifo_manifest_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / MANIFEST_NAME)
    outcome: list = []

    def read() -> None:
        try:
            read_manifest(tmp_path)
        except BaseException as err:  # noqa: BLE001 - the test inspects whatever it was
            outcome.append(err)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # release the blocked reader: a writer that opens and closes at once gives it EOF
        os.close(os.open(tmp_path / MANIFEST_NAME, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=10)
        pytest.fail("read_manifest waited on a FIFO named manifest.json")
    assert len(outcome) == 1 and isinstance(outcome[0], BundleError)
    assert "is not a regular file" in str(outcome[0])


def test_a_manifest_linked_to_dev_zero_is_refused(tmp_path):
    (tmp_path / MANIFEST_NAME).symlink_to("/dev/zero")
    done = _read_in_child(tmp_path)
    assert done.returncode == 3, done.stderr[-500:]
    assert "is not a regular file" in done.stdout and "Traceback" not in done.stderr


def test_a_folder_named_manifest_is_refused(tmp_path):
    (tmp_path / MANIFEST_NAME).mkdir()
    with pytest.raises(BundleError, match="is not a regular file"):
        read_manifest(tmp_path)


def test_a_manifest_over_the_limit_is_refused(tmp_path):
    with open(tmp_path / MANIFEST_NAME, "wb") as f:
        f.truncate(MAX_MANIFEST_BYTES + 1)  # sparse: no real disk or memory used
    with pytest.raises(BundleError, match=f"larger than {MAX_MANIFEST_BYTES} bytes"):
        read_manifest(tmp_path)


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 100_000, '{"a":' * (MAX_DEPTH + 8) + "1" + "}" * (MAX_DEPTH + 8)],
                         ids=["list-100k-deep", "object-100k-deep", "object-past-MAX_DEPTH"])
def test_deeply_nested_json_is_a_bundle_error(tmp_path, text):
    (tmp_path / MANIFEST_NAME).write_text(text)
    with pytest.raises(BundleError, match="nest"):
        read_manifest(tmp_path)


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b'{"a": 1', b"", b"NaN", json.dumps({"files": "x"}).encode()])
def test_broken_manifest_bytes_are_a_bundle_error(tmp_path, raw):
    (tmp_path / MANIFEST_NAME).write_bytes(raw)
    with pytest.raises(BundleError):
        read_manifest(tmp_path)


def test_a_file_instead_of_a_folder_says_so(tmp_path):
    (tmp_path / "b").write_text("")
    with pytest.raises(BundleError, match="is not a folder"):
        read_manifest(tmp_path / "b")
