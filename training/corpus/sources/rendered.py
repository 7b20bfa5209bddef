"""Recordings of the SoundFont packages: read from their render manifests, not from rules.py.

Each rendered WAV (render.py) is one `Recording` labelled as the manifest says, with:
- `source_id` ("rec:" + sha256 prefix): what counts as one distinct source recording, the
  principal sample's data (a stereo pair hashed together). Every note rendered from one
  sample, and every phrase that starts on it, counts once; a sample a near-duplicate of one in
  another SoundFont (MuseScore_General re-encodes FluidR3's samples) counts once with it;
- `group`: the split unit. Renders that share any sample, and near-duplicate samples, are
  joined (union-find), so one instrument's notes, phrases and grooves never straddle splits
  (a render's optional `joins` lists further recordings its group takes in: freepats.py);
- provenance: path `FONT#PRESET/RENDER-ID` (unique), sha256 = the principal sample's data,
  licence from the package's copyright file (or its reviewed `SourcePackage.licence`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from training.corpus.recordings import Recording
from training.corpus.sources.debian import STAMP_FILE, SourcePackage, extracted_dir, read_stamp
from training.corpus.sources.fingerprint import near_duplicates
from training.corpus.sources.provenance import UNPARSED, Provenance, copyright_stanzas, licence_for, recording_id
from training.corpus.sources.render import MANIFEST, RENDERED
from training.corpus.sources.rules import role_of
from training.errors import CorpusFileError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Render:
    recording: Recording
    principal: str  # recording sha256 of the principal sample
    samples: tuple[str, ...]  # recording sha256 of every sample it sounds


def read_manifest(root: Path) -> dict | None:
    try:
        return json.loads((root / RENDERED / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def discover_rendered(specs: Sequence[SourcePackage], roots: dict[str, Path] | None = None) -> list[Recording]:
    """The rendered recordings of the SoundFont packages, grouped across all of them."""
    renders: list[_Render] = []
    prints: list[tuple[str, str, dict]] = []  # (package:font, recording sha, fingerprint)
    for spec in specs:
        root = (roots or {}).get(spec.package, extracted_dir(spec.package))
        stamp = read_stamp(root)
        manifest = read_manifest(root) if stamp else None
        if manifest is None:
            log.info("%s is not fetched and rendered (no %s or %s/%s under %s): run `listen corpus sources`",
                     spec.package, STAMP_FILE, RENDERED, MANIFEST, root)
            continue
        try:
            renders += _renders(spec, root, stamp, manifest)
            for font, entry in sorted(manifest["soundfonts"].items()):
                prints += [(f"{spec.package}:{font}", sha, rec["fingerprint"])
                           for sha, rec in entry["recordings"].items()]
        except (KeyError, TypeError, AttributeError) as err:
            raise CorpusFileError(f"{root / RENDERED / MANIFEST} is malformed (missing {err}); rerun "
                                  f"`listen corpus sources --package {spec.package}`") from None
    return regroup(renders, near_duplicates(prints))


def _renders(spec: SourcePackage, root: Path, stamp: dict, manifest: dict) -> list[_Render]:
    stanzas = copyright_stanzas(str(root / spec.copyright_path()))
    out, missing = [], 0
    for r in manifest["renders"]:
        path = root / r["wav"]
        if not path.is_file():
            missing += 1
            continue
        licence = licence_for(stanzas, r["soundfont"])
        if licence == UNPARSED and spec.licence:
            licence = spec.licence
        prov = Provenance(package=spec.package, version=stamp.get("version", "?"),
                          path=f"{r['soundfont']}#{r['preset']}/{r['id']}", licence=licence, sha256=r["principal"])
        rec = Recording(path=path, label=r["label"], source=spec.package, group=prov.recording_id, provenance=prov,
                        eval_only=spec.eval_only, is_real=True, role=role_of(r["label"]),
                        source_id=prov.recording_id)
        # `joins`: other recordings the render's group must join (a GUS patch's samples: one instrument)
        joined = tuple(s["recording"] for s in r["samples"]) + tuple(r.get("joins", ()))
        out.append(_Render(rec, r["principal"], joined))
    if missing:
        log.warning("%s: %d rendered WAVs of %s are missing; rerun `listen corpus sources --package %s`",
                    spec.package, missing, MANIFEST, spec.package)
    return out


def regroup(renders: Iterable[_Render], near_dups: Iterable[tuple[str, str]]) -> list[Recording]:
    """Source ids joined over near-duplicates; groups joined over shared samples too."""
    renders = list(renders)
    near_dups = list(near_dups)
    same, groups = _UnionFind(), _UnionFind()
    for a, b in near_dups:
        same.union(a, b)
        groups.union(a, b)
    for r in renders:
        for s in r.samples:
            groups.union(r.principal, s)
    return [replace(r.recording, source_id=recording_id(same.find(r.principal)),
                    group=recording_id(groups.find(r.principal))) for r in renders]


class _UnionFind:
    """Sets of ids; each set is named by its smallest id (deterministic)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.setdefault(root, root) != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
