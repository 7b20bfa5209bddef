"""The NDJSON daemon client against a real unix-socket server (FakeDaemon in conftest)."""

from __future__ import annotations

import socket
import threading

import pytest

from core.backoff import Backoff
from edge.protocol import AnswerReply
from firmware_bridge.daemon_client import Answer, NdjsonDaemonClient
from firmware_bridge.errors import DaemonLinkError


def test_ask_mute_unmute_round_trip(fake_daemon):
    client = NdjsonDaemonClient(fake_daemon.path, timeout_s=5)
    answer = client.ask("Is the smoke alarm beeping?")
    assert answer == Answer("Yes, a smoke alarm is beeping.", True)
    client.mute()
    assert fake_daemon.muted and fake_daemon.buffer_s == 0.0
    assert client.status()["muted"] is True and client.status()["buffer_seconds"] == 0.0
    client.unmute()
    assert not fake_daemon.muted
    kinds = [r["type"] for r in fake_daemon.requests]
    assert kinds == ["ask", "mute", "status", "status", "unmute"]
    assert all(r["v"] == 1 for r in fake_daemon.requests)
    assert fake_daemon.requests[0]["question"] == "Is the smoke alarm beeping?"
    assert len({r["id"] for r in fake_daemon.requests}) == 5
    client.close()


@pytest.mark.parametrize(
    "reply, yes",
    [
        ({"answer": "No, I do not hear a siren.", "heard": False}, False),
        ({"answer": "Yes.", "heard": True}, True),
        ({"answer": "Yes, but quietly", "heard": False}, False),  # the daemon's `heard` wins
        ({"answer": "Yes, a dog barking.", "heard": None}, True),  # open question: the word rule
        ({"answer": "I hear eyes", "heard": None}, False),  # a word, not a substring
    ],
)
def test_answer_yes_rule(reply, yes):
    assert Answer.from_reply(AnswerReply(confidence=None, **reply)).yes is yes


def test_error_reply_is_a_daemon_error(fake_daemon):
    client = NdjsonDaemonClient(fake_daemon.path, timeout_s=5)
    client.mute()
    with pytest.raises(DaemonLinkError, match="refused ask: no_audio"):
        client.ask("anything?")


def test_unreachable_daemon_names_the_socket(tmp_path):
    client = NdjsonDaemonClient(tmp_path / "nobody.sock", timeout_s=1)
    with pytest.raises(DaemonLinkError, match="nobody.sock"):
        client.mute()


def test_request_survives_a_daemon_restart(fake_daemon):
    client = NdjsonDaemonClient(fake_daemon.path, timeout_s=5)
    client.mute()
    fake_daemon.restart()  # the open connection is now dead
    client.mute()
    assert fake_daemon.muted
    assert len(fake_daemon.of_type("mute")) == 2


def test_events_resubscribe_after_a_daemon_restart(fake_daemon):
    client = NdjsonDaemonClient(fake_daemon.path, timeout_s=5, backoff=Backoff(0.02, 2.0, 0.1))
    events, states = [], []
    got = threading.Event()

    def on_event(event):
        events.append(event)
        got.set()

    sub = client.subscribe(on_event, states.append)
    try:
        assert fake_daemon.wait_for(lambda d: len(d.subscribers) == 1)
        fake_daemon.push({"type": "reply-like noise"})  # not an event type: not passed on
        fake_daemon.push_alert("smoke alarm")
        assert got.wait(5)
        fake_daemon.restart()
        assert fake_daemon.wait_for(lambda d: len(d.subscribers) == 1)
        got.clear()
        fake_daemon.push_alert("doorbell")
        assert got.wait(5)
        assert [e["question"] for e in events] == ["smoke alarm", "doorbell"]
        assert sub.subscriptions == 2
        assert states[:3] == [True, False, True]
    finally:
        sub.close()


def test_malformed_line_is_an_error_not_end_of_stream(short_tmp):
    path = short_tmp / "bad.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        conn.recv(1024)
        conn.sendall(b"this is not json\n")
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    client = NdjsonDaemonClient(path, timeout_s=2)
    with pytest.raises(DaemonLinkError, match="not a JSON line"):
        client.status()
    server.close()
