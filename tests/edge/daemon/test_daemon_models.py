"""The daemon with the real edge `Assistant` on the tiny bundles (ONNX Runtime, llama.cpp, the
presence model), over a real unix socket: audio encoded as it arrives, answers over the
kept states, and streamed answers in their order (PROTOCOL.md minor 1).

The tiny models are random, so the answers' content means nothing; what is asserted is what
the daemon promises whatever the model says: the states it keeps are the encoder's states of
the buffered audio, an ask over them runs no encoder, and the decision, the words and the
answer agree and arrive in order.
"""

from __future__ import annotations

import numpy as np
import pytest

from edge.assistant import Assistant
from edge.capture import FileSource
from edge.client.requests import DaemonClient
from edge.daemon.server import Daemon, DaemonConfig
from tests.edge.daemon.test_server import BEEPS, _raw_exchange, wait_for, write_wav


@pytest.fixture(params=["tiny_presence_bundle", "tiny_bundle"])
def served(request, tmp_path):
    """(daemon, client, assistant, has_presence) with the two beeps of BEEPS buffered and encoded."""
    assistant = Assistant.from_bundle(request.getfixturevalue(request.param), n_threads=1)
    source = FileSource(write_wav(tmp_path / "beeps.wav", BEEPS), speed=8.0)
    daemon = Daemon(assistant, source, DaemonConfig(socket_path=tmp_path / "d.sock")).start()
    client = DaemonClient(daemon.config.socket_path, timeout_s=60)
    wait_for(lambda: client.status().source_ended, what="the replay to end")
    wait_for(lambda: client.status().queued == 0 and client.status().encoded_segments == 2, timeout=60,
             what="both segments encoded")
    yield daemon, client, assistant, request.param == "tiny_presence_bundle"
    client.close()
    daemon.stop()
    assistant.close()


def test_kept_states_are_the_encoders_states_of_the_buffered_audio(served):
    daemon, client, assistant, _ = served
    for seg, kept in daemon.buffer.with_states():
        assert kept is not None
        windows, states, _ = assistant.encode(seg.audio)
        assert [(s, e) for s, e in windows] == list(kept.windows)
        # Kept in float16 (edge.daemon.encoded.KEPT_DTYPE): its 11-bit significand rounds by at most
        # 2**-11 of the value; rtol 2**-10 leaves room for that, and atol 1e-4 for the float32
        # reduction order ONNX Runtime may pick per run (same graph, input and batch shape).
        assert kept.states.dtype == np.float16
        np.testing.assert_allclose(kept.states.astype(np.float32), states, rtol=2**-10, atol=1e-4)


def test_an_ask_over_buffered_audio_runs_no_encoder(served):
    _, client, assistant, has_presence = served
    reply = client.ask("Is there a smoke alarm?")
    assert reply.timings_ms["encoder"] == 0.0 and reply.segments == 2 and len(reply.windows) == 2
    assert reply.heard in (True, False, None)  # (a random tiny LLM may say nothing at all)
    if has_presence:  # a description of several windows is the template over their detections: no LLM
        described = client.ask("What do you hear?")
        assert [w["worded_by"] for w in described.windows] == ["template", "template"]
        assert described.timings_ms.get("prefill", 0.0) == 0.0


def _streamed(path, question: str, since: float | None = None) -> list[dict]:
    return _raw_exchange(path, {"type": "ask", "question": question, "stream": True, "id": 7,
                                **({} if since is None else {"since": since})})


def test_a_streamed_yes_no_answer_agrees_with_its_decision_and_words(served):
    daemon, _, _, has_presence = served
    lines = _streamed(daemon.config.socket_path, "Is there a smoke alarm?")
    kinds = [x["type"] for x in lines]
    answer = lines[-1]
    assert kinds.count("decision") == 1 and kinds[-1] == "answer", kinds
    decision = lines[kinds.index("decision")]
    assert (decision["heard"], decision["confidence"], decision["probability"]) == \
        (answer["heard"], answer["confidence"], answer["probability"])
    tokens = [x for x in lines if x["type"] == "token"]
    if has_presence:  # decided by the presence model: the decision comes before any word
        assert kinds[0] == "decision" and tokens and "".join(t["text"] for t in tokens) == answer["answer"]
    else:  # decided from the LLM's first-token probabilities: over two windows, only after their words
        assert kinds.index("decision") == len(kinds) - 2
        assert "".join(t["text"] for t in tokens).strip().startswith(answer["windows"][0]["answer"][:1])


def test_a_one_window_answer_is_decided_before_its_words_by_either_model(served):
    daemon, _, _, _ = served
    first = daemon.buffer.segments()[0]  # (at 8x, its audio outlasts the wall time to the second: `since` its end)
    lines = _streamed(daemon.config.socket_path, "Is there a smoke alarm?", since=first.end)
    kinds = [x["type"] for x in lines]
    answer = lines[-1]
    assert len(answer["windows"]) == 1 and kinds[0] == "decision" and kinds[-1] == "answer", kinds
    # the LLM's early decision (at its first token) is the one its answer carries
    assert (lines[0]["heard"], lines[0]["confidence"]) == (answer["heard"], answer["confidence"])
