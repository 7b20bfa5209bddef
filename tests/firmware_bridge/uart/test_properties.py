"""Properties of the UART receive path (cobs -> frame -> stream -> messages), by Hypothesis.

For any bytes cut into any chunks: the stream decoder raises nothing and gives exactly
what it gives for the bytes in one piece; a body that decodes re-encodes to the same
bytes; every decoded frame parses to a message or raises the bridge's `FrameError`,
nothing else; and after any garbage (noise, a run longer than any frame, a frame cut
off mid-way) the frames that follow come out whole and in order. Example counts are
kept small (a few seconds in all); the seeded and table-driven tests sit beside this.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_bridge.errors import FrameError
from firmware_bridge.uart.frame import Frame, StreamDecoder, decode_frame, encode_frame
from firmware_bridge.uart.messages import from_frame
from firmware_bridge.uart.protocol import MAX_ENCODED_BODY, MAX_PAYLOAD, MessageType

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

frames_st = st.builds(
    Frame,
    type=st.sampled_from([int(t) for t in MessageType]),
    seq=st.integers(0, 255),
    payload=st.binary(max_size=MAX_PAYLOAD),
)
# chunk sizes, used in turn: one byte at a time up to several frames per read
chunkings = st.lists(st.integers(1, 3 * MAX_ENCODED_BODY), min_size=1, max_size=8)
garbage_st = st.one_of(
    st.binary(max_size=300),  # noise, delimiters included
    # a run longer than any frame, with no delimiter: the decoder drops it unbuffered
    st.binary(min_size=MAX_ENCODED_BODY + 1, max_size=400).map(lambda b: b.replace(b"\x00", b"\x55")),
    # a sender cut off mid-frame (reset, unplugged)
    st.tuples(frames_st, st.integers(1, MAX_ENCODED_BODY)).map(lambda fn: encode_frame(fn[0])[: fn[1]]),
)
# wire bytes that mix real frames into noise, so the valid paths are reached too
mixed_st = st.lists(st.one_of(garbage_st, frames_st.map(encode_frame)), max_size=6).map(b"".join)


def _feed(data: bytes, sizes: list[int]) -> tuple[list[Frame], StreamDecoder]:
    decoder, frames, i, k = StreamDecoder(), [], 0, 0
    while i < len(data):
        n = sizes[k % len(sizes)]
        frames += decoder.feed(data[i : i + n])  # must not raise, whatever the bytes
        i, k = i + n, k + 1
    return frames, decoder


def _parse(frame: Frame) -> None:
    """Message parsing may refuse a frame, but only with the bridge's own error type."""
    try:
        from_frame(frame)
    except FrameError:
        pass


@FAST
@given(mixed_st, chunkings)
def test_any_bytes_in_any_chunking_decode_as_in_one_piece(data, sizes):
    whole = StreamDecoder()
    expected = whole.feed(data)
    frames, decoder = _feed(data, sizes)
    assert frames == expected
    assert decoder.counters == whole.counters and decoder.counters["frames"] == len(frames)
    for frame in frames:
        _parse(frame)


@FAST
@given(st.one_of(st.binary(max_size=MAX_ENCODED_BODY + 8), frames_st.map(lambda f: encode_frame(f)[1:-1])))
def test_a_body_raises_only_protocol_errors_and_decodes_canonically(encoded):
    try:
        frame = decode_frame(encoded)
    except FrameError:
        return
    assert encode_frame(frame)[1:-1] == encoded  # one frame, one encoding: nothing forged by re-encoding
    _parse(frame)


@FAST
@given(st.lists(frames_st, max_size=8), chunkings)
def test_frames_round_trip_through_the_stream(sent, sizes):
    for frame in sent:
        assert decode_frame(encode_frame(frame)[1:-1]) == frame
    got, decoder = _feed(b"".join(encode_frame(f) for f in sent), sizes)
    assert got == sent and decoder.dropped == 0


@FAST
@given(st.lists(garbage_st, min_size=1, max_size=3).map(b"".join), st.lists(frames_st, min_size=1, max_size=5), chunkings)
def test_the_stream_resynchronises_after_garbage(garbage, sent, sizes):
    got, decoder = _feed(garbage + b"".join(encode_frame(f) for f in sent), sizes)
    # garbage may forge a frame of its own (a CRC-16 passes by chance) but only before
    # the first real frame's leading delimiter ends it: every sent frame follows, in order
    assert got[len(got) - len(sent) :] == sent
    assert decoder.counters["frames"] == len(got)
