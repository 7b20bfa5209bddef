"""BufferedWindows (edge/daemon/encoded.py): which windows an ask over buffered audio reads from
the states kept beside it, which it encodes, and where each sits on the clock."""

from __future__ import annotations

import numpy as np
import pytest

from edge.assistant import split_windows
from edge.daemon.encoded import CUT_TOLERANCE_S, BufferedWindows, encode_segment
from edge.ring_buffer import RingBuffer, Segment, wall_time

SR = 16000
WINDOW_S = 1.0
T0 = 1_700_000_000.0  # wall clock of the first segment


class CountingAssistant:
    """Windows of WINDOW_S on a grid from each clip's start (as edge.assistant.Assistant's);
    a window's "states" (taps, frames, width) hold the time of its first sample, and every
    window it encodes is recorded (first sample, length s)."""

    def __init__(self) -> None:
        self.encoded: list[tuple[float, float]] = []

    def windows(self, audio: np.ndarray, sample_rate: int = SR):
        return split_windows(audio, int(WINDOW_S * sample_rate), sample_rate)

    def encode_windows(self, windows):
        self.encoded += [(float(w[0]), len(w) / SR) for _, _, w in windows]
        return np.stack([np.full((2, 5, 3), w[0], np.float64) for _, _, w in windows]), {"encoder": 1.0}

    def encode(self, audio: np.ndarray, sample_rate: int = SR):
        windows = self.windows(audio, sample_rate)
        states, timings = self.encode_windows(windows)
        return [(s, e) for s, e, _ in windows], states, timings

    def ask_encoded(self, spans, states, question, timings=None, **kwargs):
        raise NotImplementedError


def ramp(seconds: float, t0: float = 0.0) -> np.ndarray:
    """Audio whose every sample is its own time in the segment (s), so a window's first sample says where it starts."""
    return (t0 + np.arange(int(seconds * SR)) / SR).astype(np.float64)


def close(spans, expected) -> None:
    np.testing.assert_allclose(np.array(spans), np.array(expected), atol=2 / SR)


def buffered(*segments: tuple[float, float], keep: bool = True) -> tuple[RingBuffer, CountingAssistant]:
    """A buffer of segments (wall start, seconds), each encoded ahead (its states kept) when `keep`."""
    buf, assistant = RingBuffer(max_seconds=600.0, max_state_bytes=2**30), CountingAssistant()
    for start, seconds in segments:
        seg = Segment(start, ramp(seconds), "sound")
        buf.append(seg)
        if keep:
            assert buf.attach(seg, encode_segment(assistant, seg))
    assistant.encoded.clear()
    return buf, assistant


def test_a_since_inside_a_kept_segment_encodes_only_the_window_it_falls_in():
    buf, assistant = buffered((T0, 3.6))  # kept windows [0, 1) [1, 2) [2, 3) [3, 3.6)
    kept = buf.with_states()[0][1]
    since = T0 + 1.3
    bw = BufferedWindows(assistant, buf, since, gap_s=0.2)
    close(bw.spans, [(0.0, 0.7), (0.7, 1.7), (1.7, 2.3)])  # the segment's grid, from `since`
    assert bw.reused == 2 and assistant.encoded == []  # nothing encoded before the states are read
    states = bw[0:3]
    # one window encoded, over the audio from `since` to the grid line at 2 s; the others are the kept states
    assert assistant.encoded == [(pytest.approx(1.3, abs=2 / SR), pytest.approx(0.7, abs=2 / SR))]
    assert bw.timings["encoder"] == 1.0
    np.testing.assert_array_equal(states[1:], kept.states[2:])
    # the answer's times map back to the clock: each window starts where its audio was captured
    starts = [wall_time(bw.audio_spans, s) for s, _ in bw.spans]
    assert starts == pytest.approx([since, T0 + 2.0, T0 + 3.0], abs=1e-3)
    assert wall_time(bw.audio_spans, bw.spans[-1][1]) == pytest.approx(T0 + 3.6, abs=1e-3)
    assert bw.audio_seconds == pytest.approx(2.3, abs=2 / SR)


def test_the_window_since_falls_in_is_encoded_only_when_a_slice_reads_it():
    buf, assistant = buffered((T0, 4.0))
    bw = BufferedWindows(assistant, buf, T0 + 0.5, gap_s=0.2)
    assert len(bw) == 4
    bw[1:4]
    assert assistant.encoded == []  # kept windows only
    bw[0:2]
    assert len(assistant.encoded) == 1


def test_a_since_within_one_encoder_frame_of_a_window_start_keeps_the_window_whole():
    buf, assistant = buffered((T0, 3.0))
    kept = buf.with_states()[0][1]
    bw = BufferedWindows(assistant, buf, T0 + 1.0 + CUT_TOLERANCE_S / 2, gap_s=0.2)  # e.g. an answer's wall_start, in ms
    np.testing.assert_array_equal(bw[0:len(bw)], kept.states[1:])
    assert assistant.encoded == [] and bw.reused == 2
    assert bw.spans[0][0] == 0.0 and bw.spans[0][1] == pytest.approx(1.0 - CUT_TOLERANCE_S / 2, abs=2 / SR)


def test_later_segments_and_their_gaps_keep_their_places():
    buf, assistant = buffered((T0, 2.5), (T0 + 10.0, 1.5))
    since = T0 + 0.25
    bw = BufferedWindows(assistant, buf, since, gap_s=0.2)
    # first segment from 0.25 s: [0.25, 1) encoded, [1, 2) [2, 2.5) kept; then the gap; the second segment as kept
    close(bw.spans, [(0.0, 0.75), (0.75, 1.75), (1.75, 2.25), (2.45, 3.45), (3.45, 3.95)])
    bw[0:len(bw)]
    assert assistant.encoded == [(pytest.approx(0.25), pytest.approx(0.75))]
    starts = [wall_time(bw.audio_spans, s) for s, _ in bw.spans]
    assert starts == pytest.approx([since, T0 + 1, T0 + 2, T0 + 10, T0 + 11], abs=1e-3)


def test_a_since_past_every_kept_window_encodes_the_rest_of_the_segment():
    # a 2.3 s segment's kept windows are [0, 1) [1, 2): its last 0.3 s, shorter than a tail
    # window, is in none of them. A `since` in it still hears it, windowed anew.
    buf, assistant = buffered((T0, 2.3))
    bw = BufferedWindows(assistant, buf, T0 + 2.1, gap_s=0.2)
    close(bw.spans, [(0.0, 0.2)])
    bw[0:1]
    assert assistant.encoded == [(pytest.approx(2.1, abs=2 / SR), pytest.approx(0.2, abs=2 / SR))]


def test_segments_without_kept_states_are_windowed_from_since():
    buf, assistant = buffered((T0, 3.6), keep=False)
    bw = BufferedWindows(assistant, buf, T0 + 1.3, gap_s=0.2)
    assert bw.reused == 0
    close(bw.spans, [(0.0, 1.0), (1.0, 2.0)])  # re-gridded from `since` (its last 0.3 s is too short a tail)
    bw[0:2]
    assert [round(s, 3) for s, _ in assistant.encoded] == [1.3, 2.3]


def test_with_the_real_assistant_the_cut_window_holds_the_encoders_states_of_its_audio_from_since(tiny_bundle):
    from edge.assistant import Assistant

    with Assistant.from_bundle(tiny_bundle, n_threads=1) as assistant:
        window_s = assistant.manifest.audio.window_seconds
        audio = (0.1 * np.random.default_rng(0).standard_normal(int(2.6 * window_s * SR))).astype(np.float32)
        buf = RingBuffer(max_seconds=600.0, max_state_bytes=2**30)
        seg = Segment(T0, audio, "sound")
        buf.append(seg)
        assert buf.attach(seg, kept := encode_segment(assistant, seg))
        assert len(kept.windows) == 3
        cut = int(1.4 * window_s * SR)
        bw = BufferedWindows(assistant, buf, T0 + (cut + 0.5) / SR, gap_s=0.2)  # (half a sample: the clock's float rounding)
        states = bw[0:len(bw)]
        assert bw.reused == 1 and bw.timings["encoder"] > 0
        _, fresh, _ = assistant.encode(audio[cut:int(2 * window_s * SR)])
        np.testing.assert_allclose(states[0], fresh[0], rtol=0, atol=1e-4)  # (ONNX Runtime's reduction order)
        np.testing.assert_array_equal(states[1], kept.states[2])
        close(bw.spans, [(0.0, 0.6 * window_s), (0.6 * window_s, 1.2 * window_s)])
