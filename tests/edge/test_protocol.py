"""edge.protocol: exact lines, an error table, the line-size boundary, a seeded random round trip,
and PROTOCOL.md naming exactly the types and codes the code has."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

import edge.protocol as p
from edge.errors import ProtocolError

SPEC = Path(p.__file__).with_name("PROTOCOL.md").read_text()

EXAMPLES = [
    p.Ask("Is there a smoke alarm?"),
    p.Ask("Did the dog bark?", since=1764168000.5, id=7),
    p.Listen(),
    p.Listen(2.5, "What is that noise?", id="l1"),
    p.Events(id=1),
    p.Status(),
    p.Mute(id="m"),
    p.Unmute(),
    p.Watch("Is a baby crying?"),
    p.Unwatch(3, id=4),
]
SERVER_EXAMPLES = [
    p.AnswerReply("Yes.", True, 0.9, [{"start": 0.0, "end": 1.0, "answer": "Yes.", "heard": True}], {"total": 5.0}, {}, 1.0, 1, 10.0, 11.0, id=1),
    p.Subscribed(id="e"),
    p.StatusReply(False, True, "file x.wav", False, 1.5, 1, 300.0, [{"watch_id": 1, "question": "q?"}], 2, 1, 0, "none", 3.0, 0, None, 0, 0),
    p.Ok("mute", True, 2, id=9),
    p.Watching(1, "Is a baby crying?"),
    p.Unwatched(1),
    p.Error(p.ErrorCode.BUSY, "later", id=5),
    p.SegmentEvent(10.0, 11.5, "speech", -20.5),
    p.AlertEvent(1, "Is there a smoke alarm?", "Yes.", 0.97, 10.0, 11.5),
    p.StateEvent(True, False),
]


def test_exact_bytes():
    assert p.Ask("Is it?", id=1).encode() == b'{"v":1,"type":"ask","question":"Is it?","since":null,"id":1}\n'
    assert p.Mute().encode() == b'{"v":1,"type":"mute"}\n'
    assert p.Error("bad_json", "x").encode() == b'{"v":1,"type":"error","code":"bad_json","text":"x"}\n'
    assert p.Watch("Où?").encode() == '{"v":1,"type":"watch","question":"Où?"}\n'.encode("utf-8")


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: m.TYPE)
def test_requests_round_trip(message):
    line = message.encode()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line)["v"] == p.PROTOCOL_VERSION
    assert p.decode_request(line) == message


@pytest.mark.parametrize("message", SERVER_EXAMPLES, ids=lambda m: m.TYPE)
def test_replies_and_events_round_trip(message):
    decoded = p.decode_server_message(message.encode())
    assert decoded == message and type(decoded) is type(message)


def test_a_request_without_version_is_version_1_and_unknown_fields_are_ignored():
    msg = p.decode_request(b'{"type":"ask","question":"Hi?","future_field":[1,2]}')
    assert msg == p.Ask("Hi?")
    assert p.decode_request(b'{"type":"unwatch","watch_id":2}\r') == p.Unwatch(2)  # CR before LF
    assert p.decode_request(b'{"type":"listen","seconds":3}').seconds == 3.0  # integer where a number is due


ERRORS = [
    (b"hello", p.ErrorCode.BAD_JSON),
    (b"\xff\xfe{}", p.ErrorCode.BAD_JSON),
    (b'{"type":"ask","question":"q","since":NaN}', p.ErrorCode.BAD_JSON),
    (b'{"type":"ask","question":"q"', p.ErrorCode.BAD_JSON),
    (b"[1, 2]", p.ErrorCode.BAD_MESSAGE),
    (b'"ask"', p.ErrorCode.BAD_MESSAGE),
    (b"{}", p.ErrorCode.BAD_MESSAGE),
    (b'{"type": 3}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"dance"}', p.ErrorCode.UNKNOWN_TYPE),
    (b'{"type":"answer","answer":"yes"}', p.ErrorCode.UNKNOWN_TYPE),  # a reply is not a request
    (b'{"v":2,"type":"status"}', p.ErrorCode.UNSUPPORTED_VERSION),
    (b'{"v":"1","type":"status"}', p.ErrorCode.UNSUPPORTED_VERSION),
    (b'{"v":true,"type":"status"}', p.ErrorCode.UNSUPPORTED_VERSION),
    (b'{"type":"ask"}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"ask","question":42}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"ask","question":"   "}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"ask","question":"q","since":"yesterday"}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"ask","question":"q","id":true}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"ask","question":"q","id":[1]}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"listen","seconds":0}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"listen","seconds":31}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"unwatch"}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"unwatch","watch_id":1.5}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"watch","question":null}', p.ErrorCode.BAD_MESSAGE),
]


@pytest.mark.parametrize("line,code", ERRORS, ids=[e[0].decode("latin-1")[:30] for e in ERRORS])
def test_error_table(line, code):
    with pytest.raises(ProtocolError) as err:
        p.decode_request(line)
    assert err.value.code == code
    assert "\n" not in err.value.text and err.value.text
    assert p.Error(err.value.code, err.value.text).encode().count(b"\n") == 1  # the reply is one line too


def test_question_length_and_line_size_boundaries():
    ok = p.Ask("q" * p.MAX_QUESTION_CHARS)
    assert p.decode_request(ok.encode()) == ok
    with pytest.raises(ProtocolError, match="limit is 1000"):
        p.decode_request(p.Ask("q" * (p.MAX_QUESTION_CHARS + 1)).encode())
    pad = b'{"type":"status","pad":"' + b"x" * (p.MAX_LINE_BYTES - 30) + b'"}'
    assert len(pad) < p.MAX_LINE_BYTES and p.decode_request(pad) == p.Status()
    with pytest.raises(ProtocolError) as err:
        p.decode_request(b'{"type":"status","pad":"' + b"x" * p.MAX_LINE_BYTES + b'"}')
    assert err.value.code == p.ErrorCode.LINE_TOO_LONG


def test_request_id_is_recovered_for_error_replies():
    assert p.request_id(b'{"type":"dance","id":12}') == 12
    assert p.request_id(b'{"type":"dance","id":"abc"}') == "abc"
    assert p.request_id(b'{"type":"dance","id":false}') is None
    assert p.request_id(b"not json") is None


def test_seeded_random_round_trip():
    rng = random.Random(1234)
    alphabet = "abc XYZ?!\n\t\"\\/é漢🔔\u2028{}[]:,"
    for _ in range(300):
        question = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        if not question.strip():
            question = "q" + question
        rid = rng.choice([None, rng.randint(-(2**40), 2**40), "".join(rng.choice(alphabet) for _ in range(8))])
        message = rng.choice(
            [
                p.Ask(question, since=rng.choice([None, rng.uniform(0, 2e9)]), id=rid),
                p.Watch(question, id=rid),
                p.Listen(rng.uniform(0.01, 30.0), rng.choice([None, question]), id=rid),
            ]
        )
        line = message.encode()
        assert line.count(b"\n") == 1  # newlines inside strings are escaped
        assert p.decode_request(line) == message


def test_spec_names_every_type_and_code():
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", SPEC, flags=re.MULTILINE))
    codes = {v for k, v in vars(p.ErrorCode).items() if k.isupper()}
    types = set(p.REQUESTS) | set(p.SERVER_MESSAGES)
    assert codes <= documented, codes - documented
    assert types <= documented, types - documented
    assert documented <= codes | types | {"v", "type", "id"}, documented - codes - types
    assert str(p.MAX_LINE_BYTES) in SPEC and f"version {p.PROTOCOL_VERSION}" in SPEC
