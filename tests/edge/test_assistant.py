"""The on-device assistant over the tiny bundle: windows, heard/confidence, timings, bad input.

The tiny bundle's adapter is untrained, so these tests check the pipeline's mechanics and
contracts (shapes, windowing, probabilities, the JSON shape), not the answers' truth; the
real default bundle's answers are checked in the default-bundle tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from edge.assistant import Assistant, is_yes_no_question, split_windows
from edge.errors import AudioInputError, EdgeError

SR = 16000


@pytest.fixture(scope="module")
def assistant(tiny_bundle):
    a = Assistant.from_bundle(tiny_bundle, n_threads=2)
    yield a
    a.close()


def _tone(seconds: float, freq: float = 3000.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_presence_question_gives_heard_and_confidence(assistant):
    ans = assistant.ask(_tone(2.0), "Is there a smoke alarm?", max_new_tokens=4)
    assert isinstance(ans.heard, bool)
    assert 0.5 <= ans.confidence <= 1.0
    assert len(ans.windows) == 1 and ans.windows[0].start == 0.0 and ans.windows[0].end == 2.0
    for key in ("features", "encoder", "adapter", "prefill", "first_token", "decode", "total"):
        assert key in ans.timings_ms and ans.timings_ms[key] >= 0.0


def test_open_question_has_no_heard(assistant):
    ans = assistant.ask(_tone(1.0), "What do you hear?", max_new_tokens=4)
    assert ans.heard is None and ans.confidence is None


def test_long_audio_is_split_into_windows(assistant):
    ans = assistant.ask(_tone(5.2), "Is there a doorbell?", max_new_tokens=2)
    assert [(w.start, w.end) for w in ans.windows] == [(0.0, 2.0), (2.0, 4.0), (4.0, 5.2)]
    assert ans.heard == any(w.heard for w in ans.windows)


def test_presence_decision_equals_llm_probability(assistant):
    """heard must be exactly P(yes) > P(no) from the LLM's first-token logits."""
    from edge.llm_session import yes_no_probability

    spans, states, _ = assistant.encode(_tone(2.0))
    label = assistant.matcher.match("Is there a dog barking?")
    assert assistant.manifest.adapter_info.labels[label]["label"] == "dog_bark"
    soft, _ = assistant.soft_tokens(states, label)
    p = assistant.manifest.prompt
    logits = assistant.llm.prompt_logits([p.before_audio, soft[0], *p.question_parts("Is there a dog barking?")])
    yn = assistant.llm.yes_no_ids()
    p_yes = yes_no_probability(logits, yn.yes, yn.no)
    ans = assistant.ask_encoded(spans, states, "Is there a dog barking?", max_new_tokens=1)
    assert ans.heard == (p_yes > 0.5)
    assert ans.confidence == pytest.approx(max(p_yes, 1 - p_yes), abs=1e-5)


def test_int16_and_other_rates_are_accepted(assistant):
    pcm = (_tone(1.0) * 32767).astype(np.int16)
    assert assistant.ask(pcm, "Is there speech?", max_new_tokens=1).heard is not None
    assert len(assistant.ask(_tone(3.0)[::2], "Is there speech?", sample_rate=8000, max_new_tokens=1).windows) == 2


@pytest.mark.parametrize(
    "audio, match",
    [
        (np.zeros(0, dtype=np.float32), "no samples"),
        (np.zeros((2, 16000), dtype=np.float32), "mono"),
        (np.array([0.0, np.nan] * 8000, dtype=np.float32), "NaN"),
        (np.zeros(16000, dtype=np.int32), "dtype int32"),
    ],
)
def test_bad_audio_is_one_clear_error(assistant, audio, match):
    with pytest.raises(AudioInputError, match=match):
        assistant.ask(audio, "Is there a doorbell?")


def test_empty_question_is_refused(assistant):
    with pytest.raises(EdgeError, match="question is empty"):
        assistant.ask(_tone(1.0), "  ")


def test_question_kinds_and_windows():
    assert is_yes_no_question("Is there a dog?") and is_yes_no_question("did the alarm go off")
    assert not is_yes_no_question("What do you hear?")
    w = split_windows(np.zeros(int(4.3 * SR)), 2 * SR, SR)
    assert [(s, e) for s, e, _ in w] == [(0.0, 2.0), (2.0, 4.0)]  # a 0.3 s tail is dropped


def test_ask_cli_json_shape(tiny_bundle, tmp_path):
    import soundfile as sf

    wav = tmp_path / "tone.wav"
    sf.write(wav, np.stack([_tone(3.0), _tone(3.0)], axis=1), 44100)  # stereo 44.1 kHz: downmixed, resampled
    proc = subprocess.run(
        [sys.executable, "-m", "edge.cli", "ask", "--bundle", str(tiny_bundle), "--audio", str(wav), "--json",
         "--max-tokens", "3", "Is there a smoke alarm?", "What do you hear?"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert set(row) == {"answer", "heard", "confidence", "windows", "timings_ms", "bundle", "question"}
        assert set(row["windows"][0]) == {"start", "end", "answer", "heard", "confidence"}
    assert rows[0]["heard"] in (True, False) and rows[1]["heard"] is None
    assert rows[0]["bundle"]["recipe"] == "factorised"


def test_ask_cli_bad_file_is_one_line(tiny_bundle, tmp_path):
    bad = tmp_path / "empty.wav"
    bad.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "edge.cli", "ask", "--bundle", str(tiny_bundle), "--audio", str(bad), "Is it?"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "empty.wav" in proc.stderr
