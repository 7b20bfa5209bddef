"""edge.daemon (the server and its parts) over a real unix socket, with real threads and (for
SIGTERM) a real `listen serve` process.

THE ASSISTANT HERE IS A TEST DOUBLE, not the model: `LoudnessAssistant` answers "Yes" when
the RMS level of the audio it is handed is above a threshold (-25 dBFS) and "No" otherwise,
echoes the question, and records how it was called. It exercises every path of the daemon
(asks, listens, watches, the shared-encoder path, the queue) deterministically; the real
`edge.assistant.Assistant` is plugged in by `listen serve` and tested with its bundle elsewhere.

Audio comes from `FileSource`, which replays WAV files written here in real time (or faster
with `speed`), through the same capture thread, segmenter and ring buffer as a microphone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from edge.answer import Answer, WindowAnswer
from edge.capture import FileSource
from edge.client.events import EventStream
from edge.client.requests import DaemonClient, as_answer
from edge.daemon.server import Daemon, DaemonConfig
from edge.errors import CaptureError, DaemonError, RequestRefused
from edge.llm_session import TokenPiece
from edge.protocol import AlertEvent, ErrorCode, SegmentEvent, StateEvent

SR = 16000
REPO = Path(__file__).resolve().parents[3]


class LoudnessAssistant:
    """Test double for edge.assistant.Assistant: "Yes" iff the audio's RMS level > threshold_dbfs.

    It offers the whole encoding interface the daemon uses (edge.daemon.encoded): a window per
    clip, whose "states" are its mean square, so asks and watches over states the daemon kept
    read the same level as `ask` on the audio itself; `encodes` counts the windows encoded.
    """

    def __init__(self, threshold_dbfs: float = -25.0, delay_s: float = 0.0,
                 release: threading.Event | None = None) -> None:
        self.threshold_dbfs = threshold_dbfs
        self.delay_s = delay_s  # per question, to make requests overlap
        self.release = release  # if given, every question waits for it: a model call that ends when the test says
        self.questions: list[str] = []
        self.encodes = 0
        self.max_parallel = 0
        self._running = 0
        self._lock = threading.Lock()

    def ask(self, audio: np.ndarray, question: str, *, sample_rate: int = SR) -> Answer:
        spans, states, timings = self.encode(audio, sample_rate)
        return self.ask_encoded(spans, states, question, timings)

    def windows(self, audio: np.ndarray, sample_rate: int = SR):
        assert audio.dtype == np.float32 and audio.ndim == 1 and sample_rate == SR  # the daemon's contract
        return [(0.0, len(audio) / SR, audio)]

    def encode_windows(self, windows):
        with self._lock:
            self.encodes += len(windows)
        return np.array([[np.mean(np.square(w, dtype=np.float64))] for _, _, w in windows]), {"encoder": 0.0}

    def encode(self, audio: np.ndarray, sample_rate: int = SR):
        windows = self.windows(audio, sample_rate)
        states, timings = self.encode_windows(windows)
        return [(s, e) for s, e, _ in windows], states, timings

    def ask_encoded(self, spans, states, question: str, timings=None, on_token=None, on_decision=None) -> Answer:
        with self._lock:
            self._running += 1
            self.max_parallel = max(self.max_parallel, self._running)
            self.questions.append(question)
        try:
            time.sleep(self.delay_s)
            if self.release is not None:
                assert self.release.wait(30), "the test never set `release`"
            level = 10 * np.log10(np.mean(states[0 : len(spans)]) + 1e-12)
            heard = bool(level > self.threshold_dbfs)
            text = f"{'Yes' if heard else 'No'}: {question} ({level:.1f} dBFS)"
            windows = [WindowAnswer(s, e, text, heard, 0.9) for s, e in spans]
            answer = Answer(text, heard, 0.9, windows, {"total": 1.0, **(timings or {})})
            if on_decision:
                on_decision(answer)
            for word in text.split(" ") if on_token else ():
                on_token(TokenPiece(0, word + " "))
            return answer
        finally:
            with self._lock:
                self._running -= 1


def write_wav(path: Path, pieces: list[tuple[str, float, float]]) -> Path:
    """pieces: ("silence", seconds, _) or ("tone", seconds, amplitude) at 1 kHz, over faint noise."""
    parts = []
    for kind, seconds, amp in pieces:
        n = int(seconds * SR)
        parts.append(np.zeros(n) if kind == "silence" else amp * np.sin(2 * np.pi * 1000 * np.arange(n) / SR))
    x = np.concatenate(parts)
    x += np.random.default_rng(0).standard_normal(len(x)) * 1e-4  # -80 dBFS room
    sf.write(path, x.astype(np.float32), SR, subtype="PCM_16")
    return path


BEEPS = [("silence", 1.0, 0), ("tone", 0.5, 0.5), ("silence", 1.5, 0), ("tone", 0.5, 0.5), ("silence", 1.0, 0)]


def start(tmp_path: Path, source, assistant=None, **config) -> Daemon:
    cfg = DaemonConfig(socket_path=tmp_path / "run" / "listen.sock", **config)
    return Daemon(assistant, source, cfg).start()


def wait_for(predicate, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def buffered(tmp_path):
    """A daemon whose buffer holds the two beeps of BEEPS (replayed at 8x), and its client."""
    assistant = LoudnessAssistant(delay_s=0.05)
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "beeps.wav", BEEPS), speed=8.0), assistant)
    client = DaemonClient(daemon.config.socket_path, timeout_s=30)
    wait_for(lambda: client.status().source_ended, what="the replay to end")
    assert client.status().buffer_segments == 2
    yield daemon, client, assistant
    client.close()
    daemon.stop()


def test_socket_is_private_and_removed_on_stop(tmp_path):
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "a.wav", BEEPS)))
    path = daemon.config.socket_path
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    daemon.stop()
    assert not path.exists()


def test_concurrent_asks_each_get_their_own_answer(buffered):
    daemon, _, assistant = buffered
    questions = [f"Is sound number {i} loud?" for i in range(8)]
    replies: dict[str, object] = {}
    barrier = threading.Barrier(len(questions))

    def ask(q: str) -> None:
        with DaemonClient(daemon.config.socket_path, timeout_s=30) as c:
            barrier.wait()
            replies[q] = c.ask(q)

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert set(replies) == set(questions)
    for q, reply in replies.items():
        assert reply.heard is True and q in reply.answer  # each connection got its own reply
        assert reply.segments == 2 and reply.audio_seconds == pytest.approx(2 * 1.3 + 0.2, abs=0.15)
        assert reply.windows[0]["wall_start"] == pytest.approx(reply.start)
        assert as_answer(reply).heard is True
    assert sorted(assistant.questions) == sorted(questions)
    assert assistant.max_parallel == 1  # one model, one worker: calls never overlap


def test_a_full_queue_answers_busy(tmp_path):
    gate = threading.Event()  # the model call lasts until every ask has its outcome or is queued
    assistant = LoudnessAssistant(release=gate)
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "b.wav", BEEPS), speed=8.0), assistant, job_queue=1)
    try:
        with DaemonClient(daemon.config.socket_path) as c:
            wait_for(lambda: c.status().source_ended)
        outcomes: list[str] = []
        clients = [DaemonClient(daemon.config.socket_path, timeout_s=30) for _ in range(5)]
        barrier = threading.Barrier(len(clients))

        def ask(i: int) -> None:
            barrier.wait()
            try:
                clients[i].ask(f"q{i}?")
                outcomes.append("answer")
            except RequestRefused as err:
                outcomes.append(err.code)

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(clients))]
        for t in threads:
            t.start()
        # one runs and at most one waits (while the gate is closed); the rest are refused at once, not piled up
        try:
            wait_for(lambda: outcomes.count(ErrorCode.BUSY) >= 3, what="three asks refused while one runs")
        finally:
            gate.set()
        for t in threads:
            t.join(30)
        for c in clients:
            c.close()
        assert len(outcomes) == 5 and set(outcomes) <= {ErrorCode.BUSY, "answer"}
        assert outcomes.count(ErrorCode.BUSY) >= 3 and 1 <= outcomes.count("answer") <= 2
    finally:
        daemon.stop()


def test_malformed_lines_get_errors_and_the_connection_stays_open(buffered):
    daemon, _, _ = buffered
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(str(daemon.config.socket_path))
    reader = sock.makefile("rb")

    def exchange(raw: bytes) -> dict:
        sock.sendall(raw)
        return json.loads(reader.readline())

    cases = [
        (b"hello\n", "bad_json"),
        (b"\xff\xfe\n", "bad_json"),
        (b"[1,2]\n", "bad_message"),
        (b'{"type":"dance","id":5}\n', "unknown_type"),
        (b'{"type":"ask","id":6}\n', "bad_message"),
        (b'{"v":9,"type":"status"}\n', "unsupported_version"),
        (b'{"type":"unwatch","watch_id":99}\n', "unknown_watch"),
        (b"x" * 70000 + b"\n", "line_too_long"),
    ]
    for raw, code in cases:
        reply = exchange(raw)
        assert reply["type"] == "error" and reply["code"] == code, (raw[:30], reply)
        assert reply["v"] == 1
    assert exchange(b'{"type":"dance","id":5}\n')["id"] == 5  # the id is echoed even in an error
    # ...and the same connection still answers real requests, CRLF included
    status = exchange(b'{"type":"status","id":"s1"}\r\n')
    assert status["type"] == "status" and status["id"] == "s1" and status["buffer_segments"] == 2
    answer = exchange(b'{"v":1,"type":"ask","question":"Is it loud?","id":2}\n')
    assert answer["type"] == "answer" and answer["heard"] is True and answer["id"] == 2
    sock.close()


def test_mute_stops_capture_and_wipes_the_buffer(tmp_path):
    """A looping replay: segments keep coming until mute; none while muted; again after unmute."""

    class CountingSource(FileSource):
        opens = closes = 0

        def open(self):
            type(self).opens += 1
            super().open()

        def close(self):
            type(self).closes += 1
            super().close()

    source = CountingSource(write_wav(tmp_path / "loop.wav", BEEPS), speed=4.0, loop=True)
    daemon = start(tmp_path, source, LoudnessAssistant())
    try:
        client = DaemonClient(daemon.config.socket_path)
        events = EventStream(daemon.config.socket_path)
        wait_for(lambda: client.status().buffer_segments >= 2, what="two buffered segments")
        held = [s.audio for s in daemon.buffer.segments()]
        assert all(a.any() for a in held)

        ok = client.mute()
        assert ok.muted is True and ok.wiped_segments >= 2
        status = client.status()
        assert status.muted and status.buffer_segments == 0 and status.buffer_seconds == 0.0
        assert all(not a.any() for a in held)  # wiped to zeros, not just dropped
        wait_for(lambda: not daemon.capture.capturing and CountingSource.closes == 1, what="the source to close")
        with pytest.raises(RequestRefused) as err:
            client.ask("Is it loud?")
        assert err.value.code == ErrorCode.NO_AUDIO and "muted" in err.value.text
        with pytest.raises(RequestRefused) as err:
            client.listen(1.0)
        assert err.value.code == ErrorCode.MUTED

        # Muted, nothing can be captured: the source is closed (waited above) and is not reopened
        # until unmute, nothing more arrives from it, and the event stream below shows no segment
        # between the mute's state event and the unmute's.
        captured = client.status().captured_seconds

        seen = []
        while True:  # segment events before the mute, then the state event
            event = events.next(5)
            seen.append(event)
            if isinstance(event, StateEvent):
                break
        assert seen[-1] == StateEvent(muted=True, capturing=False)
        status = client.status()
        assert (CountingSource.opens, status.captured_seconds, status.buffer_segments) == (1, captured, 0)

        assert client.unmute().muted is False
        wait_for(lambda: CountingSource.opens == 2, what="the source to reopen")
        wait_for(lambda: client.status().buffer_segments >= 1, what="a segment after unmute")
        assert events.next(5) == StateEvent(muted=False, capturing=True)
        assert isinstance(events.next(5), SegmentEvent)
        events.close()
        client.close()
    finally:
        daemon.stop()


def test_a_watch_fires_on_a_replayed_file(tmp_path):
    """Real-time replay: a loud beep and a quiet one. Two watches; only the loud segment alerts both."""
    wav = write_wav(
        tmp_path / "kitchen.wav",
        [("silence", 1.0, 0), ("tone", 0.5, 0.5), ("silence", 1.0, 0), ("tone", 0.5, 0.01), ("silence", 1.0, 0)],
    )
    assistant = LoudnessAssistant()
    source = FileSource(wav)  # real time
    daemon = Daemon(assistant, source, DaemonConfig(socket_path=tmp_path / "w.sock"))
    daemon.add_watch("Is there a smoke alarm?")  # before start, like `listen serve --watch`
    daemon.start()
    try:
        with DaemonClient(daemon.config.socket_path) as client, EventStream(daemon.config.socket_path) as events:
            second = client.watch("Is the oven beeping?")
            assert second == 2
            assert [w["question"] for w in client.status().watches] == ["Is there a smoke alarm?", "Is the oven beeping?"]
            got: list = []
            deadline = time.monotonic() + 15
            while not (client.status().source_ended and len([e for e in got if isinstance(e, SegmentEvent)]) == 2):
                try:
                    got.append(events.next(max(0.1, deadline - time.monotonic())))
                except TimeoutError:
                    break
            # every watch check answered (2 watches x 2 segments), then a mute as a marker: the
            # events up to its state event hold every alert those checks published
            wait_for(lambda: client.status().queued == 0 and len(assistant.questions) == 4 and not assistant._running,
                     what="the four watch checks")
            client.mute()
            while not got or got[-1] != StateEvent(muted=True, capturing=False):
                got.append(events.next(5))
    finally:
        daemon.stop()
    segments = [e for e in got if isinstance(e, SegmentEvent)]
    alerts = [e for e in got if isinstance(e, AlertEvent)]
    assert len(segments) == 2, got
    loud, quiet = segments
    assert loud.level_dbfs > -25 > quiet.level_dbfs
    assert quiet.start - loud.start == pytest.approx(1.5, abs=0.1)  # wall clock follows the file
    assert sorted(a.watch_id for a in alerts) == [1, 2]
    for alert in alerts:
        assert (alert.start, alert.end) == (loud.start, loud.end)
        assert alert.answer.startswith("Yes") and alert.question in alert.answer
    assert assistant.encodes == 2  # one encoder pass per segment, shared by both watches
    assert len(assistant.questions) == 4


def test_listen_records_the_next_seconds(tmp_path):
    source = FileSource(write_wav(tmp_path / "l.wav", [("tone", 3.0, 0.5)]), speed=2.0)
    daemon = start(tmp_path, source, LoudnessAssistant())
    try:
        with DaemonClient(daemon.config.socket_path) as client:
            reply = client.listen(1.0)
            assert reply.audio_seconds == pytest.approx(1.0)
            assert reply.heard is True and "What do you hear?" in reply.answer
            assert reply.segments == 0
            wait_for(lambda: client.status().source_ended)
            with pytest.raises(RequestRefused) as err:
                client.listen(1.0)
            assert err.value.code == ErrorCode.NO_AUDIO
    finally:
        daemon.stop()


def test_capture_errors_are_retried_with_backoff(tmp_path):
    class FlakySource(FileSource):
        failures_left = 2

        def open(self):
            if FlakySource.failures_left:
                FlakySource.failures_left -= 1
                raise CaptureError("device unplugged (simulated)")
            super().open()

    daemon = start(tmp_path, FlakySource(write_wav(tmp_path / "f.wav", BEEPS), speed=8.0), LoudnessAssistant())
    try:
        with DaemonClient(daemon.config.socket_path) as client:
            status = wait_for(lambda: (s := client.status()).source_ended and s, what="the replay after retries")
            assert status.capture_failures == 2 and "unplugged" in status.last_capture_error
            assert status.buffer_segments == 2
    finally:
        daemon.stop()


def test_no_model_daemon_still_serves_events_and_refuses_asks(tmp_path):
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "n.wav", BEEPS), speed=8.0))
    try:
        with DaemonClient(daemon.config.socket_path) as client:
            wait_for(lambda: client.status().source_ended)
            assert client.status().assistant == "none" and client.status().buffer_segments == 2
            with pytest.raises(RequestRefused) as err:
                client.ask("Anything?")
            assert err.value.code == ErrorCode.NO_ASSISTANT
    finally:
        daemon.stop()


def test_socket_path_safety(tmp_path):
    wav = write_wav(tmp_path / "s.wav", BEEPS)
    path = tmp_path / "run" / "listen.sock"
    path.parent.mkdir()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # a socket file nobody listens on: replaced
    daemon = start(tmp_path, FileSource(wav))
    try:
        with pytest.raises(DaemonError, match="already listening"):
            start(tmp_path, FileSource(wav))  # a live daemon is never replaced
        assert stat.S_ISSOCK(os.lstat(path).st_mode)  # ...nor its socket removed by the refused one
        with DaemonClient(path) as client:
            assert client.status().source == f"file {wav}"
    finally:
        daemon.stop()
    path.write_text("not a socket")
    with pytest.raises(DaemonError, match="is not a socket"):
        start(tmp_path, FileSource(wav))
    assert path.read_text() == "not a socket"


def test_tcp_is_loopback_only(tmp_path):
    wav = write_wav(tmp_path / "t.wav", BEEPS)
    with pytest.raises(DaemonError, match="loopback only"):
        Daemon(None, FileSource(wav), DaemonConfig(socket_path=None, tcp_port=0, tcp_host="0.0.0.0")).start()
    daemon = Daemon(None, FileSource(wav), DaemonConfig(socket_path=None, tcp_port=0)).start()
    try:
        host, port = daemon.tcp_address
        assert host == "127.0.0.1"
        with DaemonClient(f"tcp://127.0.0.1:{port}") as client:
            assert client.status().source == f"file {wav}"
    finally:
        daemon.stop()


@contextlib.contextmanager
def serve_cli(tmp_path: Path):
    """The real `listen serve` in its own process, looping a file, once its socket is up:
    (process, the file, the socket). Killed on the way out if the test left it running."""
    wav = write_wav(tmp_path / "p.wav", BEEPS)
    sock_path = tmp_path / "serve.sock"
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--no-model", "--source", str(wav), "--loop", "--socket", str(sock_path)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(lambda: sock_path.exists() or proc.poll() is not None, timeout=30, what="the socket")
        assert proc.poll() is None, proc.stderr.read()
        yield proc, wav, sock_path
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigterm_shuts_listen_serve_down_cleanly(tmp_path):
    """The real CLI in its own process: socket up with mode 0600, SIGTERM -> exit 0, socket gone."""
    with serve_cli(tmp_path) as (proc, wav, sock_path):
        assert stat.S_IMODE(os.stat(sock_path).st_mode) == 0o600
        events = EventStream(sock_path)
        with DaemonClient(sock_path) as client:
            assert client.status().source == f"file {wav}"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        rest = list(events)  # the stream ends (the daemon closed it) instead of hanging
        assert all(e.TYPE in ("segment", "state") for e in rest)
        events.close()
    stderr = proc.stderr.read()
    assert not sock_path.exists()
    assert "shutting down" in stderr and "stopped" in stderr and "Traceback" not in stderr


# -- the input audit (issue 14): every bad line is an error reply, the connection is kept ----------


def raw_connection(path: Path):
    """A plain socket to the daemon and `exchange(line) -> reply dict` over it."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(str(path))
    reader = sock.makefile("rb")

    def exchange(raw: bytes) -> dict:
        sock.sendall(raw)
        line = reader.readline()
        assert line, f"the daemon closed the connection after {raw[:40]!r}"
        return json.loads(line)

    return sock, exchange


HOSTILE = [
    # (line, code, echoed id): each once dropped the connection, killed its reader or answered `internal`
    (b'{"type":"status","id":1,"x":' + b"[" * 30000 + b"]" * 30000 + b"}\n", ErrorCode.BAD_JSON, None),
    (b'{"type":"status","id":"\\ud800"}\n', ErrorCode.BAD_JSON, None),  # an id that cannot be written back
    (b'{"type":"ask","question":"Is it \\ud800 loud?","id":3}\n', ErrorCode.BAD_JSON, 3),
    (b'{"type":"watch","question":"Is it \\udfff loud?","id":4}\n', ErrorCode.BAD_JSON, 4),
    (b'{"type":"ask","question":"Is it loud?","since":1e20,"id":5}\n', ErrorCode.BAD_MESSAGE, 5),
    (b'{"type":"ask","question":"Is it loud?","since":-5,"id":6}\n', ErrorCode.BAD_MESSAGE, 6),
    (b'{"type":"listen","seconds":true,"id":7}\n', ErrorCode.BAD_MESSAGE, 7),
    (b'{"type":"unwatch","watch_id":-1,"id":8}\n', ErrorCode.BAD_MESSAGE, 8),
]


def test_hostile_lines_get_error_replies_and_never_reach_the_daemons_state(buffered):
    daemon, client, _ = buffered
    problems = []  # every case is tried on its own connection, so each one's failure is reported
    for raw, code, rid in HOSTILE:
        sock, exchange = raw_connection(daemon.config.socket_path)
        try:
            reply = exchange(raw)
            if (reply["type"], reply.get("code"), reply.get("id")) != ("error", code, rid) or "\n" in reply["text"]:
                problems.append(f"{raw[:50]!r}: {reply}")
            if exchange(b'{"type":"status","id":"s"}\n')["type"] != "status":  # the same connection still works
                problems.append(f"{raw[:50]!r}: no status after it")
            if client.status().watches:  # ...and so does everyone else's (a watch once broke every status)
                problems.append(f"{raw[:50]!r}: reached the watches")
        except (AssertionError, OSError, ValueError, RequestRefused, DaemonError) as err:
            problems.append(f"{raw[:50]!r}: {type(err).__name__}: {err}")
        finally:
            sock.close()
    assert not problems, "\n".join(problems)
    sock, exchange = raw_connection(daemon.config.socket_path)
    answer = exchange(b'{"type":"ask","question":"Is it loud?","id":9}\n')
    assert answer["type"] == "answer" and answer["heard"] is True
    sock.close()


def test_an_ask_in_flight_at_stop_is_answered_shutting_down(tmp_path):
    """Daemon.stop is what SIGTERM runs: the waiting ask gets a reply, not an end of stream."""
    gate = threading.Event()  # the model call lasts until the test opens it
    assistant = LoudnessAssistant(release=gate)
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "s.wav", BEEPS), speed=8.0), assistant)
    stopper = threading.Thread(target=lambda: (wait_for(lambda: assistant._running == 1, what="the model call"),
                                               daemon.stop()))
    try:
        with DaemonClient(daemon.config.socket_path, timeout_s=30) as client:
            wait_for(lambda: client.status().source_ended, what="the replay to end")
            stopper.start()  # stops the daemon while the model is busy with the ask
            with pytest.raises(RequestRefused) as err:
                client.ask("Is it loud?")
            assert err.value.code == ErrorCode.SHUTTING_DOWN
            assert assistant._running == 1  # answered at stop, while the model call still runs
    finally:
        gate.set()
        if stopper.is_alive() or stopper.ident is not None:
            stopper.join(30)
        daemon.stop()


def test_sigterm_answers_the_request_in_flight(tmp_path):
    """The real `listen serve` process: a `listen` recording when SIGTERM arrives is answered shutting_down."""
    with serve_cli(tmp_path) as (proc, _, sock_path):
        sock, exchange = raw_connection(sock_path)
        assert exchange(b'{"type":"status","id":0}\n')["type"] == "status"
        sock.sendall(b'{"type":"listen","seconds":10,"id":"rec"}\n')  # recording for 10 s
        # No state shows a recording in flight (a connection's requests run one at a time, so a
        # status behind it waits too): this sleep only orders the listen before the signal.
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        line = sock.makefile("rb").readline()
        assert line, "the request in flight got an end of stream"
        reply = json.loads(line)
        assert (reply["type"], reply["code"], reply["id"]) == ("error", ErrorCode.SHUTTING_DOWN, "rec")
        assert proc.wait(timeout=15) == 0
        sock.close()
    assert "Traceback" not in proc.stderr.read()


def test_idle_connections_are_closed_but_subscribers_and_clients_keep_working(tmp_path):
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "i.wav", BEEPS), speed=8.0), LoudnessAssistant(delay_s=0.6),
                   idle_timeout_s=0.3)
    path = daemon.config.socket_path
    try:
        idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        idle.settimeout(10)
        idle.connect(str(path))
        events = EventStream(path)  # subscribed: exempt, like the bridge's subscription
        client = DaemonClient(path, timeout_s=10)
        wait_for(lambda: client.status().source_ended, what="the replay to end")
        notice = json.loads(idle.makefile("rb").readline())  # within 0.3 s of connecting
        assert notice["type"] == "error" and notice["code"] == ErrorCode.IDLE_TIMEOUT and "id" not in notice
        assert idle.recv(1) == b""  # ...and then closed
        idle.close()
        assert client.ask("Is it loud?").heard is True  # a 0.6 s model call is not idle time
        wait_for(lambda: daemon.status().clients == 1, what="the client's own connection closed as idle")  # ...
        assert client.mute().muted is True  # ...and replaced transparently
        seen = []  # the replay's segments and end come first
        while not seen or seen[-1] != StateEvent(muted=True, capturing=False):  # the subscriber was kept
            seen.append(events.next(5))
        assert all(isinstance(e, (SegmentEvent, StateEvent)) for e in seen)
        assert client.status().subscribers == 1
        events.close()
        client.close()
    finally:
        daemon.stop()


def test_the_connection_limit_is_a_clear_refusal_and_idle_clients_cannot_hold_it(tmp_path):
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "c.wav", BEEPS)), max_clients=4, idle_timeout_s=1.0)
    path = daemon.config.socket_path
    try:
        hogs = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(4)]
        for hog in hogs:
            hog.connect(str(path))
        wait_for(lambda: daemon.status().clients == 4, what="four connections")
        with pytest.raises(RequestRefused) as err:
            DaemonClient(path, timeout_s=5).status()
        assert err.value.code == ErrorCode.BUSY and "4 clients are connected already" in err.value.text
        wait_for(lambda: daemon.status().clients == 0, what="the idle ones closed")  # room again
        with DaemonClient(path, timeout_s=5) as client:
            assert client.status().clients == 1
        for hog in hogs:
            hog.close()
    finally:
        daemon.stop()


@pytest.mark.parametrize("mode", [0o777, 0o666, 0o400, 0o1600, -1])
def test_a_socket_mode_that_opens_the_api_or_locks_out_its_owner_is_refused(tmp_path, mode):
    with pytest.raises(DaemonError, match="socket mode"):
        start(tmp_path, FileSource(write_wav(tmp_path / "m.wav", BEEPS)), socket_mode=mode)
    assert not (tmp_path / "run" / "listen.sock").exists()


# -- audio encoded as it arrives, and streamed answers (PROTOCOL.md minor 1) ---------------


PROGRESS_TYPES = ("decision", "token")  # the lines a streamed ask sends before its reply


def _raw_exchange(path: Path, request: dict) -> list[dict]:
    """Send one request line on a fresh raw socket; every line received up to its reply.

    Anything after the reply would be a protocol bug. To see it without waiting on the clock, a
    status request follows as a marker and the socket is half-closed: every line the daemon
    writes on this connection until it closes it must be exactly the marker's reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(path))
        reader = sock.makefile("rb")
        sock.sendall(json.dumps(request).encode() + b"\n")
        lines: list[dict] = []
        while not lines or lines[-1]["type"] in PROGRESS_TYPES:
            line = reader.readline()
            assert line, f"the daemon closed the connection before the reply, after {lines}"
            lines.append(json.loads(line))
        sock.sendall(b'{"type":"status","id":"marker"}\n')
        sock.shutdown(socket.SHUT_WR)
        after = [json.loads(x) for x in reader]
        assert [(x["type"], x.get("id")) for x in after] == [("status", "marker")], f"lines after the reply: {after}"
    return lines


def test_buffered_segments_are_encoded_as_they_arrive_and_asks_reuse_their_states(buffered):
    daemon, client, assistant = buffered
    wait_for(lambda: client.status().queued == 0 and client.status().encoded_segments == 2, what="both segments encoded")
    encodes = assistant.encodes
    assert encodes == 2  # one window per segment, each encoded once, before any question
    reply = client.ask("Is it loud?")
    assert reply.heard is True and reply.segments == 2 and len(reply.windows) == 2
    assert assistant.encodes == encodes  # the ask ran no encoder
    starts = [w["wall_start"] for w in reply.windows]
    assert starts == sorted(starts) and starts[1] - starts[0] == pytest.approx(2.0 / 8, abs=0.05)  # the beeps 2 s apart, replayed at 8x
    # `since` inside the second segment cuts it: the window it falls in (here its one window) is encoded
    # now from `since` on (tests/edge/daemon/test_encoded.py: a segment of several windows)
    since = reply.windows[1]["wall_start"] + 0.1
    cut = [seg for seg in daemon.buffer.segments() if seg.start < since < seg.end]
    assert cut  # (at 8x, a segment's audio outlasts its wall-clock time: the first may be cut too)
    client.ask("Is it loud?", since=since)
    assert assistant.encodes == encodes + len(cut)
    client.mute()
    status = client.status()
    assert status.buffer_segments == 0 and status.encoded_segments == 0  # mute wipes the states with the audio


def test_the_state_bound_drops_the_oldest_states_and_asks_encode_those_again(tmp_path):
    assistant = LoudnessAssistant()
    # one segment's states (1 window x 1 value, kept as float16: 2 bytes) fit, two do not
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "b.wav", BEEPS), speed=8.0), assistant, state_bytes=3)
    try:
        with DaemonClient(daemon.config.socket_path) as client:
            wait_for(lambda: client.status().source_ended and client.status().queued == 0, what="replay and jobs")
            assert client.status().encoded_segments == 1 and assistant.encodes == 2
            assert client.ask("Is it loud?").heard is True
            assert assistant.encodes == 3  # the older segment, whose states were dropped
    finally:
        daemon.stop()


def test_a_streamed_ask_sends_the_decision_then_the_words_then_the_same_answer(buffered):
    daemon, _, _ = buffered
    lines = _raw_exchange(daemon.config.socket_path, {"type": "ask", "question": "Is it loud?", "stream": True, "id": "q"})
    kinds = [x["type"] for x in lines]
    assert kinds[0] == "decision" and kinds[-1] == "answer" and set(kinds[1:-1]) == {"token"}, kinds
    assert all(x["id"] == "q" for x in lines)
    decision, answer = lines[0], lines[-1]
    assert (decision["heard"], decision["confidence"]) == (answer["heard"], answer["confidence"]) == (True, 0.9)
    assert [w["wall_start"] for w in decision["windows"]] == [w["wall_start"] for w in answer["windows"] if w["heard"]]
    assert "".join(x["text"] for x in lines[1:-1]).strip() == answer["answer"]
    elapsed = [x["elapsed_ms"] for x in lines[:-1]]
    assert elapsed == sorted(elapsed)


def test_old_clients_get_exactly_one_reply_and_a_minor_0_reader_skips_the_new_lines(buffered):
    daemon, client, _ = buffered
    plain = _raw_exchange(daemon.config.socket_path, {"type": "ask", "question": "Is it loud?", "id": 1})
    assert [x["type"] for x in plain] == ["answer"]  # no `stream`: exactly minor 0's stream
    listen = _raw_exchange(daemon.config.socket_path, {"type": "status", "id": "s"})
    assert listen[0]["minor"] == 1
    # a reader that asks for the stream but knows only `answer` and `error` still gets its reply, last
    streamed = _raw_exchange(daemon.config.socket_path, {"type": "ask", "question": "Is it loud?", "stream": True, "id": 2})
    replies = [x for x in streamed if x["type"] in ("answer", "error")]
    assert len(replies) == 1 and streamed[-1] is replies[0] and replies[0]["answer"] == plain[0]["answer"]
    # the client library: callbacks in order, and the same reply as without them
    seen: list = []
    reply = client.ask("Is it loud?", on_decision=lambda d: seen.append(("decision", d.heard)),
                       on_token=lambda t: seen.append(("token", t.text)))
    assert seen[0] == ("decision", True) and {k for k, _ in seen[1:]} == {"token"}
    assert reply.answer == client.ask("Is it loud?").answer == plain[0]["answer"]


def test_a_streamed_listen_decides_before_its_answer(tmp_path):
    source = FileSource(write_wav(tmp_path / "l.wav", [("tone", 3.0, 0.5)]), speed=2.0)
    daemon = start(tmp_path, source, LoudnessAssistant())
    try:
        with DaemonClient(daemon.config.socket_path) as client:
            decisions: list = []
            reply = client.listen(1.0, "Is it loud?", on_decision=decisions.append)
            assert [d.heard for d in decisions] == [True] and reply.heard is True
            assert decisions[0].windows[0]["wall_start"] == pytest.approx(reply.start)
    finally:
        daemon.stop()


def test_a_mute_while_an_ask_reads_kept_states_voids_its_answer(tmp_path):
    gate = threading.Event()  # the answer lasts until the mute has landed inside it
    assistant = LoudnessAssistant(release=gate)
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "b.wav", BEEPS), speed=8.0), assistant)
    try:
        with DaemonClient(daemon.config.socket_path) as client, DaemonClient(daemon.config.socket_path) as other:
            wait_for(lambda: client.status().source_ended and client.status().encoded_segments == 2, what="encoded")

            def mute_inside_the_answer() -> None:
                try:
                    wait_for(lambda: assistant._running == 1, what="the model call")
                    other.mute()
                finally:
                    gate.set()

            muter = threading.Thread(target=mute_inside_the_answer)
            muter.start()
            with pytest.raises(RequestRefused) as err:
                client.ask("Is it loud?")
            muter.join()
            assert err.value.code == ErrorCode.MUTED and "wiped" in str(err.value)
    finally:
        daemon.stop()


def test_sighup_stops_listen_serve_with_a_status_that_restart_on_failure_restarts(tmp_path):
    """SIGHUP stopped the daemon with exit 0, so the shipped unit's Restart=on-failure left it
    down (issue 29): it now stops cleanly and exits 129, and the unit says Restart=on-failure."""
    with serve_cli(tmp_path) as (proc, wav, sock_path):
        with DaemonClient(sock_path) as client:
            assert client.status().source == f"file {wav}"
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(timeout=15) == 129
    stderr = proc.stderr.read()
    assert "stopped" in stderr and "settings re-read" in stderr and "Traceback" not in stderr
    assert not sock_path.exists()
    unit = (REPO / "deploy" / "systemd" / "listen-serve.service").read_text()
    assert "\nRestart=on-failure\n" in unit  # restarts on any non-zero status
