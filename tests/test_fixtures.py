"""The tiny fixtures build from configs with no network at all."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


@pytest.mark.torch  # builds the tiny models in a subprocess, out of conftest's sight
def test_fixtures_build_with_network_blocked(tmp_path):
    code = textwrap.dedent(
        f"""
        import socket
        def refuse(*a, **k):
            raise OSError("network blocked by test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        from pathlib import Path
        from tests.tiny_models import build_tiny_llama, build_tiny_whisper
        w = build_tiny_whisper(Path({str(tmp_path / 'w')!r}))
        l = build_tiny_llama(Path({str(tmp_path / 'l')!r}))
        print("ok", sorted(p.name for p in l.iterdir()))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "PYTHONPATH": "."},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ok" in proc.stdout and "model.safetensors" in proc.stdout


def test_tiny_whisper_fixture_encodes(tiny_whisper_dir):
    import torch
    from transformers import WhisperModel

    enc = WhisperModel.from_pretrained(tiny_whisper_dir).encoder.eval()
    with torch.no_grad():
        out = enc(torch.zeros(1, 80, 3000), output_hidden_states=True)
    assert out.last_hidden_state.shape == (1, 1500, 64)
    assert len(out.hidden_states) == 3  # embeddings + 2 layers
