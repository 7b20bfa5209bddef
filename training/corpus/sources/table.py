"""The two kinds of entry of the reviewed label tables (rules.py and the modules it gathers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    package: str
    pattern: str  # fnmatch wildcard on the path under extracted/PKG/ (`*` also crosses folders)
    label: str
    reason: str


@dataclass(frozen=True)
class Exclusion:
    package: str
    pattern: str
    reason: str
