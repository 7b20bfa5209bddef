"""Audio encoded as it arrives: each buffered segment's encoder states, and a question answered
over them without waiting for the encoder.

The daemon queues `encode_segment` for every new segment (the same job then checks the
watches on those states) and keeps the result beside the audio in the ring buffer. An `ask`
over buffered audio reads the segments and their states (`BufferedWindows`): a segment whose
states are kept costs nothing; one without (its job was skipped on a full queue, its states
were dropped past the bound, or `since` cuts it) is encoded then, a few windows at a time,
so memory stays bounded by the states already kept plus CHUNK_WINDOWS windows.

Each segment is windowed on its own (a segment of up to one window is one window); window
times are seconds into the buffered segments joined with `gap_s` of silence, as
`RingBuffer.audio` joins them, so `wall_time` maps them back to the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from core.audio import SAMPLE_RATE
from edge.ring_buffer import RingBuffer, Segment, SegmentStates, Span

Window = tuple[float, float, np.ndarray]  # (start s, end s, samples): edge.assistant's windows


class EncodingAssistant(Protocol):
    """What an assistant offers to answer over states it encoded earlier (edge.assistant.Assistant)."""

    def windows(self, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[Window]: ...
    def encode(self, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> tuple[list, np.ndarray, dict]: ...
    def encode_windows(self, windows: Sequence[Window]) -> tuple[np.ndarray, dict]: ...
    def ask_encoded(self, spans, states, question: str, timings: dict | None = None, **kwargs: Any) -> Any: ...


def can_encode(assistant: object) -> bool:
    """Whether `assistant` can encode ahead (a plain `ask(audio, question)` one cannot)."""
    return all(hasattr(assistant, name) for name in ("windows", "encode", "encode_windows", "ask_encoded"))


def encode_segment(assistant: EncodingAssistant, seg: Segment) -> SegmentStates:
    """A segment's windows and their encoder states."""
    windows = assistant.windows(seg.audio, seg.sample_rate)
    states, _ = assistant.encode_windows(windows)
    return SegmentStates(tuple((s, e) for s, e, _ in windows), states)


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
            audio, start = seg.audio, seg.start
            if since is not None and start < since:  # cut at `since`: its kept states do not fit
                cut = int((since - start) * seg.sample_rate)
                audio, start, kept = audio[cut:], start + cut / seg.sample_rate, None
            if not len(audio):
                continue
            if self.audio_spans:
                offset += gap_s
            duration = len(audio) / seg.sample_rate
            self.audio_spans.append(Span(offset, start, duration))
            if kept is not None:
                self.spans += [(offset + s, offset + e) for s, e in kept.windows]
                self._items += list(kept.states)
                self.reused += len(kept.windows)
            else:
                for s, e, samples in assistant.windows(audio, seg.sample_rate):
                    self.spans.append((offset + s, offset + e))
                    self._items.append((s, e, samples))
            offset += duration
            self.audio_seconds = offset

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
        return np.stack(items) if items else np.zeros((0,), np.float32)
