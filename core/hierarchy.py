"""What a label implies: its ancestors in the label hierarchy (torch-free, numpy-free).

labels.json entries may carry `parents` (training.corpus.ontology writes them from the AudioSet
ontology). A clip that holds a trumpet holds a brass instrument and music too; a question
about a label whose parent is confidently absent is answered "no" even if that label was
never trained. Entries without `parents` (older bundles, imported datasets) form a flat
vocabulary, where every function here is the identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Hierarchy:
    parents: dict[str, tuple[str, ...]]  # label -> its direct parents

    @classmethod
    def from_entries(cls, entries: Sequence[dict]) -> Hierarchy:
        known = {e["label"] for e in entries}
        return cls({e["label"]: tuple(p for p in e.get("parents", ()) if p in known and p != e["label"])
                    for e in entries if e.get("parents")})

    def __post_init__(self) -> None:
        closure = {lab: self._walk(lab) for lab in self.parents}
        below: dict[str, set[str]] = {}
        for child, ups in closure.items():
            for up in ups:
                below.setdefault(up, set()).add(child)
        object.__setattr__(self, "_up", closure)
        object.__setattr__(self, "_down", {k: frozenset(v) for k, v in below.items()})

    def _walk(self, label: str) -> frozenset[str]:
        out: set[str] = set()
        stack = list(self.parents.get(label, ()))
        while stack:  # a cycle in the table cannot loop
            p = stack.pop()
            if p not in out:
                out.add(p)
                stack += self.parents.get(p, ())
        out.discard(label)
        return frozenset(out)

    def ancestors(self, label: str) -> frozenset[str]:
        """Every label `label` implies (not itself)."""
        return self._up.get(label, frozenset())

    def descendants(self, label: str) -> frozenset[str]:
        """Every label that implies `label`."""
        return self._down.get(label, frozenset())

    def implied(self, labels: Iterable[str]) -> frozenset[str]:
        """The labels and everything they imply."""
        labels = set(labels)
        return frozenset(labels.union(*(self.ancestors(lab) for lab in labels)))

    def related(self, label: str, labels: Iterable[str]) -> bool:
        """Whether `label` is one of `labels`, implied by one, or more specific than one: the
        labels' presence does not make it absent (a clip of "a drum" may be a snare drum)."""
        labels = set(labels)
        return label in self.implied(labels) or bool(self.ancestors(label) & labels)
