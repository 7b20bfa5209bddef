"""edge.protocol: exact lines, an error table, the line-size boundary, a seeded random round trip,
PROTOCOL.md naming exactly the types and codes the code has, and Hypothesis fuzzing of both
decoders (any line: ProtocolError or a typed message that round-trips)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import edge.protocol as p
from core.questions import question_problem
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
    # -- the input audit (issue 14): nesting, lone surrogates, numbers out of range --------
    (b'{"type":"status","x":' + b"[" * 30000 + b"]" * 30000 + b"}", p.ErrorCode.BAD_JSON),  # RecursionError before
    (b'{"type":"status","x":' + b"[" * 32 + b"]" * 32 + b"}", p.ErrorCode.BAD_JSON),  # parseable, but 33 levels
    (b'{"type":"ask","question":"\\ud800"}', p.ErrorCode.BAD_JSON),
    (b'{"type":"ask","question":"is it \\udfff?"}', p.ErrorCode.BAD_JSON),
    (b'{"type":"watch","question":"q\\ud83d?"}', p.ErrorCode.BAD_JSON),  # a high surrogate without its pair
    (b'{"type":"status","id":"\\ud800"}', p.ErrorCode.BAD_JSON),
    (b'{"type":"status","\\udc80":1}', p.ErrorCode.BAD_JSON),  # in an ignored key too: never half-accepted
    (b'{"type":"ask","question":"q","since":1e20}', p.ErrorCode.BAD_MESSAGE),  # OverflowError (internal) before
    (b'{"type":"ask","question":"q","since":1e400}', p.ErrorCode.BAD_MESSAGE),  # json reads it as inf
    (b'{"type":"ask","question":"q","since":-1}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"ask","question":"q","since":true}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"ask","question":"q","since":Infinity}', p.ErrorCode.BAD_JSON),
    (b'{"type":"listen","seconds":true}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"listen","seconds":1e400}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"listen","seconds":-0.5}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"unwatch","watch_id":0}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"unwatch","watch_id":-3}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"unwatch","watch_id":true}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"unwatch","watch_id":9223372036854775808}', p.ErrorCode.BAD_MESSAGE),  # 2^63
    (b'{"type":"unwatch","watch_id":' + b"9" * 5000 + b"}", p.ErrorCode.BAD_JSON),  # over int's digit limit
    (b'{"type":"status","id":9223372036854775808}', p.ErrorCode.BAD_MESSAGE),
    (b'{"type":"status","id":-9223372036854775809}', p.ErrorCode.BAD_MESSAGE),
    (b'{"v":1.0,"type":"status"}', p.ErrorCode.UNSUPPORTED_VERSION),
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
    assert p.request_id(b'{"type":"dance","id":"\\ud800"}') is None  # never echoed: it cannot be encoded
    assert p.request_id(b'{"id":7,"x":' + b"[" * 30000 + b"]" * 30000 + b"}") is None
    assert p.request_id(b'{"type":"dance","id":' + str(2**63).encode() + b"}") is None


def test_nesting_and_unicode_boundaries():
    deepest = b'{"type":"status","x":' + b"[" * (p.MAX_DEPTH - 1) + b"]" * (p.MAX_DEPTH - 1) + b"}"
    assert p.decode_request(deepest) == p.Status()  # 32 levels with the object itself
    # a surrogate pair is one character, not a lone surrogate
    assert p.decode_request(b'{"type":"watch","question":"\\ud83d\\udd14?"}') == p.Watch("\U0001f514?")
    assert p.decode_request(b'{"type":"status","id":-9223372036854775808}') == p.Status(id=-(2**63))
    assert p.decode_request(b'{"type":"ask","question":"q","since":0}') == p.Ask("q", since=0.0)
    assert p.decode_request(p.Ask("q", since=p.MAX_UNIX_TIME).encode()).since == p.MAX_UNIX_TIME


def test_messages_built_in_code_are_validated_too():
    """The daemon's --watch and the client validate before anything is encoded."""
    for message in (p.Watch("a\udcffb"), p.Ask("q", since=1e20), p.Unwatch(0), p.Listen(float("nan"))):
        with pytest.raises(ProtocolError) as err:
            message.validate()
        assert err.value.code == p.ErrorCode.BAD_MESSAGE


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


# -- property-based fuzzing (Hypothesis): nothing but ProtocolError or a typed message ----------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CODES = {v for k, v in vars(p.ErrorCode).items() if k.isupper()}

surrogates = st.integers(0xD800, 0xDFFF).map(chr)
texts = st.one_of(st.text(max_size=20), st.lists(st.one_of(st.text(max_size=4), surrogates), max_size=5).map("".join))
numbers = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),  # NaN/Infinity are written separately below
    st.sampled_from([1e20, 1e308, -1, 0, 2**63, -(2**63) - 1, 10**40, 0.0, -0.0, 30.0, 30.000001]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(texts, kids, max_size=3), max_leaves=12)
FIELDS = ("v", "id", "question", "since", "seconds", "watch_id", "answer", "code", "text", "muted", "start", "end")
objects = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from([*p.REQUESTS, *p.SERVER_MESSAGES, "dance"]), values)},
    optional={name: values for name in FIELDS},
)


def _as_line(obj, how: int, depth: int) -> bytes:
    """A JSON line in one of the ways a client could write it; raw surrogates make invalid UTF-8."""
    if how == 0:
        text = json.dumps(obj)  # ASCII: surrogates become \\udxxx escapes
    else:
        text = json.dumps(obj, ensure_ascii=False)
    if how == 2:  # NaN / Infinity where a number goes
        text = text.replace("0.0", "NaN", 1).replace("1e+20", "Infinity", 1)
    line = text.encode("utf-8", "surrogatepass")
    return b"[" * depth + line + b"]" * depth  # depth 0: the object itself


lines = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.builds(_as_line, objects, st.integers(0, 2), st.sampled_from([0, 0, 0, 1, 31, 40, 3000])),
)


def _decodes_cleanly(decode, registry: dict, line: bytes) -> None:
    try:
        message = decode(line)
    except ProtocolError as err:  # the only exception allowed
        assert err.code in CODES and err.text and "\n" not in err.text
        p.Error(err.code, err.text, id=p.request_id(line)).encode()  # the error reply can always be written
        return
    assert type(message) in registry.values()
    assert decode(message.encode()) == message  # whatever is accepted can be written and read back


@FUZZ
@given(lines)
def test_fuzz_request_decoder_raises_only_protocol_errors(line):
    _decodes_cleanly(p.decode_request, p.REQUESTS, line)


@FUZZ
@given(lines)
def test_fuzz_server_message_decoder_raises_only_protocol_errors(line):
    _decodes_cleanly(p.decode_server_message, p.SERVER_MESSAGES, line)


# st.text has no lone surrogates; control characters are refused (test_questions_with_control_characters...)
questions = st.text(min_size=1, max_size=p.MAX_QUESTION_CHARS).filter(lambda q: q.strip() and question_problem(q) is None)
ids = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=p.MAX_ID_CHARS))
valid_requests = st.one_of(
    st.builds(p.Ask, questions, st.one_of(st.none(), st.floats(0, p.MAX_UNIX_TIME)), ids),
    st.builds(p.Listen, st.floats(0, p.MAX_LISTEN_SECONDS, exclude_min=True), st.one_of(st.none(), questions), ids),
    st.builds(p.Watch, questions, ids),
    st.builds(p.Unwatch, st.integers(1, p.MAX_WATCH_ID), ids),
    *(st.builds(cls, ids) for cls in (p.Events, p.Status, p.Mute, p.Unmute)),
)


@FUZZ
@given(valid_requests)
def test_fuzz_valid_requests_round_trip(message):
    line = message.encode()
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and len(line) <= p.MAX_LINE_BYTES
    assert p.decode_request(line) == message


@FUZZ
@given(st.text(max_size=40), st.sampled_from(["\x1b", "\x00", "\x07", "\x7f", "\x9b", "\u202e", "\u2066", "\u202a"]),
       st.text(max_size=40), st.sampled_from(["ask", "watch", "listen"]))
def test_questions_with_control_characters_are_refused_with_their_position(before, control, after, kind):
    """An ESC sequence reached the answer and the terminal ("...0 pwned is there 2j applause."),
    and a right-to-left override became part of the phrase (issue 29)."""
    question = f"Is there {before}{control}{after} applause?"
    line = json.dumps({"type": kind, "question": question, "id": 1}).encode()
    with pytest.raises(ProtocolError) as err:
        p.decode_request(line)
    assert err.value.code == p.ErrorCode.BAD_MESSAGE and "\n" not in err.value.text
    assert f"U+{ord(question_problem_char(question)):04X}" in err.value.text


def question_problem_char(question: str) -> str:
    """The first character the rule refuses (the one the message names)."""
    return next(c for c in question if question_problem(c) is not None)


def test_tabs_and_newlines_are_whitespace_not_control_characters():
    assert p.decode_request(b'{"type":"ask","question":"Is there\\ta dog?\\n"}') == p.Ask("Is there\ta dog?\n")
