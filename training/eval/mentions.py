"""Hallucinated mentions in open answers ("What do you hear?"), CHAIR-like (torch-free).

CHAIR (Rohrbach et al. 2018) counts the objects an image caption names that are not in the
image. Here the objects are sound events, read out of each answer by
`core.mentions.MentionFinder` over the names and synonyms of `labels.json`
(longest phrase first; a negated mention such as "no dog" or "the siren is not there"
asserts nothing). Per answer, each distinct asserted event is one *mention*:
- a phrase of one label ("smoke detector") is hallucinated when that label is absent;
- a family word ("alarm", "beeping") is hallucinated only when none of its labels is
  present, and is not counted when a label it covers is already named in the answer.

    answers_hallucinating  share of answers naming at least one absent event (CHAIR_s)
    mentions_hallucinated  share of mentions that are absent events (CHAIR_i)
    answers_naming_present share of answers naming at least one present event
    coverage               share of the clips' present labels that the answers name (saying
                           nothing hallucinates nothing; this shows it)
    silent                 answers naming no event
    worst_absent_label     the one label named most often where it is absent, as a share of the
                           answers whose clip lacks it (a "sink" label such as "waves crashing")

Clip labels are *exact* when the row carries `labels` or the corpus's clip index gives them.
Otherwise only the benchmark's own objects for that clip are known (positives present,
negatives absent): a mention of any other event is *unknown* and left out of both shares.
Empty input: every share is None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.mentions import MentionFinder

MAX_EXAMPLES = 5  # hallucinating answers quoted in the report


@dataclass(frozen=True)
class OpenAnswer:
    answer: str
    present: frozenset[str]  # labels known present in the clip
    absent: frozenset[str] | None  # labels known absent; None = every label not in `present` (exact labels)
    clip: str = ""  # for the examples in the report
    finer: frozenset[str] = frozenset()  # labels more specific than a present one: neither present nor absent


@dataclass(frozen=True)
class Judged:
    mentions: tuple[frozenset[str], ...]  # label set of each distinct asserted mention
    hallucinated: tuple[frozenset[str], ...]
    unknown: tuple[frozenset[str], ...]
    named_present: frozenset[str]  # present labels the answer names


def asserted_mentions(answer: str, matcher: MentionFinder) -> list[frozenset[str]]:
    """Distinct label sets the answer asserts (family words covered by a named label dropped)."""
    found = [m.labels for m in matcher.mentions(answer) if not m.negated]
    named = {next(iter(s)) for s in found if len(s) == 1}
    out: list[frozenset[str]] = []
    for labels in found:
        if len(labels) > 1 and labels & named:
            continue
        if labels not in out:
            out.append(labels)
    return out


def judge(item: OpenAnswer, matcher: MentionFinder) -> Judged:
    mentions = asserted_mentions(item.answer, matcher)
    hallucinated, unknown, named = [], [], set()
    for labels in mentions:
        if labels & item.present:
            if len(labels) == 1:
                named |= labels
        elif labels <= item.finer:
            unknown.append(labels)
        elif item.absent is None or labels <= item.absent:
            hallucinated.append(labels)
        else:
            unknown.append(labels)
    return Judged(tuple(mentions), tuple(hallucinated), tuple(unknown), frozenset(named))


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


def score_mentions(items: Sequence[OpenAnswer], matcher: MentionFinder) -> dict:
    judged = [judge(i, matcher) for i in items]
    counted = sum(len(j.mentions) - len(j.unknown) for j in judged)
    hallucinated = sum(len(j.hallucinated) for j in judged)
    present = sum(len(i.present) for i in items)
    examples = [
        {"clip": i.clip, "answer": i.answer, "absent_named": sorted("|".join(sorted(s)) for s in j.hallucinated),
         "present": sorted(i.present)}
        for i, j in zip(items, judged) if j.hallucinated
    ][:MAX_EXAMPLES]
    absent_named: dict[str, int] = {}  # one label named while absent: how often
    lacking: dict[str, int] = {}  # answers whose clip lacks the label
    for item, j in zip(items, judged):
        for labels in j.hallucinated:
            if len(labels) == 1:
                lab = next(iter(labels))
                absent_named[lab] = absent_named.get(lab, 0) + 1
    for lab in absent_named:
        lacking[lab] = sum(lab not in i.present and lab not in i.finer and (i.absent is None or lab in i.absent)
                           for i in items)
    worst = max(absent_named, key=lambda lab: (absent_named[lab] / max(1, lacking[lab]), lab), default=None)
    return {
        "n_answers": len(items),
        "worst_absent_label": None if worst is None else {
            "label": worst, "answers": absent_named[worst], "of": lacking[worst],
            "share": _share(absent_named[worst], lacking[worst])},
        "answers_hallucinating": sum(bool(j.hallucinated) for j in judged),
        "answers_hallucinating_ratio": _share(sum(bool(j.hallucinated) for j in judged), len(items)),
        "answers_naming_present": sum(bool(j.named_present) for j in judged),
        "answers_naming_present_ratio": _share(sum(bool(j.named_present) for j in judged), len(items)),
        "mentions": counted,
        "mentions_hallucinated": hallucinated,
        "mentions_hallucinated_ratio": _share(hallucinated, counted),
        "mentions_unknown": sum(len(j.unknown) for j in judged),
        "silent": sum(not j.mentions for j in judged),
        "coverage": _share(sum(len(j.named_present) for j in judged), present),
        "exact_labels": sum(i.absent is None for i in items),
        "examples": examples,
    }
