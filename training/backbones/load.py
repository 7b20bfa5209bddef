"""Load the frozen backbones from whatever the user names.

A spec is one of:
- `"default"`: the offline default (Whisper tiny.en converted from the installed
  CTranslate2 weights; SmolLM2-135M-Instruct from its GGUF);
- a path to a `.gguf` file (LLM; transformers dequantizes it to fp32);
- a local folder: a Hugging Face model folder, or a CTranslate2 Whisper folder (model.bin);
- a hub id such as `openai/whisper-small` or `Qwen/Qwen2.5-1.5B-Instruct` (needs a network
  or a warm Hugging Face cache).
"""

from __future__ import annotations

from pathlib import Path

from core.paths import smollm2_gguf
from training.errors import BackboneError

DEFAULT = "default"


def resolve_llm_spec(spec: str) -> str:
    """A concrete path or hub id for an LLM spec (`default` -> the SmolLM2 GGUF)."""
    return str(smollm2_gguf()) if spec == DEFAULT else spec


def resolve_whisper_spec(spec: str) -> str:
    """A concrete HF folder or hub id for a Whisper spec; CTranslate2 folders are converted once."""
    from training.backbones.model_cache import ensure_converted_whisper, prepare_default_whisper

    if spec == DEFAULT:
        return str(prepare_default_whisper().path)
    path = Path(spec).expanduser()
    if (path / "model.bin").is_file():  # CTranslate2 layout; HF folders hold safetensors
        return str(ensure_converted_whisper(path).path)
    return spec


def load_llm(spec: str = DEFAULT, dtype=None):
    """(model, tokenizer) for a causal LLM, frozen in eval mode.

    A `.gguf` path is loaded by transformers (needs the `gguf` package), dequantized to
    fp32, so training sees exactly the weights that llama.cpp runs on the edge.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = resolve_llm_spec(spec)
    kwargs = {} if dtype is None else {"dtype": dtype}
    try:
        if target.endswith(".gguf"):
            p = Path(target).expanduser()
            if not p.is_file():
                raise BackboneError(f"GGUF file {p} does not exist; pass an existing .gguf path or `default`")
            tok = AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name)
            model = AutoModelForCausalLM.from_pretrained(str(p.parent), gguf_file=p.name, **kwargs)
        else:
            tok = AutoTokenizer.from_pretrained(target)
            model = AutoModelForCausalLM.from_pretrained(target, **kwargs)
    except BackboneError:
        raise
    except (OSError, ValueError) as err:
        raise BackboneError(_load_hint("LLM", target, err)) from err
    return _freeze(model), tok


def load_whisper(spec: str = DEFAULT):
    """(WhisperForConditionalGeneration, WhisperFeatureExtractor), frozen in eval mode."""
    from transformers import WhisperFeatureExtractor, WhisperForConditionalGeneration

    target = resolve_whisper_spec(spec)
    try:
        model = WhisperForConditionalGeneration.from_pretrained(target)
        fe = WhisperFeatureExtractor.from_pretrained(target)
    except (OSError, ValueError) as err:
        raise BackboneError(_load_hint("Whisper model", target, err)) from err
    return _freeze(model), fe


def _freeze(model):
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def _load_hint(what: str, target: str, err: Exception) -> str:
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if Path(target).expanduser().exists():
        return f"cannot load {what} from {target}: {first}"
    return (
        f"cannot load {what} {target!r}: {first}. It is neither a local path nor a cached hub model; "
        f"without a network use `default`, a local folder or a .gguf file"
    )
