"""Platt scaling (training.presence.calibration) and ECE (training.eval.metrics)."""

import numpy as np
import pytest

from training.eval.metrics import expected_calibration_error
from training.errors import PresenceDataError
from training.presence.calibration import Platt, fit_gate, reliability_plot


def test_platt_recovers_the_scale_and_bias_that_generated_the_labels():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, 20000)
    y = rng.random(z.size) < 1 / (1 + np.exp(-(0.5 * z - 1.0)))
    fit = Platt.fit(z, y)
    # 20k Bernoulli draws: the MLE's standard error is about 0.01 on each parameter
    assert fit.scale == pytest.approx(0.5, abs=0.05) and fit.bias == pytest.approx(-1.0, abs=0.08)


def test_platt_refuses_one_class():
    """A data problem (a one-sided validation split): one line from the CLI, not a traceback."""
    with pytest.raises(PresenceDataError, match="both present and absent examples, got 4, all present"):
        Platt.fit(np.zeros(4), np.ones(4, bool))
    with pytest.raises(PresenceDataError, match="0 given"):
        fit_gate(np.zeros(0), np.zeros(0), np.zeros(0, bool))


def test_ece_is_small_when_calibrated_and_large_when_overconfident():
    rng = np.random.default_rng(1)
    p = rng.random(20000)
    y = rng.random(p.size) < p
    assert expected_calibration_error(p, y)["ece"] < 0.02  # sampling noise of 20k draws over 10 bins
    sharp = np.where(p >= 0.5, 0.999, 0.001)  # says 99.9 % where it is right about 75 % of the time
    assert expected_calibration_error(sharp, y)["ece"] > 0.2


def test_ece_table_counts_every_answer(tmp_path):
    p = np.array([0.1, 0.2, 0.7, 0.95, 0.5])
    y = np.array([False, True, True, True, False])
    table = expected_calibration_error(p, y)
    assert sum(b["n"] for b in table["bins"]) == 5
    png = reliability_plot({"test": table}, tmp_path / "r.png", "t")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_fitted_gate_distrusts_phrases_that_score_no_better_than_chance():
    from training.presence.calibration import fit_gate

    rng = np.random.default_rng(0)
    n = 400
    present = rng.random(2 * n) < 0.5
    # known phrases (cosine ~1): the logit is informative; novel ones (cosine ~0.5): confident and random
    sim = np.concatenate([rng.uniform(0.97, 1.0, n), rng.uniform(0.3, 0.7, n)])
    logits = np.concatenate([np.where(present[:n], 3.0, -3.0), rng.choice([-4.0, 4.0], n)])
    gate = fit_gate(logits, sim, present)
    assert gate.trust(0.99) > 0.9 and gate.trust(0.6) < 0.1
    assert gate.prior_logit == 0.0  # a phrase not trusted gets P = 0.5: "I can't tell"
    p = Platt(1.0, 0.0).with_gate(gate).probability(logits, sim)
    assert np.all(np.abs(p[n:] - 0.5) < 0.15) and np.mean((p[:n] >= 0.5) == present[:n]) == 1.0
