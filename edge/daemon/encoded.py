"""Audio encoded as it arrives: each buffered segment's encoder states, and a question answered
over them without waiting for the encoder.

The daemon queues `encode_segment` for every new segment (the same job then checks the
watches on those states) and keeps the result beside the audio in the ring buffer. An `ask`
over buffered audio reads the segments and their states (`BufferedWindows`): a window whose
states are kept costs nothing; a segment without them (its job was skipped on a full queue,
or its states were dropped past the bound) is encoded then, a few windows at a time, so
memory stays bounded by the states already kept plus CHUNK_WINDOWS windows.

Each segment is windowed on its own (a segment of up to one window is one window); window
times are seconds into the buffered segments joined with `gap_s` of silence, as
`RingBuffer.audio` joins them, so `wall_time` maps them back to the clock.

A `since` inside a segment keeps that segment's grid: its kept windows that end before
`since` are left out, those that start after it are read as kept, and only the window that
`since` falls in is encoded again, over its audio from `since` on (a partial window, padded
like any other), so memory stays bounded as above. Its kept states are not sliced at
`since`: the encoder attends across the whole window, so every frame's state also carries the
audio before the cut. On real recordings (bench/bench_since.py) the presence model read
sliced states (the frames from the cut, padded with an encoded silent window's) to another
yes / no / can't-tell decision than the audio encoded from the cut in 17 % of cases, 6.5 % from
yes to no; the same audio from 20 ms later, or through the int8 encoder, changed 3-4 %, none
from yes to no. A `since` less than one encoder frame (CUT_TOLERANCE_S) into a window keeps
that window whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from core.audio import SAMPLE_RATE
from edge.ring_buffer import RingBuffer, Segment, SegmentStates, Span

Window = tuple[float, float, np.ndarray]  # (start s, end s, samples): edge.assistant's windows

# A `since` this close after a kept window's start keeps the window's states whole instead of
# encoding its audio from `since` on: one frame of the encoder's states (Whisper: 2 hops of
# 10 ms), the finest time it resolves; a `since` copied from an answer's `wall_start` (ms)
# lands here. On real recordings, the audio from 20 ms later changed 3 % of the presence
# decisions, none from yes to no (bench/bench_since.py).
CUT_TOLERANCE_S = 0.02


class EncodingAssistant(Protocol):
    """What an assistant offers to answer over states it encoded earlier (edge.assistant.Assistant)."""

    def windows(self, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[Window]: ...
    def encode(self, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> tuple[list, np.ndarray, dict]: ...
    def encode_windows(self, windows: Sequence[Window]) -> tuple[np.ndarray, dict]: ...
    def ask_encoded(self, spans, states, question: str, timings: dict | None = None, **kwargs: Any) -> Any: ...


def can_encode(assistant: object) -> bool:
    """Whether `assistant` can encode ahead (a plain `ask(audio, question)` one cannot)."""
    return all(hasattr(assistant, name) for name in ("windows", "encode", "encode_windows", "ask_encoded"))


# States are kept in float16: half the memory (a 10 s window's 3.7 MiB becomes 1.8 MiB), and on
# real recordings the presence model's P moves by 7e-5 at most (240 decisions over 40 windows,
# none changed; encoder states stay under 13 in magnitude, far inside float16's range).
KEPT_DTYPE = np.float16


def encode_segment(assistant: EncodingAssistant, seg: Segment) -> SegmentStates:
    """A segment's windows and their encoder states (float32, to use now; `for_keeping` to keep)."""
    windows = assistant.windows(seg.audio, seg.sample_rate)
    states, _ = assistant.encode_windows(windows)
    return SegmentStates(tuple((s, e) for s, e, _ in windows), states)


def for_keeping(states: SegmentStates) -> SegmentStates:
    """The states as the ring buffer keeps them (KEPT_DTYPE); BufferedWindows reads them back as float32."""
    return SegmentStates(states.windows, states.states.astype(KEPT_DTYPE))


class BufferedWindows:
    """The windows of the buffered segments since `since`, and their states: `spans` (start s,
    end s in the joined audio) and `states`, sliceable like the (windows, taps, frames, width)
    array that `ask_encoded` reads, whose missing windows are encoded when a slice asks for them.

    `timings` (ms) counts only the encoding done now; `reused` is how many windows came from
    states kept beside the audio.
    """

    def __init__(self, assistant: EncodingAssistant, buffer: RingBuffer, since: float | None, gap_s: float) -> None:
        self._assistant = assistant
        self.spans: list[tuple[float, float]] = []
        self.audio_spans: list[Span] = []  # where each segment sits in the joined audio (wall_time)
        self._items: list[np.ndarray | Window] = []  # per window: its states (taps, T, d), or the window to encode
        self.timings: dict[str, float] = {"features": 0.0, "encoder": 0.0}
        self.reused = 0
        self.audio_seconds = 0.0
        self._buffer, self._wipes = buffer, buffer.wipes
        offset = 0.0
        for seg, kept in buffer.with_states(since):
            audio, start, cut_s = seg.audio, seg.start, 0.0
            if since is not None and start < since:  # cut at `since`
                cut = int((since - start) * seg.sample_rate)
                cut_s = cut / seg.sample_rate  # seconds of the segment before `since`
                audio, start = audio[cut:], start + cut_s
            if not len(audio):
                continue
            if self.audio_spans:
                offset += gap_s
            duration = len(audio) / seg.sample_rate
            self.audio_spans.append(Span(offset, start, duration))
            if kept is not None and kept.windows and kept.windows[-1][1] > cut_s:
                self._add_kept(seg, kept, cut_s, offset)
            else:  # no states kept, or `since` in a short tail that no kept window covers
                for s, e, samples in assistant.windows(audio, seg.sample_rate):
                    self.spans.append((offset + s, offset + e))
                    self._items.append((s, e, samples))
            offset += duration
            self.audio_seconds = offset

    def _add_kept(self, seg: Segment, kept: SegmentStates, cut_s: float, offset: float) -> None:
        """A segment's kept windows from `cut_s` s into it on: those after it as kept, the one
        it falls in (unless within CUT_TOLERANCE_S of its start) as its audio from `cut_s`, to encode."""
        for (s, e), states in zip(kept.windows, kept.states):
            if e <= cut_s:  # wholly before `since`
                continue
            span = (offset + max(s, cut_s) - cut_s, offset + e - cut_s)
            if s + CUT_TOLERANCE_S < cut_s:  # `since` falls inside: its audio from the cut, one window
                rate = seg.sample_rate
                (window,) = self._assistant.windows(seg.audio[round(cut_s * rate):round(e * rate)], rate)
                self._items.append(window)
            else:
                self._items.append(states)
                self.reused += 1
            self.spans.append(span)

    @property
    def wiped(self) -> bool:
        """Whether the buffer was wiped (muted) since these windows were read: their states may be zeros."""
        return self._buffer.wipes != self._wipes

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: slice) -> np.ndarray:
        """States of the windows in `index` (a slice), those not kept encoded now in one run."""
        if not isinstance(index, slice):
            raise TypeError("BufferedWindows is read in slices of windows")
        items = self._items[index]
        missing = [w for w in items if isinstance(w, tuple)]
        if missing:
            fresh, timings = self._assistant.encode_windows(missing)
            for key in self.timings:
                self.timings[key] += timings.get(key, 0.0)
            fresh_iter = iter(fresh)
            items = [next(fresh_iter) if isinstance(w, tuple) else w for w in items]
        return np.stack(items).astype(np.float32, copy=False) if items else np.zeros((0,), np.float32)
