"""Labelled recordings of the fetched Debian packages, by the reviewed rules, with provenance.

Reads only what `listen corpus sources` extracted (a package without its stamp is skipped
with one log line). The sha256 of each file is cached in `extracted/PKG/.sha256.json`, keyed
by path, size and modification time, so a rerun does not hash a gigabyte again.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from training.corpus.recordings import Recording
from training.corpus.sources.debian import STAMP_FILE, SourcePackage, extracted_dir, read_stamp
from training.corpus.sources.packages import SOURCES
from training.corpus.sources.provenance import Provenance, copyright_stanzas, licence_for, sha256_of
from training.corpus.sources.rules import role_of, rule_for

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = (".ogg", ".oga", ".wav", ".flac")
HASH_CACHE = ".sha256.json"


def audio_files(root: Path) -> list[str]:
    """Sorted paths (relative to root, '/'-separated) of the audio files under root."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())


def discover_package(spec: SourcePackage, root: Path | None = None) -> list[Recording]:
    """The labelled recordings of one extracted package (empty when it is not fetched)."""
    root = extracted_dir(spec.package) if root is None else root
    stamp = read_stamp(root)
    if stamp is None:
        log.info("%s is not fetched (no %s under %s): run `listen corpus sources` to add it",
                 spec.package, STAMP_FILE, root)
        return []
    stanzas = copyright_stanzas(str(root / spec.copyright_path()))
    hashes = _HashCache(root)
    found = []
    for rel in audio_files(root):
        rule = rule_for(spec.package, rel)
        if rule is None:
            continue
        prov = Provenance(package=spec.package, version=stamp.get("version", "?"), path=rel,
                          licence=licence_for(stanzas, rel), sha256=hashes.sha256(rel))
        found.append(Recording(path=root / rel, label=rule.label, source=spec.package,
                               group=prov.recording_id, provenance=prov, eval_only=spec.eval_only,
                               is_real=True, role=role_of(rule.label)))
    hashes.save()
    return found


def discover_debian(include_eval_only: bool = False, sources: tuple[SourcePackage, ...] = SOURCES) -> list[Recording]:
    found = []
    for spec in sources:
        if spec.eval_only and not include_eval_only:
            continue
        found += discover_package(spec)
    return found


class _HashCache:
    def __init__(self, root: Path):
        self.path = root / HASH_CACHE
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}
        self.root, self.dirty = root, False

    def sha256(self, rel: str) -> str:
        st = (self.root / rel).stat()
        key = f"{st.st_size}:{st.st_mtime_ns}"
        hit = self.data.get(rel)
        if hit and hit[0] == key:
            return hit[1]
        digest = sha256_of(self.root / rel)
        self.data[rel], self.dirty = [key, digest], True
        return digest

    def save(self) -> None:
        if self.dirty:
            self.path.write_text(json.dumps(self.data, sort_keys=True) + "\n", encoding="utf-8")
