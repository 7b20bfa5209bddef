"""Planning: deterministic, half negatives, objects that respect presence, template answers that pass."""

from __future__ import annotations

from core.mentions import MentionFinder
from training.synth.answers import template_answer
from training.synth.consistency import check_answer
from training.synth.plan import PlanConfig, plan_corpus


def test_plan_is_deterministic_and_balanced(small_corpus):
    cfg = PlanConfig(seed=3)
    a = plan_corpus(small_corpus.rows, small_corpus, cfg)
    assert [(r.id, r.question, r.obj) for r in a] == [(r.id, r.question, r.obj) for r in plan_corpus(small_corpus.rows, small_corpus, cfg)]
    other = plan_corpus(small_corpus.rows, small_corpus, PlanConfig(seed=4))
    assert [(r.id, r.question) for r in a] != [(r.id, r.question) for r in other]
    kinds = [r.kind for r in a]
    assert kinds.count("negative") == kinds.count("positive") == 2 * len(small_corpus.rows)
    assert len({r.id for r in a}) == len(a)
    assert {r.sampling for r in a if r.kind == "negative"} == {"random", "popular", "adversarial"}


def test_objects_respect_presence(small_corpus):
    for r in plan_corpus(small_corpus.rows, small_corpus, PlanConfig()):
        labels = set(r.clip.labels)
        if r.kind == "negative":
            assert r.obj not in labels and r.sampling is not None
            if r.prompt.check == "which_absent":
                assert r.other in labels
                names = small_corpus.label_names
                assert names[r.obj] in r.question and names[r.other] in r.question
        elif r.prompt.check == "yes":
            assert r.obj in labels and small_corpus.label_names[r.obj] in r.question
        assert r.messages()[1]["content"].startswith("[Begin of audio] ")
        assert "[End of audio]\n" + r.question in r.messages()[1]["content"]


def test_every_template_answer_passes_the_filter(small_corpus):
    matcher = MentionFinder(small_corpus.labels)
    names = small_corpus.label_names
    for seed in range(3):
        for r in plan_corpus(small_corpus.rows, small_corpus, PlanConfig(positives_per_clip=3, negatives_per_clip=3, seed=seed)):
            answer = template_answer(r, names)
            verdict = check_answer(r, answer, matcher)
            assert verdict.ok, (r.id, answer, verdict.reason)
