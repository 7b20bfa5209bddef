"""The daemon's memory of recent activity: segments in RAM only, bounded by seconds of audio.

Only active segments (what the segmenter kept) are stored, never the silence between them,
so the default 5 minutes cover much more than 5 minutes of wall time. Each segment carries
the wall-clock time (Unix seconds) of its first sample. Nothing is ever written to disk;
`wipe()` overwrites the samples with zeros before dropping them, so muting leaves no copy
of the audio in this process's buffers.

Beside a segment the daemon keeps its encoder states once it has encoded it (`attach`), so
that a question about buffered audio does not wait for the encoder. They leave with their
segment and are bounded on their own by `max_state_bytes`: past it the oldest segments'
states are dropped (an ask encodes those again). `wipe()` zeroes them like the audio and
counts itself in `wipes`, so that an ask that was reading them can tell; eviction only lets
them go (an ask in flight may still hold them).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from core.audio import SAMPLE_RATE

# The longest buffer allowed: a day of activity, 5.5 GB of float32 audio if every second was
# active. A larger value is a typo (1e308 once overflowed the sample count on every block).
# The daemon's default sizes are DaemonConfig's (edge/daemon/server.py).
MAX_BUFFER_SECONDS = 86400.0


@dataclass(frozen=True)
class Segment:
    """One stretch of activity. `audio` is float32 mono at SAMPLE_RATE, shape (n,)."""

    start: float  # wall clock of the first sample, Unix seconds
    audio: np.ndarray  # float32 in [-1, 1], shape (n,)
    kind: str  # "speech" (webrtcvad fired on most active frames) or "sound"
    sample_rate: int = SAMPLE_RATE  # Hz

    @property
    def duration(self) -> float:
        """Seconds of audio."""
        return len(self.audio) / self.sample_rate

    @property
    def end(self) -> float:
        """Wall clock just after the last sample, Unix seconds."""
        return self.start + self.duration


@dataclass(frozen=True)
class SegmentStates:
    """A segment's encoder states: its windows (start s, end s from the segment's first sample)
    and their states, shape (windows, taps, frames, width)."""

    windows: tuple[tuple[float, float], ...]
    states: np.ndarray

    @property
    def nbytes(self) -> int:
        return int(self.states.nbytes)


@dataclass(frozen=True)
class Span:
    """Where a piece of `RingBuffer.audio()`'s concatenation came from."""

    offset: float  # seconds from the start of the concatenated audio
    start: float  # wall clock, Unix seconds
    duration: float  # seconds


class RingBuffer:
    """Thread-safe FIFO of segments holding at most `max_seconds` of audio, and beside them
    at most `max_state_bytes` of their encoder states (0: none)."""

    def __init__(self, max_seconds: float, sample_rate: int = SAMPLE_RATE, max_state_bytes: int = 0) -> None:
        if not 0 < max_seconds <= MAX_BUFFER_SECONDS:
            raise ValueError(f"max_seconds must be in (0, {MAX_BUFFER_SECONDS:g}] s, got {max_seconds}")
        self.max_seconds = max_seconds
        self.sample_rate = sample_rate
        self.max_state_bytes = max_state_bytes
        self._segments: deque[Segment] = deque()
        self._samples = 0  # total samples held
        self._states: dict[int, SegmentStates] = {}  # id(segment) -> its states, for segments held
        self._state_bytes = 0
        self.wipes = 0  # wipe() calls so far: an answer begun before one is void
        self._lock = threading.Lock()

    def append(self, segment: Segment) -> None:
        """Add a segment, evicting (and zeroing) the oldest until the bound holds.

        A single segment longer than the bound keeps only its last `max_seconds`.
        """
        limit = int(self.max_seconds * self.sample_rate)
        if len(segment.audio) > limit:
            cut = len(segment.audio) - limit
            segment = Segment(segment.start + cut / self.sample_rate, segment.audio[cut:].copy(), segment.kind)
        with self._lock:
            self._segments.append(segment)
            self._samples += len(segment.audio)
            while self._samples > limit:
                old = self._segments.popleft()
                self._samples -= len(old.audio)
                _zero(old.audio)
                self._drop_states(old, zero=False)

    def attach(self, segment: Segment, states: SegmentStates) -> bool:
        """Keep `states` beside `segment`; False (nothing kept) once the segment has left the
        buffer (evicted or wiped meanwhile). The oldest states go past `max_state_bytes`."""
        with self._lock:
            if not any(s is segment for s in self._segments) or states.nbytes > self.max_state_bytes:
                return False
            self._drop_states(segment, zero=False)
            self._states[id(segment)] = states
            self._state_bytes += states.nbytes
            for old in list(self._segments):
                if self._state_bytes <= self.max_state_bytes:
                    break
                self._drop_states(old, zero=False)
            return True

    def with_states(self, since: float | None = None) -> list[tuple[Segment, SegmentStates | None]]:
        """Segments that end after `since` (None: all) and their states when kept, oldest first."""
        with self._lock:
            return [(s, self._states.get(id(s))) for s in self._segments if since is None or s.end > since]

    @property
    def encoded_segments(self) -> int:
        """Segments whose states are kept."""
        with self._lock:
            return len(self._states)

    def _drop_states(self, segment: Segment, zero: bool) -> None:
        states = self._states.pop(id(segment), None)
        if states is not None:
            self._state_bytes -= states.nbytes
            if zero:
                _zero(states.states)

    def segments(self, since: float | None = None) -> list[Segment]:
        """Segments that end after `since` (Unix seconds; None: all), oldest first."""
        with self._lock:
            return [s for s in self._segments if since is None or s.end > since]

    def audio(self, since: float | None = None, gap_s: float = 0.2) -> tuple[np.ndarray, list[Span]]:
        """The segments after `since` joined with `gap_s` of silence between them.

        Returns (audio float32 shape (n,), spans), where spans map offsets in the joined
        audio back to wall-clock times. A segment that started before `since` is cut at it.
        """
        parts: list[np.ndarray] = []
        spans: list[Span] = []
        gap = np.zeros(int(gap_s * self.sample_rate), dtype=np.float32)
        offset = 0
        for seg in self.segments(since):
            audio, start = seg.audio, seg.start
            if since is not None and start < since:
                cut = int((since - start) * self.sample_rate)
                audio, start = audio[cut:], start + cut / self.sample_rate
            if not len(audio):
                continue
            if parts:
                parts.append(gap)
                offset += len(gap)
            spans.append(Span(offset / self.sample_rate, start, len(audio) / self.sample_rate))
            parts.append(audio)
            offset += len(audio)
        joined = np.concatenate(parts).astype(np.float32, copy=False) if parts else np.zeros(0, np.float32)
        return joined, spans

    def wipe(self) -> int:
        """Zero and drop every segment; returns how many were wiped."""
        with self._lock:
            n = len(self._segments)
            for seg in self._segments:
                _zero(seg.audio)
                self._drop_states(seg, zero=True)
            self._segments.clear()
            self._samples = 0
            self.wipes += 1
        return n

    @property
    def seconds(self) -> float:
        """Seconds of audio held."""
        with self._lock:
            return self._samples / self.sample_rate

    def __len__(self) -> int:
        with self._lock:
            return len(self._segments)


def wall_time(spans: list[Span], offset: float) -> float | None:
    """The wall clock (Unix seconds) of `offset` seconds into the joined audio.

    An offset inside a gap maps to the end of the span before it; None without spans.
    """
    if not spans:
        return None
    span = spans[0]
    for s in spans:
        if s.offset <= offset:
            span = s
    return span.start + min(max(offset - span.offset, 0.0), span.duration)


def _zero(audio: np.ndarray) -> None:
    if audio.flags.writeable:
        audio.fill(0)
