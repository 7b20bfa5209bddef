"""The daemon's socket protocol: newline-delimited JSON, one message per line (see PROTOCOL.md).

Byte-level grammar (ABNF, RFC 5234; JSON per RFC 8259):

    stream   = *line
    line     = object [CR] LF           ; at most MAX_LINE_BYTES octets including LF
    object   = <a JSON object, UTF-8, with no raw LF inside (JSON escapes it as \\n)>
    text     : arrays and objects nest at most MAX_DEPTH deep; strings hold Unicode scalar values
               only (a lone surrogate escape such as "\\ud800" is refused)
    members  : "v" = PROTOCOL_VERSION (integer; a request without "v" is read as version 1)
               "type" = a message type below (string)
               "id" = string (<= 128 chars) or integer in [-2^63, 2^63); optional in requests,
                      echoed in the reply; events never carry one
               the fields of that type; unknown fields are ignored (forward compatibility)

Client -> daemon (requests):  ask listen events status mute unmute watch unwatch
Daemon -> client (replies):   answer subscribed status ok watching unwatched error
Daemon -> client (progress):  decision token              (only for an ask/listen sent with
                                                           "stream": true; minor 1, before its answer)
Daemon -> client (events):    segment alert state         (only after an `events` request)

A line that breaks the grammar gets an `error` reply with a code from `ErrorCode`, and the
connection stays open. Times are Unix seconds (float), durations seconds.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Union

from core import binding
from core.json_tree import JSONTooDeep, iter_json_strings
from core.questions import question_problem
from edge.errors import ProtocolError

PROTOCOL_VERSION = 1
# Additions that keep version 1 (an old peer ignores what it does not know): 1 = streamed
# answers (`stream` on ask/listen, `decision` and `token` lines). Reported in `status`.
PROTOCOL_MINOR = 1
MAX_LINE_BYTES = 65536  # octets per line including LF; a longer line is refused
MAX_QUESTION_CHARS = 1000  # a question longer than this is refused
MAX_ID_CHARS = 128  # a longer string id is refused
MAX_LISTEN_SECONDS = 30.0  # `listen` records at most this long
MAX_DEPTH = 32  # nesting of arrays/objects in a line; deeper is refused before it can exhaust the stack
MAX_UNIX_TIME = 253402300799.0  # 9999-12-31T23:59:59Z: the latest `since` (later ones overflow time functions)
ID_INT_RANGE = (-(2**63), 2**63)  # integer ids are signed 64-bit: [lo, hi)
MAX_WATCH_ID = 2**63 - 1  # watch ids count up from 1

Id = Union[str, int, None]


class ErrorCode:
    """The `code` of an `error` reply."""

    BAD_JSON = "bad_json"  # the line is not valid UTF-8 JSON
    BAD_MESSAGE = "bad_message"  # not an object, no "type", or a field of the wrong type or range
    LINE_TOO_LONG = "line_too_long"  # over MAX_LINE_BYTES; the rest of the line is skipped
    UNKNOWN_TYPE = "unknown_type"  # "type" names no request
    UNSUPPORTED_VERSION = "unsupported_version"  # "v" is not PROTOCOL_VERSION
    NO_AUDIO = "no_audio"  # nothing buffered since `since` (or ever)
    MUTED = "muted"  # listen while muted
    BUSY = "busy"  # the assistant's queue is full; retry later
    NO_ASSISTANT = "no_assistant"  # the daemon runs without a model (capture and events only)
    ASSISTANT_FAILED = "assistant_failed"  # the model raised; the text says why
    UNKNOWN_WATCH = "unknown_watch"  # unwatch of an id that does not exist
    TOO_MANY_WATCHES = "too_many_watches"
    SHUTTING_DOWN = "shutting_down"  # the daemon is stopping
    IDLE_TIMEOUT = "idle_timeout"  # no request for the daemon's idle timeout; it closes the connection
    INTERNAL = "internal"  # a bug in the daemon; the connection stays usable


@dataclass(frozen=True)
class Message:
    """Base of every message: `type` is the class's TYPE; `v` is added on the wire."""

    TYPE: ClassVar[str] = ""
    # Fields left off the wire while false: a later minor's opt-in, so that a request that does
    # not use it is byte for byte what an older peer knows.
    SPARSE: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        body = {k: v for k, v in asdict(self).items() if not (k == "id" and v is None) and not (k in self.SPARSE and not v)}
        return {"v": PROTOCOL_VERSION, "type": self.TYPE, **body}

    def encode(self) -> bytes:
        """One line: compact JSON + LF."""
        line = json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return line.encode("utf-8") + b"\n"

    def validate(self) -> None:
        """Range checks beyond types; raise ProtocolError(BAD_MESSAGE)."""


# -- requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ask(Message):
    """Answer `question` over the buffered activity since `since` (all of it when absent)."""

    TYPE: ClassVar[str] = "ask"
    SPARSE: ClassVar[frozenset[str]] = frozenset({"stream"})
    question: str
    since: float | None = None  # Unix seconds
    id: Id = None
    stream: bool = False  # minor 1: `decision` and `token` lines before the answer

    def validate(self) -> None:
        _check_question(self)
        if self.since is not None and not (0 <= self.since <= MAX_UNIX_TIME):
            raise ProtocolError(
                ErrorCode.BAD_MESSAGE, f"ask: `since` must be a Unix time in seconds in [0, {MAX_UNIX_TIME:.0f}], got {self.since!r}"
            )


@dataclass(frozen=True)
class Listen(Message):
    """Record the next `seconds` of audio (active or not) and answer `question` about it."""

    TYPE: ClassVar[str] = "listen"
    SPARSE: ClassVar[frozenset[str]] = frozenset({"stream"})
    seconds: float = 5.0  # how long to record, (0, MAX_LISTEN_SECONDS]
    question: str | None = None  # None: the daemon's open question ("What do you hear?")
    id: Id = None
    stream: bool = False  # minor 1: `decision` and `token` lines before the answer

    def validate(self) -> None:
        if not (0 < self.seconds <= MAX_LISTEN_SECONDS):
            raise ProtocolError(
                ErrorCode.BAD_MESSAGE, f"listen: `seconds` must be in (0, {MAX_LISTEN_SECONDS:g}], got {self.seconds}"
            )
        if self.question is not None:
            _check_question(self)


@dataclass(frozen=True)
class Events(Message):
    """Subscribe this connection to events (segment, alert, state); replied with `subscribed`."""

    TYPE: ClassVar[str] = "events"
    id: Id = None


@dataclass(frozen=True)
class Status(Message):
    TYPE: ClassVar[str] = "status"
    id: Id = None


@dataclass(frozen=True)
class Mute(Message):
    """Stop capture and wipe the buffer."""

    TYPE: ClassVar[str] = "mute"
    id: Id = None


@dataclass(frozen=True)
class Unmute(Message):
    TYPE: ClassVar[str] = "unmute"
    id: Id = None


@dataclass(frozen=True)
class Watch(Message):
    """A standing yes/no question, evaluated on each new segment; alerts go to subscribers."""

    TYPE: ClassVar[str] = "watch"
    question: str
    id: Id = None

    def validate(self) -> None:
        _check_question(self)


@dataclass(frozen=True)
class Unwatch(Message):
    TYPE: ClassVar[str] = "unwatch"
    watch_id: int
    id: Id = None

    def validate(self) -> None:
        if not (1 <= self.watch_id <= MAX_WATCH_ID):
            raise ProtocolError(
                ErrorCode.BAD_MESSAGE, f"unwatch: `watch_id` must be an integer in [1, 2^63), got {self.watch_id}"
            )


Request = Union[Ask, Listen, Events, Status, Mute, Unmute, Watch, Unwatch]
REQUESTS: dict[str, type[Message]] = {c.TYPE: c for c in (Ask, Listen, Events, Status, Mute, Unmute, Watch, Unwatch)}


# -- replies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerReply(Message):
    """The reply to ask and listen: `edge.answer.Answer.to_json()` plus where the audio came from.

    Window start/end are seconds into the audio the assistant heard (segments joined with
    short gaps); wall_start/wall_end in each window are the same points as Unix seconds.
    """

    TYPE: ClassVar[str] = "answer"
    answer: str
    heard: bool | None  # presence questions: heard in any window; open questions: None
    confidence: float | None  # of `heard`, in [0, 1]
    windows: list = field(default_factory=list)  # [{start, end, answer, heard, confidence, wall_start, wall_end}]
    timings_ms: dict = field(default_factory=dict)
    bundle: dict = field(default_factory=dict)
    audio_seconds: float = 0.0  # seconds of audio the assistant heard
    segments: int = 0  # buffered segments it came from (0 for listen)
    start: float | None = None  # wall clock of the first sample heard, Unix seconds
    end: float | None = None  # wall clock after the last sample heard
    probability: float | None = None  # presence model: calibrated P(present), highest over the windows
    id: Id = None


@dataclass(frozen=True)
class DecisionReply(Message):
    """Minor 1, streamed asks only: the yes/no decision, sent as soon as it is known (before the
    words). It carries the same `heard`, `confidence` and `probability` as the answer to come."""

    TYPE: ClassVar[str] = "decision"
    heard: bool | None  # null: "I can't tell"
    confidence: float | None
    probability: float | None  # calibrated P(present), with a presence model
    windows: list = field(default_factory=list)  # [{start, end, wall_start, wall_end}] where it was heard
    elapsed_ms: float = 0.0  # since the daemon read the request
    id: Id = None


@dataclass(frozen=True)
class TokenReply(Message):
    """Minor 1, streamed asks only: the next piece of the spoken answer, as it is generated."""

    TYPE: ClassVar[str] = "token"
    text: str
    elapsed_ms: float = 0.0  # since the daemon read the request
    id: Id = None


PROGRESS_TYPES = frozenset({DecisionReply.TYPE, TokenReply.TYPE})


@dataclass(frozen=True)
class Subscribed(Message):
    TYPE: ClassVar[str] = "subscribed"
    id: Id = None


@dataclass(frozen=True)
class StatusReply(Message):
    TYPE: ClassVar[str] = "status"
    muted: bool
    capturing: bool  # the source is open and delivering (false when muted, failing or ended)
    source: str  # e.g. "microphone 'pulse'" or "file /path.wav"
    source_ended: bool  # a replayed file has been read to its end
    buffer_seconds: float  # seconds of activity held
    buffer_segments: int
    buffer_max_seconds: float
    watches: list  # [{watch_id, question}]
    clients: int  # open connections
    subscribers: int  # connections receiving events
    queued: int  # assistant jobs waiting
    assistant: str  # class name of the model, or "none"
    uptime_s: float
    capture_failures: int  # capture errors retried since start
    last_capture_error: str | None
    dropped_events: int  # events not delivered to slow subscribers
    dropped_watch_checks: int  # watch evaluations skipped because the queue was full
    captured_seconds: float = 0.0  # audio received from the source since start (grows while capturing)
    encoded_segments: int = 0  # buffered segments whose encoder states are kept (asks about them skip the encoder)
    minor: int = PROTOCOL_MINOR  # the protocol additions this daemon speaks (PROTOCOL_MINOR)
    id: Id = None


@dataclass(frozen=True)
class Ok(Message):
    """The reply to mute and unmute."""

    TYPE: ClassVar[str] = "ok"
    request: str  # the request type it answers
    muted: bool
    wiped_segments: int = 0  # segments erased by this mute
    id: Id = None


@dataclass(frozen=True)
class Watching(Message):
    TYPE: ClassVar[str] = "watching"
    watch_id: int
    question: str
    id: Id = None


@dataclass(frozen=True)
class Unwatched(Message):
    TYPE: ClassVar[str] = "unwatched"
    watch_id: int
    id: Id = None


@dataclass(frozen=True)
class Error(Message):
    TYPE: ClassVar[str] = "error"
    code: str  # an ErrorCode
    text: str  # one line for people
    id: Id = None


# -- events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentEvent(Message):
    """A segment of activity was detected and buffered."""

    TYPE: ClassVar[str] = "segment"
    start: float  # Unix seconds
    end: float  # Unix seconds
    kind: str  # "speech" or "sound"
    level_dbfs: float  # RMS level of the segment


@dataclass(frozen=True)
class AlertEvent(Message):
    """A watch heard its sound in a segment."""

    TYPE: ClassVar[str] = "alert"
    watch_id: int
    question: str
    answer: str
    confidence: float | None
    start: float  # the segment, Unix seconds
    end: float


@dataclass(frozen=True)
class StateEvent(Message):
    """Mute state or capture changed."""

    TYPE: ClassVar[str] = "state"
    muted: bool
    capturing: bool


Reply = Union[AnswerReply, Subscribed, StatusReply, Ok, Watching, Unwatched, Error]
Event = Union[SegmentEvent, AlertEvent, StateEvent]
SERVER_MESSAGES: dict[str, type[Message]] = {
    c.TYPE: c
    for c in (AnswerReply, DecisionReply, TokenReply, Subscribed, StatusReply, Ok, Watching, Unwatched, Error,
              SegmentEvent, AlertEvent, StateEvent)
}
EVENT_TYPES = frozenset({SegmentEvent.TYPE, AlertEvent.TYPE, StateEvent.TYPE})


# -- decoding ----------------------------------------------------------------------------


def decode_request(line: bytes) -> Message:
    """One line from a client -> a request message; ProtocolError with the wire code otherwise."""
    return _decode(line, REQUESTS, "request")


def decode_server_message(line: bytes) -> Message:
    """One line from the daemon -> a reply or an event."""
    return _decode(line, SERVER_MESSAGES, "message")


def request_id(line: bytes) -> Id:
    """The "id" of a line, if it can be read at all (to echo it in an error reply); only an id
    that can be written back (no lone surrogate) is returned."""
    if len(line) > MAX_LINE_BYTES:
        return None
    try:
        obj = _loads(line)
    except ProtocolError:
        return None
    rid = obj.get("id") if isinstance(obj, dict) else None
    return rid if _valid_id(rid) else None


def parse_json(line: bytes) -> Any:
    """The JSON value of one line; ProtocolError(BAD_JSON) unless it is UTF-8 JSON nested at most
    MAX_DEPTH deep whose strings hold no lone surrogate (they cannot be written back as UTF-8)."""
    value = _loads(line)
    _check_tree(value)
    return value


def _loads(line: bytes) -> Any:
    try:
        return json.loads(line.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as err:
        raise ProtocolError(ErrorCode.BAD_JSON, f"not a JSON line ({_one_line(err)}): {line[:60]!r}") from err
    except RecursionError as err:  # json's C scanner recurses once per level
        raise ProtocolError(ErrorCode.BAD_JSON, f"JSON nested deeper than {MAX_DEPTH} levels: {line[:60]!r}") from err


def _check_tree(value: Any) -> None:
    """Depth and text checks over a parsed value, without recursion (its size is bounded by the line)."""
    try:
        for text in iter_json_strings(value, MAX_DEPTH):
            _check_text(text)
    except JSONTooDeep as err:
        raise ProtocolError(ErrorCode.BAD_JSON, f"JSON nested deeper than {MAX_DEPTH} levels") from err


def _check_text(text: str, code: str = ErrorCode.BAD_JSON) -> None:
    bad = _SURROGATE.search(text)
    if bad is not None:
        raise ProtocolError(
            code,
            f"a string holds the lone surrogate \\u{ord(bad.group()):04x}, which is not Unicode text; send UTF-8 text",
        )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def _decode(line: bytes, registry: dict[str, type[Message]], what: str) -> Message:
    if len(line) > MAX_LINE_BYTES:
        raise ProtocolError(ErrorCode.LINE_TOO_LONG, f"line of {len(line)} bytes; the limit is {MAX_LINE_BYTES}")
    obj = parse_json(line)
    if not isinstance(obj, dict):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"expected a JSON object, got {type(obj).__name__}")
    version = obj.get("v", PROTOCOL_VERSION)
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_VERSION, f"protocol version {version!r} is not supported; this daemon speaks v{PROTOCOL_VERSION}"
        )
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f'a {what} needs a string "type"; one of {", ".join(registry)}')
    cls = registry.get(kind)
    if cls is None:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, f'unknown {what} type {kind!r}; one of {", ".join(registry)}')
    values = {k: v for k, v in obj.items() if k not in ("v", "type")}
    message = binding.bind(cls, values, _convert, lambda text: ProtocolError(ErrorCode.BAD_MESSAGE, f"{kind}: {text}"),
                           unknown="ignore")  # a newer peer may send more fields
    message.validate()
    return message


def _convert(value: Any, hint: Any, key: str) -> Any:
    """JSON values as they are (core.binding.strict); `id` also has a length and range."""
    if key == "id":
        if not _valid_id(value):
            raise binding.Mismatch(f"a string of <= {MAX_ID_CHARS} chars or a signed 64-bit integer")
        return value
    return binding.strict(value, hint, key)


def _valid_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return ID_INT_RANGE[0] <= value < ID_INT_RANGE[1]
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS and _SURROGATE.search(value) is None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_question(message: Any) -> None:
    q = message.question
    if not isinstance(q, str):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"{message.TYPE}: `question` must be a string")
    _check_text(q, ErrorCode.BAD_MESSAGE)
    if not q.strip():
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"{message.TYPE}: `question` is empty")
    if len(q) > MAX_QUESTION_CHARS:
        raise ProtocolError(
            ErrorCode.BAD_MESSAGE, f"{message.TYPE}: `question` has {len(q)} chars; the limit is {MAX_QUESTION_CHARS}"
        )
    problem = question_problem(q)
    if problem is not None:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"{message.TYPE}: `question` cannot be asked: {problem}")
