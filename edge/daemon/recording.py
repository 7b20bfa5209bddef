"""`Recording`: the next N samples of captured audio, collected for a `listen` request."""

from __future__ import annotations

import threading
import time

import numpy as np

from edge.capture import Block


class Recording:
    """Fed every captured block until it holds `samples`; `done` is set then, at source end, or on failure."""

    def __init__(self, samples: int) -> None:
        self.samples = samples
        self.blocks: list[np.ndarray] = []
        self.have = 0
        self.start: float = time.time()  # wall clock of the first sample, Unix seconds
        self.done = threading.Event()
        self.error: tuple[str, str] | None = None  # (ErrorCode, text) when it failed

    def add(self, block: Block) -> bool:
        """Take one block; True once enough audio is held."""
        if not self.blocks:
            self.start = block.time
        self.blocks.append(block.samples)
        self.have += len(block.samples)
        if self.have >= self.samples:
            self.done.set()
        return self.done.is_set()

    def finish(self) -> None:
        self.done.set()

    def fail(self, code: str, text: str) -> None:
        self.error = (code, text)
        self.done.set()

    def audio(self) -> np.ndarray:
        """The recorded audio as float32 in [-1, 1], (samples,) or shorter when the source ended."""
        if not self.blocks:
            return np.zeros(0, np.float32)
        return (np.concatenate(self.blocks)[: self.samples].astype(np.float32) / 32768.0)  # (n,)
