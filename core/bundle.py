"""Open a bundle folder: parse its manifest and verify every file before anything loads.

A bundle is `manifest.json` plus the files it lists (ONNX graphs, the GGUF). Verification
checks presence, size and sha256 of each listed file and refuses the bundle with a message
that names the file and the problem. The manifest is read only from a regular file and
only up to MAX_MANIFEST_BYTES, and every file the edge opens must resolve (symlinks
included) to a path inside the bundle folder. Torch-free.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from core.checksums import sha256_file
from core.errors import BundleError
from core.manifest import MANIFEST_NAME, Manifest, check_file_name
from core.paths import listen_home

DEFAULT_BUNDLE_NAME = "default-bundle"
# The tiny-bundle fixture's manifest is 5.3 KB (measured); a real one grows with the chat
# template (a few KB) and the label list (~100 B a label): even 1000 labels stay below 1/8 MiB.
MAX_MANIFEST_BYTES = 1 << 20


def default_bundle_dir() -> Path:
    """Where `make default-bundle` puts the default bundle: `$LISTEN_HOME/default-bundle`."""
    return listen_home() / DEFAULT_BUNDLE_NAME


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: Manifest

    def file(self, name: str) -> Path:
        """The path of a bundle file; refused unless it stays inside the bundle folder."""
        return bundle_file(self.path, name)

    def summary(self) -> dict:
        """The short description that `ask --json` reports under "bundle"."""
        m = self.manifest
        return {
            "path": str(self.path),
            "schema_version": m.schema_version,
            "created": m.created,
            "recipe": m.adapter_info.recipe,
            "llm": m.provenance.get("llm"),
            "encoder": m.provenance.get("encoder"),
            "quantization": m.llm.quantization,
            "adapter_sha256": m.provenance.get("adapter_sha256"),
        }


def read_manifest(path: str | Path) -> Manifest:
    """Parse `<bundle>/manifest.json` without touching the other files."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        if folder.exists():
            raise BundleError(f"bundle path {folder} is not a folder; pass the folder that holds {MANIFEST_NAME}")
        hint = " (build it with `make default-bundle`)" if folder == default_bundle_dir() else ""
        raise BundleError(f"bundle folder {folder} does not exist{hint}")
    mf = folder / MANIFEST_NAME
    raw = _read_regular(mf, MAX_MANIFEST_BYTES)
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError as err:
        raise BundleError(f"{mf} nests its JSON too deeply to be a bundle manifest; re-export the bundle") from err
    except ValueError as err:  # UnicodeDecodeError and JSONDecodeError included
        raise BundleError(f"{mf} is not valid JSON ({err}); re-export the bundle") from err
    return Manifest.from_dict(data)


def _read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of a regular file; a FIFO, device or directory is refused, not read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # O_NONBLOCK: opening a FIFO must not wait
    except FileNotFoundError:
        raise BundleError(f"{path} is missing: {path.parent} is not a bundle (or its export did not finish)") from None
    except OSError as err:
        raise BundleError(f"{path} cannot be opened ({err.strerror or err}); check its permissions") from err
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise BundleError(f"{path} is not a regular file (mode {stat.filemode(mode)}); re-export the bundle")
        with open(fd, "rb", closefd=False) as f:
            raw = f.read(limit + 1)
    except OSError as err:
        raise BundleError(f"{path} cannot be read ({err.strerror or err})") from err
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise BundleError(f"{path} is larger than {limit} bytes, too large for a bundle manifest; re-export the bundle")
    return raw


def bundle_file(folder: Path, name: str) -> Path:
    """`folder/name` resolved, refused unless it is a plain name that stays inside folder (symlinks included)."""
    check_file_name(name, "a bundle file name")
    try:
        root = folder.resolve()
        path = (root / name).resolve()
    except (OSError, RuntimeError) as err:  # RuntimeError: a symlink loop (Python < 3.13)
        raise BundleError(f"bundle file {name} in {folder} cannot be resolved ({err}); re-export the bundle") from err
    if path == root or not path.is_relative_to(root):
        raise BundleError(f"bundle file {name} resolves to {path}, outside the bundle folder {root}; "
                          "copy the file into the bundle instead of linking to it")
    return path


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Check that every listed file exists with the recorded size and sha256."""
    for name, entry in manifest.files.items():
        p = bundle_file(folder, name)
        if not p.is_file():
            problem = "is not a regular file in" if p.exists() else "is missing from"
            raise BundleError(f"bundle file {name} {problem} {folder}; re-export the bundle")
        size = p.stat().st_size
        if size != entry.size:
            raise BundleError(f"bundle file {name} has {size} bytes, the manifest says {entry.size}: truncated or replaced")
        if sha256_file(p) != entry.sha256:
            raise BundleError(f"bundle file {name} does not match its sha256 in the manifest: corrupted or modified")
    referenced = {manifest.llm.file, *manifest.encoder.variants.values(), *manifest.adapter.variants.values()}
    unlisted = sorted(referenced - set(manifest.files))
    if unlisted:
        raise BundleError(f"manifest references {unlisted} but lists no checksum for them; re-export the bundle")


def open_bundle(path: str | Path | None = None, verify: bool = True) -> Bundle:
    """Parse and (by default) verify a bundle; `None` means the default bundle."""
    folder = Path(path).expanduser() if path else default_bundle_dir()
    manifest = read_manifest(folder)
    if verify:
        verify_files(folder, manifest)
    return Bundle(folder.resolve(), manifest)
