"""A tiny Debian package built for a test with dpkg-deb, in the cache layout `listen corpus sources` uses."""

from __future__ import annotations

import subprocess
from pathlib import Path


def build_deb(tmp_path: Path, name: str, version: str, files: dict[str, bytes]) -> Path:
    """$tmp_path/home/sources/debian/NAME_VERSION_all.deb holding `files` (package path -> bytes)
    and a DEP-5 copyright file (CC0-1.0)."""
    pkg = tmp_path / "build"
    (pkg / "DEBIAN").mkdir(parents=True)
    (pkg / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n")
    files = {f"usr/share/doc/{name}/copyright": b"Format: x\n\nFiles: *\nLicense: CC0-1.0\n", **files}
    for path, data in files.items():
        (pkg / path).parent.mkdir(parents=True, exist_ok=True)
        (pkg / path).write_bytes(data)
    debs = tmp_path / "home" / "sources" / "debian"
    debs.mkdir(parents=True, exist_ok=True)
    deb = debs / f"{name}_{version}_all.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(pkg), str(deb)], check=True, capture_output=True)
    return deb
