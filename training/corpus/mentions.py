"""Find sound labels mentioned in free text (captions, LLM answers, questions).

A `MentionFinder` knows each label's synonyms and name, plus words that name a family of
labels ("alarm", "beeping"). It finds the longest phrase at each position (so "smoke alarm"
is one mention, not "smoke alarm" and "alarm"), and marks a mention *negated* when a
negation ("no", "not", "without", "n't", ...) precedes it in its clause or "is not"/"is
absent" follows it. The rules are plain and documented because the consistency filter of
the LISTEN synthesis, the caption tagger of the loaders and the tests all rely on them.

Not the device's `core.labels.LabelMatcher`, on purpose: that one answers "which ONE label
does this question ask about" (whole-word phrases, a phrase shared by two labels names
neither, no negation: a question is not a claim) and runs on the device beside the
presence head. This one reads claims in free text: every mention, plurals, family words
that may mean several labels, and negation scope. Folding them together would put the
synthesis filter's negation rules into the device's question parsing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from training.corpus.events import AMBIGUOUS_TERMS

_ARTICLE = re.compile(r"^(a|an|the|some)\s+", re.IGNORECASE)
_NEGATION_BEFORE = re.compile(r"\b(no|not|never|without|nor|neither|none|absent|nothing)\b|n't\b|\bcannot\b", re.IGNORECASE)
_NEGATION_AFTER = re.compile(  # "X is not ...", "X sound isn't ...", "X cannot be heard"
    r"^\s+(?:sounds?\s+|noises?\s+)?(?:(?:is|are|was|were)\s+(?:not|never|absent|missing)\b"
    r"|(?:isn't|aren't|wasn't|weren't)\b|(?:can't|cannot|can not|could not|couldn't)\s+be\s+heard)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;:!?,()\n]|\b(but|however|while|although|and then|instead)\b", re.IGNORECASE)
_WINDOW_WORDS = 8  # how far back a negation reaches within its clause


@dataclass(frozen=True)
class Mention:
    start: int  # character span in the text
    end: int
    text: str  # the matched phrase
    labels: frozenset[str]  # labels it may mean (one, unless the phrase is ambiguous)
    negated: bool  # "no siren", "not a dog", "the siren is not there"

    @property
    def ambiguous(self) -> bool:
        return len(self.labels) > 1


class MentionFinder:
    def __init__(self, entries: list[dict], ambiguous: dict[str, frozenset[str]] | None = None):
        """`entries`: labels.json entries; `ambiguous`: family words (default: the library's)."""
        known = {e["label"] for e in entries}
        phrases: dict[str, set[str]] = {}
        for e in entries:
            for p in [*e["synonyms"], _ARTICLE.sub("", e["name"])]:
                p = p.strip().lower()
                if p:
                    phrases.setdefault(p, set()).add(e["label"])
        for word, labs in (AMBIGUOUS_TERMS if ambiguous is None else ambiguous).items():
            labs = set(labs) & known
            if labs and word not in phrases:
                phrases[word] = labs
        self.phrases = {p: frozenset(v) for p, v in phrases.items()}
        alternation = "|".join(re.escape(p) for p in sorted(self.phrases, key=lambda s: (-len(s), s)))
        self._re = re.compile(rf"(?<![\w-])({alternation})(?:s|es)?(?![\w-])", re.IGNORECASE) if alternation else None

    def mentions(self, text: str) -> list[Mention]:
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            phrase = m.group(1).lower()
            out.append(Mention(m.start(), m.end(), m.group(0), self.phrases[phrase], _is_negated(text, m.start(), m.end())))
        return out

    def labels_in(self, text: str) -> list[str]:
        """Sorted labels named unambiguously in `text` (negated or not)."""
        return sorted({next(iter(m.labels)) for m in self.mentions(text) if not m.ambiguous})

    def asserted_labels(self, text: str) -> list[str]:
        """Sorted labels named unambiguously and not negated: what the text says is there."""
        return sorted({next(iter(m.labels)) for m in self.mentions(text) if not m.ambiguous and not m.negated})


def _is_negated(text: str, start: int, end: int) -> bool:
    before = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    words = clause.split()[-_WINDOW_WORDS:]
    if _NEGATION_BEFORE.search(" ".join(words)):
        return True
    after = text[end:]
    stop = _CLAUSE_BREAK.search(after)
    return bool(_NEGATION_AFTER.search(after[: stop.start()] if stop else after))
