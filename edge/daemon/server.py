"""`listen serve`: capture -> activity segments -> RAM ring buffer, and a local socket API over it.

Threads (all daemon threads, all stopped by `Daemon.stop`):
  capture   CaptureLoop: source blocks -> Segmenter -> RingBuffer, segment events, segment jobs
  assistant one worker that runs every model call in order: each new segment is encoded as it
            arrives and its states kept beside its audio (encoded.py), then the watches are
            checked on them (watches.py); asks and listens answer over kept states, streaming
            their decision and words to clients that ask for it (progress.py). Segment jobs
            have their own lane and go first (watches never wait behind asks); each lane is
            bounded: a full one answers `busy` / skips a segment job (jobs.py)
  accept    accepts unix (and loopback TCP) connections, at most `max_clients`
            (sockets.py)
  per connection: a reader (one request at a time, errors keep the connection open) and a
            writer with a bounded queue (events to a slow reader are dropped and counted); a
            client that hangs up takes its queued request and pipelined lines with it, and one
            that pipelines past `client_backlog` or leaves its replies unread gets `busy`
            (connection.py)

This module holds the `Daemon` itself: its lifecycle, the capture callbacks, the answer to
each request, and the event broadcast (to socket subscribers and to in-process observers
such as the MQTT link, observers.py; `request` answers an in-process caller's request). The assistant is any object with
`ask(audio, question, *, sample_rate=16000) -> Answer` (float32 mono at 16 kHz); one that can
also encode ahead (`edge.daemon.encoded.can_encode`, as edge.assistant.Assistant can) gets the
encoding as audio arrives and the streamed answers. The daemon never imports a model itself.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.audio import SAMPLE_RATE
from core.questions import asked_phrase, watch_problem
from edge.activity import Segmenter
from edge.alarms import AlarmMatch
from edge.alarms.answers import alarm_answer
from edge.answer import Answer
from edge.capture import AudioSource, Block, CaptureLoop
from edge.daemon.alarms import StreamAlarms
from edge.daemon.connection import Connection
from edge.daemon.encoded import BufferedWindows, can_encode, encode_segment, for_keeping
from edge.daemon.jobs import AssistantLike, Job, JobQueue, work_loop
from edge.daemon.observers import Observer, Observers, likeliest_sound
from edge.daemon.progress import Progress
from edge.daemon.recording import Recording
from edge.daemon.sockets import Listeners, refuse_connection, socket_mode_problem
from edge.daemon.watches import STORE_NAME, Watches, check_watches
from edge.errors import DaemonError, ProtocolError, Refused
from edge.protocol import (
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
)
from edge.ring_buffer import RingBuffer, Segment, SegmentStates, Span, wall_time

__all__ = ["AssistantLike", "Daemon", "DaemonConfig"]

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs

STOP_REPLY_S = 2.0  # at stop, a connection's `shutting_down` reply and queued lines get this long to go out


@dataclass(frozen=True)
class DaemonConfig:
    """The daemon's runtime settings. `listen serve` builds it from [serve] in one place,
    `edge.settings.ServeSettings.daemon_config`."""

    # Keys of [serve]: these defaults are the settings file's defaults too (edge/settings.py reuses them).
    socket_path: Path | None  # unix socket; None: no unix socket (then tcp_port is required)
    socket_mode: int = 0o600  # only the daemon's user may connect (the API has no authentication)
    tcp_port: int | None = None  # loopback TCP port; None: no TCP; 0: any free port
    tcp_host: str = "127.0.0.1"  # must be a loopback address
    idle_timeout_s: float = 60.0  # s a connection may complete no request before it is closed; 0: never; subscribers exempt
    buffer_seconds: float = 300.0  # s of activity kept in RAM: the last 5 minutes (silence is not stored)
    # bytes of encoder states kept beside that audio (the oldest go first). Whisper tiny's are
    # 1.8 MiB per window in float16 (a segment of up to 10 s is one window), so 64 MiB hold 35
    # windows: the whole 5 minutes when segments last 8.6 s or more, as on busy real recordings.
    # Shorter segments' oldest states go first (an ask about them encodes them): the speaker's
    # RAM budget (bench/bench_always_on.py) before the speed of asks about the oldest audio.
    state_bytes: int = 64 * 2**20
    state_dir: Path | None = None  # watches added at run time are kept here across restarts; None: not kept
    # Not in the settings file.
    max_clients: int = 32  # open connections; one more is refused with `busy`
    job_queue: int = 16  # asks and listens waiting for the assistant; watch checks have a lane of their own this long
    client_backlog: int = 8  # requests one connection may pipeline behind a model request; past it: `busy`
    event_queue: int = 256  # messages waiting per connection; events beyond it are dropped
    max_watches: int = 32  # also the most questions [serve] watches may hold
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
        if not (config.idle_timeout_s >= 0 and math.isfinite(config.idle_timeout_s)):
            raise DaemonError(f"idle_timeout_s = {config.idle_timeout_s!r}: use seconds >= 0 (0 = never)")
        if config.socket_path is not None:
            problem = socket_mode_problem(config.socket_mode)
            if problem:
                raise DaemonError(f"socket mode {config.socket_mode!r}: {problem}")
        self.assistant = assistant
        self._encodes = can_encode(assistant)  # encodes ahead and streams (edge.daemon.encoded)
        self.config = config
        self.bundle = dict(bundle or {})  # reported with each answer
        try:
            self.buffer = RingBuffer(config.buffer_seconds, max_state_bytes=config.state_bytes)
        except ValueError as err:
            raise DaemonError(f"buffer_seconds = {config.buffer_seconds!r}: {err}") from err
        self.segmenter = segmenter or Segmenter()
        self.capture = CaptureLoop(source, self._on_block, on_end=self._on_source_end)
        self.source = source
        self.tcp_address: tuple[str, int] | None = None  # bound (host, port), once started
        self.started = time.monotonic()

        self._muted = False
        self._captured = 0  # samples received from the source
        self._capture_lock = threading.Lock()  # segmenter, buffer appends, recordings, mute
        self._recordings: list[Recording] = []
        self._watches = Watches(config.max_watches, None if config.state_dir is None else config.state_dir / STORE_NAME)
        self._observers = Observers()
        # smoke and CO alarm patterns, on every block (edge.alarms); for watches about them
        self._alarms = StreamAlarms() if hasattr(assistant, "alarm_kind") else None
        self._watches_changed()  # those the state directory brought back
        self._jobs = JobQueue(config.job_queue)
        self._connections: set[Connection] = set()
        self._conn_lock = threading.Lock()
        self._listeners: Listeners | None = None  # bound by `start`
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.dropped_events = 0
        self.dropped_watch_checks = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Daemon:
        cfg = self.config
        try:
            self._listeners = Listeners(cfg.socket_path, cfg.socket_mode, cfg.tcp_host, cfg.tcp_port)
        except BaseException:
            self._stopping.set()  # nothing to stop: `stop` becomes a no-op
            raise
        self.tcp_address = self._listeners.tcp_address
        for name, target, args in (("accept", self._listeners.accept_loop, (self._serve,)), ("assistant", work_loop, (self._jobs,))):
            thread = threading.Thread(target=target, args=args, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.capture.start()
        log.info(
            "listening on %s; source %s; assistant %s", self._listeners.describe(), self.source.name, self._assistant_name()
        )
        return self

    def stop(self) -> None:
        """Stop capture, refuse new work, answer every request in flight with `shutting_down`,
        close every connection, remove the socket."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        log.info("shutting down")
        if self._listeners is not None:
            self._listeners.wake()
        self._jobs.close()  # queued and running model calls: their requests are answered shutting_down
        with self._capture_lock:
            for rec in self._recordings:
                rec.fail(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down")
            self._recordings.clear()
        self.capture.stop()
        with self._conn_lock:
            conns = list(self._connections)
        closers = [threading.Thread(target=c.close_gracefully, args=(STOP_REPLY_S,), daemon=True) for c in conns]
        for closer in closers:
            closer.start()
        for closer in closers:
            closer.join(STOP_REPLY_S + 1.0)
        for conn in conns:
            conn.join(2.0)
        for thread in self._threads:
            thread.join(5.0)  # the assistant thread ends after the model call it is in
        if self._listeners is not None:
            self._listeners.close()
        self.buffer.wipe()
        log.info("stopped")

    def __enter__(self) -> Daemon:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- capture thread ----------------------------------------------------------------------

    def _on_block(self, block: Block) -> None:
        with self._capture_lock:
            if self._muted:
                return  # read just before the pause took effect: never buffered
            self._captured += len(block.samples)
            for rec in list(self._recordings):
                if rec.add(block):
                    self._recordings.remove(rec)
            segments = self.segmenter.push(block.samples, block.time)
            for seg in segments:
                self.buffer.append(seg)
        if self._alarms is not None:
            for match, first, at in self._alarms.feed(block.samples, block.time):
                self._alarm_alerts(match, first, at)
            for alert in self._alarms.release(block.time):
                self._broadcast(alert)
        for seg in segments:
            self._on_segment(seg)

    def _alarm_alerts(self, match: AlarmMatch, first: float, at: float) -> None:
        """An alert for each watch about this alarm, as soon as its pattern is confirmed."""
        log.info("alarm pattern: %s (%s, %.0f Hz) from %s", match.pattern, match.alarm, match.tone_hz, _clock(first))
        origin = first - match.first_beep_s  # the wall time of the detector's stream time 0
        for watch_id, question in self._watches.items():
            if self.assistant.alarm_kind(question) == match.alarm:
                answer = alarm_answer(match.alarm, asked_phrase(question), [match], None, lambda s: _clock(origin + s))
                self._broadcast(AlertEvent(watch_id, question, answer.text, answer.confidence, start=first, end=at))

    def _on_source_end(self) -> None:
        with self._capture_lock:
            segments = [] if self._muted else self.segmenter.flush()
            for seg in segments:
                self.buffer.append(seg)
            for rec in self._recordings:
                rec.finish()
            self._recordings.clear()
        for seg in segments:
            self._on_segment(seg)
        if self._alarms is not None:
            self._jobs.put(Job(self._flush_alarm_alerts, kind="segment"))  # after the last segments' checks
        log.info("source %s ended; still serving the buffered audio", self.source.name)
        self._broadcast(StateEvent(muted=self._muted, capturing=False))

    def _flush_alarm_alerts(self) -> None:
        """The source ended: no block will come to end the held alerts' wait; decide them now."""
        for alert in self._alarms.release(math.inf):
            self._broadcast(alert)

    def _on_segment(self, seg: Segment) -> None:
        level = float(10 * np.log10(np.mean(np.square(seg.audio, dtype=np.float64)) + 1e-10))
        log.info("segment %.2f s %s at %.1f dBFS", seg.duration, seg.kind, level)
        self._broadcast(SegmentEvent(start=seg.start, end=seg.end, kind=seg.kind, level_dbfs=round(level, 1)))
        ahead = self._encodes and (self.config.state_bytes > 0 or bool(self._observers))
        if self.assistant is None or not (len(self._watches) or ahead):
            return
        if not self._jobs.put(Job(lambda: self._segment_job(seg), kind="segment")):
            if len(self._watches):
                self.dropped_watch_checks += 1
            log.warning("assistant queue full: a %.1f s segment was not encoded ahead nor watched", seg.duration)

    def _segment_job(self, seg: Segment) -> None:
        """Encode a new segment and keep its states beside its audio, then check every watch on
        it (the assistant thread); alerts go out as each is known."""
        states: SegmentStates | None = None
        if self._encodes:
            states = encode_segment(self.assistant, seg)
            self.buffer.attach(seg, for_keeping(states))  # refused when muted (wiped) meanwhile
            if self._observers:
                heard = likeliest_sound(self.assistant, seg, states)
                if heard is not None:
                    self._observers.notify(heard)
        watches = self._watches.items()
        for alert in check_watches(self.assistant, seg, watches, states) if watches else ():
            kind = self.assistant.alarm_kind(alert.question) if self._alarms is not None else None
            if kind is not None:
                self._alarms.hold(kind, alert)  # the detector decides first (edge.daemon.alarms.HOLD_S)
            else:
                self._broadcast(alert)

    # -- requests (connection reader threads) ------------------------------------------------

    def request(self, request: Message) -> Message:
        """The reply to a request from inside this process (the MQTT link): like one from a
        socket client that does not stream and cannot subscribe."""
        if isinstance(request, Events):
            return Error(ErrorCode.UNKNOWN_TYPE, "events go to observers in this process (`observe`)", id=request.id)
        return self.handle(request, None)

    def observe(self, observer: Observer) -> None:
        """Call `observer` with every event, watch change and heard sound (observers.py)."""
        self._observers.add(observer)

    def handle(self, request: Message, conn: Connection | None) -> Message:
        """The reply to one decoded request (`conn` None: from `request`)."""
        rid = getattr(request, "id", None)
        if self._stopping.is_set():
            return Error(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down", id=rid)
        if isinstance(request, (Ask, Listen)) and conn is not None:
            over = conn.over_quota()
            if over is not None:  # a client that does not read its replies gets no model time
                log.debug("refused a %s: its connection %s", request.TYPE, over)  # a flood: one line each
                return Error(ErrorCode.BUSY, f"this connection {over}; read its replies, then ask again", id=rid)
        if isinstance(request, Ask):
            return self._ask(request, conn)
        if isinstance(request, Listen):
            return self._listen(request, conn)
        if isinstance(request, Events):
            conn.subscribed = True
            return Subscribed(id=rid)
        if isinstance(request, Status):
            return self.status(rid)
        if isinstance(request, Mute):
            return Ok(Mute.TYPE, True, wiped_segments=self.mute(), id=rid)
        if isinstance(request, Unmute):
            self.unmute()
            return Ok(Unmute.TYPE, False, id=rid)
        if isinstance(request, Watch):
            return self._watch(request)
        if isinstance(request, Unwatch):
            found = self._watches.remove(request.watch_id)
            if found is None:
                return Error(ErrorCode.UNKNOWN_WATCH, f"no watch with id {request.watch_id}; `status` lists them", id=rid)
            log.info("unwatch %d %r", request.watch_id, found)
            self._watches_changed()
            self._observers.notify(Unwatched(request.watch_id))
            return Unwatched(request.watch_id, id=rid)
        return Error(ErrorCode.UNKNOWN_TYPE, f"{request.TYPE} is not a request", id=rid)

    def mute(self) -> int:
        """Stop capture and wipe the buffer, the open segment and queued watch checks; returns segments wiped."""
        with self._capture_lock:
            changed = not self._muted
            self.capture.pause()
            if self._alarms is not None:
                self._alarms.reset()
            wiped = self.buffer.wipe()
            self.segmenter.reset()
            for rec in self._recordings:
                rec.fail(ErrorCode.MUTED, "muted while listening")
            self._recordings.clear()
            # last: `status` reads it without this lock, and muted must mean wiped already
            self._muted = True
        self._jobs.drop(lambda job: job.kind == "segment")
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

    def _ask(self, request: Ask, conn: Connection) -> Message:
        progress = self._progress(request, conn)
        if self._encodes and self.buffer.segments(request.since):
            def run() -> tuple[Answer, float, list[Span]]:  # on the assistant thread, after the segment jobs before it
                buffered = BufferedWindows(self.assistant, self.buffer, request.since, self.config.join_gap_s)
                if not buffered.spans:
                    raise Refused(ErrorCode.NO_AUDIO, "the buffered audio was wiped (muted) before it was heard")
                if progress is not None:
                    progress.spans = buffered.audio_spans
                answer = self.assistant.ask_encoded(buffered.spans, buffered, request.question, buffered.timings,
                                                    **_streaming(progress))
                if buffered.wiped:  # its states were zeroed under it: no answer about audio the user wiped
                    raise Refused(ErrorCode.MUTED, "muted while answering: the buffered audio was wiped")
                log.debug("ask over %d windows, %d of them encoded ahead", len(buffered), buffered.reused)
                return answer, buffered.audio_seconds, buffered.audio_spans

            return self._run_question(request.question, run, request.id, conn)
        audio, spans = self.buffer.audio(request.since, gap_s=self.config.join_gap_s)
        if not spans:
            when = "" if request.since is None else f" since {_clock(request.since)}"
            why = "the daemon is muted" if self._muted else "no activity was detected"
            return Error(ErrorCode.NO_AUDIO, f"no buffered audio{when}: {why}; ask again after a sound", id=request.id)
        return self._run_question(request.question, self._plain(audio, spans, request.question, progress), request.id, conn)

    def _plain(self, audio: np.ndarray, spans: list[Span], question: str, progress: Progress | None):
        """The job for audio in hand: encoded now, streamed when the assistant can (else one `ask`)."""
        def run() -> tuple[Answer, float, list[Span]]:
            if progress is not None:
                progress.spans = spans
            if self._encodes:
                windows, states, timings = self.assistant.encode(audio, SAMPLE_RATE)
                answer = self.assistant.ask_encoded(windows, states, question, timings, **_streaming(progress))
            else:
                answer = self.assistant.ask(audio, question, sample_rate=SAMPLE_RATE)
            return answer, round(len(audio) / SAMPLE_RATE, 3), spans

        return run

    def _progress(self, request: Ask | Listen, conn: Connection | None) -> Progress | None:
        if not request.stream or conn is None:
            return None
        return Progress(lambda line: conn.send(line, block=False), request.id, time.perf_counter())

    def _listen(self, request: Listen, conn: Connection) -> Message:
        if self._muted:
            return Error(ErrorCode.MUTED, "the daemon is muted; unmute it before listening", id=request.id)
        rec = Recording(int(request.seconds * SAMPLE_RATE))
        with self._capture_lock:
            if self._stopping.is_set():  # `stop` has failed the recordings it found: none may start after it
                return Error(ErrorCode.SHUTTING_DOWN, "the daemon is shutting down", id=request.id)
            if self.capture.ended:
                return Error(ErrorCode.NO_AUDIO, f"the source {self.source.name} has ended", id=request.id)
            self._recordings.append(rec)
        if not rec.done.wait(request.seconds + 10.0):
            with self._capture_lock:
                if rec in self._recordings:
                    self._recordings.remove(rec)
            return Error(ErrorCode.NO_AUDIO, f"{self.source.name} delivered no audio in time", id=request.id)
        if rec.error is not None:
            return Error(rec.error[0], rec.error[1], id=request.id)
        audio = rec.audio()
        if not len(audio):
            return Error(ErrorCode.NO_AUDIO, f"the source {self.source.name} has ended", id=request.id)
        spans = [Span(0.0, rec.start, len(audio) / SAMPLE_RATE)]
        question = request.question or self.config.listen_question
        return self._run_question(question, self._plain(audio, spans, question, self._progress(request, conn)), request.id,
                                  conn, n_segments=0)

    def _run_question(self, question: str, run, rid, conn: Connection | None, n_segments: int | None = None) -> Message:
        """Queue `run` (-> answer, seconds of audio heard, where that audio sits on the wall clock)
        and make its reply; `n_segments` defaults to the number of buffered segments heard.
        A client (`conn`) that hangs up meanwhile takes its job with it."""
        if self.assistant is None:
            return Error(ErrorCode.NO_ASSISTANT, "this daemon runs without a model (capture and events only)", id=rid)
        job = Job(run, kind="ask")
        if not self._jobs.put(job):
            return Error(ErrorCode.BUSY, f"{self._jobs.limit} requests are already waiting; retry shortly", id=rid)
        if conn is not None:
            conn.wait(job.future, self.config.request_timeout_s)
            if conn.closed:  # queued: it never runs; running: its answer goes nowhere
                self._jobs.drop(lambda j: j is job)
                return Error(ErrorCode.BUSY, "the client hung up", id=rid)
        try:
            answer, audio_seconds, spans = job.future.result(timeout=0 if conn is not None else self.config.request_timeout_s)
        except Refused as err:
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
            probability=body["probability"],
            timings_ms=body["timings_ms"],
            bundle=body["bundle"],
            audio_seconds=audio_seconds,
            segments=len(spans) if n_segments is None else n_segments,
            start=spans[0].start,
            end=spans[-1].start + spans[-1].duration,
            id=rid,
        )

    def _watch(self, request: Watch, keep: bool = True) -> Message:
        """Add a watch; `keep`: saved in the state directory (one added while running)."""
        if self.assistant is None:
            return Error(ErrorCode.NO_ASSISTANT, "this daemon runs without a model: watches cannot be checked", id=request.id)
        problem = watch_problem(request.question, getattr(self.assistant, "matcher", None))
        if problem is not None:  # it could never fire: no alert, a Home Assistant sensor forever off
            return Error(ErrorCode.BAD_MESSAGE, f"watch {request.question[:80]!r}: {problem}", id=request.id)
        watch_id = self._watches.add(request.question, keep=keep)
        if watch_id is None:
            return Error(
                ErrorCode.TOO_MANY_WATCHES, f"{self._watches.limit} watches already; unwatch one first", id=request.id
            )
        log.info("watch %d %r", watch_id, request.question)
        self._watches_changed()
        self._observers.notify(Watching(watch_id, request.question))
        return Watching(watch_id, request.question, id=request.id)

    def add_watch(self, question: str) -> int:
        """A watch from the command line (`--watch`) or the settings file, checked like one from
        the socket; not saved (it is added at every start). One the state directory brought
        back already is not added twice."""
        request = Watch(question)
        try:
            request.validate()
        except ProtocolError as err:
            raise DaemonError(f"--watch {question!r}: {err.text}") from err
        existing = self._watches.find(question)
        if existing is not None:
            return existing
        reply = self._watch(request, keep=False)
        if isinstance(reply, Error):
            raise DaemonError(reply.text)
        return reply.watch_id

    def _watches_changed(self) -> None:
        """The alarm detector runs only while a watch asks about an alarm."""
        if self._alarms is not None:
            self._alarms.watch(any(self.assistant.alarm_kind(q) for _, q in self._watches.items()))

    def status(self, rid=None) -> StatusReply:
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
            encoded_segments=self.buffer.encoded_segments,
            id=rid,
        )

    def _assistant_name(self) -> str:
        return "none" if self.assistant is None else type(self.assistant).__name__

    # -- connections and events --------------------------------------------------------------

    def watches(self) -> list[tuple[int, str]]:
        """(watch id, question) of every watch."""
        return self._watches.items()

    @property
    def muted(self) -> bool:
        return self._muted

    def _broadcast(self, event: Message) -> None:
        self._observers.notify(event)
        line = event.encode()
        with self._conn_lock:
            subscribers = [c for c in self._connections if c.subscribed]
        for conn in subscribers:
            if not conn.send(line, block=False):
                self.dropped_events += 1

    def _serve(self, sock: socket.socket) -> None:
        """A new connection from the accept thread: serve it, or refuse it with `busy` when full."""
        cfg = self.config
        with self._conn_lock:
            full = len(self._connections) >= cfg.max_clients
        if full:
            log.warning("refused a connection: %d clients already", cfg.max_clients)
            idle = f"idle ones are closed after {cfg.idle_timeout_s:g} s" if cfg.idle_timeout_s else "close idle ones"
            text = f"{cfg.max_clients} clients are connected already (the daemon's limit); {idle}; retry later"
            refuse_connection(sock, Error(ErrorCode.BUSY, text).encode())
            return
        conn = Connection(sock, self.handle, self._forget, cfg.event_queue, cfg.idle_timeout_s, cfg.client_backlog)
        with self._conn_lock:
            self._connections.add(conn)
        conn.start()

    def _forget(self, conn: Connection) -> None:
        with self._conn_lock:
            self._connections.discard(conn)


def _streaming(progress: Progress | None) -> dict:
    """`ask_encoded`'s callbacks for a streamed request; none for a plain one."""
    return {} if progress is None else {"on_decision": progress.decision, "on_token": progress.token}


def _clock(unix_s: float) -> str:
    """Local HH:MM:SS of a Unix time; the protocol bounds `since`, this never raises on its own."""
    try:
        return time.strftime("%H:%M:%S", time.localtime(unix_s))
    except (OverflowError, OSError, ValueError):
        return f"{unix_s:g} (Unix s)"
