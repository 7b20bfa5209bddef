"""Answering a benchmark with the tiny checkpoint (torch) and its exported bundle (edge runtime).

The only module that uses the session's `tiny_bundle` (slow to build). The tiny models are
random, so the answers say nothing about quality; what is checked is the plumbing: every
row answered in order, batching that changes nothing, the two runtimes agreeing on
P(yes), and a run's predictions file re-scoring to the same metrics.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from training.data import benchmark_io as bio
from training.eval.runners import RunOptions, answer_rows, answer_with_checkpoint

# fp32 logits of one row computed in another batch shape: reordered sums differ by a few fp32
# ulps of the logits' scale (about 1 here); measured 2.4e-7 on AMD EPYC, 1e-4 leaves room for other
# CPUs. (Measured there too: every row's smallest greedy top-2 margin is 0.42 or more.)
LOGIT_ATOL = 1e-4

# (present, absent) labels of each clip; labels from tests/tiny_models.TINY_LABELS
CLIPS = [(["smoke_alarm", "speech"], ["dog_bark"]), (["doorbell"], ["smoke_alarm"])]
NAMES = {"smoke_alarm": "a smoke alarm", "dog_bark": "a dog barking", "doorbell": "a doorbell", "speech": "speech"}


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    from training.corpus.clip_files import write_wav

    root = tmp_path_factory.mktemp("bench")
    t = np.arange(32000) / 16000  # 2 s, the tiny checkpoint's window
    rows = []
    for c, (present, absent) in enumerate(CLIPS):
        write_wav(root / f"clip{c}.wav", (0.3 * np.sin(2 * np.pi * (600 + 900 * c) * t)).astype(np.float32))
        for sampling, (obj, label) in zip(("random", "popular", "adversarial"), [(present[0], "yes"), (absent[0], "no"),
                                                                                   (present[-1], "yes")]):
            rows.append({"audio_index": f"clip{c}", "audio": f"clip{c}.wav", "object": obj, "label": label,
                         "prompt_text": f"Is there a sound of {NAMES[obj]} in the audio?", "sampling": sampling,
                         "labels": present})
    (root / "bench.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root / "bench.jsonl"


@pytest.fixture(scope="module")
def bundle_run(tiny_bundle, bench, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval_bundle")
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli", "eval", "--bundle", str(tiny_bundle), "--benchmark", str(bench),
         "--out", str(out), "--threads", "2", "--max-new-tokens", "3", "--open-max-new-tokens", "6", "--quiet"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


class _StepLogits:
    """Records the last-position logits of every LLM call of `training.model.generate.generate`:
    a prefill call (several positions) per batch, then one call per generated token."""

    def __init__(self, llm) -> None:
        self.llm = llm
        self.calls: list[tuple[bool, np.ndarray]] = []  # (is_prefill, (B, V) float32)

    def __enter__(self) -> "_StepLogits":
        self.handle = self.llm.register_forward_hook(self._hook, with_kwargs=True)
        return self

    def __exit__(self, *exc) -> None:
        self.handle.remove()

    def _hook(self, module, args, kwargs, output) -> None:
        prefill = kwargs["inputs_embeds"].shape[1] > 1
        self.calls.append((prefill, output.logits[:, -1].float().numpy().copy()))

    def first(self) -> np.ndarray:
        """(rows, V): the prefill logits of every row, in the order the rows were answered."""
        return np.concatenate([logits for prefill, logits in self.calls if prefill])

    def min_margins(self) -> list[float]:
        """Batch size 1 only: per row, the smallest top-1 minus top-2 logit over its steps (the
        call after the last token is counted too: a conservative bound)."""
        rows: list[list[np.ndarray]] = []
        for prefill, logits in self.calls:
            assert logits.shape[0] == 1
            if prefill:
                rows.append([])
            rows[-1].append(logits[0])
        return [min(float(np.diff(np.sort(step)[-2:])[0]) for step in steps) for steps in rows]


def test_listen_eval_bundle_writes_metrics_report_and_predictions(bundle_run, tiny_bundle):
    out, stdout = bundle_run
    result = json.loads((out / "metrics.json").read_text())
    assert result["system"]["system"] == "bundle" and result["system"]["questions"] == 6 + 2
    assert result["system"]["recipe"] == "factorised"
    assert result["labels_source"] == "the bundle's labels"
    assert result["questions"] == 6 and result["parsers"]["paper"]["all"]["n"] == 6
    assert set(result["parsers"]["paper"]["by_sampling"]) == {"random", "popular", "adversarial"}
    assert result["mentions"]["n_answers"] == 2 and result["mentions"]["exact_labels"] == 2
    preds = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert [p.get("attribute") for p in preds[-2:]] == ["open", "open"]
    assert all(0.0 <= p["p_yes"] <= 1.0 for p in preds[:6]) and all("p_yes" not in p for p in preds[6:])
    assert all(isinstance(p["answer"], str) for p in preds)
    assert (out / "report.md").read_text() in stdout


def test_bundle_predictions_rescore_to_the_same_metrics(bundle_run, tmp_path):
    out, _ = bundle_run
    proc = subprocess.run([sys.executable, "-m", "core.cli", "eval", "--predictions", str(out / "predictions.jsonl"),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    first, again = (json.loads((d / "metrics.json").read_text()) for d in (out, tmp_path))
    assert again["parsers"] == first["parsers"]
    assert again["mentions"]["n_answers"] == first["mentions"]["n_answers"]
    assert again["mentions"]["answers_hallucinating"] == first["mentions"]["answers_hallucinating"]


def test_checkpoint_runner_agrees_with_the_bundle_and_batching_changes_nothing(tiny_checkpoint, bench, bundle_run):
    from training.data.clip_features import LiveStates
    from training.model.system import load_system

    rows = bio.load_rows(bench, need_audio=True)
    rows = rows + bio.open_question_rows(rows, "Describe the sounds you hear in the audio.")
    opts = RunOptions(batch_size=4, max_new_tokens=3, open_max_new_tokens=6, cache_dir="none")
    four, info = answer_with_checkpoint(tiny_checkpoint, rows, opts, progress=False)
    assert info.system == "checkpoint" and info.questions == 8 and info.recipe == "factorised"
    assert info.precision == "fp32" and [e["label"] for e in info.labels][:2] == ["smoke_alarm", "dog_bark"]
    assert [p.p_yes for p in four[6:]] == [None, None]  # open questions
    p4 = np.array([p.p_yes for p in four[:6]])
    assert np.ptp(p4) > 1e-4  # rows differ, so a shuffled order would show
    # the exported bundle (ONNX Runtime + llama.cpp, f32) gives nearly the same P(yes) per row
    out, _ = bundle_run
    p_bundle = np.array([json.loads(line)["p_yes"] for line in (out / "predictions.jsonl").read_text().splitlines()[:6]])
    assert np.abs(p4 - p_bundle).max() < 0.03
    # one row per batch: left padding inside a batch changed nothing
    system = load_system(tiny_checkpoint)
    states = LiveStates(system.encoder)
    with _StepLogits(system.llm) as batched:
        answer_rows(system, rows, states, opts)
    with _StepLogits(system.llm) as single:
        one = answer_rows(system, rows, states, RunOptions(**{**opts.__dict__, "batch_size": 1}))
    # P(yes) = sigmoid(yes - no logit) moves by at most half the logits' change: LOGIT_ATOL covers it
    assert np.abs(np.array([p.p_yes for p in one[:6]]) - p4).max() < LOGIT_ATOL
    # Batch 4 with left padding and batch 1 run other matmul shapes, so fp32 logits differ in
    # their last bits (how much depends on the CPU's oneDNN/MKL kernels): compare with LOGIT_ATOL.
    first_one, first_four = single.first(), batched.first()  # (8, V) each, rows in order
    assert first_one.shape == (len(rows), system.llm.config.vocab_size)
    assert np.abs(first_one - first_four).max() < LOGIT_ATOL
    # Greedy text is a chain of argmaxes over the random tiny LLM's near-flat logits (std 0.16):
    # a step whose top-2 margin is within that noise may pick either token on another CPU. Rows
    # decided by clear margins at every step must read the same; there must be such rows, or
    # this would prove nothing.
    decided = [i for i, m in enumerate(single.min_margins()) if m > 2 * LOGIT_ATOL]
    assert len(decided) >= len(rows) // 2, single.min_margins()
    assert [one[i].answer for i in decided] == [four[i].answer for i in decided]
