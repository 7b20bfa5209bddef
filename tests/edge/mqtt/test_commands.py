"""edge.mqtt.commands: every command payload becomes a checked protocol request or one
ProtocolError with the socket protocol's code; nothing else, whatever the bytes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.errors import ProtocolError
from edge.mqtt.commands import ACTIONS, UnwatchQuestion, parse
from edge.protocol import MAX_LINE_BYTES, MAX_QUESTION_CHARS, Ask, Mute, Unmute, Unwatch, Watch


@pytest.mark.parametrize("payload,want", [(b"ON", Mute()), (b" on\n", Mute()), (b"OFF", Unmute()), (b"Off", Unmute())])
def test_mute_takes_home_assistants_switch_payloads(payload, want):
    assert parse("mute", payload) == want


@pytest.mark.parametrize("action,payload,want", [
    ("watch_add", b"Is the baby crying?", Watch("Is the baby crying?")),
    ("watch_add", b'{"question": "Is the baby crying?", "id": 7}', Watch("Is the baby crying?", id=7)),
    ("watch_add", b'{"question": "Is it raining?", "type": "ask", "v": 1}', Watch("Is it raining?")),  # the topic decides
    ("watch_remove", b"3", Unwatch(3)),
    ("watch_remove", b'{"watch_id": 3}', Unwatch(3)),
    ("watch_remove", b"Is the baby crying?", UnwatchQuestion("Is the baby crying?")),
    ("watch_remove", "²".encode(), UnwatchQuestion("²")),  # a Unicode digit is not a watch id
    ("watch_remove", b"9" * 25, UnwatchQuestion("9" * 25)),  # nor 25 digits (past any id)
    ("watch_remove", b'{"question": "Is the baby crying?", "id": "x"}', UnwatchQuestion("Is the baby crying?", "x")),
    ("ask", "Était-ce un chien ?".encode(), Ask("Était-ce un chien ?")),
    ("ask", b'{"question": "What was that?", "since": 1700000000, "id": "q"}', Ask("What was that?", 1700000000, "q")),
])
def test_payloads_become_the_protocols_requests(action, payload, want):
    assert parse(action, payload) == want


@pytest.mark.parametrize("action,payload,code,words", [
    ("mute", b"maybe", "bad_message", "ON or OFF"),
    ("watch_add", b"", "bad_message", "empty"),
    ("watch_add", b"   ", "bad_message", "empty"),
    ("watch_add", b"\xff\xfe", "bad_json", "UTF-8"),
    ("watch_add", b"{not json", "bad_json", "JSON"),
    ("watch_add", b'{"question": 5}', "bad_message", "question"),
    ("watch_add", b'{"question": "   "}', "bad_message", "empty"),
    ("watch_add", ("x" * (MAX_QUESTION_CHARS + 1)).encode(), "bad_message", "1000"),
    ("watch_remove", b'{"watch_id": 0}', "bad_message", "watch_id"),
    ("watch_remove", b'{"watch_id": "3"}', "bad_message", "watch_id"),
    ("watch_remove", b"{}", "bad_message", "watch_id"),
    ("watch_remove", b"9" * 5000, "bad_message", "1000"),  # past int()'s digit limit: a too-long question, no crash
    ("watch_remove", b'{"question": "Is it raining?", "id": {"deep": [1]}}', "bad_message", "id"),
    ("ask", b'{"question": "Loud?", "since": -1}', "bad_message", "since"),
    ("ask", b'{"question": ["Loud?"]}', "bad_message", "question"),
    ("ask", b"x" * (MAX_LINE_BYTES + 1), "line_too_long", "limit"),
])
def test_bad_payloads_are_one_protocol_error_with_the_wire_code(action, payload, code, words):
    with pytest.raises(ProtocolError) as err:
        parse(action, payload)
    assert err.value.code == code and words in err.value.text and "\n" not in err.value.text


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ACTIONS), st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                                            st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                                                         lambda x: st.lists(x) | st.dictionaries(st.text(), x), max_leaves=8)
                                            .map(lambda v: json.dumps(v).encode())))
def test_any_payload_is_a_request_or_a_protocol_error(action, payload):
    try:
        request = parse(action, payload)
    except ProtocolError as err:
        assert err.code and err.text
    else:
        assert isinstance(request, (Ask, Mute, Unmute, Watch, Unwatch, UnwatchQuestion))
