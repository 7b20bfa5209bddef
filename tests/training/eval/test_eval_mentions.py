"""Hallucinated mentions on hand-made open answers, with the built-in label synonyms."""

from __future__ import annotations

import pytest

from training.corpus.ontology import vocabulary
from core.mentions import MentionFinder
from training.eval.mentions import OpenAnswer, asserted_mentions, judge, score_mentions


@pytest.fixture(scope="module")
def matcher():
    return MentionFinder(vocabulary())


def exact(answer, *present, clip=""):
    return OpenAnswer(answer, frozenset(present), None, clip)


def test_asserted_mentions_follow_synonyms_negation_and_families(matcher):
    assert asserted_mentions("I hear a dog barking and a siren.", matcher) == [{"dog_barking"}, {"siren"}]
    assert asserted_mentions("A fire alarm goes off.", matcher) == [{"smoke_alarm"}]  # synonym of smoke_alarm
    assert asserted_mentions("There is no siren, only rain.", matcher) == [{"rain"}]  # "no siren" asserts nothing
    # "beeping" could be several alarms; the named smoke alarm covers it
    assert asserted_mentions("I hear a smoke alarm beeping.", matcher) == [{"smoke_alarm"}]
    alarm = asserted_mentions("I hear an alarm.", matcher)
    assert len(alarm) == 1 and len(alarm[0]) > 1 and "smoke_alarm" in alarm[0]
    assert asserted_mentions("Only background noise.", matcher) == []


def test_judge_exact_labels(matcher):
    j = judge(exact("I hear a dog barking and a siren.", "dog_barking"), matcher)
    assert j.hallucinated == (frozenset({"siren"}),) and j.named_present == {"dog_barking"}
    j = judge(exact("I hear an alarm.", "rain"), matcher)  # no label of the family is present
    assert len(j.hallucinated) == 1
    j = judge(exact("I hear an alarm.", "co_alarm"), matcher)  # one label of the family is present
    assert j.hallucinated == () and j.named_present == frozenset()  # a family word names no label


def test_judge_partial_labels_leaves_unknown_events_out(matcher):
    partial = OpenAnswer("I hear music and a doorbell.", frozenset({"music"}), frozenset({"siren"}))
    j = judge(partial, matcher)
    assert j.hallucinated == () and j.unknown == (frozenset({"doorbell"}),)
    j = judge(OpenAnswer("A siren wails.", frozenset({"music"}), frozenset({"siren"})), matcher)
    assert j.hallucinated == (frozenset({"siren"}),)


def test_score_mentions_by_hand(matcher):
    items = [
        exact("I hear a dog barking and a siren.", "dog_barking", clip="c1"),  # 2 mentions, siren absent
        exact("There is no siren, only rain.", "rain", clip="c2"),  # 1 mention, fine
        exact("I hear an alarm.", "rain", clip="c3"),  # 1 mention, absent family
        exact("I hear a smoke alarm beeping.", "smoke_alarm", clip="c4"),  # 1 mention, fine
        exact("", "speech", clip="c5"),  # silent
    ]
    m = score_mentions(items, matcher)
    assert m["n_answers"] == 5
    assert m["answers_hallucinating"] == 2 and m["answers_hallucinating_ratio"] == pytest.approx(2 / 5)
    assert m["mentions"] == 5 and m["mentions_hallucinated"] == 2
    assert m["mentions_hallucinated_ratio"] == pytest.approx(2 / 5)
    assert m["silent"] == 1 and m["mentions_unknown"] == 0
    assert m["coverage"] == pytest.approx(3 / 5)  # dog, rain, smoke alarm named of 5 present labels
    assert m["exact_labels"] == 5
    assert [e["clip"] for e in m["examples"]] == ["c1", "c3"]
    assert m["examples"][0]["absent_named"] == ["siren"]


def test_score_mentions_empty(matcher):
    m = score_mentions([], matcher)
    assert m["n_answers"] == 0
    assert m["answers_hallucinating_ratio"] is None and m["mentions_hallucinated_ratio"] is None and m["coverage"] is None


def test_descriptions_are_judged_through_the_label_hierarchy(matcher):
    from core.hierarchy import Hierarchy
    from training.data.benchmark_io import BenchmarkRow
    from training.eval.score import open_answers

    entries = vocabulary()
    rows = [BenchmarkRow(where="t", fields={}, audio="", clip=clip, prompt_text="What do you hear?", object="",
                         attribute="open", label="", sampling="", template="", clip_labels=tuple(labels), answer=text)
            for text, clip, labels in (("I hear a brass instrument.", "c1", ["trumpet"]),  # implied: present
                                       ("I hear a snare drum.", "c2", ["drum"]),  # finer: unknown
                                       ("I hear a snare drum.", "c3", ["trumpet"]))]  # absent
    items = open_answers(rows, matcher, {e["label"] for e in entries}, Hierarchy.from_entries(entries))
    judged = [judge(i, matcher) for i in items]
    assert judged[0].named_present == {"brass_instrument"} and not judged[0].hallucinated
    assert not judged[1].hallucinated and judged[1].unknown
    assert judged[2].hallucinated
    worst = score_mentions(items, matcher)["worst_absent_label"]
    assert worst == {"label": "snare_drum", "answers": 1, "of": 2, "share": 0.5}  # c2 is finer, not lacking
