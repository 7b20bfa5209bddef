"""edge.client against the real daemon (no model) and against a scripted socket server:
reconnect after a daemon restart, lazy connect, re-subscribing event thread, the yes rule."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from edge.backoff import Backoff
from edge.capture import FileSource
from edge.client import DaemonClient, EventStream, EventSubscription, answered_yes
from edge.daemon import Daemon, DaemonConfig
from edge.errors import DaemonError
from edge.protocol import AnswerReply, Ok, SegmentEvent, StateEvent, Subscribed

SR = 16000


def quiet_daemon(tmp_path: Path) -> Daemon:
    """A model-less daemon replaying one second of near-silence (it buffers nothing)."""
    wav = tmp_path / "quiet.wav"
    if not wav.exists():
        sf.write(wav, (np.random.default_rng(0).standard_normal(SR) * 1e-4).astype(np.float32), SR)
    return Daemon(None, FileSource(wav, speed=8.0), DaemonConfig(socket_path=tmp_path / "run" / "d.sock")).start()


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
