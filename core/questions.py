"""What a question asks: its kind, and for a yes/no question the sound phrase it asks about.

Torch-free and numpy-free: the edge answers with it, training builds its rows with it.

Kinds (`question_kind`): one that opens with an English yes/no word ("Is there a dog?") is a
yes/no question; one that ends with "?" but opens with none of the English question words
in `_ENGLISH_OPENERS` ("¿Hay un perro?", "Gibt es einen Hund?") is not taken for English
("not_english"), unless it names a sound of the vocabulary ("Dog barking?"), which makes it a
terse English yes/no question; anything else is an open question.

The asked phrase (`asked_phrase`) is the object of a yes/no question in any wording, not only
the benchmark's templates: the opener ("is there", "did you hear", "can you detect"), a
leading "the sound of" and the trailing context ("in the audio", "in this clip", "nearby",
"audible", "be heard") are peeled off, and what is left is the phrase an open-vocabulary
presence score is asked about ("Is there a cow?" -> "a cow"; "Could a ship horn be heard in
this clip?" -> "a ship horn"). None when nothing is left to ask about.
"""

from __future__ import annotations

import re

from core.labels import NO_LABEL, LabelMatcher

MAX_PHRASE_WORDS = 8  # a longer remainder is a clause, not the name of a sound

# Questions opening with these words expect yes or no ("Is there a dog?", "Did the alarm go off?").
_YES_NO_OPENERS = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|am)\b", re.IGNORECASE
)
# Other English openers of a question (open ones, and informal yes/no ones such as "Any dogs?").
# A question ending in "?" that opens with neither list is not taken for English.
_ENGLISH_OPENERS = re.compile(
    r"^\W*(what|which|who|whom|whose|where|when|why|how|any|anything|anyone|anybody|there|tell|describe|list|"
    r"name|please|and|but|so|or|in|during|at|from|after|before|since|hear|heard|listen)\b",
    re.IGNORECASE,
)

# Peeled off the front, in order, each at most once.
_LEADS = (
    r"(is|are|was|were|has|have|had)\s+there(\s+been)?",
    r"(do|did|can|could|will|would|should)\s+(you|we|i)\s+(hear|detect|notice|make\s+out|pick\s+up|identify)",
    r"(does|did|do)\s+(the|this|that)\s+(audio|clip|recording|sound|sounds|file)\s+(contain|include|have|feature)",
    r"(is|are|was|were|can|could|will|would|should|do|does|did|has|have|had)",
)
_LEAD_RE = re.compile(r"^\s*(?:" + "|".join(_LEADS) + r")\b\s*", re.IGNORECASE)
_QUANTIFIER_RE = re.compile(r"^(anything\s+like|something\s+like|any|some|anything|something|it)\s+(?=\w)",
                            re.IGNORECASE)
_SOUND_OF_RE = re.compile(r"^(the|a|an|any)?\s*(sounds?|noises?)\s+(of|from)\s+", re.IGNORECASE)
# Peeled off the end, repeatedly: where/when it was heard, and the verb of hearing.
_TAILS = (
    r"(in|on|within|during)\s+(the|this|that|my)\s+(audio|clip|recording|sound|file|room|background|house|home)",
    r"(right\s+)?now", r"nearby", r"around", r"here", r"just\s+now", r"at\s+all", r"anywhere",
    r"(be\s+)?(heard|audible|detected|present|detectable|going\s+on|happening|playing)",
    r"(go|goes|gone|went|going)\s+off", r"(ring|rang|rung)",
    r"(that|which)\s+(you|we|i)\s+(can\s+)?hear", r"(you|we|i)\s+(can\s+)?hear",
)
_TAIL_RE = re.compile(r"\s+(?:" + "|".join(_TAILS) + r")\s*$", re.IGNORECASE)


def is_yes_no_question(question: str) -> bool:
    return bool(_YES_NO_OPENERS.match(question))


def question_kind(question: str, matcher: LabelMatcher | None = None) -> str:
    """"yes_no", "open", or "not_english" (see the module docstring)."""
    if is_yes_no_question(question):
        return "yes_no"
    if question.rstrip().endswith("?") and not _ENGLISH_OPENERS.match(question):
        return "yes_no" if matcher is not None and matcher.match(question) != NO_LABEL else "not_english"
    return "open"


def asked_phrase(question: str) -> str | None:
    """The sound phrase a yes/no question asks about, lower-cased, its article kept ("a cow");
    None when the question names nothing (an open question, or only a verb)."""
    if not is_yes_no_question(question) and _ENGLISH_OPENERS.match(question):
        return None  # an open question ("What do you hear?", "Any dogs?" is open too)
    text = " ".join(question.replace("\u00bf", " ").split()).strip().rstrip("?!. ").strip()
    text = _LEAD_RE.sub("", text, count=1)
    text = _QUANTIFIER_RE.sub("", text)
    text = _SOUND_OF_RE.sub("", text)
    while True:
        shorter = _TAIL_RE.sub("", text)
        if shorter == text:
            break
        text = shorter
    words = re.findall(r"[\w'-]+", text.lower())
    named = [w for w in words if w not in _NOT_A_NAME]
    if not named or len(words) > MAX_PHRASE_WORDS:
        return None
    return " ".join(words)


# Words that name no sound on their own: a phrase of only these asks about nothing specific.
_NOT_A_NAME = frozenset({"a", "an", "the", "any", "some", "it", "that", "this", "anything", "something",
                         "sound", "sounds", "noise", "noises"})
