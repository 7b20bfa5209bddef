"""edge.ring_buffer: bounded by seconds of activity, wall-clock times, and a wipe that leaves zeros."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from edge.ring_buffer import RingBuffer, Segment, SegmentStates, wall_time

SR = 16000


def seg(start: float, seconds: float, value: float = 0.5) -> Segment:
    return Segment(start=start, audio=np.full(int(seconds * SR), value, np.float32), kind="sound")


def test_oldest_segments_go_first_and_are_zeroed():
    buf = RingBuffer(max_seconds=5.0)
    segments = [seg(100.0 + 10 * i, 1.0, value=i + 1) for i in range(8)]
    for s in segments:
        buf.append(s)
    kept = buf.segments()
    assert [s.start for s in kept] == [130.0, 140.0, 150.0, 160.0, 170.0]
    assert buf.seconds == pytest.approx(5.0) and len(buf) == 5
    for evicted in segments[:3]:
        assert not evicted.audio.any()  # the samples do not linger in RAM
    assert all(s.audio[0] == i + 4 for i, s in enumerate(kept))


def test_a_segment_longer_than_the_bound_keeps_its_end():
    buf = RingBuffer(max_seconds=2.0)
    audio = np.arange(3 * SR, dtype=np.float32)
    buf.append(Segment(start=50.0, audio=audio, kind="speech"))
    (kept,) = buf.segments()
    assert kept.start == pytest.approx(51.0) and kept.end == pytest.approx(53.0)
    assert kept.audio[0] == SR and kept.audio[-1] == 3 * SR - 1


def test_since_selects_and_cuts_segments_and_maps_times_back():
    buf = RingBuffer(max_seconds=300.0)
    buf.append(seg(100.0, 1.0, 0.1))
    buf.append(seg(110.0, 2.0, 0.2))
    buf.append(seg(120.0, 1.0, 0.3))
    assert [s.start for s in buf.segments(since=110.5)] == [110.0, 120.0]
    audio, spans = buf.audio(since=111.0, gap_s=0.25)
    # 1 s left of the second segment, a 0.25 s gap, then the third
    assert len(audio) == int(2.25 * SR)
    assert audio[0] == pytest.approx(0.2) and audio[SR + 100] == 0.0 and audio[-1] == pytest.approx(0.3)
    assert [(s.offset, s.start, s.duration) for s in spans] == [(0.0, 111.0, 1.0), (1.25, 120.0, 1.0)]
    assert wall_time(spans, 0.5) == pytest.approx(111.5)
    assert wall_time(spans, 1.1) == pytest.approx(112.0)  # inside the gap: end of the span before
    assert wall_time(spans, 2.0) == pytest.approx(120.75)


def test_empty_buffer_gives_no_audio():
    audio, spans = RingBuffer(max_seconds=300.0).audio()
    assert audio.shape == (0,) and spans == [] and wall_time(spans, 0.0) is None


def test_wipe_zeroes_every_sample_and_empties():
    buf = RingBuffer(max_seconds=300.0)
    held = [seg(float(i), 0.5) for i in range(4)]
    for s in held:
        buf.append(s)
    assert buf.wipe() == 4
    assert len(buf) == 0 and buf.seconds == 0.0 and buf.segments() == []
    assert all(not s.audio.any() for s in held)


def test_concurrent_appends_respect_the_bound():
    buf = RingBuffer(max_seconds=3.0)

    def writer(k: int) -> None:
        for i in range(50):
            buf.append(seg(k * 1000 + i, 0.1))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert buf.seconds == pytest.approx(3.0)
    assert sum(len(s.audio) for s in buf.segments()) == 3 * SR


def test_bound_must_be_positive():
    with pytest.raises(ValueError):
        RingBuffer(max_seconds=0)


def test_states_kept_beside_segments_are_bounded_and_wiped_with_them():
    buf = RingBuffer(max_seconds=3.0, max_state_bytes=2 * 4 * 10)  # two segments' states (10 float32 each)
    segs = [seg(float(i), 1.0) for i in range(3)]
    kept = [SegmentStates(((0.0, 1.0),), np.full((1, 10), i + 1, np.float32)) for i in range(3)]
    for s, states in zip(segs, kept):
        buf.append(s)
        assert buf.attach(s, states)
    assert buf.encoded_segments == 2  # past the bound: the oldest states were dropped, not zeroed
    assert [s is None for _, s in buf.with_states()] == [True, False, False]
    assert kept[0].states.min() == 1.0
    buf.append(seg(3.0, 1.0))  # evicts segs[0]; its states were already gone
    assert not buf.attach(segs[0], kept[0])  # a segment that left the buffer keeps nothing
    wipes = buf.wipes
    buf.wipe()
    assert buf.wipes == wipes + 1 and buf.encoded_segments == 0
    assert not kept[1].states.any() and not kept[2].states.any()  # mute leaves no copy of the states either
