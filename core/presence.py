"""The presence decision: from a calibrated probability to yes, no or "can't tell".

One rule for the edge and for the offline evaluation of the presence model. A phrase is
judged only when (a) it lies close enough to the phrases the model was trained on (cosine
in the model's text space >= `min_similarity`: a phrase far from all of them is one the
model never learned to hear) and (b) its calibrated probability is outside the uncertain
band `(unsure_low, unsure_high)`. Otherwise the answer is None: "I can't tell".
A description ("what do you hear?") asks about every trained label at once, so it names a
sound only above the stricter `describes` floor, chosen on the validation split so that few
descriptions name an absent sound.

`NoveltyGate` is the part of the calibration that knows how little a score is worth for a
phrase unlike the trained ones: the calibrated logit is pulled toward a prior as the phrase's
cosine to the nearest trained phrase falls, by an amount fitted on labels held out of training.
Torch-free and numpy-free (its arithmetic also works on numpy arrays).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

MAX_DESCRIBED = 3  # a description names at most this many sounds, likeliest first
MEAN_POOLING = "mean of the phrase tokens' last hidden states (after the final norm)"
LAST_POOLING = "the last token's last hidden state (after the final norm)"


@dataclass(frozen=True)
class TextTemplate:
    """How the text tower reads a phrase: `prefix` + " " + phrase + `suffix`, each tokenized
    apart (training and the edge split the ids the same way), then pooled: the mean of the
    phrase tokens' states, or the last token's state, whose prompt asks the LLM to sum the
    phrase up in one word (PromptEOL: Jiang et al. 2023)."""

    prefix: str
    suffix: str = ""
    pooling: str = MEAN_POOLING

    @property
    def last(self) -> bool:
        return self.pooling == LAST_POOLING

    def check(self) -> TextTemplate:
        if self.pooling not in (MEAN_POOLING, LAST_POOLING):
            raise ValueError(f"text tower pooling {self.pooling!r} is neither {MEAN_POOLING!r} nor {LAST_POOLING!r}")
        return self


TEXT_TEMPLATES = {
    "mean": TextTemplate("The sound of"),
    "eol": TextTemplate("This sound:", ' means in one word: "', LAST_POOLING),
}


@dataclass(frozen=True)
class PresenceRule:
    threshold: float = 0.5  # calibrated P(present) at or above which the sound is heard
    unsure_low: float = 0.5  # P(present) strictly inside (unsure_low, unsure_high) -> can't tell
    unsure_high: float = 0.5
    min_similarity: float = -1.0  # nearest known phrase's cosine below this -> can't tell
    describe_min: float = 0.5  # a description names a sound only at this P(present) or above

    def decide(self, probability: float, similarity: float = 1.0) -> bool | None:
        """True (heard), False (not heard) or None (can't tell)."""
        if similarity < self.min_similarity or self.unsure_low < probability < self.unsure_high:
            return None
        return probability >= self.threshold

    def describes(self, probability: float) -> bool:
        """Whether a description names a sound of this probability."""
        return probability >= max(self.describe_min, self.unsure_high, self.threshold)

    def check(self) -> PresenceRule:
        """Itself, when its numbers make sense; else ValueError naming the one that does not."""
        for name in ("threshold", "unsure_low", "unsure_high", "describe_min"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"presence {name} {v!r} is not a probability in [0, 1]")
        if not self.unsure_low <= self.threshold <= self.unsure_high:
            raise ValueError(f"presence threshold {self.threshold} must lie inside the uncertain band "
                             f"[{self.unsure_low}, {self.unsure_high}]")
        if not -1.0 <= self.min_similarity <= 1.0:
            raise ValueError(f"presence min_similarity {self.min_similarity!r} is not a cosine in [-1, 1]")
        return self


@dataclass(frozen=True)
class NoveltyGate:
    """calibrated logit = trust * (scale * z + bias) + (1 - trust) * prior_logit, where
    trust = sigmoid((similarity - center) / width) and similarity is the phrase's cosine to the
    nearest trained phrase. width 0 means no gate (every phrase fully trusted)."""

    center: float = -1.0
    width: float = 0.0
    prior_logit: float = 0.0

    KEYS = ("novelty_center", "novelty_width", "novelty_prior_logit")  # their names in a calibration dict

    @classmethod
    def from_calibration(cls, calibration: Mapping) -> NoveltyGate:
        """The gate of a calibration dict (the manifest's, presence.json's); absent keys: no gate."""
        c, w, b = (calibration.get(k) for k in cls.KEYS)
        return cls(-1.0 if c is None else float(c), 0.0 if w is None else float(w), 0.0 if b is None else float(b))

    def to_calibration(self) -> dict:
        return dict(zip(self.KEYS, (self.center, self.width, self.prior_logit)))

    def trust(self, similarity: float) -> float:
        if self.width <= 0:
            return 1.0
        x = (similarity - self.center) / self.width
        return 1.0 / (1.0 + math.exp(-x)) if x > -60 else 0.0

    def blend(self, logit, trust):
        """The gated logit; `logit` and `trust` may be floats or numpy arrays that broadcast."""
        return trust * logit + (1.0 - trust) * self.prior_logit
