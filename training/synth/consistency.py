"""The consistency filter: drop generations that contradict the clip's metadata.

A generation is rejected, with one reason, when it
- answers "yes" to a question about an absent sound (`yes_to_absent`);
- answers "no" to a question about a present sound (`no_to_present`);
- gives no readable yes or no to a yes/no question (`unclear_yes_no`);
- denies a sound that is present ("there is no speech") (`denies_present`);
- mentions, without negating it, a sound that is not in the clip (`mentions_absent`);
- describes a clip with sounds without naming any of them, or a clip without sounds
  without saying it is quiet or only noise (`names_nothing`);
- names, as the missing sound, one that is present (`names_present_as_missing`);
- leaves out the absent option of a "which is not in the audio" question (`misses_object`);
- is empty (`empty`), a description of fewer than three words (`too_short`), or a decoding
  loop where one word fills most of a long answer (`repetitive`);
- speaks of the description it was shown instead of the sound ("the description mentions...")
  (`mentions_metadata`): the trained model hears audio, not a description.

Mentions are read by `MentionFinder` (synonyms, family words, negation scope); a family word
("alarm") is consistent when any of its labels fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.mentions import MentionFinder, Mention
from training.synth.plan import SynthRequest

MIN_DESCRIPTION_WORDS = 3  # "Yes." is no description
REPETITION_MIN_WORDS = 8  # answers this long are checked for loops
REPETITION_MAX_SHARE = 0.5  # ... and rejected when one word makes up more than this share of them
REASONS = ("empty", "repetitive", "too_short", "mentions_metadata", "unclear_yes_no", "yes_to_absent", "no_to_present", "denies_present", "mentions_absent",
           "names_nothing", "names_present_as_missing", "misses_object")
_YES = {"yes", "yeah", "yep", "correct", "indeed", "absolutely", "certainly", "definitely"}
_NO = {"no", "nope", "not", "never"}
_QUIET = re.compile(r"\b(background|noise|noisy|silence|silent|quiet|hiss|rumble|nothing|no sounds?|no distinct)\b",
                    re.IGNORECASE)
_FIRST_WORD = re.compile(r"^\W*([a-z']+)")
_METADATA = re.compile(r"\b(description|described|describes|describing|tags?|metadata|caption)\b|begin of audio|end of audio",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str | None = None  # one of REASONS when rejected
    named: str | None = None  # name_absent: the label the answer names as missing

    def __bool__(self) -> bool:
        return self.ok


def polarity(answer: str, asked: list[Mention]) -> str | None:
    """"yes" / "no" / None from a leading yes/no word, else from how the asked object is mentioned
    (negated or not); None when neither says it."""
    text = answer.strip().lower()
    m = _FIRST_WORD.match(text)
    if m and m.group(1) in _YES:
        return "yes"
    if m and m.group(1) in _NO:
        return "no"
    if asked:
        return "no" if asked[0].negated else "yes"
    return None


def check_answer(req: SynthRequest, answer: str, matcher: MentionFinder) -> Verdict:
    if not answer.strip():
        return Verdict(False, "empty")
    if _is_repetitive(answer):
        return Verdict(False, "repetitive")
    if _METADATA.search(answer) and not (req.prompt.id == "pos_caption" and answer.strip() == req.clip.caption):
        return Verdict(False, "mentions_metadata")
    present = set(req.clip.labels)
    mentions = matcher.mentions(answer)
    check = req.prompt.check

    if check == "name_absent":
        if not mentions:
            return Verdict(False, "names_nothing")
        first = mentions[0]  # the sound the answer names as missing
        if first.labels & present:
            return Verdict(False, "names_present_as_missing")
        named = next(iter(first.labels)) if not first.ambiguous else None
        return _first(_general(mentions, present, exempt=first.labels), Verdict(True, named=named))

    if check == "which_absent":
        asked = [m for m in mentions if req.obj in m.labels and not m.ambiguous]
        if not asked:
            return Verdict(False, "misses_object")
        return _first(_general(mentions, present, exempt=frozenset({req.obj})), Verdict(True))

    if check in ("yes", "no"):
        asked = [m for m in mentions if req.obj in m.labels]
        pol = polarity(answer, asked)
        if pol is None:
            return Verdict(False, "unclear_yes_no")
        if check == "no" and pol == "yes":
            return Verdict(False, "yes_to_absent")
        if check == "yes" and pol == "no":
            return Verdict(False, "no_to_present")
        if check == "no" and any(not m.negated and not m.ambiguous for m in asked):
            return Verdict(False, "mentions_absent")  # "No, there is a siren."
        exempt = frozenset({req.obj}) if check == "no" else frozenset()
        return _first(_general(mentions, present, exempt), Verdict(True))

    # describe
    if len(answer.split()) < MIN_DESCRIPTION_WORDS:
        return Verdict(False, "too_short")
    verdict = _general(mentions, present, frozenset())
    if verdict is not None:
        return verdict
    if present and not any(m.labels & present and not m.negated for m in mentions):
        return Verdict(False, "names_nothing")
    if not present and not _QUIET.search(answer):  # an empty clip is described as quiet or noise
        return Verdict(False, "names_nothing")
    return Verdict(True)


def _is_repetitive(answer: str) -> bool:
    """A decoding loop: one word (beyond short function words) fills most of a long answer."""
    words = [w for w in re.findall(r"[a-z']+", answer.lower()) if len(w) > 3]
    if len(words) < REPETITION_MIN_WORDS:
        return False
    top = max(words.count(w) for w in set(words))
    return top / len(words) > REPETITION_MAX_SHARE


def _first(rejection: Verdict | None, otherwise: Verdict) -> Verdict:
    return otherwise if rejection is None else rejection


def _general(mentions: list[Mention], present: set[str], exempt: frozenset[str]) -> Verdict | None:
    """The rules every answer obeys; None when it passes them. `exempt` labels may be named freely
    (the asked absent object: "No, there is no siren" names the siren)."""
    for m in mentions:
        if m.labels & exempt:
            continue
        if m.negated and m.labels & present:
            return Verdict(False, "denies_present")
        if not m.negated and not (m.labels & present):
            return Verdict(False, "mentions_absent")
    return None
