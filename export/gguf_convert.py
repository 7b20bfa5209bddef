"""LLM -> GGUF: llama.cpp's own converter, then `llama_cpp.llama_model_quantize`.

    Hugging Face folder --convert_hf_to_gguf.py (subprocess)--> f16/f32 GGUF
    GGUF --llama_model_quantize--> q8_0, q4_k_m, ...

The converter runs in a subprocess of this Python (it needs torch and transformers, which
export has), with PYTHONPATH on its own gguf-py (`export.llama_cpp_sdist`). Both steps
write a temporary file beside the output and rename it at the end, so a failed step never
leaves a file that looks complete.
"""

from __future__ import annotations

import collections
import ctypes
import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from export.errors import ConverterError, ExportError, QuantizationError
from export.llama_cpp_sdist import Converter, _last_line, ensure_converter

log = logging.getLogger(__name__)

# Quantization names (as llama.cpp's `quantize` tool spells them, lower-case) -> llama_ftype.
QUANT_FTYPES = {
    "f32": "LLAMA_FTYPE_ALL_F32",
    "f16": "LLAMA_FTYPE_MOSTLY_F16",
    "bf16": "LLAMA_FTYPE_MOSTLY_BF16",
    "q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
    "q6_k": "LLAMA_FTYPE_MOSTLY_Q6_K",
    "q5_k_m": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "q5_k_s": "LLAMA_FTYPE_MOSTLY_Q5_K_S",
    "q5_1": "LLAMA_FTYPE_MOSTLY_Q5_1",
    "q5_0": "LLAMA_FTYPE_MOSTLY_Q5_0",
    "q4_k_m": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "q4_k_s": "LLAMA_FTYPE_MOSTLY_Q4_K_S",
    "q4_1": "LLAMA_FTYPE_MOSTLY_Q4_1",
    "q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0",
    "q3_k_l": "LLAMA_FTYPE_MOSTLY_Q3_K_L",
    "q3_k_m": "LLAMA_FTYPE_MOSTLY_Q3_K_M",
    "q3_k_s": "LLAMA_FTYPE_MOSTLY_Q3_K_S",
    "q2_k": "LLAMA_FTYPE_MOSTLY_Q2_K",
}
CONVERTER_OUTTYPES = ("f32", "f16", "bf16")  # what the converter writes before quantization
K_QUANT_BLOCK = 256  # k-quants pack rows in super-blocks of 256 values
FLOAT_TYPES = {"F32", "F16", "BF16"}


@dataclass(frozen=True)
class QuantizeReport:
    path: Path  # the written GGUF
    quantization: str  # the requested type, e.g. "q4_k_m"
    source_type: str  # the input's file type, e.g. "F16", "Q4_1"
    fallback: tuple[str, ...]  # weight matrices llama.cpp stored in a fallback type
    notes: tuple[str, ...]  # why: stated reasons for fallbacks and re-quantization


def parse_quantization(name: str) -> str:
    """The canonical name of a quantization type (`Q4_K_M` -> `q4_k_m`); unknown ones raise."""
    key = name.strip().lower().replace("-", "_")
    if key not in QUANT_FTYPES:
        raise QuantizationError(f"unknown quantization {name!r}; choose one of {', '.join(QUANT_FTYPES)}")
    return key


def _ready_output(out: Path) -> Path:
    """Create the output's folder; -> a temporary path beside `out`, renamed at the end."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot create the output folder {out.parent}: {err}") from err
    if not os.access(out.parent, os.W_OK):
        raise ExportError(f"output folder {out.parent} is not writable; choose another --out")
    return out.with_name(f".{out.name}.partial")


def resolve_hf_model(model: str | Path) -> Path:
    """A local Hugging Face folder, or a hub id resolved through the hub cache (downloads when online)."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ConverterError(f"{path} has no config.json; pass a Hugging Face model folder (save_pretrained) or a .gguf file")
        return path
    if path.exists() or str(model).count("/") != 1:
        raise ConverterError(f"LLM {model} is neither a Hugging Face model folder nor a hub id (org/name)")
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(model), allow_patterns=["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja"]))
    except Exception as err:  # offline, unknown repo, gated repo: all one message
        raise ConverterError(f"cannot fetch {model} from the hub ({type(err).__name__}); download it to a folder and pass that") from err


def convert_hf_to_gguf(
    model: str | Path, out: Path, outtype: str = "f16", *, converter: Converter | None = None
) -> Path:
    """Convert a Hugging Face LLM to a GGUF file of `outtype` (f16, f32 or bf16) with llama.cpp's converter."""
    if outtype not in CONVERTER_OUTTYPES:
        raise ConverterError(f"converter output type {outtype!r} is not one of {', '.join(CONVERTER_OUTTYPES)}; quantize afterwards")
    src = resolve_hf_model(model)
    out = Path(out)
    tmp = _ready_output(out)
    conv = converter or ensure_converter()
    if not conv.script.is_file():
        raise ConverterError(f"llama.cpp converter {conv.script} is missing; delete {conv.root} to fetch it again")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(conv.gguf_py), env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, str(conv.script), str(src), "--outfile", str(tmp), "--outtype", outtype]
    log.info("converting %s to GGUF %s with llama.cpp's convert_hf_to_gguf.py (%s)", src, outtype, conv.version)
    tail: collections.deque[str] = collections.deque(maxlen=50)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=conv.root)
    except OSError as err:
        raise ConverterError(f"cannot run llama.cpp's converter {conv.script}: {err}") from err
    assert proc.stdout is not None
    for line in proc.stdout:  # its INFO log and tqdm bars; kept for the error message
        tail.append(line.rstrip("\n"))
        log.debug("convert_hf_to_gguf: %s", line.rstrip())
    if proc.wait() != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        reason = _last_line("\n".join(tail)) or f"exit {proc.returncode}"
        raise ConverterError(f"llama.cpp's convert_hf_to_gguf.py failed on {src}: {reason}")
    os.replace(tmp, out)
    return out


@contextmanager
def _native_errors():
    """Collect llama.cpp's WARNING/ERROR log lines while a native call runs."""
    from edge.llama_native import log as native_log, route_native_logs

    route_native_logs()
    lines: list[tuple[int, str]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append((record.levelno, record.getMessage()))

    handler = Collect(logging.WARNING)
    native_log.addHandler(handler)
    try:
        yield lines
    finally:
        native_log.removeHandler(handler)


def _inspect(src: Path, quantization: str) -> tuple[str, tuple[str, ...], list[str]]:
    """-> (source file type, matrices that k-quants cannot take, notes) from the GGUF header."""
    import gguf

    try:
        reader = gguf.GGUFReader(str(src))
    except (OSError, ValueError) as err:
        raise QuantizationError(f"{src} is not a readable GGUF file ({err})") from err
    ftype = reader.fields.get("general.file_type")
    try:
        source = gguf.LlamaFileType(int(ftype.contents())).name.removeprefix("MOSTLY_") if ftype else "unknown"
    except ValueError:  # a file type newer than the installed gguf package
        source = f"file type {int(ftype.contents())}"
    types = {t.tensor_type.name for t in reader.tensors if len(t.shape) >= 2}  # weight matrices
    notes = []
    if not types <= FLOAT_TYPES:
        notes.append(f"re-quantizing a {source} file: its rounding error stays in the {quantization} result")
    fallback: tuple[str, ...] = ()
    if "_k" in quantization:
        fallback = tuple(t.name for t in reader.tensors if len(t.shape) >= 2 and int(t.shape[0]) % K_QUANT_BLOCK)
        if fallback:
            widths = sorted({int(t.shape[0]) for t in reader.tensors if t.name in fallback})
            notes.append(
                f"{len(fallback)} weight matrices have rows of {'/'.join(map(str, widths))} values, not a multiple of "
                f"{K_QUANT_BLOCK} that {quantization} needs; llama.cpp stores them in a fallback type (q5_0/q8_0 family)"
            )
    return source, fallback, notes


def quantize_gguf(src: Path, dst: Path, quantization: str, *, nthread: int = 0) -> QuantizeReport:
    """Write `dst`, a `quantization` version of the GGUF file `src` (nthread 0: all cores)."""
    quantization = parse_quantization(quantization)
    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise QuantizationError(f"GGUF file {src} does not exist")
    source, fallback, notes = _inspect(src, quantization)
    try:
        import llama_cpp
    except ImportError as err:
        raise QuantizationError("quantization needs llama-cpp-python: pip install 'listen-edge[export]'") from err
    tmp = _ready_output(dst)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, QUANT_FTYPES[quantization])
    params.nthread = nthread
    params.allow_requantize = True  # an already-quantized default GGUF may be re-quantized (see notes)
    with _native_errors() as native:
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), ctypes.byref(params))
    if rc != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        errors = [m for lvl, m in native if lvl >= logging.ERROR]
        reason = errors[-1] if errors else f"llama_model_quantize returned {rc}"
        raise QuantizationError(f"llama.cpp could not quantize {src} to {quantization}: {reason}")
    os.replace(tmp, dst)
    for note in notes:
        log.warning("%s: %s", dst.name, note)
    return QuantizeReport(dst, quantization, source, fallback, tuple(notes))
