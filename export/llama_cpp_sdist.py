"""llama.cpp's own HF -> GGUF converter, taken from the pinned llama-cpp-python sdist.

The converter (`convert_hf_to_gguf.py`, its `conversion/` package and the `gguf-py` next to
it) must match the llama.cpp that runs the GGUF, and the `gguf` release on the package
index is too old for it. So it is fetched at export time from the same source distribution
as the runtime, never copied into this repository:

    pip download --no-deps --no-binary :all: llama-cpp-python==0.3.36 -d <tools>/sdist

and only the converter's files are extracted to `<tools>/llama.cpp-0.3.36/`, once per
machine. `<tools>` is `$LISTEN_TOOLS_DIR` when set, else `$LISTEN_HOME/tools`. On a machine
without PyPI, copy the sdist (`llama_cpp_python-0.3.36.tar.gz`) into `<tools>/sdist/`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.paths import listen_home
from export.errors import ConverterError

log = logging.getLogger(__name__)

PINNED_VERSION = "0.3.36"  # the llama-cpp-python release the edge runs (pyproject `edge` extra)
TOOLS_DIR_ENV = "LISTEN_TOOLS_DIR"
_VENDOR = "vendor/llama.cpp/"
# What the converter needs from the sdist: the script, its model classes, its gguf-py, the license.
_KEEP = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/gguf/", "LICENSE")
_DONE = ".complete"  # written last: a folder without it is a half-finished extraction


@dataclass(frozen=True)
class Converter:
    root: Path  # <tools>/llama.cpp-<version>
    version: str  # llama-cpp-python version it came from

    @property
    def script(self) -> Path:
        return self.root / "convert_hf_to_gguf.py"

    @property
    def gguf_py(self) -> Path:
        """The folder to put on PYTHONPATH so that `import gguf` finds the matching gguf-py."""
        return self.root / "gguf-py"


def tools_dir() -> Path:
    """Where fetched tools live: `$LISTEN_TOOLS_DIR`, else `$LISTEN_HOME/tools`."""
    raw = os.environ.get(TOOLS_DIR_ENV)
    return Path(raw).expanduser() if raw else listen_home() / "tools"


def sdist_name(version: str) -> str:
    return f"llama_cpp_python-{version}.tar.gz"


@contextmanager
def _locked(path: Path):
    """An exclusive lock across processes (two exports must not extract into one folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def download_sdist(version: str, dest: Path) -> Path:
    """The sdist in `dest`, downloaded with pip unless it is there already."""
    path = dest / sdist_name(version)
    if path.is_file():
        return path
    dest.mkdir(parents=True, exist_ok=True)
    log.info("downloading the llama-cpp-python %s sdist (about 75 MB, once per machine) for its GGUF converter", version)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
           "--disable-pip-version-check", f"llama-cpp-python=={version}", "-d", str(dest)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as err:
        raise ConverterError(f"cannot run pip to fetch llama.cpp's converter: {err}") from err
    if proc.returncode != 0 or not path.is_file():
        tail = _last_line(proc.stderr) or _last_line(proc.stdout) or f"exit {proc.returncode}"
        raise ConverterError(
            f"could not download llama-cpp-python=={version} (pip: {tail}); reach PyPI once, "
            f"or copy {sdist_name(version)} into {dest}"
        )
    return path


def _converter_members(tar: tarfile.TarFile, version: str) -> list[tarfile.TarInfo]:
    prefix = f"llama_cpp_python-{version}/{_VENDOR}"
    picked = []
    for member in tar.getmembers():
        if not member.name.startswith(prefix) or not (member.isfile() or member.isdir()):
            continue
        rel = member.name[len(prefix):]
        if any(rel == k or (k.endswith("/") and rel.startswith(k)) for k in _KEEP):
            member.name = rel  # extract relative to the converter root
            picked.append(member)
    return picked


def ensure_converter(version: str = PINNED_VERSION, tools: Path | None = None) -> Converter:
    """llama.cpp's converter for `version`, fetched and extracted once per machine."""
    tools = tools or tools_dir()
    conv = Converter(tools / f"llama.cpp-{version}", version)
    if (conv.root / _DONE).is_file():
        return conv
    try:
        with _locked(tools / f".llama.cpp-{version}.lock"):
            if (conv.root / _DONE).is_file():  # another process finished while we waited
                return conv
            sdist = download_sdist(version, tools / "sdist")
            tmp = Path(tempfile.mkdtemp(dir=tools, prefix=".extract-"))
            try:
                try:
                    with tarfile.open(sdist) as tar:
                        members = _converter_members(tar, version)
                        if not any(m.name == "convert_hf_to_gguf.py" for m in members):
                            raise ConverterError(f"{sdist} holds no vendor/llama.cpp/convert_hf_to_gguf.py; delete it and retry")
                        tar.extractall(tmp, members=members, filter="data")
                except (tarfile.TarError, OSError, EOFError) as err:
                    first = str(err).splitlines()[0] if str(err) else type(err).__name__
                    raise ConverterError(f"{sdist} is not a readable sdist ({first.rstrip(':')}); delete it and retry") from err
                (tmp / _DONE).write_text(f"{sdist.name}\n")
                tmp.chmod(0o755)
                if conv.root.exists():  # a half-finished extraction (no marker)
                    shutil.rmtree(conv.root)
                os.replace(tmp, conv.root)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except PermissionError as err:
        raise ConverterError(f"cannot write the converter cache {tools}: {err}; set {TOOLS_DIR_ENV} to a writable folder") from err
    log.info("llama.cpp converter %s ready in %s", version, conv.root)
    return conv


def _last_line(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").replace("\r", "\n").splitlines() if ln.strip()]
    return lines[-1] if lines else ""
