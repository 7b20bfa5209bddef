"""The CTranslate2 -> transformers Whisper conversion, on the real tiny.en weights."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess

import pytest

from core.paths import whisper_tiny_en_ct2_dir
from training.backbones.ct2_format import read_ct2_model
from training.errors import CT2FormatError

SPOKEN = "please turn off the kitchen light and close the front door"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def test_reader_parses_real_model():
    m = read_ct2_model(whisper_tiny_en_ct2_dir() / "model.bin")
    assert m.spec_name == "WhisperSpec"
    assert m.get("encoder/conv1/weight").shape == (384, 80, 3)
    # the output projection is stored as an alias of the token embeddings
    assert m.get("decoder/projection/weight") is m.get("decoder/embeddings/weight")


def test_reader_rejects_truncated_file(tmp_path):
    src = (whisper_tiny_en_ct2_dir() / "model.bin").read_bytes()
    bad = tmp_path / "model.bin"
    bad.write_bytes(src[: len(src) // 3])
    with pytest.raises(CT2FormatError, match="truncated"):
        read_ct2_model(bad)


def test_reader_rejects_unknown_version(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(struct.pack("<I", 99) + b"\0" * 16)
    with pytest.raises(CT2FormatError, match="version 99"):
        read_ct2_model(bad)


@pytest.mark.real_weights
@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")), reason="espeak-ng or sox is not installed")
def test_converted_whisper_transcribes_espeak(default_whisper_dir, tmp_path):
    import soundfile as sf
    import torch
    from transformers import WhisperFeatureExtractor, WhisperForConditionalGeneration, WhisperTokenizerFast

    raw, wav = tmp_path / "utt22k.wav", tmp_path / "utt.wav"
    subprocess.run(["espeak-ng", "-s", "130", "-w", str(raw), SPOKEN], check=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", str(wav)], check=True)  # espeak writes 22.05 kHz
    audio16, sr = sf.read(wav, dtype="float32")
    assert sr == 16000

    model = WhisperForConditionalGeneration.from_pretrained(default_whisper_dir).eval()
    fe = WhisperFeatureExtractor.from_pretrained(default_whisper_dir)
    tok = WhisperTokenizerFast.from_pretrained(default_whisper_dir)
    feats = fe(audio16, sampling_rate=16000, return_tensors="pt").input_features
    with torch.no_grad():
        ids = model.generate(feats, max_new_tokens=40, do_sample=False, num_beams=1)
    text = tok.batch_decode(ids, skip_special_tokens=True)[0]
    spoken, heard = _words(SPOKEN), set(_words(text))
    overlap = sum(w in heard for w in spoken) / len(spoken)
    assert overlap >= 0.7, f"word overlap {overlap:.2f} for transcript {text!r}"


def test_conversion_cache_is_verified_and_repaired(default_whisper_dir):
    from training.backbones.model_cache import prepare_default_whisper

    again = prepare_default_whisper()
    assert again.path == default_whisper_dir and not again.converted_now
    # corrupt one converted file: the checksum record must catch it and reconvert
    cfg = default_whisper_dir / "config.json"
    cfg.write_text(cfg.read_text().replace('"d_model": 384', '"d_model": 385'))
    repaired = prepare_default_whisper()
    assert repaired.converted_now
    assert '"d_model": 384' in (repaired.path / "config.json").read_text()
