"""Stream decoder: shared stream vectors in any chunking, and Hypothesis fuzzing."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_bridge.uart.frame import COUNTERS, Frame, StreamDecoder, encode_frame
from firmware_bridge.uart.protocol import MAX_PAYLOAD, MessageType


def _feed_in_chunks(data: bytes, rng: random.Random) -> tuple[list[Frame], StreamDecoder]:
    decoder = StreamDecoder()
    frames, i = [], 0
    while i < len(data):
        n = rng.choice([1, 1, 2, 3, 7, 64, 500])
        frames += decoder.feed(data[i : i + n])
        i += n
    return frames, decoder


def test_stream_vectors_in_any_chunking(vectors):
    rng = random.Random(3)
    for v in vectors["streams"]:
        data = bytes.fromhex(v["wire_hex"])
        for _ in range(5):
            frames, decoder = _feed_in_chunks(data, rng)
            assert [f.seq for f in frames] == v["seqs"], v["name"]
            assert [f.type for f in frames] == v["types"], v["name"]
            assert {c: decoder.counters[c] for c in COUNTERS} == v["counters"], v["name"]


def test_error_vectors_are_counted_and_the_next_frame_survives(vectors):
    follow = encode_frame(Frame(type=MessageType.ACK, seq=77))
    for v in vectors["frame_errors"]:
        decoder = StreamDecoder()
        got = decoder.feed(b"\x00" + bytes.fromhex(v["encoded_hex"]) + b"\x00" + follow)
        assert [f.seq for f in got] == [77], v["name"]
        assert decoder.counters[v["counter"]] == 1, v["name"]
        assert decoder.dropped == 1
        assert decoder.last_error.counter == v["counter"]


def test_frame_without_leading_delimiter_after_noise_is_lost_but_counted():
    """Why senders start every frame with 0x00: noise glued to a frame spoils it."""
    wire = encode_frame(Frame(type=MessageType.PING, seq=0))
    decoder = StreamDecoder()
    assert decoder.feed(b"\x42" + wire[1:]) == []
    assert decoder.dropped == 1


def test_long_run_is_not_buffered():
    decoder = StreamDecoder()
    decoder.feed(b"\x55" * 100_000)
    assert len(decoder._buf) == 0
    assert decoder.counters["oversized"] == 1
    assert decoder.feed(encode_frame(Frame(type=MessageType.PING, seq=0)))[0].type == MessageType.PING


frames_st = st.builds(
    Frame,
    type=st.sampled_from([int(t) for t in MessageType]),
    seq=st.integers(0, 255),
    payload=st.binary(max_size=MAX_PAYLOAD),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.integers(1, 64))
def test_fuzz_random_bytes_never_raise(data, chunk):
    decoder = StreamDecoder()
    frames = []
    for i in range(0, len(data), chunk):
        frames += decoder.feed(data[i : i + chunk])  # must not raise, whatever the bytes
    assert decoder.counters["frames"] == len(frames)
    assert all(isinstance(f, Frame) for f in frames)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.binary(max_size=150), frames_st), max_size=12),
    st.binary(max_size=150),
    st.integers(1, 97),
)
def test_fuzz_valid_frames_spliced_into_noise_are_all_recovered(pieces, tail, chunk):
    data = b"".join(noise + encode_frame(frame) for noise, frame in pieces) + tail
    decoder = StreamDecoder()
    got = []
    for i in range(0, len(data), chunk):
        got += decoder.feed(data[i : i + chunk])
    expected = [frame for _, frame in pieces]
    # Every sent frame comes out, in order; noise may (rarely) forge an extra one.
    it = iter(got)
    assert all(any(g == want for g in it) for want in expected), (expected, got)
