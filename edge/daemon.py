"""`listen serve`: capture -> activity segments -> RAM ring buffer, and a local socket API over it.

Threads (all daemon threads, all stopped by `Daemon.stop`):
  capture   CaptureLoop: source blocks -> Segmenter -> RingBuffer, segment events, watch checks
  assistant one worker that runs every model call in order (asks, listens, watch checks);
            its queue is bounded: a full queue answers `busy` / skips a watch check.
            All watches on a segment are one job: an assistant that offers
            `encode(audio, rate)` + `ask_encoded(spans, states, question, timings)` (as
            edge.assistant.Assistant does) runs the encoder once for all of them
  accept    accepts unix (and loopback TCP) connections, at most `max_clients`
  per connection: a reader (one request at a time, errors keep the connection open) and a
            writer with a bounded queue (events to a slow reader are dropped and counted)

The assistant is any object with `ask(audio, question, *, sample_rate=16000) -> Answer`
(float32 mono at 16 kHz); the daemon never imports a model itself.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import queue
import re
import selectors
import socket
import stat
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from edge.activity import Segmenter
from edge.answer import Answer
from edge.audio_frontend import SAMPLE_RATE
from edge.capture import AudioSource, Block, CaptureLoop
from edge.errors import DaemonError, ProtocolError
from edge.protocol import (
    MAX_LINE_BYTES,
    AlertEvent,
    AnswerReply,
    Ask,
    Error,
    ErrorCode,
    Events,
    Listen,
    Message,
    Mute,
    Ok,
    SegmentEvent,
    StateEvent,
    Status,
    StatusReply,
    Subscribed,
    Unmute,
    Unwatch,
    Unwatched,
    Watch,
    Watching,
    decode_request,
    request_id,
)
from edge.ring_buffer import RingBuffer, Segment, Span, wall_time

log = logging.getLogger(__name__)
_YES = re.compile(r"^\W*yes\b", re.IGNORECASE)


class AssistantLike(Protocol):
    def ask(self, audio: np.ndarray, question: str, *, sample_rate: int = SAMPLE_RATE) -> Answer: ...


@dataclass(frozen=True)
class DaemonConfig:
    socket_path: Path | None  # unix socket; None: no unix socket (then tcp_port is required)
    socket_mode: int = 0o600  # only the daemon's user may connect (the API has no authentication)
    tcp_port: int | None = None  # loopback TCP port; None: no TCP; 0: any free port
    tcp_host: str = "127.0.0.1"  # must be a loopback address
    buffer_seconds: float = 300.0  # seconds of activity kept in RAM
    max_clients: int = 32  # open connections; one more is refused with `busy`
    job_queue: int = 16  # assistant jobs waiting (asks, listens, watch checks)
    event_queue: int = 256  # messages waiting per connection; events beyond it are dropped
    max_watches: int = 32
    request_timeout_s: float = 300.0  # an ask waits this long for the assistant
    listen_question: str = "What do you hear?"  # the question of a `listen` without one
    join_gap_s: float = 0.2  # silence put between buffered segments joined for an ask


class Daemon:
    def __init__(
        self,
        assistant: AssistantLike | None,
        source: AudioSource,
        config: DaemonConfig,
        segmenter: Segmenter | None = None,
        bundle: dict | None = None,
    ) -> None:
        if config.socket_path is None and config.tcp_port is None:
            raise DaemonError("the daemon needs a unix socket path or a TCP port to listen on")
        self.assistant = assistant
        self.config = config
        self.bundle = dict(bundle or {})  # reported with each answer
        self.buffer = RingBuffer(config.buffer_seconds)
        self.segmenter = segmenter or Segmenter()
        self.capture = CaptureLoop(source, self._on_block, on_end=self._on_source_end)
        self.source = source
        self.tcp_address: tuple[str, int] | None = None  # bound (host, port), once started
        self.started = time.monotonic()

        self._muted = False
        self._captured = 0  # samples received from the source
        self._capture_lock = threading.Lock()  # segmenter, buffer appends, listeners, mute
        self._listeners: list[_Recording] = []
        self._watches: dict[int, str] = {}
        self._next_watch = 1
        self._watch_lock = threading.Lock()
        self._jobs = _JobQueue(config.job_queue)
        self._connections: set[_Connection] = set()
        self._conn_lock = threading.Lock()
        self._listening: list[socket.socket] = []
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.dropped_events = 0
        self.dropped_watch_checks = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Daemon:
        try:
            if self.config.socket_path is not None:
                self._listening.append(_bind_unix(Path(self.config.socket_path), self.config.socket_mode))
            if self.config.tcp_port is not None:
                sock = _bind_tcp(self.config.tcp_host, self.config.tcp_port)
                self.tcp_address = sock.getsockname()[:2]
                self._listening.append(sock)
        except BaseException:
            self._close_listeners()
            self._selector.close()
            os.close(self._wake_r)
            os.close(self._wake_w)
            self._stopping.set()  # nothing to stop: `stop` becomes a no-op
            raise
        for sock in self._listening:
            sock.setblocking(False)
            self._selector.register(sock, selectors.EVENT_READ)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        for name, target in (("accept", self._accept_loop), ("assistant", self._work_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.capture.start()
        where = [str(self.config.socket_path)] if self.config.socket_path else []
        if self.tcp_address:
            where.append(f"tcp://{self.tcp_address[0]}:{self.tcp_address[1]}")
        log.info("listening on %s; source %s; assistant %s", " and ".join(where), self.source.name, self._assistant_name())
        return self

    def stop(self) -> None:
        """Stop capture, refuse new work, fail queued jobs, close every connection, remove the socket."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        log.info("shutting down")
        self.capture.stop()
        os.write(self._wake_w, b"x")
        self._jobs.close()
        for thread in self._threads:
            thread.join(5.0)
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            conn.close()
        for conn in conns:
            conn.join(2.0)
        self._close_listeners()
        self._selector.close()
        os.close(self._wake_r)
        os.close(self._wake_w)
        self.buffer.wipe()
        log.info("stopped")

    def __enter__(self) -> Daemon:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _close_listeners(self) -> None:
        for sock in self._listening:
            sock.close()
        self._listening.clear()
        path = self.config.socket_path
        if path is not None:
            try:
                if stat.S_ISSOCK(os.lstat(path).st_mode):
                    os.unlink(path)
            except FileNotFoundError:
                pass

    # -- capture thread ----------------------------------------------------------------------

    def _on_block(self, block: Block) -> None:
        with self._capture_lock:
            if self._muted:
                return  # read just before the pause took effect: never buffered
            self._captured += len(block.samples)
            for rec in list(self._listeners):
                if rec.add(block):
                    self._listeners.remove(rec)
            segments = self.segmenter.push(block.samples, block.time)
            for seg in segments:
                self.buffer.append(seg)
        for seg in segments:
            self._on_segment(seg)

    def _on_source_end(self) -> None:
        with self._capture_lock:
            segments = [] if self._muted else self.segmenter.flush()
            for seg in segments:
                self.buffer.append(seg)
            for rec in self._listeners:
                rec.finish()
            self._listeners.clear()
        for seg in segments:
            self._on_segment(seg)
        log.info("source %s ended; still serving the buffered audio", self.source.name)
        self._broadcast(StateEvent(muted=self._muted, capturing=False))

    def _on_segment(self, seg: Segment) -> None:
        level = float(10 * np.log10(np.mean(np.square(seg.audio, dtype=np.float64)) + 1e-10))
        log.info("segment %.2f s %s at %.1f dBFS", seg.duration, seg.kind, level)
        self._broadcast(SegmentEvent(start=seg.start, end=seg.end, kind=seg.kind, level_dbfs=round(level, 1)))
        with self._watch_lock:
            watching = bool(self._watches)
        if self.assistant is None or not watching:
            return
        if not self._jobs.put(_Job(lambda: self._check_watches(seg), kind="watch")):
            self.dropped_watch_checks += 1
            log.warning("assistant queue full: skipped the watches on a %.1f s segment", seg.duration)

    def _check_watches(self, seg: Segment) -> None:
        """Every watch on one segment; an assistant with `encode`/`ask_encoded` encodes it once for all."""
        with self._watch_lock:
            watches = list(self._watches.items())
        if not watches:
            return
        shared = hasattr(self.assistant, "encode") and hasattr(self.assistant, "ask_encoded")
        if shared:
            spans, states, timings = self.assistant.encode(seg.audio, SAMPLE_RATE)
        for watch_id, question in watches:
            if shared:
                answer = self.assistant.ask_encoded(spans, states, question, timings)
            else:
                answer = self.assistant.ask(seg.audio, question, sample_rate=SAMPLE_RATE)
            heard = answer.heard if answer.heard is not None else bool(_YES.search(answer.text))
            if heard:
                log.info("alert: watch %d %r heard in the segment at %.2f", watch_id, question, seg.start)
                self._broadcast(
                    AlertEvent(watch_id, question, answer.text, answer.confidence, start=seg.start, end=seg.end)
                )

    # -- requests (connection reader threads) ------------------------------------------------

    def handle(self, request: Message, conn: _Connection) -> Message:
        """The reply to one decoded request."""
        rid = getattr(request, "id", None)
        if self._stopping.is_set():
            return Error(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down", id=rid)
        if isinstance(request, Ask):
            return self._ask(request)
        if isinstance(request, Listen):
            return self._listen(request)
        if isinstance(request, Events):
            conn.subscribed = True
            return Subscribed(id=rid)
        if isinstance(request, Status):
            return self.status(rid)
        if isinstance(request, Mute):
            return Ok("mute", True, wiped_segments=self.mute(), id=rid)
        if isinstance(request, Unmute):
            self.unmute()
            return Ok("unmute", False, id=rid)
        if isinstance(request, Watch):
            return self._watch(request)
        if isinstance(request, Unwatch):
            with self._watch_lock:
                found = self._watches.pop(request.watch_id, None)
            if found is None:
                return Error(ErrorCode.UNKNOWN_WATCH, f"no watch with id {request.watch_id}; `status` lists them", id=rid)
            log.info("unwatch %d %r", request.watch_id, found)
            return Unwatched(request.watch_id, id=rid)
        return Error(ErrorCode.UNKNOWN_TYPE, f"{request.TYPE} is not a request", id=rid)

    def mute(self) -> int:
        """Stop capture and wipe the buffer, the open segment and queued watch checks; returns segments wiped."""
        with self._capture_lock:
            changed = not self._muted
            self._muted = True
            self.capture.pause()
            wiped = self.buffer.wipe()
            self.segmenter.reset()
            for rec in self._listeners:
                rec.fail(ErrorCode.MUTED, "muted while listening")
            self._listeners.clear()
        self._jobs.drop(lambda job: job.kind == "watch")
        if changed:
            log.info("muted: capture stopped, %d segments wiped", wiped)
            self._broadcast(StateEvent(muted=True, capturing=False))
        return wiped

    def unmute(self) -> None:
        with self._capture_lock:
            changed = self._muted
            self._muted = False
            self.capture.resume()
        if changed:
            log.info("unmuted: capture resumed")
            self._broadcast(StateEvent(muted=False, capturing=not self.capture.ended))

    def _ask(self, request: Ask) -> Message:
        audio, spans = self.buffer.audio(request.since, gap_s=self.config.join_gap_s)
        if not spans:
            when = "" if request.since is None else f" since {time.strftime('%H:%M:%S', time.localtime(request.since))}"
            why = "the daemon is muted" if self._muted else "no activity was detected"
            return Error(ErrorCode.NO_AUDIO, f"no buffered audio{when}: {why}; ask again after a sound", id=request.id)
        return self._run_question(request.question, audio, spans, len(spans), request.id)

    def _listen(self, request: Listen) -> Message:
        if self._muted:
            return Error(ErrorCode.MUTED, "the daemon is muted; unmute it before listening", id=request.id)
        rec = _Recording(int(request.seconds * SAMPLE_RATE))
        with self._capture_lock:
            if self.capture.ended:
                return Error(ErrorCode.NO_AUDIO, f"the source {self.source.name} has ended", id=request.id)
            self._listeners.append(rec)
        if not rec.done.wait(request.seconds + 10.0):
            with self._capture_lock:
                if rec in self._listeners:
                    self._listeners.remove(rec)
            return Error(ErrorCode.NO_AUDIO, f"{self.source.name} delivered no audio in time", id=request.id)
        if rec.error is not None:
            return Error(rec.error[0], rec.error[1], id=request.id)
        audio = rec.audio()
        if not len(audio):
            return Error(ErrorCode.NO_AUDIO, f"the source {self.source.name} has ended", id=request.id)
        spans = [Span(0.0, rec.start, len(audio) / SAMPLE_RATE)]
        return self._run_question(request.question or self.config.listen_question, audio, spans, 0, request.id)

    def _run_question(self, question: str, audio: np.ndarray, spans: list[Span], n_segments: int, rid) -> Message:
        if self.assistant is None:
            return Error(ErrorCode.NO_ASSISTANT, "this daemon runs without a model (capture and events only)", id=rid)
        job = _Job(lambda: self.assistant.ask(audio, question, sample_rate=SAMPLE_RATE), kind="ask")
        if not self._jobs.put(job):
            return Error(ErrorCode.BUSY, f"{self._jobs.limit} requests are already waiting; retry shortly", id=rid)
        try:
            answer: Answer = job.future.result(timeout=self.config.request_timeout_s)
        except _Refused as err:
            return Error(err.code, err.text, id=rid)
        except TimeoutError:
            return Error(ErrorCode.BUSY, f"no answer within {self.config.request_timeout_s:g} s", id=rid)
        except Exception as err:  # the model failed: report it, keep serving
            log.exception("assistant failed on %r", question)
            return Error(ErrorCode.ASSISTANT_FAILED, f"{type(err).__name__}: {err}", id=rid)
        body = answer.to_json(self.bundle)
        windows = [
            {**w, "wall_start": wall_time(spans, w["start"]), "wall_end": wall_time(spans, w["end"])}
            for w in body["windows"]
        ]
        return AnswerReply(
            answer=body["answer"],
            heard=body["heard"],
            confidence=body["confidence"],
            windows=windows,
            timings_ms=body["timings_ms"],
            bundle=body["bundle"],
            audio_seconds=round(len(audio) / SAMPLE_RATE, 3),
            segments=n_segments,
            start=spans[0].start,
            end=spans[-1].start + spans[-1].duration,
            id=rid,
        )

    def _watch(self, request: Watch) -> Message:
        if self.assistant is None:
            return Error(ErrorCode.NO_ASSISTANT, "this daemon runs without a model: watches cannot be checked", id=request.id)
        with self._watch_lock:
            if len(self._watches) >= self.config.max_watches:
                return Error(
                    ErrorCode.TOO_MANY_WATCHES, f"{len(self._watches)} watches already; unwatch one first", id=request.id
                )
            watch_id = self._next_watch
            self._next_watch += 1
            self._watches[watch_id] = request.question
        log.info("watch %d %r", watch_id, request.question)
        return Watching(watch_id, request.question, id=request.id)

    def add_watch(self, question: str) -> int:
        """A watch from the command line (`--watch`)."""
        reply = self._watch(Watch(question))
        if isinstance(reply, Error):
            raise DaemonError(reply.text)
        return reply.watch_id

    def status(self, rid=None) -> StatusReply:
        with self._watch_lock:
            watches = [{"watch_id": k, "question": q} for k, q in self._watches.items()]
        with self._conn_lock:
            clients = len(self._connections)
            subscribers = sum(c.subscribed for c in self._connections)
        return StatusReply(
            muted=self._muted,
            capturing=self.capture.capturing,
            source=self.source.name,
            source_ended=self.capture.ended,
            buffer_seconds=round(self.buffer.seconds, 3),
            buffer_segments=len(self.buffer),
            buffer_max_seconds=self.buffer.max_seconds,
            watches=watches,
            clients=clients,
            subscribers=subscribers,
            queued=len(self._jobs),
            assistant=self._assistant_name(),
            uptime_s=round(time.monotonic() - self.started, 3),
            capture_failures=self.capture.failures,
            last_capture_error=self.capture.last_error,
            dropped_events=self.dropped_events,
            dropped_watch_checks=self.dropped_watch_checks,
            captured_seconds=round(self._captured / SAMPLE_RATE, 3),
            id=rid,
        )

    def _assistant_name(self) -> str:
        return "none" if self.assistant is None else type(self.assistant).__name__

    # -- events ------------------------------------------------------------------------------

    def _broadcast(self, event: Message) -> None:
        line = event.encode()
        with self._conn_lock:
            subscribers = [c for c in self._connections if c.subscribed]
        for conn in subscribers:
            if not conn.send(line, block=False):
                self.dropped_events += 1

    # -- worker and accept threads -----------------------------------------------------------

    def _work_loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                job.future.set_result(job.run())
            except BaseException as err:  # delivered to the waiting request, or logged for watches
                job.future.set_exception(err)
                if job.kind == "watch":
                    log.exception("watch check failed")

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            for key, _ in self._selector.select():
                if key.fileobj == self._wake_r:
                    return
                try:
                    sock, _addr = key.fileobj.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as err:
                    log.warning("accept failed: %s", err)
                    continue
                sock.setblocking(True)
                self._serve(sock)

    def _serve(self, sock: socket.socket) -> None:
        with self._conn_lock:
            full = len(self._connections) >= self.config.max_clients
        if full:
            log.warning("refused a connection: %d clients already", self.config.max_clients)
            try:
                sock.sendall(Error(ErrorCode.BUSY, f"{self.config.max_clients} clients already connected").encode())
            except OSError:
                pass
            sock.close()
            return
        conn = _Connection(sock, self, self.config.event_queue)
        with self._conn_lock:
            self._connections.add(conn)
        conn.start()

    def _forget(self, conn: _Connection) -> None:
        with self._conn_lock:
            self._connections.discard(conn)


# -- helpers -------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code, self.text = code, text


class _Job:
    def __init__(self, run: Callable[[], Any], kind: str) -> None:
        self.run = run
        self.kind = kind  # "ask" or "watch"
        self.future: Future = Future()


class _JobQueue:
    """A bounded FIFO whose waiting jobs can be dropped selectively (mute) or failed (stop)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._closed = False

    def put(self, job: _Job) -> bool:
        with self._cond:
            if self._closed:
                job.future.set_exception(_Refused(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down"))
                return True
            if len(self._items) >= self.limit:
                return False
            self._items.append(job)
            self._cond.notify()
            return True

    def get(self) -> _Job | None:
        with self._cond:
            while not self._items and not self._closed:
                self._cond.wait()
            return None if self._closed else self._items.popleft()

    def drop(self, which: Callable[[_Job], bool]) -> None:
        with self._cond:
            keep = deque(j for j in self._items if not which(j))
            for job in self._items:
                if which(job):
                    job.future.cancel()
            self._items = keep

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for job in self._items:
                job.future.set_exception(_Refused(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down"))
            self._items.clear()
            self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)


class _Recording:
    """Collects the next `samples` of captured audio for a `listen` request."""

    def __init__(self, samples: int) -> None:
        self.samples = samples
        self.blocks: list[np.ndarray] = []
        self.have = 0
        self.start: float = time.time()
        self.done = threading.Event()
        self.error: tuple[str, str] | None = None

    def add(self, block: Block) -> bool:
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
        if not self.blocks:
            return np.zeros(0, np.float32)
        return (np.concatenate(self.blocks)[: self.samples].astype(np.float32) / 32768.0)  # (n,)


class _Connection:
    """One client: a reader thread handling requests in order, a writer thread draining a bounded queue."""

    def __init__(self, sock: socket.socket, daemon: Daemon, queue_size: int) -> None:
        self.sock = sock
        self.daemon = daemon
        self.subscribed = False
        self._out: queue.Queue[bytes | None] = queue.Queue(queue_size)
        self._closed = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name="client-read", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="client-write", daemon=True)

    def start(self) -> None:
        self._reader.start()
        self._writer.start()

    def send(self, line: bytes, block: bool = True) -> bool:
        """Queue a line; replies wait for room, events are dropped when the queue is full."""
        if self._closed.is_set():
            return False
        try:
            self._out.put(line, block=block, timeout=5.0 if block else None)
            return True
        except queue.Full:
            if block:  # a client that reads nothing for 5 s while waiting for a reply: give up on it
                self.close()
            return False

    def close(self) -> None:
        """Close now (daemon stop, a client that stopped reading): queued lines are dropped."""
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader's recv and the writer's send
        except OSError:
            pass
        self._end_writer()

    def _finish(self) -> None:
        """The client closed its side: send what is queued, then close."""
        if not self._closed.is_set():
            self._closed.set()
            self._end_writer()

    def _end_writer(self) -> None:
        try:
            self._out.put(None, timeout=1.0)
        except queue.Full:  # the writer is stuck on a dead client: force it
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def join(self, timeout: float) -> None:
        for thread in (self._reader, self._writer):
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(timeout)

    def _read_loop(self) -> None:
        buf = bytearray()
        skipping = False  # inside a line that was already refused as too long
        try:
            while not self._closed.is_set():
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while True:
                    nl = buf.find(b"\n")
                    if nl < 0:
                        if len(buf) >= MAX_LINE_BYTES:
                            if not skipping:
                                self._refuse(ErrorCode.LINE_TOO_LONG, f"line over {MAX_LINE_BYTES} bytes; skipped to its end")
                            skipping = True
                            buf.clear()
                        break
                    line = bytes(buf[:nl])
                    del buf[: nl + 1]
                    if skipping:
                        skipping = False
                        continue
                    if nl + 1 > MAX_LINE_BYTES:
                        self._refuse(ErrorCode.LINE_TOO_LONG, f"line of {nl + 1} bytes; the limit is {MAX_LINE_BYTES}")
                        continue
                    line = line.rstrip(b"\r")
                    if line.strip():
                        self._handle(line)
        except OSError as err:
            if not self._closed.is_set():
                log.debug("client connection failed: %s", err)
        finally:
            self._finish()
            self.daemon._forget(self)

    def _handle(self, line: bytes) -> None:
        try:
            request = decode_request(line)
        except ProtocolError as err:
            log.info("refused a request: %s: %s", err.code, err.text)
            self.send(Error(err.code, err.text, id=request_id(line)).encode())
            return
        try:
            reply = self.daemon.handle(request, self)
        except Exception as err:  # a bug: report it on this connection and keep serving
            log.exception("request %s failed", request.TYPE)
            reply = Error(ErrorCode.INTERNAL, f"{type(err).__name__}: {err}", id=getattr(request, "id", None))
        self.send(reply.encode())

    def _refuse(self, code: str, text: str) -> None:
        self.send(Error(code, text).encode())

    def _write_loop(self) -> None:
        try:
            while True:
                line = self._out.get()
                if line is None:
                    return
                self.sock.sendall(line)
        except OSError as err:
            log.debug("client went away: %s", err)
        finally:
            self.close()
            try:
                self.sock.close()
            except OSError:
                pass


def _bind_unix(path: Path, mode: int) -> socket.socket:
    """Bind a unix socket at `path` with `mode`, replacing a stale socket but never a live one or a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if not stat.S_ISSOCK(st.st_mode):
            raise DaemonError(f"{path} exists and is not a socket; remove it or pass another --socket")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            os.unlink(path)  # stale: left by a daemon that died
        else:
            raise DaemonError(f"another daemon is already listening on {path}; stop it or pass another --socket")
        finally:
            probe.close()
    # Bound and listening under a temporary name, then renamed into place: a client never
    # finds the path before it accepts connections, nor with wider permissions than `mode`.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o777 & ~mode)
    try:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        sock.bind(str(tmp))
        os.chmod(tmp, mode)
        sock.listen(16)
        os.rename(tmp, path)
    except OSError as err:
        sock.close()
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise DaemonError(f"cannot bind the unix socket {path}: {err}; pass another --socket") from err
    finally:
        os.umask(old_umask)
    return sock


def _bind_tcp(host: str, port: int) -> socket.socket:
    """Bind loopback TCP only: the API has no authentication."""
    try:
        addr = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError as err:
        raise DaemonError(f"TCP host {host!r} is not an IP address; use 127.0.0.1 or ::1") from err
    if not addr.is_loopback:
        raise DaemonError(
            f"refusing to listen on {host}: the socket API has no authentication, so TCP is loopback only (127.0.0.1 or ::1)"
        )
    family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((str(addr), port))
    except OSError as err:
        sock.close()
        raise DaemonError(f"cannot listen on {addr}:{port}: {err}; pick another --tcp port") from err
    sock.listen(16)
    return sock
