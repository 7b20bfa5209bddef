"""When an answer counts as "yes": the two rules, side by side because they differ on purpose.

- `answer_says_yes(heard, text)` is the DEVICE's rule. The presence decision `heard` wins
  when there is one (yes/no questions under the factorised recipe); otherwise the answer
  counts as yes only when it opens with the word: "Yes, a dog barking." is yes, "I hear no
  yes-man here" is not. The daemon's watch alerts (`edge.daemon.watches`), the client's
  `answered_yes` and through it the bridge's LEDs (`firmware_bridge.daemon_client`) share it,
  so that a false alarm cannot come from one of them alone. Strict on purpose: an alarm
  that fires on a stray "yes" inside a sentence is worse than one that stays quiet.
- `paper_says_yes(text)` is the BENCHMARK's rule (Kuan et al. 2024, the number every table
  of the object-hallucination benchmark reports): the answer contains the whole word "yes",
  any case, anywhere ("Yesterday I heard..." is no). `training.eval.metrics.parse_paper`
  and validation during training (`training.eval.validation`) score with it, so that our numbers
  compare with the paper's. Not for the device: "No, there is no yes-man" would count as yes.

Torch-free and numpy-free.
"""

from __future__ import annotations

import re

_OPENS_WITH_YES = re.compile(r"^\W*yes\b", re.IGNORECASE)
_YES_WORD = re.compile(r"\byes\b", re.IGNORECASE)


def answer_says_yes(heard: bool | None, text: str) -> bool:
    """The device's yes/no of an answer: the presence decision `heard`, else whether `text` opens with "yes"."""
    return heard if heard is not None else bool(_OPENS_WITH_YES.match(text))


def paper_says_yes(text: str) -> bool:
    """The benchmark paper's yes/no: whether `text` contains the whole word "yes" (any case)."""
    return bool(_YES_WORD.search(text or ""))
