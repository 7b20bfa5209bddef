"""The shared vectors: the C codec runs them, the files agree, PROTOCOL.md's examples are real."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from firmware_bridge.uart import cobs
from firmware_bridge.uart.frame import decode_frame

ROOT = Path(__file__).resolve().parents[3]
C_DIR = ROOT / "firmware_bridge" / "c"
VECTORS_TXT = ROOT / "tests" / "vectors" / "frames.txt"
CFLAGS = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-Wconversion", "-Wshadow"]


def test_txt_is_the_json_rendered(vectors, make_vectors):
    assert VECTORS_TXT.read_text() == make_vectors.render_txt(vectors), (
        "frames.txt is stale: run tests/vectors/make_vectors.py"
    )


def test_python_codec_still_produces_the_committed_vectors(vectors, make_vectors):
    """A codec change must be deliberate: regenerate the vectors, then fix the C codec too."""
    assert make_vectors.build() == vectors


def test_protocol_md_examples_match_the_vectors(vectors):
    text = (ROOT / "firmware_bridge" / "PROTOCOL.md").read_text()
    examples = re.findall(r"body ((?:[0-9a-f]{2} )+)\s*wire ((?:[0-9a-f]{2} ?)+)", text)
    assert len(examples) >= 2
    streams = [v["wire_hex"] for v in vectors["frames"] + vectors["streams"]]
    for body, wire in examples:
        wire_bytes = bytes.fromhex(wire.replace(" ", ""))
        assert cobs.decode(wire_bytes[1:-1]) == bytes.fromhex(body.replace(" ", ""))
        decode_frame(wire_bytes[1:-1])  # a valid frame
        assert any(wire_bytes.hex() in s for s in streams), wire


def _compile(tmp_path: Path) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc) on this machine: the C codec is not tested here")
    exe = tmp_path / "test_vectors"
    proc = subprocess.run(
        [cc, *CFLAGS, "-o", str(exe), str(C_DIR / "test_vectors.c"), str(C_DIR / "listen_frame.c")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return exe


def test_c_codec_passes_the_shared_vectors(tmp_path, vectors):
    exe = _compile(tmp_path)
    proc = subprocess.run([str(exe), str(VECTORS_TXT)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    n = sum(len(vectors[k]) for k in ("crc", "cobs", "cobs_errors", "frames", "frame_errors", "streams"))
    assert f"{n} vectors, 0 failures" in proc.stdout


def test_c_test_fails_on_a_wrong_vector(tmp_path):
    """The C test must be able to fail, or passing it proves nothing."""
    exe = _compile(tmp_path)
    lines = VECTORS_TXT.read_text().splitlines()
    bad = []
    for line in lines:
        if line.startswith("frame hello "):
            line = line[:-4] + ("00" if line[-4:-2] != "00" else "01") + line[-2:]  # corrupt the CRC
        if line.startswith("frame_error version_2 "):
            line = line.replace(" bad_version ", " crc ")
        bad.append(line)
    path = tmp_path / "bad.txt"
    path.write_text("\n".join(bad) + "\n")
    proc = subprocess.run([str(exe), str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "frame hello" in proc.stdout and "frame_error version_2" in proc.stdout
    assert "0 failures" not in proc.stdout
