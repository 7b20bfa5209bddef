"""The answer sentences and their agreement with `heard` (core.replies)."""

import pytest
from hypothesis import given, settings, strategies as st

from core.questions import asked_phrase
from core.replies import MAX_LISTED_SPANS, CANT_TELL, NOTHING_HEARD, Detection, describe, reply_agrees, yes_no_reply

PHRASES = st.text(alphabet=st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=40).map(str.strip).filter(bool)


@given(PHRASES, st.sampled_from([True, False, None]))
def test_a_reply_opens_as_heard_says_and_names_the_sound(phrase, heard):
    text = yes_no_reply(heard, phrase)
    assert reply_agrees(heard, text)
    assert all(not reply_agrees(other, text) for other in (True, False, None) if other is not heard)
    assert phrase in text and text.endswith(".")


@pytest.mark.parametrize("question", ["Is there a cow?", "Could a ship horn be heard in this clip?",
                                      "Is there a sound of a theremin in the audio?"])
def test_the_reply_names_the_phrase_taken_from_the_question(question):
    phrase = asked_phrase(question)
    assert yes_no_reply(True, phrase) == f"Yes, I hear {phrase}."
    assert yes_no_reply(False, phrase) == f"No, I don't hear {phrase}."
    assert yes_no_reply(None, phrase) == f"{CANT_TELL} if I hear {phrase}."


def test_no_phrase_is_cant_tell():
    assert reply_agrees(None, yes_no_reply(None, None))


@pytest.mark.parametrize("heard,text,ok", [
    (True, "Yes, a dog.", True), (True, "yes", True), (True, "No, a dog.", False), (True, "Yesterday a dog", False),
    (False, "No.", True), (False, "Nothing here", False), (None, "I can't tell if I hear a dog.", True),
    (None, "I cant tell", True), (None, "Yes", False), (False, "I can't tell", False),
    (True, "The sound of a theremin is heard in the background.", False),
])
def test_reply_agrees_reads_only_the_opening(heard, text, ok):
    assert reply_agrees(heard, text) is ok


def test_describe_lists_detections_with_their_time_ranges():
    dets = [Detection("dog_bark", "a dog barking", ((0.0, 4.0),), 0.9),
            Detection("rain", "rain", ((0.0, 10.0),), 0.8), Detection("door", "a door", ((2.5, 3.0), (7.0, 8.0)), 0.7)]
    assert describe(dets) == "I hear a dog barking (0-4 s), rain (0-10 s) and a door (2.5-3 s, 7-8 s)."
    assert describe(dets[:1]) == "I hear a dog barking (0-4 s)."
    assert describe([]) == NOTHING_HEARD


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 2000), window=st.sampled_from([2.0, 10.0, 30.0]))
def test_a_yes_over_long_audio_says_the_first_and_last_range_and_how_many(n, window):
    """A yes/no answer over 60 minutes of audio listed all 120 ranges in 1,516 characters (issue 29)."""
    from edge.answer import WindowAnswer
    from edge.assistant import _combine

    windows = [WindowAnswer(i * window, (i + 1) * window, "Yes, I hear rain.", True, 0.9) for i in range(n)]
    text = _combine(windows, True, {}).text
    if n == 1:
        assert text == "Yes, I hear rain."
        return
    assert text.startswith("Yes, I hear rain. (heard ") and len(text) < 120, text
    last = f"{n * window - window:.0f}-{n * window:.0f} s"
    assert f"0-{window:.0f} s" in text and last in text
    if n > MAX_LISTED_SPANS:
        assert f"in {n} ranges, from 0-{window:.0f} s to {last})" in text
    else:
        assert text.count(" s") == n


def test_a_description_of_many_ranges_is_short_too():
    rain = Detection("rain", "rain", tuple((30.0 * i, 30.0 * i + 30) for i in range(120)), 0.8)
    assert describe([rain]) == "I hear rain (120 ranges, from 0-30 s to 3570-3600 s)."
