"""The presence decision rule (core.presence): yes, no, or can't tell."""

import pytest

from core.presence import PresenceRule


def test_decides_outside_the_band_and_refuses_inside_it():
    rule = PresenceRule(0.5, 0.4, 0.6, 0.3).check()
    assert rule.decide(0.61) is True and rule.decide(0.6) is True
    assert rule.decide(0.39) is False and rule.decide(0.4) is False
    assert rule.decide(0.5) is None and rule.decide(0.45) is None and rule.decide(0.55) is None


def test_a_phrase_far_from_every_trained_phrase_is_not_judged():
    rule = PresenceRule(0.5, 0.4, 0.6, 0.3)
    assert rule.decide(0.99, similarity=0.29) is None
    assert rule.decide(0.01, similarity=0.29) is None
    assert rule.decide(0.99, similarity=0.3) is True


def test_without_band_every_probability_is_decided():
    rule = PresenceRule()
    assert [rule.decide(p) for p in (0.0, 0.49, 0.5, 1.0)] == [False, False, True, True]


@pytest.mark.parametrize("kwargs,word", [
    (dict(threshold=1.5), "threshold"), (dict(unsure_low=-0.1), "unsure_low"),
    (dict(threshold=0.7, unsure_low=0.4, unsure_high=0.6), "inside the uncertain band"),
    (dict(min_similarity=2.0), "min_similarity"),
])
def test_check_names_the_bad_number(kwargs, word):
    with pytest.raises(ValueError, match=word):
        PresenceRule(**kwargs).check()


def test_the_novelty_gate_trusts_close_phrases_and_pulls_far_ones_to_the_prior():
    from core.presence import NoveltyGate

    gate = NoveltyGate(center=0.8, width=0.02, prior_logit=0.3)
    assert gate.trust(0.99) > 0.99 and gate.trust(0.5) < 1e-6 and gate.trust(0.8) == pytest.approx(0.5)
    assert gate.blend(4.0, gate.trust(0.99)) == pytest.approx(4.0, abs=0.01)
    assert gate.blend(4.0, gate.trust(0.2)) == pytest.approx(0.3)
    assert NoveltyGate().trust(-1.0) == 1.0  # width 0: no gate
    assert NoveltyGate.from_calibration({"scale": 1.0, "bias": 0.0}) == NoveltyGate()
    assert NoveltyGate.from_calibration(gate.to_calibration()) == gate
