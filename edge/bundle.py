"""Open a bundle folder: parse its manifest and verify every file before anything loads.

A bundle is `manifest.json` plus the files it lists (ONNX graphs, the GGUF). Verification
checks presence, size and sha256 of each listed file and refuses the bundle with a message
that names the file and the problem. Torch-free.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from edge.checksums import sha256_file
from edge.home import listen_home
from edge.manifest import MANIFEST_NAME, BundleError, Manifest

DEFAULT_BUNDLE_NAME = "default-bundle"


def default_bundle_dir() -> Path:
    """Where `make default-bundle` puts the default bundle: `$LISTEN_HOME/default-bundle`."""
    return listen_home() / DEFAULT_BUNDLE_NAME


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: Manifest

    def file(self, name: str) -> Path:
        return self.path / name

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
        hint = " (build it with `make default-bundle`)" if folder == default_bundle_dir() else ""
        raise BundleError(f"bundle folder {folder} does not exist{hint}")
    mf = folder / MANIFEST_NAME
    try:
        data = json.loads(mf.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{mf} is missing: {folder} is not a bundle (or its export did not finish)") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise BundleError(f"{mf} is not valid JSON ({err}); re-export the bundle") from err
    return Manifest.from_dict(data)


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Check that every listed file exists with the recorded size and sha256."""
    for name, entry in manifest.files.items():
        p = folder / name
        if not p.is_file():
            raise BundleError(f"bundle file {name} is missing from {folder}; re-export the bundle")
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
