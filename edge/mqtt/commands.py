"""Command payloads from MQTT -> the daemon's own protocol requests (edge/protocol.py), so a
question from Home Assistant is checked by the same rules as one from the socket.

    mute/set       ON | OFF (Home Assistant's switch payloads; case and spaces ignored)
    watch/add      a question as text, or {"question": "..."}
    watch/remove   a watch id (text "3" or {"watch_id": 3}), or a question (text or
                   {"question": "..."}: every watch asking it)
    ask            a question as text, or {"question": "...", "since": UNIX_S, "id": ...}

A payload that breaks them raises ProtocolError with the wire's error code and one line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from edge.errors import ProtocolError
from edge.protocol import MAX_LINE_BYTES, Ask, ErrorCode, Message, Mute, Unmute, Unwatch, Watch, decode_request, parse_json

ACTIONS = ("mute", "watch_add", "watch_remove", "ask")


@dataclass(frozen=True)
class UnwatchQuestion:
    """Remove every watch that asks `question` (the protocol's `unwatch` takes an id)."""

    question: str
    id: object = None


def parse(action: str, payload: bytes) -> Message | UnwatchQuestion:
    """The request a command payload asks for."""
    if len(payload) > MAX_LINE_BYTES:
        raise ProtocolError(ErrorCode.LINE_TOO_LONG, f"a payload of {len(payload)} bytes; the limit is {MAX_LINE_BYTES}")
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        raise ProtocolError(ErrorCode.BAD_JSON, f"the payload is not UTF-8 text: {payload[:40]!r}") from err
    if action == "mute":
        word = text.upper()
        if word not in ("ON", "OFF"):
            raise ProtocolError(ErrorCode.BAD_MESSAGE, f"mute/set takes ON or OFF, got {text[:40]!r}")
        return Mute() if word == "ON" else Unmute()
    kind = {"watch_add": Watch.TYPE, "watch_remove": Unwatch.TYPE, "ask": Ask.TYPE}.get(action)
    if kind is None:
        raise ValueError(f"no MQTT command {action!r}")  # a programming error
    if text.startswith("{"):
        fields = _object(payload)
    elif not text:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"{kind}: the payload is empty; send a question")
    else:
        is_id = kind == Unwatch.TYPE and text.isascii() and text.isdigit() and len(text) <= 20  # "²" is a digit too
        fields = {"watch_id": int(text)} if is_id else {"question": text}
    if kind == Unwatch.TYPE and "watch_id" not in fields and "question" in fields:
        watch = _decode(Watch.TYPE, fields)  # the question (and id) checked as a `watch` checks them
        return UnwatchQuestion(watch.question, watch.id)
    return _decode(kind, fields)


def _decode(kind: str, fields: dict) -> Message:
    """`fields` as a request of type `kind`, by the socket protocol's own decoder and checks."""
    return decode_request(json.dumps({**fields, "type": kind}).encode("utf-8"))


def _object(payload: bytes) -> dict:
    value = parse_json(payload)
    if not isinstance(value, dict):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"expected a JSON object, got {type(value).__name__}")
    return {k: v for k, v in value.items() if k not in ("type", "v")}  # the topic says what it is
