"""Where a recording comes from: package, version, path inside it, licence, sha256.

Identical files (the same bytes in two packages, or twice in one) are ONE recording: the
recording id is the sha256 prefix, so a split by recording keeps them together. The licence
is read from the package's Debian copyright file (machine-readable DEP-5 format). Its
stanzas name source-tree paths (`share/hedgewars/Data/Sounds/*`), not installed ones, so a
pattern is tried against every tail of the installed path, with and without its own first
folder, and the most specific matching pattern wins (among equals the last, as in DEP-5) (`debian/*` stanzas describe the
packaging and are skipped).
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

PROVENANCE_FIELDS = ("recording_id", "package", "version", "path", "licence", "sha256")
UNPARSED = "unparsed"  # the copyright file is not DEP-5: see it by hand


@dataclass(frozen=True)
class Provenance:
    package: str  # Debian package (or the sound theme / "pygame" for the desktop sounds)
    version: str  # package version
    path: str  # path of the file inside the package (or the container's entry)
    licence: str  # DEP-5 licence short name from the copyright file
    sha256: str  # of the file's bytes

    @property
    def recording_id(self) -> str:
        return recording_id(self.sha256)

    def to_json(self) -> dict:
        return {"recording_id": self.recording_id, **asdict(self)}


def recording_id(sha256: str) -> str:
    return "rec:" + sha256[:16]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_copyright(text: str) -> list[tuple[tuple[str, ...], str]]:
    """[(Files patterns, licence)] of a DEP-5 copyright file, in file order; [] if not DEP-5."""
    if not text.lstrip().lower().startswith("format:"):
        return []
    stanzas = []
    for block in text.split("\n\n"):
        files, licence, key = [], "", None
        for line in block.splitlines():
            if line[:1] in (" ", "\t"):
                if key == "files":
                    files += line.split()
                continue
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key == "files":
                files = value.split()
            elif key == "license" and not licence:
                licence = value.strip()
        if files and licence:
            stanzas.append((tuple(files), licence))
    return stanzas


def licence_for(stanzas: list[tuple[tuple[str, ...], str]], path: str) -> str:
    """The licence of an installed file by the last matching stanza; UNPARSED without DEP-5."""
    parts = path.split("/")
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    found, best = UNPARSED, -1
    for patterns, licence in stanzas:
        for pattern in patterns:
            if pattern.startswith("debian/"):  # the packaging's own files
                continue
            variants = {pattern}
            tail = pattern.split("/", 1)[-1]
            if tail.strip("*?/"):  # "data/*" loses nothing but its folder; never widen to "*"
                variants.add(tail)
            matched = [v for v in variants if any(fnmatch.fnmatchcase(t, v) for t in tails)]
            score = max((len(v.replace("*", "").replace("?", "")) for v in matched), default=-1)
            if matched and score >= best:  # the most specific pattern; among equals the last
                found, best = licence, score
    return found


@lru_cache(maxsize=64)
def copyright_stanzas(copyright_path: str) -> list[tuple[tuple[str, ...], str]]:
    try:
        return parse_copyright(Path(copyright_path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []
