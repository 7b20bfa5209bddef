"""edge.client (connection, requests, events) against the real daemon (no model) and against a
scripted socket server: reconnect after a daemon restart, lazy connect, re-subscribing event
thread, the yes rule, a burst of 200 clients, a full backlog, and an idle-closed connection."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from core.backoff import Backoff
from edge.capture import FileSource
import edge.client.connection
from edge.client.events import EventStream, EventSubscription
from edge.client.requests import DaemonClient, answered_yes
from edge.daemon.server import Daemon, DaemonConfig
from edge.errors import DaemonError
from edge.protocol import AnswerReply, Ok, SegmentEvent, StateEvent, Subscribed

SR = 16000


def quiet_daemon(tmp_path: Path, **config) -> Daemon:
    """A model-less daemon replaying one second of near-silence (it buffers nothing)."""
    wav = tmp_path / "quiet.wav"
    if not wav.exists():
        sf.write(wav, (np.random.default_rng(0).standard_normal(SR) * 1e-4).astype(np.float32), SR)
    cfg = DaemonConfig(socket_path=tmp_path / "run" / "d.sock", **config)
    return Daemon(None, FileSource(wav, speed=8.0), cfg).start()


def wait_for(predicate, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_request_survives_a_daemon_restart(tmp_path):
    daemon = quiet_daemon(tmp_path)
    client = DaemonClient(daemon.config.socket_path, timeout_s=10)
    assert client.mute().muted
    daemon.stop()  # the client's open connection is now dead
    daemon = quiet_daemon(tmp_path)
    try:
        assert client.status().muted is False  # answered by the new daemon, over a new connection
        assert client.mute().muted and daemon.status().muted
    finally:
        client.close()
        daemon.stop()


def test_lazy_client_connects_on_first_request(tmp_path):
    path = tmp_path / "run" / "d.sock"
    client = DaemonClient(path, timeout_s=10, connect=False)  # no daemon yet: no error
    with pytest.raises(DaemonError, match="d.sock"):
        client.status()
    daemon = quiet_daemon(tmp_path)
    try:
        assert client.status().assistant == "none"
    finally:
        client.close()
        daemon.stop()


def test_subscription_resubscribes_after_a_daemon_restart(tmp_path):
    daemon = quiet_daemon(tmp_path)
    path = daemon.config.socket_path
    events, states = [], []
    sub = EventSubscription(path, events.append, states.append, Backoff(0.02, 2.0, 0.1))
    client = DaemonClient(path, timeout_s=10, connect=False)
    try:
        wait_for(lambda: client.status().subscribers == 1, what="the subscription")
        client.mute()
        wait_for(lambda: StateEvent(muted=True, capturing=False) in events, what="the mute event")
        daemon.stop()
        daemon = quiet_daemon(tmp_path)
        wait_for(lambda: sub.subscriptions == 2, what="the re-subscription")
        client.mute()  # the new daemon starts unmuted: this is a change, so an event again
        wait_for(lambda: events.count(StateEvent(muted=True, capturing=False)) == 2, what="the second mute event")
        assert states[:3] == [True, False, True]
        assert all(e.TYPE in ("state", "segment") for e in events)
    finally:
        sub.close()
        client.close()
        daemon.stop()


def test_200_simultaneous_clients_all_connect_and_get_answers(tmp_path):
    """Once 151 of 200 failed with EAGAIN: a unix connect with a timeout does not wait for the backlog."""
    daemon = quiet_daemon(tmp_path, max_clients=256)
    barrier = threading.Barrier(200)
    failures: list[str] = []
    answered: list[int] = []

    def one() -> None:
        barrier.wait()
        try:
            with DaemonClient(daemon.config.socket_path, timeout_s=30) as client:
                answered.append(client.status().clients)
        except Exception as err:  # collected, so every failure is reported
            failures.append(f"{type(err).__name__}: {err}")

    threads = [threading.Thread(target=one) for _ in range(200)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not failures, f"{len(failures)} of 200 failed, e.g. {failures[0]}"
        assert len(answered) == 200
    finally:
        daemon.stop()


def full_backlog(path: Path) -> tuple[socket.socket, list[socket.socket]]:
    """A listening unix socket that accepts nothing, with its backlog filled until connects get EAGAIN."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(0)
    queued = []
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.connect(str(path))
        except BlockingIOError:
            sock.close()
            return server, queued
        queued.append(sock)


def test_a_full_backlog_is_retried_until_the_daemon_accepts(tmp_path, monkeypatch):
    server, queued = full_backlog(tmp_path / "b.sock")
    accepted: list[socket.socket] = []
    retried = threading.Event()  # set when the connect met the full backlog and backs off

    def backoff_sleep(seconds: float) -> None:
        retried.set()
        time.sleep(seconds)

    monkeypatch.setattr(edge.client.connection, "time", SimpleNamespace(monotonic=time.monotonic, sleep=backoff_sleep))

    def accept_once_refused() -> None:
        assert retried.wait(10), "the connect never met the full backlog"
        for _ in range(len(queued) + 1):
            accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept_once_refused)
    thread.start()
    try:
        edge.client.connection.LineConnection(tmp_path / "b.sock", timeout_s=5).close()  # waits its turn, no EAGAIN
        assert retried.is_set() and len(accepted) == len(queued) + 1  # refused at first, accepted in the end
    finally:
        thread.join(5)
        for sock in [*queued, *accepted, server]:
            sock.close()


def test_connect_failures_say_what_happened(tmp_path, monkeypatch):
    monkeypatch.setattr(edge.client.connection, "CONNECT_RETRY_S", 0.3)
    server, queued = full_backlog(tmp_path / "full.sock")
    try:
        with pytest.raises(DaemonError, match=r"full\.sock: .*for 0\.3 s: its listen backlog stayed full"):
            DaemonClient(tmp_path / "full.sock")
    finally:
        for sock in [*queued, server]:
            sock.close()
    with pytest.raises(DaemonError, match=r"nothing accepts connections there: the daemon stopped or crashed"):
        DaemonClient(tmp_path / "full.sock")  # the file of a server that is gone: a stale socket
    with pytest.raises(DaemonError, match=r"nobody\.sock: no socket there; is `listen serve` running"):
        DaemonClient(tmp_path / "nobody.sock")


def test_a_connection_closed_as_idle_is_replaced_and_subscriptions_are_not_dropped(tmp_path):
    daemon = quiet_daemon(tmp_path, idle_timeout_s=0.2)
    path = daemon.config.socket_path
    events: list = []
    sub = EventSubscription(path, events.append)
    client = DaemonClient(path, timeout_s=10)
    try:
        wait_for(lambda: client.status().subscribers == 1, what="the subscription")
        for _ in range(3):
            # the client's connection is closed as idle each time (the subscription stays)...
            wait_for(lambda: daemon.status().clients == 1, what="the idle connection closed")
            client.mute()  # ...and replaced on the next request
            client.unmute()
        wait_for(lambda: events.count(StateEvent(muted=True, capturing=False)) == 3, what="three mute events")
        assert sub.subscriptions == 1  # the idle subscription was never closed
    finally:
        sub.close()
        client.close()
        daemon.stop()


def scripted_server(path: Path, lines: list[bytes]) -> socket.socket:
    """A unix server that, on each connection, reads one request and writes `lines`, then idles."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(4096)
            conn.sendall(b"".join(lines))

    threading.Thread(target=serve, daemon=True).start()
    return server


SEGMENT = SegmentEvent(start=1.0, end=2.0, kind="sound", level_dbfs=-20.0)
STATE = StateEvent(muted=True, capturing=False)


def test_events_before_subscribed_are_kept(tmp_path):
    server = scripted_server(tmp_path / "s.sock", [SEGMENT.encode(), Subscribed(id="events").encode(), STATE.encode()])
    try:
        with EventStream(tmp_path / "s.sock") as stream:
            assert stream.next(5) == SEGMENT
            assert stream.next(5) == STATE
    finally:
        server.close()


def test_subscription_skips_a_malformed_line(tmp_path):
    lines = [Subscribed(id="events").encode(), b"this is not json\n", Ok("mute", True).encode(), STATE.encode()]
    server = scripted_server(tmp_path / "s.sock", lines)
    got = threading.Event()
    events: list = []
    sub = EventSubscription(tmp_path / "s.sock", lambda e: (events.append(e), got.set()))
    try:
        assert got.wait(5)
        assert events == [STATE] and sub.subscriptions == 1  # the bad line did not end the stream; the reply is no event
    finally:
        sub.close()
        server.close()


@pytest.mark.parametrize(
    "answer, heard, yes",
    [
        ("No, I do not hear a siren.", False, False),
        ("Yes.", True, True),
        ("Yes, but quietly", False, False),  # the daemon's `heard` wins
        ("Yes, a dog barking.", None, True),  # open question: it opens with "yes"
        ("  yes: a dog", None, True),
        ("I hear eyes", None, False),  # a word, not a substring
        ("Yesterday a dog barked.", None, False),
        ("A dog, yes.", None, False),  # "yes" later in an open answer is no alert (the watches' rule)
        ("", None, False),
    ],
)
def test_answered_yes(answer, heard, yes):
    assert answered_yes(AnswerReply(answer, heard, None)) is yes
