"""Sample libraries (issue 27): hydrogen-drumkits, hydrogen-drumkits-effects, sonic-pi-samples,
lmms-common. Their packages, and their reviewed rules and exclusions (gathered by rules.py)."""

from __future__ import annotations

from training.corpus.sources.debian import SourcePackage
from training.corpus.sources.table import Exclusion, Rule

SOURCES: tuple[SourcePackage, ...] = ()
RULES: tuple[Rule, ...] = ()
EXCLUSIONS: tuple[Exclusion, ...] = ()
