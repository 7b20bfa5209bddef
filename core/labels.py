"""Map a question to the label it asks about, by its words (torch-free, numpy-free).

The factorised recipe needs to know WHICH label a yes/no question names, so that the
presence score of that label can decide the answer. Questions are matched against the
label vocabulary (`labels.json`: `[{label, name, synonyms}]`, the same file the bundle
ships), so the edge can run the identical function on the device.

Rule: normalise to lower-case words; every phrase of every label (its name without the
article, its synonyms, its snake_case id as words) is looked up as a whole-word sequence;
matches inside a longer match are dropped ("clock" inside "alarm clock"); if exactly one
label remains, that is the asked label, else the question is open (-1): no label, two
labels, or only an ambiguous word such as "alarm".

Training embeds the same matcher in its model (`training.model`), so the label a question
trains with is the label it asks about on the device. Finding every (possibly negated)
mention in free text is another job, `core.mentions.MentionFinder`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

NO_LABEL = -1  # the question names no single label (open question)
_ARTICLES = ("a ", "an ", "the ", "some ")
_WORD_RE = re.compile(r"[a-z0-9]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(text.lower()))


@dataclass(frozen=True)
class LabelMatcher:
    labels: tuple[str, ...]  # the vocabulary, in head order
    phrases: tuple[tuple[tuple[str, ...], int], ...]  # (phrase words, label index), longest first

    @classmethod
    def from_entries(cls, entries: Sequence[dict]) -> LabelMatcher:
        """Build from labels.json entries `{label, name, synonyms}`."""
        found: dict[tuple[str, ...], set[int]] = {}
        for i, e in enumerate(entries):
            name = e["name"].lower().strip()
            for article in _ARTICLES:
                if name.startswith(article):
                    name = name[len(article):]
                    break
            for phrase in (name, e["label"].replace("_", " "), *e.get("synonyms", ())):
                words = _words(phrase)
                if words:
                    found.setdefault(words, set()).add(i)
        # a phrase shared by two labels names neither
        unique = [(w, next(iter(ix))) for w, ix in found.items() if len(ix) == 1]
        unique.sort(key=lambda item: (-len(item[0]), item[0]))
        return cls(tuple(e["label"] for e in entries), tuple(unique))

    def match(self, question: str) -> int:
        """Index of the one label the question names, else NO_LABEL."""
        words = _words(question)
        taken = [False] * len(words)
        hits: set[int] = set()
        for phrase, label in self.phrases:  # longest phrases claim their words first
            n = len(phrase)
            for start in range(len(words) - n + 1):
                if words[start : start + n] == phrase and not any(taken[start : start + n]):
                    taken[start : start + n] = [True] * n
                    hits.add(label)
        return next(iter(hits)) if len(hits) == 1 else NO_LABEL

    def match_label(self, question: str) -> str | None:
        i = self.match(question)
        return None if i == NO_LABEL else self.labels[i]
