"""Debian game and education data packages added for issue 27: their packages, and their
reviewed rules and exclusions (gathered by rules.py)."""

from __future__ import annotations

from training.corpus.sources.debian import SourcePackage
from training.corpus.sources.table import Exclusion, Rule

SOURCES: tuple[SourcePackage, ...] = ()
RULES: tuple[Rule, ...] = ()
EXCLUSIONS: tuple[Exclusion, ...] = ()
