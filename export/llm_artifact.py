"""The LLM side of a bundle: a GGUF file plus the facts the manifest states about it.

An LLM that is already GGUF (the default SmolLM2) is copied, or re-quantized when asked;
a Hugging Face model goes through llama.cpp's own converter (`export.gguf_convert`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from export.errors import ExportError


@dataclass(frozen=True)
class GGUFInfo:
    architecture: str
    n_embd: int
    vocab_size: int
    quantization: str  # e.g. Q4_1, Q8_0, F16
    chat_template: str


def read_gguf_info(path: Path) -> GGUFInfo:
    """Architecture, width, vocabulary, file type and chat template from GGUF metadata."""
    import gguf

    try:
        fields = gguf.GGUFReader(str(path)).fields
        arch = fields["general.architecture"].contents()
        n_embd = int(fields[f"{arch}.embedding_length"].contents())
        vocab = len(fields["tokenizer.ggml.tokens"].data)
        ftype = fields.get("general.file_type")
        quant = gguf.LlamaFileType(ftype.contents()).name.removeprefix("MOSTLY_") if ftype else "unknown"
        template = fields["tokenizer.chat_template"].contents() if "tokenizer.chat_template" in fields else ""
    except (OSError, ValueError, KeyError) as err:
        raise ExportError(f"{path} is not a readable GGUF LLM ({err}); pass a llama.cpp GGUF file") from err
    return GGUFInfo(arch, n_embd, vocab, quant, template)


def prepare_llm_gguf(spec_path: str, dst: Path, quantization: str | None, workdir: Path,
                     outtype: str = "f16") -> GGUFInfo:
    """Write the bundle's `llm.gguf` from a GGUF path or a Hugging Face model, quantized as asked."""
    from export import gguf_convert

    src = Path(spec_path).expanduser()
    if src.suffix == ".gguf":
        if not src.is_file():
            raise ExportError(f"LLM file {src} does not exist")
        if quantization:
            gguf_convert.quantize_gguf(src, dst, quantization)
        else:
            shutil.copyfile(src, dst)
    else:
        converted = workdir / f"llm.{outtype}.gguf"
        gguf_convert.convert_hf_to_gguf(spec_path, converted, outtype)
        if quantization:
            gguf_convert.quantize_gguf(converted, dst, quantization)
            converted.unlink()
        else:
            shutil.move(converted, dst)
    return read_gguf_info(dst)
