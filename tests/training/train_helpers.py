"""A tiny labelled dataset (numpy tones) and tiny training configs, shared by training tests."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from core.audio import SAMPLE_RATE
from training.model.adapter_config import AdapterConfig, EncoderConfig
from training.train.config import TrainConfig

LABELS = [
    {"label": "siren", "name": "a siren", "synonyms": ["siren", "sirens"]},
    {"label": "doorbell", "name": "a doorbell", "synonyms": ["doorbell", "door bell"]},
    {"label": "dog_barking", "name": "a dog barking", "synonyms": ["dog", "barking"]},
]
TONE_HZ = {"siren": 700.0, "doorbell": 1900.0, "dog_barking": 300.0}
CLIP_SECONDS = 1.0


def clip(labels: tuple[str, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(CLIP_SECONDS * SAMPLE_RATE)) / SAMPLE_RATE
    x = 0.01 * rng.standard_normal(t.shape)
    for label in labels:
        x += 0.3 * np.sin(2 * np.pi * TONE_HZ[label] * t + rng.uniform(0, 6.28))
    return x.astype(np.float32)


def write_dataset(root: Path, n_clips: int = 6, seed: int = 0) -> dict[str, Path]:
    """Clips with 1-2 labels; yes/no rows (both polarities) and one open row per clip;
    a 3-sampling benchmark on two held-out clips."""
    from training.corpus.clip_files import write_wav

    root.mkdir(parents=True, exist_ok=True)
    (root / "labels.json").write_text(json.dumps(LABELS))
    names = [e["label"] for e in LABELS]
    combos = [("siren",), ("doorbell",), ("dog_barking",), ("siren", "doorbell"), ("dog_barking", "siren"), ("doorbell",)]
    train_rows, bench_rows = [], []
    for i in range(n_clips + 2):
        present = combos[i % len(combos)]
        path = root / "clips" / f"c{i}.wav"
        write_wav(path, clip(present, seed + i))
        if i >= n_clips:  # held out
            for j, sampling in enumerate(("random", "popular", "adversarial")):
                obj = names[(i + j) % 3]
                bench_rows.append({"audio": str(path), "prompt_text": f"Is there a sound of {obj.replace('_', ' ')} in the audio?",
                                   "object": obj, "label": "yes" if obj in present else "no", "sampling": sampling})
            continue
        for obj in names:
            word = obj.replace("_", " ")
            yes = obj in present
            train_rows.append({"id": f"r{i}{obj}", "audio": f"clips/c{i}.wav", "question": f"Is there {word} in the audio?",
                               "answer": f"Yes, there is {word}." if yes else f"No, there is no {word}.",
                               "labels": list(present)})
        train_rows.append({"id": f"r{i}open", "audio": f"clips/c{i}.wav", "question": "What do you hear?",
                           "answer": "I hear " + " and ".join(p.replace("_", " ") for p in present) + ".",
                           "labels": list(present)})
    (root / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in train_rows))
    (root / "bench.jsonl").write_text("".join(json.dumps(r) + "\n" for r in bench_rows))
    return {"rows": root / "rows.jsonl", "bench": root / "bench.jsonl", "labels": root / "labels.json"}


def tiny_config(data: dict[str, Path], whisper: Path, llama: Path, out: Path, **overrides) -> TrainConfig:
    cfg = TrainConfig(
        train_data=str(data["rows"]), val_data=str(data["bench"]), labels=str(data["labels"]),
        out_dir=str(out), cache_dir=str(out.parent / "cache"), llm=str(llama),
        encoder=EncoderConfig(whisper=str(whisper), window_seconds=CLIP_SECONDS),
        adapter=AdapterConfig(recipe="factorised", num_queries=4, num_layers=1, num_heads=4, decision_tokens=2),
        max_steps=4, batch_size=4, micro_batch=2, warmup_steps=1, lr=3e-3, head_lr=1e-2,
        mixed_precision="no", log_every=1, eval_every=0, save_every=0, eval_rows=0, eval_max_new_tokens=3,
        presence_clips=2,
    )
    return replace(cfg, **overrides)


def sharpen_tiny_models(whisper_dir: Path, llama_dir: Path, out: Path) -> tuple[Path, Path]:
    """Copies of the tiny random fixtures with the signal scale of trained models.

    At their random init (std 0.02) the tiny Whisper's states are dominated by positional
    embeddings (clips differ by ~1 %), and the tiny Llama's logits stay within about +-1 of
    uniform (loss ~ ln 49152 whatever the input). Scaling the convolutions and the (untied)
    LM head gives both the dynamic range a learning test needs.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, WhisperFeatureExtractor, WhisperForConditionalGeneration

    w = WhisperForConditionalGeneration.from_pretrained(whisper_dir)
    with torch.no_grad():
        w.model.encoder.conv1.weight.mul_(10.0)
        w.model.encoder.conv2.weight.mul_(10.0)
    w.save_pretrained(out / "whisper")
    WhisperFeatureExtractor.from_pretrained(whisper_dir).save_pretrained(out / "whisper")
    # untied, so the LM head can be sharpened without changing the input embeddings
    llm = AutoModelForCausalLM.from_pretrained(llama_dir, tie_word_embeddings=False)
    with torch.no_grad():
        llm.lm_head.weight.copy_(llm.get_input_embeddings().weight * 30.0)
    llm.save_pretrained(out / "llama")
    AutoTokenizer.from_pretrained(llama_dir).save_pretrained(out / "llama")
    return out / "whisper", out / "llama"
