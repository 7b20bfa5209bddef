"""Calibration of presence scores: Platt scaling, expected calibration error, reliability plot.

`Platt` maps a clip logit z to P(present) = sigmoid(scale * z + bias); it is fitted on the
validation split's benchmark questions (balanced like every benchmark split), never on a
test split. `expected_calibration_error` is the usual top-label ECE: the answers are binned
by their confidence (the probability of the answer given, >= 0.5) and each bin's
|accuracy - mean confidence| is weighted by its share of the answers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ECE_BINS = 10  # equal-width bins over [0.5, 1]: 0.05 wide


@dataclass(frozen=True)
class Platt:
    scale: float = 1.0
    bias: float = 0.0

    def probability(self, logits: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.scale * np.asarray(logits, dtype=np.float64) + self.bias)))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def fit(cls, logits: np.ndarray, present: np.ndarray, iterations: int = 100) -> Platt:
        """Maximum likelihood (Newton's method, a tiny ridge for separable data)."""
        z = np.asarray(logits, dtype=np.float64)
        y = np.asarray(present, dtype=np.float64)
        if z.size == 0 or y.min() == y.max():
            raise ValueError("Platt scaling needs both present and absent examples")
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


def expected_calibration_error(p_yes: np.ndarray, present: np.ndarray, bins: int = ECE_BINS) -> dict:
    """Top-label ECE of answers "yes" when p_yes >= 0.5, with the table behind it."""
    p = np.asarray(p_yes, dtype=np.float64)
    y = np.asarray(present, dtype=bool)
    said_yes = p >= 0.5
    conf = np.where(said_yes, p, 1 - p)
    right = said_yes == y
    edges = np.linspace(0.5, 1.0, bins + 1)
    idx = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        m = idx == b
        if not m.any():
            continue
        acc, mean_conf = float(right[m].mean()), float(conf[m].mean())
        ece += m.mean() * abs(acc - mean_conf)
        rows.append({"lo": float(edges[b]), "hi": float(edges[b + 1]), "n": int(m.sum()), "accuracy": acc,
                     "confidence": mean_conf})
    return {"ece": float(ece), "n": int(p.size), "bins": rows}


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
