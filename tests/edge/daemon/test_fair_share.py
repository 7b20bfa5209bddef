"""Clients that never read must starve nobody (issue 29): a connection's queued work dies with
it, its pipelined lines are never handled, a client over its quota gets `busy` without model
time, and watch checks never wait behind asks.

These run the daemon in this process over a real unix socket, with tests/edge/daemon/
test_server.py's LoudnessAssistant test double (gated here, so that the one model worker is
held busy exactly as long as a test needs); the same flood against a real `listen serve`
process with the tiny bundle is test_a_flood_of_clients_that_never_read_starves_nobody below.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge.capture import FileSource
from edge.client.requests import DaemonClient
from edge.daemon.jobs import Job, JobQueue
from edge.errors import RequestRefused
from edge.protocol import ErrorCode
from tests.edge.daemon.test_server import BEEPS, REPO, LoudnessAssistant, start, wait_for, write_wav

BLOCKER = "Is the blocker loud?"


class GatedAssistant(LoudnessAssistant):
    """LoudnessAssistant whose answer to BLOCKER waits for `gate`: the worker is busy until the test opens it."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.blocking = threading.Event()  # set once the worker is inside BLOCKER

    def ask_encoded(self, spans, states, question: str, timings=None, on_token=None, on_decision=None):
        if question == BLOCKER:
            self.blocking.set()
            assert self.gate.wait(60), "the test never opened the gate"
        return super().ask_encoded(spans, states, question, timings, on_token, on_decision)


@pytest.fixture
def gated(tmp_path):
    """A daemon with the beeps buffered, its gated assistant, and a client."""
    assistant = GatedAssistant()
    daemon = start(tmp_path, FileSource(write_wav(tmp_path / "beeps.wav", BEEPS), speed=8.0), assistant)
    client = DaemonClient(daemon.config.socket_path, timeout_s=60)
    wait_for(lambda: client.status().source_ended and client.status().queued == 0, what="the replay to be heard")
    yield daemon, client, assistant
    assistant.gate.set()
    client.close()
    daemon.stop()


def _hold_the_worker(daemon, assistant) -> threading.Thread:
    """Ask BLOCKER on its own connection; returns once the worker is inside it."""
    def ask() -> None:
        with DaemonClient(daemon.config.socket_path, timeout_s=60) as c:
            c.ask(BLOCKER)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    assert assistant.blocking.wait(30), "the blocker never reached the model"
    return thread


def _asks(questions: list[str], stream: bool = True) -> bytes:
    return b"".join(json.dumps({"type": "ask", "question": q, "stream": stream, "id": i}).encode() + b"\n"
                    for i, q in enumerate(questions))


def test_a_client_that_hangs_up_takes_its_queued_request_and_pipelined_lines_with_it(gated):
    """Requests of dead connections still ran, minutes after their clients left."""
    daemon, client, assistant = gated
    blocker = _hold_the_worker(daemon, assistant)
    dead = [f"Is the dead client's sound {i} loud?" for i in range(4)]  # within its quota: one queues, three wait
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(daemon.config.socket_path))
    sock.sendall(_asks(dead))
    wait_for(lambda: client.status().queued == 1, what="the dead client's first ask to queue")
    sock.close()  # without reading anything
    wait_for(lambda: client.status().queued == 0 and client.status().clients == 2, what="its work to die with it")  # this client and the blocker's
    assistant.gate.set()
    blocker.join(30)
    assert client.ask("Is it loud now?").heard is True  # the daemon serves on
    assert not set(dead) & set(assistant.questions), assistant.questions


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60))
def test_fuzz_a_pipelining_client_gets_one_reply_per_line_and_model_time_only_within_its_quota(gated, n):
    daemon, client, assistant = gated
    questions = [f"Is pipelined sound {n}-{i} loud?" for i in range(n)]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(daemon.config.socket_path))
        sock.sendall(_asks(questions, stream=False))  # one write: the daemon reads them together
        reader = sock.makefile("rb")
        replies = [json.loads(reader.readline()) for _ in range(n)]
    assert [r["id"] for r in replies] == list(range(n))  # one reply per line, in order
    busy = [r for r in replies if r["type"] == "error"]
    # refused for the lines behind it, or (it reads nothing until it has sent all) for the replies it left unread
    assert all(r["code"] == ErrorCode.BUSY and ("pipelined behind this one" in r["text"] or "has not read" in r["text"])
               for r in busy), busy
    ran = [q for q in questions if q in assistant.questions]
    assert len(ran) == n - len(busy) <= daemon.config.client_backlog + 1


def test_a_client_that_does_not_read_its_replies_gets_busy_not_model_time(gated, caplog):
    """One ask at a time (never pipelined), no reply ever read: once what it was sent piles up
    unread, its asks are refused without reaching the model."""
    daemon, client, assistant = gated
    caplog.set_level(logging.DEBUG, logger="edge.daemon")
    refused = "its connection has not read the replies"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(daemon.config.socket_path))
        for k in range(2000):
            question = f"Is unread sound {k} loud?"
            sock.sendall(_asks([question], stream=False))
            wait_for(lambda: question in assistant.questions or refused in caplog.text, what=f"ask {k} handled")
            if refused in caplog.text:
                break
        assert refused in caplog.text, "2000 asks ran for a client that read nothing"
    assert sum(q.startswith("Is unread sound") for q in assistant.questions) == k
    assert k <= 200, k  # 64 KiB unread, not the socket's whole buffer and the writer's queue
    assert client.ask("Is it loud now?").heard is True


def test_watch_checks_have_a_lane_of_their_own_and_go_first():
    """"assistant queue full": watch checks were dropped while asks filled the queue (0 alerts in 2 minutes)."""
    jobs = JobQueue(2)
    asks = [Job(lambda: None, "ask") for _ in range(2)]
    assert all(jobs.put(j) for j in asks) and not jobs.put(Job(lambda: None, "ask"))  # the ask lane is full
    segment = Job(lambda: None, "segment")
    assert jobs.put(segment)  # a watch check still gets in
    assert jobs.get() is segment and jobs.get() is asks[0]
    jobs.drop(lambda j: j is asks[1])  # a client gone: its job leaves the queue, cancelled
    assert len(jobs) == 0 and asks[1].future.cancelled()


FLOOD_CLIENTS, FLOOD_ASKS = 20, 330  # as found: 20 local connections each pipelining ~330 streamed asks


def test_a_flood_of_clients_that_never_read_starves_nobody(tiny_presence_bundle, tmp_path):
    """The real `listen serve` with the tiny bundle and a watch, on a looped file. 20 clients
    pipeline 330 streamed asks each and never read: once, every other client got `busy`, watch
    checks were dropped ("assistant queue full"), and `queued 16, clients 18` stayed for more
    than 6 minutes after they left. Now a client that reads gets its answer during the flood,
    no watch check is dropped, and the flood's work is gone as soon as its clients are."""
    sock_path = tmp_path / "serve.sock"
    log_path = tmp_path / "serve.log"  # a file, not a pipe: a full pipe would stall the daemon's logging
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "serve", "--bundle", str(tiny_presence_bundle), "--threads", "1",
             "--source", str(write_wav(tmp_path / "beeps.wav", BEEPS)), "--loop", "--speed", "4",
             "--socket", str(sock_path), "--state-dir", str(tmp_path / "state"), "--watch", "Is there a smoke alarm?"],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=log_file)
    floods: list[socket.socket] = []
    try:
        wait_for(lambda: sock_path.exists() or proc.poll() is not None, timeout=180, what="the socket")
        assert proc.poll() is None, log_path.read_text()[-2000:]
        client = DaemonClient(sock_path, timeout_s=120)
        wait_for(lambda: client.status().encoded_segments >= 2, timeout=120, what="audio encoded ahead")
        for _ in range(FLOOD_CLIENTS):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(str(sock_path))
            sock.sendall(_asks(["What do you hear?"] * FLOOD_ASKS))  # and never a read
            floods.append(sock)
        encoded = client.status().encoded_segments
        answer = client.ask("Is there a smoke alarm?")  # once `busy`: 16 of the flood's asks waited
        assert answer.windows
        wait_for(lambda: client.status().encoded_segments >= encoded + 4, timeout=60, what="new segments encoded")
        assert client.status().dropped_watch_checks == 0
        for sock in floods:
            sock.close()
        wait_for(lambda: (lambda s: s.clients == 1 and s.queued == 0)(client.status()), timeout=30,
                 what="the flood's work to leave with its clients")
        client.close()
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    finally:
        for sock in floods:
            sock.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log_path.read_text()
