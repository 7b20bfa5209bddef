"""core.answers: the device's rule and the benchmark paper's rule, on the strings where they part."""

from __future__ import annotations

import pytest

from core.answers import answer_says_yes, paper_says_yes

# text, device rule (no presence decision), paper rule
TABLE = [
    ("Yes, a dog barking.", True, True),
    ("  yes", True, True),
    ("YES!", True, True),
    ("No, there is no yes-man here.", False, True),  # the paper counts a "yes" anywhere
    ("I hear no yes-man here", False, True),
    ("Yesterday I heard a dog.", False, False),  # a whole word only
    ("Yeah.", False, False),
    ("No.", False, False),
    ("", False, False),
]


@pytest.mark.parametrize("text,device,paper", TABLE)
def test_the_two_rules(text, device, paper):
    assert answer_says_yes(None, text) is device
    assert paper_says_yes(text) is paper


@pytest.mark.parametrize("heard", [True, False])
def test_a_presence_decision_wins_over_the_text(heard):
    assert answer_says_yes(heard, "Yes." if not heard else "No.") is heard
