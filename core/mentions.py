"""Find sound labels mentioned in free text (captions, LLM answers, questions).

A `MentionFinder` knows each label's synonyms and name, plus words that name a family of
labels ("alarm", "beeping"). It finds the longest phrase at each position (so "smoke alarm"
is one mention, not "smoke alarm" and "alarm"), and marks a mention *negated* when a
negation ("no", "not", "without", "n't", ...) precedes it in its clause or "is not"/"is
absent" follows it. The rules are plain and documented because the consistency filter of
the LISTEN synthesis, the caption tagger of the loaders, the description scorer of the
evaluation and the edge's grounding check of its descriptions (`edge.presence.describe`) all rely on
them. Torch-free and numpy-free.

Not the device's `core.labels.LabelMatcher`, on purpose: that one answers "which ONE label
does this question ask about" (whole-word phrases, a phrase shared by two labels names
neither, no negation: a question is not a claim) and runs on the device beside the
presence head. This one reads claims in free text: every mention, plurals, family words
that may mean several labels, and negation scope. Folding them together would put the
synthesis filter's negation rules into the device's question parsing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


_ARTICLE = re.compile(r"^(a|an|the|some)\s+", re.IGNORECASE)
_NEGATION_BEFORE = re.compile(r"\b(no|not|never|without|nor|neither|none|absent|nothing)\b|n't\b|\bcannot\b", re.IGNORECASE)
_NEGATION_AFTER = re.compile(  # "X is not ...", "X sound isn't ...", "X cannot be heard"
    r"^\s+(?:sounds?\s+|noises?\s+)?(?:(?:is|are|was|were)\s+(?:not|never|absent|missing)\b"
    r"|(?:isn't|aren't|wasn't|weren't)\b|(?:can't|cannot|can not|could not|couldn't)\s+be\s+heard)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;:!?,()\n]|\b(but|however|while|although|and then|instead)\b", re.IGNORECASE)
_WINDOW_WORDS = 8  # how far back a negation reaches within its clause

# Words that name a family of sounds: a mention is consistent with any label of its set.
AMBIGUOUS_TERMS: dict[str, frozenset[str]] = {
    "alarm": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "siren"}),
    "alarms": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "siren"}),
    "detector": frozenset({"smoke_alarm", "co_alarm"}),
    "beep": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "appliance_beep"}),
    "beeps": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "appliance_beep"}),
    "beeping": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "appliance_beep"}),
    "bell": frozenset({"doorbell", "alarm_clock", "notification_chime", "church_bell", "bicycle_bell", "fire_alarm"}),
    "bells": frozenset({"doorbell", "alarm_clock", "notification_chime", "church_bell", "jingle_bell"}),
    "ringing": frozenset({"doorbell", "phone_ringing", "alarm_clock"}),
    "rings": frozenset({"doorbell", "phone_ringing", "alarm_clock"}),
    "clock": frozenset({"clock_ticking", "alarm_clock"}),
    "water": frozenset({"running_water", "rain", "kettle_whistle"}),
    "whistle": frozenset({"kettle_whistle", "whistle", "train_horn"}),
    "whistling": frozenset({"kettle_whistle", "wind"}),
    "motor": frozenset({"engine", "vacuum_cleaner", "power_tool", "engine_starting"}),
    "car": frozenset({"car_horn", "engine", "car_door"}),
    "traffic": frozenset({"car_horn", "engine", "siren"}),
    "door": frozenset({"knocking", "doorbell", "car_door", "door", "sliding_door"}),
    "doors": frozenset({"knocking", "doorbell", "car_door", "door", "sliding_door"}),
    "glass": frozenset({"glass_breaking"}),
    "crash": frozenset({"glass_breaking", "explosion", "smash", "cymbal", "waves"}),
    "click": frozenset({"camera_shutter", "keyboard_typing", "clock_ticking"}),
    "clicks": frozenset({"camera_shutter", "keyboard_typing", "clock_ticking"}),
    "clicking": frozenset({"camera_shutter", "keyboard_typing", "clock_ticking"}),
    "person": frozenset({"speech", "footsteps", "keyboard_typing", "knocking"}),
    "people": frozenset({"speech", "applause", "footsteps", "crowd", "babble", "laughter"}),
    "man": frozenset({"speech", "male_speech"}),
    "woman": frozenset({"speech", "female_speech"}),
    "child": frozenset({"child_speech", "children_playing", "baby_crying"}),
    "singing": frozenset({"music", "speech", "singing", "bird"}),
    "animal": frozenset({"dog_barking", "cat_meow", "horse", "cattle", "pig", "goat", "sheep", "chicken", "bird"}),
    "animals": frozenset({"dog_barking", "cat_meow", "horse", "cattle", "pig", "goat", "sheep", "chicken", "bird"}),
    "vehicle": frozenset({"engine", "car", "truck", "bus", "motorcycle", "train", "aircraft", "boat", "helicopter"}),
    "vehicles": frozenset({"engine", "car", "truck", "bus", "motorcycle", "train", "aircraft", "boat", "helicopter"}),
    "weapon": frozenset({"gunshot", "machine_gun", "artillery_fire", "explosion", "arrow"}),
    "impact": frozenset({"thump", "thunk", "whack", "clang", "smash"}),
    "hum": frozenset({"vacuum_cleaner", "engine", "mains_hum", "humming_voice", "mechanical_fan"}),
    "humming": frozenset({"vacuum_cleaner", "engine", "music"}),
}


@dataclass(frozen=True)
class Mention:
    start: int  # character span in the text
    end: int
    text: str  # the matched phrase
    labels: frozenset[str]  # labels it may mean (one, unless the phrase is ambiguous)
    negated: bool  # "no siren", "not a dog", "the siren is not there"

    @property
    def ambiguous(self) -> bool:
        return len(self.labels) > 1


class MentionFinder:
    def __init__(self, entries: list[dict], ambiguous: dict[str, frozenset[str]] | None = None):
        """`entries`: labels.json entries; `ambiguous`: family words (default: the library's)."""
        known = {e["label"] for e in entries}
        phrases: dict[str, set[str]] = {}
        for e in entries:
            for p in [*e["synonyms"], _ARTICLE.sub("", e["name"])]:
                p = p.strip().lower()
                if p:
                    phrases.setdefault(p, set()).add(e["label"])
        for word, labs in (AMBIGUOUS_TERMS if ambiguous is None else ambiguous).items():
            labs = set(labs) & known
            if labs and word not in phrases:
                phrases[word] = labs
        self.phrases = {p: frozenset(v) for p, v in phrases.items()}
        alternation = "|".join(re.escape(p) for p in sorted(self.phrases, key=lambda s: (-len(s), s)))
        self._re = re.compile(rf"(?<![\w-])({alternation})(?:s|es)?(?![\w-])", re.IGNORECASE) if alternation else None

    def mentions(self, text: str) -> list[Mention]:
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            phrase = m.group(1).lower()
            out.append(Mention(m.start(), m.end(), m.group(0), self.phrases[phrase], _is_negated(text, m.start(), m.end())))
        return out

    def labels_in(self, text: str) -> list[str]:
        """Sorted labels named unambiguously in `text` (negated or not)."""
        return sorted({next(iter(m.labels)) for m in self.mentions(text) if not m.ambiguous})

    def asserted_labels(self, text: str) -> list[str]:
        """Sorted labels named unambiguously and not negated: what the text says is there."""
        return sorted({next(iter(m.labels)) for m in self.mentions(text) if not m.ambiguous and not m.negated})


def _is_negated(text: str, start: int, end: int) -> bool:
    before = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    words = clause.split()[-_WINDOW_WORDS:]
    if _NEGATION_BEFORE.search(" ".join(words)):
        return True
    after = text[end:]
    stop = _CLAUSE_BREAK.search(after)
    return bool(_NEGATION_AFTER.search(after[: stop.start()] if stop else after))
