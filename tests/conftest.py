"""Shared fixtures. Nothing here may reach a model hub: offline mode is forced."""

from __future__ import annotations

import os
import tempfile

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# `listen serve` processes started by tests keep their watches here, not in the user's ~/.local/state.
os.environ.pop("STATE_DIRECTORY", None)
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="listen-test-state-")

import ast  # noqa: E402
import functools  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.tiny_models import build_tiny_llama, build_tiny_whisper  # noqa: E402

# `make test-unit` sets this: torch and its stack cannot be imported, so a test that needs them
# and is not marked `torch` fails loudly instead of silently making the fast run slow.
TORCH_FREE_RUN = os.environ.get("LISTEN_TESTS_TORCH_FREE") == "1"
HEAVY_ROOTS = {"torch", "transformers", "accelerate", "onnx", "onnxscript", "safetensors", "export"}
# Session fixtures that build or convert models with torch (item.fixturenames holds the
# fixtures a test uses transitively, so anything built on these counts too).
TORCH_FIXTURES = {"tiny_whisper_dir", "tiny_llama_dir", "default_whisper_dir", "tiny_checkpoint", "tiny_bundle",
                  "tiny_presence_checkpoint", "tiny_presence_bundle"}


class _RefuseHeavyImports:
    """A meta-path finder that refuses torch's stack during a torch-free run."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY_ROOTS - {"export"}:
            raise ModuleNotFoundError(f"{name} cannot be imported in `make test-unit` (LISTEN_TESTS_TORCH_FREE=1); "
                              "mark the test `@pytest.mark.torch`, or run `make test`")
        return None


if TORCH_FREE_RUN:
    sys.meta_path.insert(0, _RefuseHeavyImports())


@functools.lru_cache(maxsize=None)
def _heavy_imports(path: Path) -> tuple[bool, frozenset[str]]:
    """(the module imports torch's stack at module level, names of the test functions that do lazily)."""

    def heavy(node: ast.AST) -> bool:
        for n in ast.walk(node):
            names = [a.name for a in n.names] if isinstance(n, ast.Import) else \
                [n.module or ""] if isinstance(n, ast.ImportFrom) and not n.level else []
            if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "importorskip" and n.args:
                names = [getattr(n.args[0], "value", "")]  # pytest.importorskip("transformers")
            if any(str(m).split(".")[0] in HEAVY_ROOTS for m in names):
                return True
        return False

    tree = ast.parse(path.read_text(), filename=str(path))
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    functions += [m for c in tree.body if isinstance(c, ast.ClassDef) for m in c.body
                  if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    at_top = any(heavy(n) for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    return at_top, frozenset(f.name for f in functions if heavy(f))


def pytest_collection_modifyitems(config, items):
    """Mark `torch` every test that builds models with torch or imports torch's stack (lazily too):
    in its module, in its own function or a fixture of that module, or through a TORCH_FIXTURES
    fixture (used directly, or named by a parameter and fetched with request.getfixturevalue)."""
    for item in items:
        at_top, lazy = _heavy_imports(Path(item.path)) if str(item.path).endswith(".py") else (False, frozenset())
        uses = {getattr(item, "originalname", item.name), *item.fixturenames}
        callspec = getattr(item, "callspec", None)
        params = {v for v in callspec.params.values() if isinstance(v, str)} if callspec else set()
        if at_top or lazy & uses or TORCH_FIXTURES & (uses | params):
            item.add_marker(pytest.mark.torch)


@pytest.fixture(scope="session", autouse=True)
def listen_home(tmp_path_factory):
    """A per-run $LISTEN_HOME, so tests never read or write the user's cache."""
    home = tmp_path_factory.mktemp("listen_home")
    old = os.environ.get("LISTEN_HOME")
    os.environ["LISTEN_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("LISTEN_HOME", None)
    else:
        os.environ["LISTEN_HOME"] = old


@pytest.fixture(scope="session")
def tiny_whisper_dir(tmp_path_factory):
    """A saved random Whisper (d_model 64, 2+2 layers, 80 mels) with its feature extractor."""
    return build_tiny_whisper(tmp_path_factory.mktemp("tiny_whisper"))


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory):
    """A saved random Llama (hidden 64, 2 layers) with the real SmolLM2 tokenizer (vocab 49152)."""
    return build_tiny_llama(tmp_path_factory.mktemp("tiny_llama"))


@pytest.fixture(scope="session")
def default_whisper_dir(listen_home):
    """The real Whisper tiny.en, converted from the installed CTranslate2 weights (about 10 s once)."""
    from training.backbones.model_cache import prepare_default_whisper

    return prepare_default_whisper().path


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory, tiny_whisper_dir, tiny_llama_dir):
    """A factorised-recipe adapter checkpoint (untrained) over the tiny backbones, 2 s window."""
    from tests.tiny_models import build_tiny_checkpoint

    return build_tiny_checkpoint(tmp_path_factory.mktemp("ckpt") / "step-0", tiny_whisper_dir, tiny_llama_dir)


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory, tiny_checkpoint):
    """The tiny checkpoint exported by the real pipeline (ONNX fp32+int8, GGUF, parity, manifest)."""
    from export.pipeline import ExportOptions, export_bundle

    out = tmp_path_factory.mktemp("bundles") / "tiny"
    # f32 GGUF: a random tiny LLM has near-flat logits, so f16 rounding could flip top-1 ties
    opts = ExportOptions(checkpoint=tiny_checkpoint, out=out, llm_outtype="f32", llm_parity_prompts=4)
    export_bundle(opts, progress=lambda m: None)
    return out


@pytest.fixture(scope="session")
def tiny_presence_checkpoint(tmp_path_factory, tiny_checkpoint, tiny_whisper_dir, tiny_llama_dir):
    """The tiny adapter checkpoint plus a presence model trained briefly (40 steps) on a small
    built corpus, by the real `listen presence train` code: features, text tower, calibration."""
    import shutil

    from tests.training.corpus.corpus_helpers import build_small
    from training.model.adapter_config import EncoderConfig
    from training.presence.model import PresenceConfig
    from training.presence.train import PresenceTrainConfig, train_presence

    root = tmp_path_factory.mktemp("presence")
    corpus = build_small(root / "corpus")
    out = root / "checkpoint"
    shutil.copytree(tiny_checkpoint, out)
    cfg = PresenceTrainConfig(
        corpus=str(corpus.root), out_dir=str(out), cache_dir=str(root / "cache"), llm=str(tiny_llama_dir),
        encoder=EncoderConfig(whisper=str(tiny_whisper_dir), window_seconds=2.0),
        model=PresenceConfig(dim=16, hidden=32), steps=40, batch_clips=8, eval_every=20, threads=1,
    )
    train_presence(cfg, progress=lambda m: None)
    return out


@pytest.fixture(scope="session")
def tiny_presence_bundle(tmp_path_factory, tiny_presence_checkpoint):
    """The tiny presence checkpoint exported by the real pipeline (presence.onnx + vocabulary states)."""
    from export.pipeline import ExportOptions, export_bundle

    out = tmp_path_factory.mktemp("bundles") / "tiny-presence"
    opts = ExportOptions(checkpoint=tiny_presence_checkpoint, out=out, llm_outtype="f32", llm_parity_prompts=2,
                         variants=("fp32",))
    export_bundle(opts, progress=lambda m: None)
    return out
