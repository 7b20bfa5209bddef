"""The daemon's model side: what an assistant must offer, and the one worker that runs every
model call (asks, listens, segment jobs) in order from a bounded queue.

A full queue answers `busy` / skips a watch check; mute drops the queued segment jobs; stop
fails whatever still waits, and the job running at that moment, with `shutting_down` (a model
call cannot be interrupted: its result is discarded).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import Future, InvalidStateError
from typing import Any, Callable, Protocol

import numpy as np

from core.audio import SAMPLE_RATE
from edge.answer import Answer
from edge.errors import Refused
from edge.protocol import ErrorCode

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs


class AssistantLike(Protocol):
    """float32 mono audio at 16 kHz and a question -> Answer (edge.assistant.Assistant is one)."""

    def ask(self, audio: np.ndarray, question: str, *, sample_rate: int = SAMPLE_RATE) -> Answer: ...


class Job:
    def __init__(self, run: Callable[[], Any], kind: str) -> None:
        self.run = run
        self.kind = kind  # "ask" or "segment" (a new segment encoded ahead and watched)
        self.future: Future = Future()


class JobQueue:
    """A bounded FIFO whose waiting jobs can be dropped selectively (mute) or failed (stop)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: deque[Job] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._running: Job | None = None  # taken by the worker and not finished yet

    def put(self, job: Job) -> bool:
        with self._cond:
            if self._closed:
                job.future.set_exception(Refused(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down"))
                return True
            if len(self._items) >= self.limit:
                return False
            self._items.append(job)
            self._cond.notify()
            return True

    def get(self) -> Job | None:
        with self._cond:
            while not self._items and not self._closed:
                self._cond.wait()
            self._running = None if self._closed else self._items.popleft()
            return self._running

    def drop(self, which: Callable[[Job], bool]) -> None:
        with self._cond:
            keep = deque(j for j in self._items if not which(j))
            for job in self._items:
                if which(job):
                    job.future.cancel()
            self._items = keep

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for job in [*self._items, *([self._running] if self._running else [])]:
                _fail(job.future, Refused(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down"))
            self._items.clear()
            self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)


def work_loop(jobs: JobQueue) -> None:
    """Run jobs one at a time until the queue is closed (the daemon's `assistant` thread)."""
    while True:
        job = jobs.get()
        if job is None:
            return
        if not job.future.set_running_or_notify_cancel():
            continue
        try:
            result = job.run()
        except BaseException as err:  # delivered to the waiting request, or logged for watches
            _fail(job.future, err)
            if job.kind == "segment":
                log.exception("encoding or watching a new segment failed")
        else:
            try:
                job.future.set_result(result)
            except InvalidStateError:  # failed by `close` meanwhile: the daemon is stopping
                pass


def _fail(future: Future, err: BaseException) -> None:
    try:
        future.set_exception(err)
    except InvalidStateError:  # already finished (or failed by `close`)
        pass
