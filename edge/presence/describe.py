"""Grounded descriptions: "What do you hear?" answered from what the presence model detected.

The LLM is given the window's soft tokens and, after the question, the detections with their
time ranges ("Sounds detected: a dog barking (0-4 s); rain (0-10 s)."), and words them. Its
wording is kept only when it is grounded: every sound it asserts (`core.mentions`, any label
of the library, negations ignored) was detected, and it names at least one of the detected
sounds (or none, when nothing was detected). Otherwise the template (`core.replies.describe`)
stands in, so that a description never names a sound that was not detected.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.mentions import MentionFinder
from core.replies import Detection, describe, span_text


def detections_note(detections: Sequence[Detection]) -> str:
    """The line the LLM reads after the question."""
    if not detections:
        return "Sounds detected: none that I know."
    return "Sounds detected: " + "; ".join(f"{d.name} ({span_text(d.spans)})" for d in detections) + "."


def is_grounded(text: str, detections: Sequence[Detection], finder: MentionFinder) -> bool:
    """Whether `text` asserts only detected sounds, and names one of them when there are any."""
    detected = {d.label for d in detections}
    named = False
    for m in finder.mentions(text):
        if m.negated:
            continue
        if not (m.labels & detected):
            return False
        named = True
    return bool(text.strip()) and (named or not detected)


def grounded_description(llm_text: str | None, detections: Sequence[Detection],
                         finder: MentionFinder) -> tuple[str, bool]:
    """(the answer, whether it is the LLM's own wording)."""
    text = (llm_text or "").strip()
    if text and is_grounded(text, detections, finder):
        return text, True
    return describe(detections), False
