"""Absent objects for negative questions, POPE-style: random, popular or adversarial.

- random: any label of the vocabulary that the clip does not contain;
- popular: the absent labels that occur in the most clips of the corpus;
- adversarial: the absent labels that co-occur most with the clip's labels (summed over
  its labels), ties broken by popularity, then by name.

With `pool=None` the first `n` of that ranking are returned (the benchmark); with a pool of
k, `n` are drawn from the top k (training data, for variety). A sampled label is never one
the clip contains.
"""

from __future__ import annotations

import random

SAMPLINGS = ("random", "popular", "adversarial")


def rank_absent(present: list[str], vocab: list[str], method: str, stats: dict) -> list[str]:
    """Absent labels in the order of `method` (random order is by name; the caller draws)."""
    if method not in SAMPLINGS:
        raise ValueError(f"sampling {method!r} must be one of {', '.join(SAMPLINGS)}")
    have = set(present)
    absent = sorted(lab for lab in set(vocab) if lab not in have)
    counts = stats.get("label_counts", {})
    if method == "random":
        return absent
    if method == "popular" or not present:
        return sorted(absent, key=lambda lab: (-counts.get(lab, 0), lab))
    cooc = stats.get("cooccurrence", {})
    score = {lab: sum(cooc.get(p, {}).get(lab, 0) for p in have) for lab in absent}
    return sorted(absent, key=lambda lab: (-score[lab], -counts.get(lab, 0), lab))


def sample_absent(present: list[str], vocab: list[str], n: int, method: str, stats: dict,
                  rng: random.Random, pool: int | None = None) -> list[str]:
    """Up to `n` distinct absent labels by `method` (fewer when fewer are absent)."""
    ranked = rank_absent(present, vocab, method, stats)
    if method == "random":
        return rng.sample(ranked, min(n, len(ranked)))
    if pool is None:
        return ranked[:n]
    top = ranked[: max(pool, n)]
    return rng.sample(top, min(n, len(top)))
