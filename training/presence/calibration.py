"""Calibration of presence scores: Platt scaling, the novelty gate, the reliability plot.

`Platt` maps a clip logit z to P(present) = sigmoid(scale * z + bias); it is fitted on the
validation split's benchmark questions (balanced like every benchmark split), never on a
test split. Its optional novelty gate (`core.presence.NoveltyGate`, fitted by `fit_gate` on
validation questions about labels held out of training) pulls that logit toward a prior for
phrases far from the trained ones, whose scores are worth little. The ECE behind the
reliability plot is `training.eval.metrics.expected_calibration_error` (evaluation scores with
it too, and eval sits below presence).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from core.presence import NoveltyGate
from training.errors import PresenceDataError

# A trained phrase says itself through llama.cpp on the edge and transformers in training
# (cosine >= 0.99 by the export gate): the gate must trust a cosine of 0.99 or more.
MAX_GATE_CENTER = 0.97
MIN_GATE_WIDTH = 0.005


@dataclass(frozen=True)
class Platt:
    scale: float = 1.0
    bias: float = 0.0
    novelty_center: float = -1.0  # the NoveltyGate (width 0: none)
    novelty_width: float = 0.0
    novelty_prior_logit: float = 0.0

    @property
    def gate(self) -> NoveltyGate:
        return NoveltyGate.from_calibration(asdict(self))

    def with_gate(self, gate: NoveltyGate) -> Platt:
        return replace(self, **gate.to_calibration())

    def probability(self, logits: np.ndarray, similarity: np.ndarray | None = None) -> np.ndarray:
        """P(present); with `similarity` (broadcasting like `logits`), the novelty gate applies."""
        z = self.scale * np.asarray(logits, dtype=np.float64) + self.bias
        if similarity is not None:
            sim = np.asarray(similarity, dtype=np.float64)
            z = self.gate.blend(z, np.vectorize(self.gate.trust, otypes=[np.float64])(sim) if sim.size else sim)
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def fit(cls, logits: np.ndarray, present: np.ndarray, iterations: int = 100) -> Platt:
        """Maximum likelihood (Newton's method, a tiny ridge for separable data)."""
        z = np.asarray(logits, dtype=np.float64)
        y = np.asarray(present, dtype=np.float64)
        if z.size == 0 or y.min() == y.max():
            got = f"{z.size}, all {'present' if y.max() else 'absent'}" if z.size else "none"
            raise PresenceDataError(f"Platt scaling needs both present and absent examples, got {got}; "
                                    "the validation split is too small or one-sided: use more clips")
        w = np.zeros(2)  # (scale, bias)
        x = np.stack([z, np.ones_like(z)], 1)
        for _ in range(iterations):
            p = 1.0 / (1.0 + np.exp(-(x @ w)))
            grad = x.T @ (p - y) + 1e-6 * w
            hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-6 * np.eye(2)
            step = np.linalg.solve(hess, grad)
            w -= step
            if np.abs(step).max() < 1e-10:
                break
        return cls(float(w[0]), float(w[1]))


def fit_gate(logits: np.ndarray, similarity: np.ndarray, present: np.ndarray, prior_logit: float = 0.0) -> NoveltyGate:
    """The NoveltyGate of maximum likelihood for already calibrated logits (scale * z + bias):
    questions whose phrases are far from the trained ones, and are answered no better than
    chance, teach it to pull their logits toward `prior_logit` (0: P = 0.5, "I can't tell";
    a benchmark's share of present answers among novel phrases is an artefact of how its
    questions were drawn, not a prior worth learning). A grid over (center, width) finds the
    basin, Nelder-Mead refines it. Needs both kinds of answer."""
    from scipy.optimize import minimize

    z, s = np.asarray(logits, np.float64), np.asarray(similarity, np.float64)
    y = np.asarray(present, np.float64)
    if z.size == 0 or y.min() == y.max():
        raise PresenceDataError(f"the novelty gate needs both present and absent examples ({z.size} given); "
                                "the validation split is too small or one-sided: use more clips")

    def nll(theta: np.ndarray) -> float:
        center = np.clip(theta[0], -1.0, MAX_GATE_CENTER)
        width = np.exp(np.clip(theta[1], np.log(MIN_GATE_WIDTH), 0.0))
        trust = 1.0 / (1.0 + np.exp(-np.clip((s - center) / width, -60, 60)))
        g = trust * z + (1 - trust) * prior_logit
        return float(np.mean(np.logaddexp(0.0, g) - y * g))

    grid = [np.array([c, np.log(w)]) for c in np.linspace(max(-1.0, float(s.min()) - 0.05), MAX_GATE_CENTER, 48)
            for w in np.geomspace(MIN_GATE_WIDTH, 0.5, 12)]
    start = min(grid, key=nll)
    best = minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-8, "maxiter": 2000})
    theta = best.x if best.fun <= nll(start) else start
    return NoveltyGate(float(np.clip(theta[0], -1.0, MAX_GATE_CENTER)),
                       float(np.exp(np.clip(theta[1], np.log(MIN_GATE_WIDTH), 0.0))), float(prior_logit))


def reliability_plot(tables: dict[str, dict], path: Path, title: str) -> Path:
    """A PNG of accuracy against confidence per bin, one line per table (matplotlib, headless)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot([0.5, 1.0], [0.5, 1.0], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    for name, table in tables.items():
        xs = [b["confidence"] for b in table["bins"]]
        ys = [b["accuracy"] for b in table["bins"]]
        ax.plot(xs, ys, marker="o", label=f"{name} (ECE {table['ece']:.3f}, n={table['n']})")
    ax.set_xlim(0.5, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("confidence of the answer")
    ax.set_ylabel("share of answers that were right")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
