"""Text generators for the synthesis: transformers (batched, GPU or CPU) and llama.cpp (GGUF, CPU).

Both take chat messages and return the assistant's reply. Greedy decoding is the default
(temperature 0), which makes a run reproducible; with a temperature, each row's seed
drives its sampling. Heavy imports happen when a backend is built, never at import time.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.errors import ListenError
from training.errors import SynthError

log = logging.getLogger(__name__)
BACKENDS = ("transformers", "llamacpp")


@dataclass(frozen=True)
class GenerationConfig:
    max_new_tokens: int = 64  # answers are one or two sentences
    temperature: float = 0.0  # 0 = greedy (reproducible)
    top_p: float = 0.95  # nucleus sampling when temperature > 0
    batch_size: int = 8  # transformers: prompts per generate() call


class Generator(Protocol):
    model_id: str  # recorded in every row

    def generate(self, batch: list[list[dict]], seeds: list[int]) -> list[str]: ...

    def close(self) -> None: ...


def make_backend(name: str, model: str, gen: GenerationConfig, device: str | None = None,
                 threads: int | None = None) -> Generator:
    if name == "transformers":
        return TransformersBackend(model, gen, device)
    if name == "llamacpp":
        return LlamaCppBackend(model, gen, threads)
    raise SynthError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")


def model_label(spec: str) -> str:
    """How a model is named in rows: the file name of a path, else the hub id."""
    p = Path(spec)
    return p.name if p.exists() else spec


class TransformersBackend:
    """Batched `generate` with left padding; the model is frozen and in eval mode."""

    def __init__(self, model: str, gen: GenerationConfig, device: str | None = None):
        import torch

        from training.backbones.load import load_llm, resolve_llm_spec

        self.gen = gen
        self.model_id = model_label(resolve_llm_spec(model))
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.model, self.tok = load_llm(model)
        except (ListenError, OSError, ValueError) as err:
            raise SynthError(f"cannot load LLM {model!r} for synthesis: {err}") from err
        self.model.to(self.device)
        self.tok.padding_side = "left"
        if self.tok.pad_token is None:
            self.tok.pad_token = self.tok.eos_token
        self._torch = torch

    def generate(self, batch: list[list[dict]], seeds: list[int]) -> list[str]:
        torch = self._torch
        out: list[str] = []
        for start in range(0, len(batch), self.gen.batch_size):
            chunk = batch[start : start + self.gen.batch_size]
            texts = [self.tok.apply_chat_template(m, add_generation_prompt=True, tokenize=False) for m in chunk]
            enc = self.tok(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
            kwargs = {"max_new_tokens": self.gen.max_new_tokens, "pad_token_id": self.tok.pad_token_id}
            if self.gen.temperature > 0:
                torch.manual_seed(seeds[start])  # one seed per batch: batches are fixed by the plan
                kwargs.update(do_sample=True, temperature=self.gen.temperature, top_p=self.gen.top_p)
            else:
                kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
            with torch.inference_mode():
                ids = self.model.generate(**enc, **kwargs)  # (B, prompt + new)
            new = ids[:, enc["input_ids"].shape[1] :]  # (B, new)
            out.extend(t.strip() for t in self.tok.batch_decode(new, skip_special_tokens=True))
        return out

    def close(self) -> None:
        self.model = None


class LlamaCppBackend:
    """llama-cpp-python's high-level `Llama` on a GGUF file (text only, so the chat API fits)."""

    def __init__(self, model: str, gen: GenerationConfig, threads: int | None = None):
        try:
            from llama_cpp import Llama
        except ImportError as err:
            raise SynthError("the llamacpp backend needs llama-cpp-python: pip install 'listen-edge[edge]'") from err
        from training.backbones.load import resolve_llm_spec

        path = Path(resolve_llm_spec(model)).expanduser()
        if path.suffix != ".gguf" or not path.is_file():
            raise SynthError(f"the llamacpp backend needs a .gguf file; {path} is not one (use --backend transformers for hub ids)")
        self.gen = gen
        self.model_id = path.name
        try:
            self.llm = Llama(model_path=str(path), n_ctx=1024, n_threads=threads or os.cpu_count(),
                             verbose=False, seed=0)
        except (ValueError, RuntimeError) as err:
            raise SynthError(f"llama.cpp cannot load {path}: {err}") from err

    def generate(self, batch: list[list[dict]], seeds: list[int]) -> list[str]:
        out = []
        for messages, seed in zip(batch, seeds):
            res = self.llm.create_chat_completion(
                messages=messages, max_tokens=self.gen.max_new_tokens, temperature=self.gen.temperature,
                top_p=self.gen.top_p, seed=seed,
            )
            out.append((res["choices"][0]["message"]["content"] or "").strip())
        return out

    def close(self) -> None:
        if getattr(self, "llm", None) is not None:
            self.llm.close()
            self.llm = None

