"""Question parsing (core/questions.py): the kind of a question, and the sound phrase a yes/no
question asks about, in any wording (the open-vocabulary presence path scores that phrase)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.labels import LabelMatcher
from core.questions import (
    MAX_PHRASE_WORDS,
    asked_phrase,
    is_yes_no_question,
    question_kind,
    question_problem,
    watch_problem,
)
from training.synth.prompts import BENCHMARK_TEMPLATES


@pytest.mark.parametrize("template", BENCHMARK_TEMPLATES)
@pytest.mark.parametrize("obj", ["a ship horn", "a theremin", "a cow", "rain", "the smoke alarm", "dogs barking"])
def test_every_benchmark_template_gives_back_its_object(template, obj):
    assert asked_phrase(template.format(obj=obj)) == obj


@pytest.mark.parametrize("question, phrase", [
    ("Is there a cow?", "a cow"),
    ("Is there a sound of a theremin?", "a theremin"),
    ("Did the smoke alarm go off?", "the smoke alarm"),
    ("Did the doorbell ring?", "the doorbell"),
    ("Is the baby crying?", "the baby crying"),
    ("Can you hear any dogs barking nearby?", "dogs barking"),
    ("Do you hear something like a kettle whistling?", "a kettle whistling"),
    ("Are there any footsteps?", "footsteps"),
    ("Is anything beeping?", "beeping"),
    ("Is it raining?", "raining"),
    ("Could you make out a helicopter?", "a helicopter"),
    ("Have there been any explosions in the audio?", "explosions"),
    ("Is there music playing?", "music"),
    ("Is there a loud noise?", "a loud noise"),
    ("Dog barking?", "dog barking"),  # terse, no opener
    ("  IS THERE   A Cow ?? ", "a cow"),
])
def test_the_asked_phrase_in_free_wordings(question, phrase):
    assert asked_phrase(question) == phrase


@pytest.mark.parametrize("question", [
    "What do you hear?", "Describe the sounds.", "How many beeps?", "Any dogs barking?",  # open questions
    "Is there anything?", "Was there a sound?", "Is there any noise?", "Did you hear it?",  # nothing specific
    "is there", "?", "",
    "Is there a dog that barked twice while the kettle was boiling and somebody knocked?",  # a clause
])
def test_questions_that_name_no_single_sound_give_none(question):
    assert asked_phrase(question) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_none_or_a_short_lowercase_phrase_it_contains(text):
    phrase = asked_phrase(text)
    if phrase is not None:
        assert 0 < len(phrase.split()) <= MAX_PHRASE_WORDS
        assert phrase == phrase.lower() and phrase.strip() == phrase
        assert all(word in text.lower() for word in phrase.split())


@pytest.mark.parametrize("question, kind", [
    ("Is there a dog?", "yes_no"), ("did the alarm go off", "yes_no"), ("What do you hear?", "open"),
    ("Any dogs barking?", "open"), ("How many beeps?", "open"), ("Describe the sounds.", "open"),
    ("describe it", "open"), ("Hund?", "not_english"), ("Est-ce qu'il y a un chien ?", "not_english"),
])
def test_question_kinds(question, kind):
    assert question_kind(question) == kind


def test_a_terse_question_is_yes_no_only_when_it_names_a_known_sound():
    matcher = LabelMatcher.from_entries([{"label": "dog_barking", "name": "a dog barking", "synonyms": ["dog"]}])
    assert question_kind("Dog barking?", matcher) == "yes_no"
    assert question_kind("¿Hay un perro?", matcher) == "not_english"
    assert is_yes_no_question("Is there a dog?") and not is_yes_no_question("What do you hear?")


# -- issue 29: other scripts, control characters, watches ---------------------------------

@pytest.mark.parametrize("question", ["هل يوجد كلب؟", "هل هناك إنذار حريق", "有狗在叫吗？", "有狗吗", "犬がいますか?",
                                      "Есть ли собака?", "Υπάρχει σκύλος;", "개가 짖나요?"])
def test_questions_in_other_scripts_are_not_english(question):
    """Arabic and Chinese yes/no questions got a description with `heard` null and no notice."""
    matcher = LabelMatcher.from_entries([{"label": "dog_barking", "name": "a dog barking", "synonyms": ["dog"]}])
    assert question_kind(question) == question_kind(question, matcher) == "not_english"


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(whitelist_categories=("Lo", "Lu", "Ll", "Zs", "Po", "Nd"),
                             blacklist_characters="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
               min_size=1, max_size=40).filter(lambda t: any(c.isalpha() and not c.isascii() for c in t)
                                                and not any("a" <= c.lower() <= "z" for c in t)))
def test_fuzz_a_question_without_a_latin_letter_is_never_taken_for_english(question):
    assert question_kind(question) == "not_english"


@pytest.mark.parametrize("question, position", [("Is there \x1b[2J applause?", 10), ("\u202eIs there a dog?", 1),
                                                ("Is there a dog\u2066?", 15), ("Is it\x00?", 6)])
def test_control_characters_are_a_problem_named_by_code_point_and_position(question, position):
    problem = question_problem(question)
    assert problem is not None and f"U+{ord(question[position - 1]):04X}" in problem
    assert f"at character {position}" in problem and "\n" not in problem


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_fuzz_what_passes_the_rule_holds_no_control_character_but_whitespace(text):
    if question_problem(text) is None:
        assert all(c in "\t\n\r" or not (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F) for c in text)
        assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text)


@pytest.mark.parametrize("question, problem", [
    ("Is there a smoke alarm?", None), ("Is a dog barking?", None),
    ("What do you hear?", "a watch must be a yes/no question about a sound"),
    ("Describe the sounds.", "a watch must be a yes/no question about a sound"),
    ("¿Hay un perro?", "watches are understood in English only"), ("有狗吗？", "watches are understood in English only"),
    ("Is there anything?", "the question names no sound"),
])
def test_a_watch_must_be_an_english_yes_no_question_naming_a_sound(question, problem):
    """"What do you hear?" was accepted as a watch, saved, and given an entity that could never fire."""
    said = watch_problem(question)
    assert said is None if problem is None else problem in said
