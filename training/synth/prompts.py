"""The reviewed prompt set of the LISTEN synthesis, and how a clip is shown to the LLM.

The backbone never hears the audio: it reads `[Begin of audio] <caption and tags> [End of
audio]` and one prompt. The *question* stored in a row is the prompt alone; at training
time the audio takes the place of the metadata.

Yes/no prompts share their wording between positives (the object is present) and
negatives (absent), so the wording never gives the answer away. Each prompt has a `check`
that the consistency filter applies (see consistency.py).
"""

from __future__ import annotations

from dataclasses import dataclass

AUDIO_BEGIN = "[Begin of audio]"
AUDIO_END = "[End of audio]"
SYSTEM_PROMPT = (
    "You are given a description of an audio clip between [Begin of audio] and [End of audio]. "
    "Answer the question as if you were listening to the clip yourself, in one or two short sentences. "
    "Only mention sounds that the description contains. Never mention the description itself. "
    "For a yes/no question, begin with Yes or No."
)

YES_NO_WORDINGS: dict[str, str] = {
    "sound": "Is there a sound of {obj} in the audio?",
    "hear": "Can you hear {obj} in this recording?",
    "contain": "Does the audio contain {obj}?",
}


@dataclass(frozen=True)
class Prompt:
    id: str  # stable id, recorded in every row (provenance) and in the rejection report
    kind: str  # "positive" | "negative"
    text: str  # the question; {obj} = an object name, {a}/{b} = two object names
    check: str  # consistency rule: describe | yes | no | name_absent | which_absent
    needs_present: bool = False  # needs at least one present label


POSITIVE_PROMPTS: tuple[Prompt, ...] = (
    Prompt("pos_describe", "positive", "Describe the sounds you hear in the audio.", "describe"),
    Prompt("pos_list", "positive", "List the sound events you can hear in the audio.", "describe"),
    Prompt("pos_caption", "positive", "Write a one-sentence caption for the audio.", "describe"),
    *(Prompt(f"pos_yn_{k}", "positive", t, "yes", needs_present=True) for k, t in YES_NO_WORDINGS.items()),
)
NEGATIVE_PROMPTS: tuple[Prompt, ...] = (
    *(Prompt(f"neg_yn_{k}", "negative", t, "no") for k, t in YES_NO_WORDINGS.items()),
    Prompt("neg_name_absent", "negative", "Name one everyday sound that is not in the audio.", "name_absent"),
    Prompt("neg_which_absent", "negative", "Which of these is not in the audio: {a} or {b}?", "which_absent",
           needs_present=True),
)
PROMPTS: dict[str, Prompt] = {p.id: p for p in (*POSITIVE_PROMPTS, *NEGATIVE_PROMPTS)}
DESCRIBE_PROMPTS = tuple(p for p in POSITIVE_PROMPTS if p.check == "describe")
PRESENT_YN_PROMPTS = tuple(p for p in POSITIVE_PROMPTS if p.check == "yes")
ABSENT_YN_PROMPTS = tuple(p for p in NEGATIVE_PROMPTS if p.check == "no")
OPEN_NEGATIVE_PROMPTS = tuple(p for p in NEGATIVE_PROMPTS if p.check in ("name_absent", "which_absent"))

# The object-hallucination benchmark (DESIGN.md section 6). The first three are the paper's;
# the last three are worded unlike any training prompt.
BENCHMARK_TEMPLATES: tuple[str, ...] = (
    "Is there a sound of {obj} in the audio?",
    "Can you detect the sound of {obj} in the audio?",
    "Does the audio contain the sound of {obj}?",
    "Did you hear {obj} in the audio?",
    "Is {obj} audible in this recording?",
    "Could {obj} be heard in this clip?",
)


def bare(name: str) -> str:
    """"a smoke alarm" -> "smoke alarm" (for tag lists)."""
    for article in ("a ", "an ", "the "):
        if name.lower().startswith(article):
            return name[len(article):]
    return name


def metadata_text(caption: str, names: list[str]) -> str:
    """What the LLM reads in place of the audio: the caption, then the tags."""
    tags = ", ".join(bare(n) for n in names) if names else "none (background noise only)"
    parts = [caption.strip()] if caption.strip() else []
    parts.append(f"Tags: {tags}.")
    return " ".join(parts)


def chat_messages(metadata: str, question: str) -> list[dict]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"{AUDIO_BEGIN} {metadata} {AUDIO_END}\n{question}"},
    ]
