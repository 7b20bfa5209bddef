"""GGUF conversion with llama.cpp's own converter (from the pinned sdist) and quantization.

The sdist download and the converter extraction are cached per MACHINE, not per test run:
these tests point `$LISTEN_TOOLS_DIR` at `~/.cache/listen-tools` unless it is already set
(the per-run `$LISTEN_HOME` would download 75 MB on every run). The first run on a machine
needs PyPI once (about 15-40 s).
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest

from export.errors import ConverterError, ExportError, QuantizationError
from export.gguf_convert import QUANT_FTYPES, convert_hf_to_gguf, parse_quantization, quantize_gguf
from export.llama_cpp_sdist import Converter, ensure_converter, sdist_name, tools_dir

MACHINE_TOOLS = Path("~/.cache/listen-tools").expanduser()


@pytest.fixture(scope="module")
def converter():
    os.environ.setdefault("LISTEN_TOOLS_DIR", str(MACHINE_TOOLS))
    return ensure_converter()


@pytest.fixture(scope="module")
def tiny_f32(converter, tiny_llama_dir, tmp_path_factory):
    return convert_hf_to_gguf(tiny_llama_dir, tmp_path_factory.mktemp("gguf") / "tiny.f32.gguf", "f32", converter=converter)


@functools.lru_cache(maxsize=8)
def _reader(path: Path):
    import gguf

    return gguf.GGUFReader(str(path))  # parsing 49152 vocabulary strings takes a second or two


def _tensors(path: Path) -> dict:
    return {t.name: t for t in _reader(path).tensors}


def _field(path: Path, key: str):
    return _reader(path).fields[key].contents()


def test_converter_comes_from_the_pinned_sdist(converter):
    assert converter.version == "0.3.36"
    assert converter.root == tools_dir() / "llama.cpp-0.3.36"
    assert converter.script.is_file() and (converter.gguf_py / "gguf" / "gguf_writer.py").is_file()
    assert (converter.root / "conversion").is_dir()
    assert ensure_converter() == converter  # cached: no second download or extraction


# Folders that are not the project's source: the virtual environment, caches, build output,
# runs (.gitignore names most of them). Walking files instead of asking `git ls-files`
# makes the check work in an unpacked source archive, which has no .git.
NOT_SOURCE = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache",
              ".ruff_cache", "build", "dist", "runs", ".gl", ".whl"}


def _source_files(root: Path) -> list[str]:
    """Paths (relative, with /) of every file under `root` outside NOT_SOURCE folders."""
    found = []
    for folder, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in NOT_SOURCE and not d.endswith(".egg-info")]
        rel = Path(folder).relative_to(root)
        found += [(rel / f).as_posix() for f in files]
    return found


def _converter_files(files: list[str]) -> list[str]:
    return [f for f in files if f.endswith("convert_hf_to_gguf.py") or "gguf-py/" in f or f.startswith("conversion/")]


def test_no_converter_code_is_copied_into_the_repository():
    repo = Path(__file__).resolve().parents[2]
    files = _source_files(repo)
    assert "export/gguf_convert.py" in files and len(files) > 10
    assert not _converter_files(files)


def test_the_copy_check_would_see_a_vendored_converter_and_skips_the_venv(tmp_path):
    for rel in ("export/gguf_convert.py", "third_party/llama/convert_hf_to_gguf.py", "vendor/gguf-py/gguf/x.py",
                "conversion/base.py", ".venv/lib/gguf-py/gguf/y.py", "a/__pycache__/convert_hf_to_gguf.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    assert sorted(_converter_files(_source_files(tmp_path))) == [
        "conversion/base.py", "third_party/llama/convert_hf_to_gguf.py", "vendor/gguf-py/gguf/x.py"]


def test_tiny_llama_converts_to_an_exact_f32_gguf(tiny_f32, tiny_llama_dir):
    from safetensors.numpy import load_file

    assert _field(tiny_f32, "general.architecture") == "llama"
    assert _field(tiny_f32, "llama.embedding_length") == 64
    assert _field(tiny_f32, "tokenizer.ggml.pre") == "smollm"  # the converter knew the real tokenizer
    assert "<|im_start|>" in _field(tiny_f32, "tokenizer.chat_template")
    tensors = _tensors(tiny_f32)
    assert {t.tensor_type.name for t in tensors.values()} == {"F32"}
    hf = load_file(str(tiny_llama_dir / "model.safetensors"))
    emb = np.asarray(tensors["token_embd.weight"].data)  # (V, D)
    np.testing.assert_array_equal(emb, hf["model.embed_tokens.weight"])
    # llama.cpp permutes q/k rows for its RoPE layout, but v is copied as is
    np.testing.assert_array_equal(np.asarray(tensors["blk.1.attn_v.weight"].data), hf["model.layers.1.self_attn.v_proj.weight"])


def test_f16_is_the_default_output(converter, tiny_llama_dir, tmp_path):
    out = convert_hf_to_gguf(tiny_llama_dir, tmp_path / "sub" / "tiny.gguf", converter=converter)
    assert out.is_file() and not list(out.parent.glob(".*partial"))
    types = {t.tensor_type.name for t in _tensors(out).values() if len(t.shape) >= 2}
    assert types == {"F16"}


def test_quantize_q8_0(tiny_f32, tmp_path):
    report = quantize_gguf(tiny_f32, tmp_path / "tiny.q8_0.gguf", "Q8_0")
    assert report.quantization == "q8_0" and report.source_type == "ALL_F32" and report.fallback == ()
    types = {t.tensor_type.name for t in _tensors(report.path).values() if len(t.shape) >= 2}
    assert types == {"Q8_0"}
    assert report.path.stat().st_size < 0.4 * tiny_f32.stat().st_size


def test_k_quant_of_a_width_64_model_states_its_fallback(tiny_f32, tmp_path):
    report = quantize_gguf(tiny_f32, tmp_path / "tiny.q4_k_m.gguf", "q4_k_m")
    assert "blk.0.attn_q.weight" in report.fallback
    assert any("not a multiple of 256" in n for n in report.notes)
    types = {t.tensor_type.name for t in _tensors(report.path).values() if len(t.shape) >= 2}
    assert not types & {"F32", "F16"}  # still quantized, in fallback types
    from edge.llm_session import LLMSession, SessionConfig

    with LLMSession(report.path, SessionConfig(n_ctx=64, n_threads=1)) as s:  # and loadable
        assert np.isfinite(s.prompt_logits(["hello"])).all()


@pytest.mark.parametrize("name, canon", [("Q4_K_M", "q4_k_m"), ("q8_0", "q8_0"), (" F16 ", "f16"), ("q5-k-s", "q5_k_s")])
def test_quantization_names(name, canon):
    assert parse_quantization(name) == canon and canon in QUANT_FTYPES


@pytest.mark.parametrize("name", ["q9_0", "int8", ""])
def test_unknown_quantization_is_a_clear_error(name, tiny_f32, tmp_path):
    with pytest.raises(QuantizationError, match="unknown quantization .* choose one of .*q4_k_m"):
        quantize_gguf(tiny_f32, tmp_path / "x.gguf", name)


def test_unwritable_output_is_a_clear_error(tiny_f32, converter, tiny_llama_dir, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot create the output folder"):
        quantize_gguf(tiny_f32, blocker / "out.gguf", "q8_0")
    with pytest.raises(ExportError, match="cannot create the output folder"):
        convert_hf_to_gguf(tiny_llama_dir, blocker / "out.gguf", converter=converter)


def test_missing_input_is_a_clear_error(tmp_path, converter):
    with pytest.raises(QuantizationError, match="does not exist"):
        quantize_gguf(tmp_path / "nope.gguf", tmp_path / "x.gguf", "q8_0")
    with pytest.raises(ConverterError, match="neither a Hugging Face model folder nor a hub id"):
        convert_hf_to_gguf(tmp_path / "nope", tmp_path / "x.gguf", converter=converter)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConverterError, match="no config.json"):
        convert_hf_to_gguf(tmp_path / "empty", tmp_path / "x.gguf", converter=converter)


def test_converter_failure_shows_its_last_stderr_line(converter, tiny_llama_dir, tmp_path):
    model = tmp_path / "odd"
    shutil.copytree(tiny_llama_dir, model)
    config = json.loads((model / "config.json").read_text())
    config["architectures"] = ["NoSuchModelForCausalLM"]
    (model / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConverterError, match=r"convert_hf_to_gguf.py failed on .*NoSuchModelForCausalLM") as err:
        convert_hf_to_gguf(model, tmp_path / "odd.gguf", converter=converter)
    assert "\n" not in str(err.value)
    assert not list(tmp_path.glob("*.gguf")) and not list(tmp_path.glob(".*partial"))


def test_missing_converter_script_is_a_clear_error(tiny_llama_dir, tmp_path):
    with pytest.raises(ConverterError, match="converter .* is missing; delete"):
        convert_hf_to_gguf(tiny_llama_dir, tmp_path / "x.gguf", converter=Converter(tmp_path / "gone", "0.3.36"))


def _fake_sdist(folder: Path, version: str) -> Path:
    """A small sdist with the vendored layout, plus files the extraction must leave out."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / sdist_name(version)
    root = f"llama_cpp_python-{version}/vendor/llama.cpp/"
    files = {
        "convert_hf_to_gguf.py": "print('converter')\n",
        "conversion/__init__.py": "",
        "gguf-py/gguf/__init__.py": "",
        "LICENSE": "MIT\n",
        "gguf-py/tests/test_x.py": "",  # left out: tests
        "src/llama.cpp": "",  # left out: C++ sources
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(root + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo(f"llama_cpp_python-{version}/llama_cpp/llama.py")
        tar.addfile(info, io.BytesIO(b""))
    return path


def test_extraction_keeps_only_the_converter_and_is_cached(tmp_path):
    _fake_sdist(tmp_path / "sdist", "9.9.9")
    conv = ensure_converter("9.9.9", tools=tmp_path)
    got = sorted(str(p.relative_to(conv.root)) for p in conv.root.rglob("*") if p.is_file())
    assert got == [".complete", "LICENSE", "conversion/__init__.py", "convert_hf_to_gguf.py", "gguf-py/gguf/__init__.py"]
    conv.script.write_text("# marker\n")
    assert ensure_converter("9.9.9", tools=tmp_path).script.read_text() == "# marker\n"  # not extracted again


def test_half_extracted_converter_is_replaced(tmp_path):
    _fake_sdist(tmp_path / "sdist", "9.9.8")
    (tmp_path / "llama.cpp-9.9.8").mkdir()
    (tmp_path / "llama.cpp-9.9.8" / "junk.py").write_text("")  # no .complete marker
    conv = ensure_converter("9.9.8", tools=tmp_path)
    assert conv.script.is_file() and not (conv.root / "junk.py").exists()


def test_failed_download_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip finds nothing, without touching the network
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    with pytest.raises(ConverterError, match=r"could not download llama-cpp-python==0.3.36 \(pip: .*\); .*copy llama_cpp_python-0.3.36.tar.gz into"):
        ensure_converter("0.3.36", tools=tmp_path / "tools")


def test_corrupt_sdist_is_a_clear_error(tmp_path):
    (tmp_path / "sdist").mkdir()
    (tmp_path / "sdist" / sdist_name("9.9.7")).write_bytes(b"not a tarball")
    with pytest.raises(ConverterError, match="is not a readable sdist .* delete it and retry") as err:
        ensure_converter("9.9.7", tools=tmp_path)
    assert "\n" not in str(err.value)


# ---- the real default LLM ---------------------------------------------------------------

BRIEF = "Answer the question in one short sentence."  # see tests/training/backbones/test_backbones.py
PROMPTS = ["What is the capital of France?", "What color is the sky on a clear day?", "How many legs does a dog have?"]


def _save_dequantized(model, tok, out: Path) -> None:
    """save_pretrained of a GGUF-loaded model: transformers refuses while its gguf quantizer is
    attached, although the weights are already fp32; a plain model with the same config and
    weights saves fine."""
    from transformers import AutoModelForCausalLM

    config = model.config.to_dict()
    config.pop("quantization_config", None)
    plain = AutoModelForCausalLM.from_config(type(model.config).from_dict(config))
    plain.load_state_dict(model.state_dict())
    plain.save_pretrained(out)
    tok.save_pretrained(out)


@pytest.mark.real_weights
def test_default_gguf_is_requantized_with_a_stated_reason(tmp_path):
    from core.paths import smollm2_gguf

    report = quantize_gguf(smollm2_gguf(), tmp_path / "smol.q8_0.gguf", "q8_0")
    assert report.source_type == "Q4_1" and any("re-quantizing a Q4_1 file" in n for n in report.notes)
    assert _field(report.path, "general.file_type") == 7  # LLAMA_FTYPE_MOSTLY_Q8_0


@pytest.mark.real_weights
def test_default_llm_round_trip_hf_to_q8_0_matches_transformers(converter, tmp_path):
    """SmolLM2 GGUF -> transformers fp32 -> HF folder -> llama.cpp converter -> q8_0 GGUF;
    greedy answers from llama.cpp equal transformers' on the dequantized weights."""
    import torch

    from edge.llm_session import LLMSession, Sampling, SessionConfig
    from training.backbones.load import load_llm

    model, tok = load_llm("default")
    hf_dir = tmp_path / "smollm2-hf"
    _save_dequantized(model, tok, hf_dir)
    f16 = convert_hf_to_gguf(hf_dir, tmp_path / "smol.f16.gguf", converter=converter)
    q8 = quantize_gguf(f16, tmp_path / "smol.q8_0.gguf", "q8_0").path
    assert _field(q8, "general.file_type") == 7 and _field(q8, "llama.embedding_length") == 576

    answers = []
    with LLMSession(q8, SessionConfig(n_ctx=512, n_threads=2)) as session:
        for question in PROMPTS:
            messages = [{"role": "system", "content": BRIEF}, {"role": "user", "content": question}]
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            ids = tok(text, add_special_tokens=False, return_tensors="pt").input_ids
            with torch.no_grad():
                out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=24, do_sample=False)
            ref = tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True).strip()
            got = session.generate([text], Sampling(max_new_tokens=24))
            answers.append((ref, got.text.strip()))
    assert all(ref == got for ref, got in answers), answers
    assert "Paris" in answers[0][0]
