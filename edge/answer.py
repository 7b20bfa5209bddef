"""What the assistant returns: the one result type of `ask`, the CLI's --json and the daemon.

Units are in the field names or comments. When an answer counts as "yes" is decided in
`core.answers.answer_says_yes`. The JSON shape (`Answer.to_json`) is a stable
contract that other tools script against: add fields, never rename or remove them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

@dataclass(frozen=True)
class WindowAnswer:
    start: float  # seconds from the start of the audio
    end: float  # seconds from the start of the audio
    answer: str  # the LLM's text for this window
    heard: bool | None  # presence decision for a yes/no question; None for open questions
    confidence: float | None = None  # of `heard`: P(present) if heard else 1 - P(present); None when heard is None
    probability: float | None = None  # presence model: calibrated P(present) of the asked sound in this window
    similarity: float | None = None  # presence model: cosine of the asked phrase to the nearest trained phrase
    detections: list | None = None  # descriptions: [{label, name, spans [[start s, end s]], probability}]
    worded_by: str | None = None  # descriptions: "llm" (its wording was grounded) or "template"


@dataclass(frozen=True)
class Answer:
    text: str  # the answer for the whole audio
    heard: bool | None  # yes/no: heard in any window; None for open questions and for "I can't tell"
    confidence: float | None  # of `heard`, in [0, 1]; None for open questions
    windows: list[WindowAnswer] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)  # features, encoder, presence, prefill, first_token, decode, total
    probability: float | None = None  # presence model: highest calibrated P(present) over the windows

    def to_json(self, bundle: dict[str, Any] | None = None) -> dict[str, Any]:
        """`{"answer", "heard", "confidence", "probability", "windows": [...], "timings_ms": {...}, "bundle": {...}}`."""
        return {
            "answer": self.text,
            "heard": self.heard,
            "confidence": self.confidence,
            "probability": self.probability,
            "windows": [asdict(w) for w in self.windows],
            "timings_ms": dict(self.timings_ms),
            "bundle": dict(bundle or {}),
        }
