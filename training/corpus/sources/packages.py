"""The Debian packages the corpus takes recorded sounds from, and how to extract them.

Versions are whatever `apt-get download` gives (Debian 12 "bookworm" when this table was
written); the version actually used is recorded in each package's stamp and in every
recording's provenance. Packages surveyed and left out: `neverball-data` (its sounds are
not in this package: it ships maps and screenshots only, in Debian 12).
"""

from __future__ import annotations

from training.corpus.sources.debian import InnerArchive, SourcePackage

EVAL_ONLY_PACKAGE = "openttd-opensfx"  # reserved for evaluation (issue 16): never a training source

SOURCES: tuple[SourcePackage, ...] = (
    SourcePackage("0ad-data", archives=(
        InnerArchive("usr/share/games/0ad/mods/public/public.zip", ("audio/*",), "public"),)),
    SourcePackage("extremetuxracer-data"),
    SourcePackage("flightgear-data-base"),
    SourcePackage("freeciv-data"),
    SourcePackage("frozen-bubble-data"),
    SourcePackage("hedgewars-data"),
    SourcePackage("lincity-ng-data"),
    SourcePackage("pingus-data"),
    SourcePackage("redeclipse-data"),
    SourcePackage("supertux-data"),
    SourcePackage("supertuxkart-data"),
    SourcePackage("warzone2100-data", archives=(
        InnerArchive("usr/share/games/warzone2100/base.wz", ("*.ogg", "*.wav"), "base"),)),  # mp.wz holds no sound
    SourcePackage(EVAL_ONLY_PACKAGE, members=(),
                  containers=("usr/share/games/openttd/baseset/opensfx/opensfx.cat",), eval_only=True),
)

BY_PACKAGE = {s.package: s for s in SOURCES}
