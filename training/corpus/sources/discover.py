"""Every labelled recording on this machine (`discover()`): the desktop sound themes
(themes.py), then the fetched Debian packages, labelled by the reviewed rules (rules.py, files
under `$LISTEN_HOME/sources/extracted/`), with provenance.

The Debian part reads only what `listen corpus sources` extracted (a package without its
stamp is skipped with one log line). The sha256 of each file is cached in
`extracted/PKG/.sha256.json`, keyed by path, size and modification time, so a rerun does not
hash a gigabyte again. SoundFont packages (`SourcePackage.soundfonts`) and GUS patch sets
(`.patches`) are read from their render manifests (rendered.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

from training.corpus.recordings import Recording
from training.corpus.sources.debian import STAMP_FILE, SourcePackage, extracted_dir, read_stamp
from training.corpus.sources.packages import SOURCES
from training.corpus.sources.provenance import Provenance, copyright_stanzas, licence_for, sha256_of
from training.corpus.sources.rendered import discover_rendered
from training.corpus.sources.rules import role_of, rule_for
from training.corpus.sources.themes import discover_themes

log = logging.getLogger(__name__)

# what discovery reads (Opus in Ogg: ktuberling-data's Nynorsk words; libsndfile >= 1.0.29 decodes it;
# no package extracts .opus unless its `members` ask for it)
AUDIO_SUFFIXES = (".ogg", ".oga", ".opus", ".wav", ".flac", ".aiff", ".aif")
HASH_CACHE = ".sha256.json"


def audio_files(root: Path) -> list[str]:
    """Sorted paths (relative to root, '/'-separated) of the audio files under root."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())


def discover_package(spec: SourcePackage, root: Path | None = None) -> list[Recording]:
    """The labelled recordings of one extracted package (empty when it is not fetched)."""
    root = extracted_dir(spec.package) if root is None else root
    if spec.soundfonts or spec.patches:
        return discover_rendered((spec,), {spec.package: root})
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
                          licence=licence_for(stanzas, spec.licence_path(rel)), sha256=hashes.sha256(rel))
        group = spec.group_key(rel)  # the layers of one drum share a group; each is its own recording
        found.append(Recording(path=root / rel, label=rule.label, source=spec.package,
                               group=group or prov.recording_id, provenance=prov, eval_only=spec.eval_only,
                               is_real=True, role=role_of(rule.label),
                               source_id=prov.recording_id if group else ""))
    hashes.save()
    return merge_groups(found)


def merge_groups(recordings: list[Recording]) -> list[Recording]:
    """Identical files land in one split: groups that share a recording id are merged into
    one (the smallest key of each connected set). Without `grouping` nothing changes."""
    parent: dict[str, str] = {}

    def root(g: str) -> str:
        while parent.setdefault(g, g) != g:
            g = parent[g]
        return g

    first: dict[str, str] = {}  # recording id -> a group holding it
    for r in recordings:
        a, b = root(first.setdefault(r.recording_id, r.group)), root(r.group)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return [r if root(r.group) == r.group else replace(r, group=root(r.group), source_id=r.recording_id)
            for r in recordings]


def discover(theme_dirs: dict[str, Path] | None = None, use_pygame: bool = True, use_debian: bool = True,
             include_eval_only: bool = False) -> list[Recording]:
    """Every labelled recording on this machine: themes first, then the Debian packages."""
    found = discover_themes(theme_dirs, use_pygame)
    if use_debian:
        found += discover_debian(include_eval_only=include_eval_only)
    return found


def discover_debian(include_eval_only: bool = False, sources: tuple[SourcePackage, ...] = SOURCES) -> list[Recording]:
    found = []
    for spec in sources:
        if spec.eval_only and not include_eval_only:
            continue
        if not (spec.soundfonts or spec.patches):
            found += discover_package(spec)
    # the SoundFont and patch packages together: near-duplicate samples join groups across packages
    found += discover_rendered([s for s in sources if (s.soundfonts or s.patches)
                                and (include_eval_only or not s.eval_only)])
    return merge_groups(found)  # an identical file in two packages joins their groups too


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
