"""Absent-object sampling: property tests over random label statistics."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from training.synth.sampling import SAMPLINGS, rank_absent, sample_absent

VOCAB = [f"l{i:02d}" for i in range(12)]


@st.composite
def scenes(draw):
    present = draw(st.lists(st.sampled_from(VOCAB), unique=True, max_size=5))
    counts = {lab: draw(st.integers(0, 30)) for lab in VOCAB}
    cooc: dict[str, dict[str, int]] = {}
    for i, a in enumerate(VOCAB):
        for b in VOCAB[i + 1 :]:
            n = draw(st.integers(0, 6))
            if n:
                cooc.setdefault(a, {})[b] = n
                cooc.setdefault(b, {})[a] = n
    return present, {"label_counts": counts, "cooccurrence": cooc}


@settings(max_examples=200, deadline=None)
@given(scenes(), st.sampled_from(SAMPLINGS), st.integers(1, 6), st.integers(0, 2**31), st.sampled_from([None, 1, 3]))
def test_a_negative_never_names_a_present_label(scene, method, n, seed, pool):
    present, stats = scene
    got = sample_absent(present, VOCAB, n, method, stats, random.Random(seed), pool=pool)
    assert not set(got) & set(present)
    assert len(got) == len(set(got)) == min(n, len(VOCAB) - len(present))


@settings(max_examples=200, deadline=None)
@given(scenes(), st.integers(1, 6))
def test_adversarial_negatives_are_the_top_cooccurring_absent_labels(scene, n):
    present, stats = scene
    got = sample_absent(present, VOCAB, n, "adversarial", stats, random.Random(0))
    absent = [lab for lab in VOCAB if lab not in present]
    if not present:  # nothing to co-occur with: popular
        assert got == sorted(absent, key=lambda lab: (-stats["label_counts"][lab], lab))[:n]
        return

    def score(lab):
        return sum(stats["cooccurrence"].get(p, {}).get(lab, 0) for p in present)

    assert len(got) == min(n, len(absent))
    # every chosen label co-occurs at least as much as every label left out
    left = [lab for lab in absent if lab not in got]
    assert all(score(g) >= score(o) for g in got for o in left)
    assert got == sorted(got, key=lambda lab: (-score(lab), -stats["label_counts"][lab], lab))


@settings(max_examples=100, deadline=None)
@given(scenes(), st.integers(1, 6), st.integers(0, 1000))
def test_pooled_draws_come_from_the_top_of_the_ranking(scene, n, seed):
    present, stats = scene
    for method in ("popular", "adversarial"):
        top = rank_absent(present, VOCAB, method, stats)[: max(3, n)]
        assert set(sample_absent(present, VOCAB, n, method, stats, random.Random(seed), pool=3)) <= set(top)


def test_popular_ranks_by_corpus_counts():
    stats = {"label_counts": {"a": 5, "b": 9, "c": 9, "d": 1}, "cooccurrence": {}}
    assert rank_absent(["b"], ["a", "b", "c", "d"], "popular", stats) == ["c", "a", "d"]
