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
    confidence: float | None = None  # P(yes) / (P(yes) + P(no)) at the first answer token, or its complement


@dataclass(frozen=True)
class Answer:
    text: str  # the answer for the whole audio
    heard: bool | None  # yes/no questions: heard in any window; open questions: None
    confidence: float | None  # of `heard`, in [0, 1]; None for open questions
    windows: list[WindowAnswer] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)  # features, encoder, prefill, first_token, decode, total

    def to_json(self, bundle: dict[str, Any] | None = None) -> dict[str, Any]:
        """`{"answer", "heard", "confidence", "windows": [...], "timings_ms": {...}, "bundle": {...}}`."""
        return {
            "answer": self.text,
            "heard": self.heard,
            "confidence": self.confidence,
            "windows": [asdict(w) for w in self.windows],
            "timings_ms": dict(self.timings_ms),
            "bundle": dict(bundle or {}),
        }
