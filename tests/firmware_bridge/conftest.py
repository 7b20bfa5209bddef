"""Fixtures of the bridge tests: the shared vectors, a pty cable, a tiny NDJSON daemon.

`FakeDaemon` is a real unix-socket server speaking newline-delimited JSON, standing in
for the edge daemon (issue 9) with just the requests the bridge makes. It records
every request and keeps the state a test asserts on (muted, buffered audio seconds).
The real daemon is used in test_bridge_real_daemon.py; this one can crash and restart
on demand and answers instantly.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
from pathlib import Path

import pytest

from edge.protocol import AlertEvent, StatusReply

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"


@pytest.fixture(scope="session")
def vectors() -> dict:
    return json.loads((VECTORS_DIR / "frames.json").read_text())


@pytest.fixture(scope="session")
def make_vectors():
    """The generator module (tests/vectors/make_vectors.py), for `render_txt`."""
    spec = importlib.util.spec_from_file_location("make_vectors", VECTORS_DIR / "make_vectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeDaemon:
    """NDJSON over a unix socket: ask, listen, mute, unmute, status, events (edge/PROTOCOL.md v1)."""

    def __init__(self, path: Path, answer: str = "Yes, a smoke alarm is beeping.", ask_delay_s: float = 0.2):
        self.path = path
        self.answer = answer
        self.ask_delay_s = ask_delay_s
        self.words_delay_s = 0.0  # a streamed ask: between its decision and its answer
        self.requests: list[dict] = []
        self.muted = False
        self.buffer_s = 12.5  # seconds of audio in the ring buffer; mute wipes it
        self.subscribers: list[socket.socket] = []
        self._lock = threading.RLock()  # predicates of wait_for take it again
        self._changed = threading.Condition(self._lock)
        self._conns: list[socket.socket] = []
        self._server: socket.socket | None = None
        self.start()

    def start(self) -> None:
        if self.path.exists():
            self.path.unlink()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(self.path))
        server.listen(8)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        """Like a daemon crash: every connection drops and the socket file goes away."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        with self._lock:
            conns, self._conns = self._conns, []
            self.subscribers.clear()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        if self.path.exists():
            self.path.unlink()

    def restart(self) -> None:
        """A restarted daemon: new socket, state back to defaults (unmuted)."""
        self.stop()
        self.muted = False
        self.start()

    def push(self, event: dict) -> int:
        """Send an event to every subscriber; returns how many got it."""
        data = json.dumps(event).encode() + b"\n"
        with self._lock:
            subs = list(self.subscribers)
        for conn in subs:
            conn.sendall(data)
        return len(subs)

    def push_alert(self, question: str, confidence: float | None = 0.93) -> int:
        """A watch alert as the daemon sends it (edge.protocol.AlertEvent) to every subscriber."""
        return self.push(AlertEvent(1, question, "Yes.", confidence, start=0.0, end=1.0).to_dict())

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)

    def of_type(self, kind: str) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r.get("type") == kind]

    def status(self) -> StatusReply:
        """A complete `status` reply (edge.client decodes it strictly); the fields a test reads are live."""
        return StatusReply(
            muted=self.muted, capturing=not self.muted, source="fake", source_ended=False,
            buffer_seconds=self.buffer_s, buffer_segments=0, buffer_max_seconds=300.0, watches=[],
            clients=len(self._conns), subscribers=len(self.subscribers), queued=0, assistant="fake",
            uptime_s=0.0, capture_failures=0, last_capture_error=None, dropped_events=0, dropped_watch_checks=0,
        )

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            for line in reader:
                request = json.loads(line)
                reply = self._handle(conn, request)
                if reply is not None:
                    if "id" in request:
                        reply["id"] = request["id"]
                    conn.sendall(json.dumps({"v": 1, **reply}).encode() + b"\n")
        except (OSError, ValueError):
            pass

    def _handle(self, conn: socket.socket, request: dict) -> dict | None:
        """Replies shaped as edge/protocol.py's (v1): answer, subscribed, ok, status, error."""
        kind = request.get("type")
        if request.get("v") != 1:
            return {"type": "error", "code": "unsupported_version", "text": "requests need \"v\": 1"}
        if kind in ("ask", "listen"):
            time.sleep(self.ask_delay_s)  # the model thinking
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()
            if kind == "events":
                conn.sendall(json.dumps({"v": 1, "type": "subscribed", "id": request.get("id")}).encode() + b"\n")
                self.subscribers.append(conn)
                return None
            if kind in ("ask", "listen"):
                if self.muted:
                    return {"type": "error", "code": "no_audio", "text": "no buffered audio: muted"}
                heard = self.answer.lower().startswith("yes") if kind == "ask" else None
                if request.get("stream") and heard is not None:  # minor 1: the decision first, the words later
                    decision = {"v": 1, "type": "decision", "heard": heard, "confidence": 0.9, "probability": None,
                                "id": request.get("id")}
                    conn.sendall(json.dumps(decision).encode() + b"\n")
                    until = time.monotonic() + self.words_delay_s  # the lock is released while waiting
                    while (left := until - time.monotonic()) > 0:
                        self._changed.wait(left)
                return {"type": "answer", "answer": self.answer, "heard": heard, "confidence": 0.9}
            if kind in ("mute", "unmute"):
                self.muted = kind == "mute"
                if self.muted:
                    self.buffer_s = 0.0
                state = json.dumps({"v": 1, "type": "state", "muted": self.muted, "capturing": not self.muted})
                for sub in self.subscribers:
                    sub.sendall(state.encode() + b"\n")
                return {"type": "ok", "request": kind, "muted": self.muted}
            if kind == "status":
                return self.status().to_dict()
            return {"type": "error", "code": "unknown_type", "text": f"unknown request type {kind!r}"}


@pytest.fixture
def short_tmp():
    """A short temporary folder: unix socket paths must stay under 108 bytes."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="fb-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def fake_daemon(short_tmp):
    daemon = FakeDaemon(short_tmp / "daemon.sock")
    yield daemon
    daemon.stop()
