"""What each label is called: the phrases the presence model learns to match against audio.

A label's phrases are its name ("a smoke alarm"), its synonyms ("smoke detector", "fire
alarm") and its id as words ("smoke alarm"), deduplicated, lower-cased. Questions ask about
a sound in those words (`core.questions.asked_phrase` keeps the article), so both forms are
kept. A phrase shared by two labels names both (it is a positive for either). The backbone
LLM's paraphrases (`paraphrases.py`) follow a label's own phrases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def label_phrases(entry: dict) -> list[str]:
    """The distinct lower-cased phrases of one labels.json entry, its name first."""
    seen: dict[str, None] = {}
    for text in (entry["name"], *entry.get("synonyms", ()), entry["label"].replace("_", " ")):
        text = " ".join(text.lower().split())
        if text:
            seen.setdefault(text, None)
    return list(seen)


def vocabulary_phrases(entries: Sequence[dict], labels: Iterable[str] | None = None,
                       paraphrases: Mapping[str, Sequence[str]] | None = None) -> list[tuple[str, str]]:
    """(phrase, label) for every phrase of every entry (of `labels` only, when given), then
    each label's LLM-written paraphrases (`paraphrases.py`) after its own phrases."""
    keep = None if labels is None else set(labels)
    extra = paraphrases or {}
    out = []
    for e in entries:
        if keep is None or e["label"] in keep:
            own = label_phrases(e)
            out += [(p, e["label"]) for p in own + [q for q in extra.get(e["label"], ()) if q not in own]]
    return out


def phrases_by_label(vocabulary: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """label -> its phrases, in vocabulary order (a label's name first)."""
    out: dict[str, list[str]] = {}
    for phrase, label in vocabulary:
        out.setdefault(label, []).append(phrase)
    return out
