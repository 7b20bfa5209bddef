"""What a question asks: its kind, and for a yes/no question the sound phrase it asks about.

Torch-free and numpy-free: the edge answers with it, training builds its rows with it.

Kinds (`question_kind`): one that opens with an English yes/no word ("Is there a dog?") is a
yes/no question; one written without a Latin letter ("هل يوجد كلب؟", "有狗吗？") is not English
("not_english"); one that ends with a question mark (of any script) but opens with none of
the English question words in `_ENGLISH_OPENERS` ("¿Hay un perro?", "Gibt es einen Hund?")
is not taken for English either, unless it names a sound of the vocabulary ("Dog barking?"),
which makes it a terse English yes/no question; anything else is an open question.

`question_problem` is the one rule on a question's characters, for every way in (socket,
MQTT, command line, settings file): control characters (an ESC sequence would reach the
answer and the user's terminal) and bidirectional formatting controls (a right-to-left
override would become part of the asked phrase) are refused, not silently dropped.

The asked phrase (`asked_phrase`) is the object of a yes/no question in any wording, not only
the benchmark's templates: the opener ("is there", "did you hear", "can you detect"), a
leading "the sound of" and the trailing context ("in the audio", "in this clip", "nearby",
"audible", "be heard") are peeled off, and what is left is the phrase an open-vocabulary
presence score is asked about ("Is there a cow?" -> "a cow"; "Could a ship horn be heard in
this clip?" -> "a ship horn"). None when nothing is left to ask about.
"""

from __future__ import annotations

import re
import unicodedata

from core.labels import NO_LABEL, LabelMatcher

MAX_PHRASE_WORDS = 8  # a longer remainder is a clause, not the name of a sound

# C0/C1 controls (tab, LF and CR aside: whitespace a form may send) and the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_QUESTION_MARKS = "?\u037e\u055e\u061f\u1367\u2e2e\ufe56\uff1f"  # ? and its Greek, Armenian, Arabic, Ethiopic, reversed, small, full-width forms

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


def question_problem(question: str) -> str | None:
    """Why `question` cannot be asked as it is written (one line), or None."""
    bad = _FORBIDDEN.search(question)
    if bad is None:
        return None
    name = unicodedata.name(bad.group(), "a control character")
    return (f"it holds U+{ord(bad.group()):04X} ({name.lower()}) at character {bad.start() + 1}; "
            "send the question as plain text")


def watch_problem(question: str, matcher: LabelMatcher | None = None) -> str | None:
    """Why `question` cannot be a watch (a standing question that alerts when its sound is
    heard), or None: it must be an English yes/no question that names a sound."""
    kind = question_kind(question, matcher)
    if kind == "not_english":
        return 'watches are understood in English only; ask e.g. "Is there a smoke alarm?"'
    if kind != "yes_no":
        return ('a watch must be a yes/no question about a sound, e.g. "Is there a smoke alarm?"; '
                "an open question can never raise an alert")
    if asked_phrase(question) is None:
        return 'the question names no sound to listen for; ask e.g. "Is a dog barking?"'
    return None


def is_yes_no_question(question: str) -> bool:
    return bool(_YES_NO_OPENERS.match(question))


def question_kind(question: str, matcher: LabelMatcher | None = None) -> str:
    """"yes_no", "open", or "not_english" (see the module docstring)."""
    if is_yes_no_question(question):
        return "yes_no"
    letters = [c for c in question if c.isalpha()]
    if letters and not any("a" <= c.lower() <= "z" for c in letters):
        return "not_english"  # no Latin letter at all: Arabic, Chinese, Cyrillic...
    if question.rstrip()[-1:] in _QUESTION_MARKS and not _ENGLISH_OPENERS.match(question):
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
