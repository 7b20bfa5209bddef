"""Stream decoder: bytes in arbitrary chunks -> valid frames, bad ones counted and dropped.

It splits the byte stream at 0x00. An empty run (two delimiters in a row) is idle
line, not an error. Any other run is decoded with `decode_frame`; a failure
increments the counter named by the error's class and the decoder carries on with
the next run, so a valid frame that follows garbage is never lost as long as it was
sent with its leading delimiter. A run longer than any frame is dropped as
`oversized` without buffering it. `feed` never raises on any input bytes.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from firmware_bridge.errors import FrameError, OversizedFrameError
from firmware_bridge.uart.frame import KNOWN_TYPES, Frame, decode_frame
from firmware_bridge.uart.protocol import DELIMITER, MAX_ENCODED_BODY

log = logging.getLogger(__name__)

COUNTERS = ("frames", "garbage", "truncated", "bad_length", "crc", "oversized", "bad_version", "unknown_type")


@dataclass
class StreamDecoder:
    """Incremental decoder; keep one per direction and feed it whatever the port returns."""

    known_types: frozenset[int] = KNOWN_TYPES  # types outside this set count as unknown_type
    counters: Counter = field(default_factory=Counter)  # COUNTERS -> count, since creation
    last_error: FrameError | None = None  # the most recent drop, for logs and tests
    _buf: bytearray = field(default_factory=bytearray)
    _overflow: bool = False  # inside a run already counted as oversized

    def feed(self, data: bytes) -> list[Frame]:
        """Consume `data`; return the valid frames completed by it, in order."""
        frames: list[Frame] = []
        start = 0
        view = bytes(data)
        while True:
            end = view.find(DELIMITER, start)
            chunk = view[start:] if end < 0 else view[start:end]
            if not self._overflow:
                self._buf += chunk
                if len(self._buf) > MAX_ENCODED_BODY:
                    self._drop(
                        OversizedFrameError(
                            f"more than {MAX_ENCODED_BODY} bytes without a delimiter; "
                            "dropping up to the next 0x00"
                        )
                    )
                    self._buf.clear()
                    self._overflow = True
            if end < 0:
                return frames
            if self._overflow:
                self._overflow = False
            elif self._buf:
                frame = self._complete(bytes(self._buf))
                if frame is not None:
                    frames.append(frame)
                self._buf.clear()
            start = end + 1

    def reset(self) -> None:
        """Forget a partial frame (e.g. after the port was reopened); counters are kept."""
        self._buf.clear()
        self._overflow = False

    def _complete(self, encoded: bytes) -> Frame | None:
        try:
            frame = decode_frame(encoded, self.known_types)
        except FrameError as err:
            self._drop(err)
            return None
        self.counters["frames"] += 1
        return frame

    def _drop(self, err: FrameError) -> None:
        self.counters[err.counter] += 1
        self.last_error = err
        log.debug("dropped frame (%s): %s", err.counter, err)

    @property
    def dropped(self) -> int:
        """Frames dropped for any reason."""
        return sum(v for k, v in self.counters.items() if k != "frames")
