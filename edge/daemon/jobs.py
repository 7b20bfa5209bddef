"""The daemon's model side: what an assistant must offer, and the one worker that runs every
model call (asks, listens, segment jobs) from two bounded lanes.

Segment jobs (a new segment encoded ahead and its watches checked) have their own lane and go
first: watches never wait behind asks, and a lane full of asks never drops a watch check. A
full lane answers `busy` / skips a watch check; mute drops the queued segment jobs; `drop`
removes the queued job of a client that hung up; stop fails whatever still waits, and the job
running at that moment, with `shutting_down` (a model call cannot be interrupted: its result
is discarded).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import Future, InvalidStateError
from typing import Any, Callable, Protocol

import numpy as np

from core.audio import SAMPLE_RATE
from edge import heap
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
    """Two bounded FIFOs, segment jobs first, whose waiting jobs can be dropped selectively
    (mute, a client gone) or failed (stop). `limit` bounds each lane."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lanes: dict[str, deque[Job]] = {"segment": deque(), "ask": deque()}  # served in this order
        self._cond = threading.Condition()
        self._closed = False
        self._running: Job | None = None  # taken by the worker and not finished yet

    def put(self, job: Job) -> bool:
        with self._cond:
            if self._closed:
                job.future.set_exception(Refused(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down"))
                return True
            lane = self._lanes[job.kind]
            if len(lane) >= self.limit:
                return False
            lane.append(job)
            self._cond.notify()
            return True

    def get(self) -> Job | None:
        with self._cond:
            while not any(self._lanes.values()) and not self._closed:
                self._cond.wait()
            lane = next((q for q in self._lanes.values() if q), None)
            self._running = None if self._closed or lane is None else lane.popleft()
            return self._running

    def drop(self, which: Callable[[Job], bool]) -> None:
        with self._cond:
            for kind, lane in self._lanes.items():
                for job in lane:
                    if which(job):
                        job.future.cancel()
                self._lanes[kind] = deque(j for j in lane if not which(j))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for job in [*self._waiting(), *([self._running] if self._running else [])]:
                _fail(job.future, Refused(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down"))
            for lane in self._lanes.values():
                lane.clear()
            self._cond.notify_all()

    def _waiting(self) -> list[Job]:
        return [job for lane in self._lanes.values() for job in lane]

    def __len__(self) -> int:
        with self._cond:
            return sum(len(lane) for lane in self._lanes.values())


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
        heap.trim()  # the models' working memory, freed by them, back to the system (edge.heap)


def _fail(future: Future, err: BaseException) -> None:
    try:
        future.set_exception(err)
    except InvalidStateError:  # already finished (or failed by `close`)
        pass
