"""The assistant: audio + question -> Answer, from a bundle, with no torch.

    audio ─► windows ─► log-mel (numpy) ─► encoder.onnx (once per window)
                                              │ states
    question ─► label index (LabelMatcher) ──► adapter.onnx (per question) ─► soft tokens
                                              │
    before_audio [soft tokens] question ─► llama.cpp (KV of the prefix reused) ─► answer

`heard` and `confidence` come from the LLM's own probabilities of "yes" against "no" at
the first answer token, for yes/no questions. Audio longer than one window is split into
windows: a presence question is heard if any window hears it, with the time ranges where
it did; an open question gets one answer per window, with timestamps.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from edge import audio_frontend as af
from edge.answer import Answer, WindowAnswer
from edge.bundle import Bundle, open_bundle
from edge.errors import AudioInputError, EdgeError
from edge.llm_session import LLMSession, Sampling, SessionConfig, yes_no_probability
from edge.onnx_sessions import GraphSession
from edge.question_labels import NO_LABEL, LabelMatcher

log = logging.getLogger(__name__)

# Questions opening with these words expect yes or no ("Is there a dog?", "Did the alarm go off?").
_YES_NO_OPENERS = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|am)\b", re.IGNORECASE
)
MIN_TAIL_SECONDS = 0.5  # a last partial window shorter than this joins the previous one's answer


def is_yes_no_question(question: str) -> bool:
    return bool(_YES_NO_OPENERS.match(question))


def split_windows(audio: np.ndarray, window: int, sample_rate: int) -> list[tuple[float, float, np.ndarray]]:
    """(start s, end s, samples) per window; the last partial window is kept if >= MIN_TAIL_SECONDS."""
    out = []
    for start in range(0, max(len(audio), 1), window):
        chunk = audio[start : start + window]
        if out and len(chunk) < MIN_TAIL_SECONDS * sample_rate:
            break
        out.append((start / sample_rate, (start + len(chunk)) / sample_rate, chunk))
    return out


def check_audio(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 at the given rate, finite and non-empty; else AudioInputError."""
    a = np.asarray(audio)
    if a.ndim == 2 and 1 in a.shape:
        a = a.reshape(-1)
    if a.ndim != 1:
        raise AudioInputError(f"audio must be mono with shape (n_samples,), got shape {a.shape}; average the channels first")
    if a.size == 0:
        raise AudioInputError("audio holds no samples; pass at least a fraction of a second")
    if not np.issubdtype(a.dtype, np.floating):
        if a.dtype == np.int16:
            a = a.astype(np.float32) / 32768.0
        else:
            raise AudioInputError(f"audio dtype {a.dtype} is not supported; pass float32 in [-1, 1] or int16")
    if not np.isfinite(a).all():
        raise AudioInputError("audio holds NaN or Inf samples; check the capture or the file it came from")
    if sample_rate <= 0:
        raise AudioInputError(f"sample rate {sample_rate} Hz is not valid")
    return a.astype(np.float32, copy=False)


class Assistant:
    """Answers questions about audio with the models of one bundle. Close it (or use `with`)."""

    def __init__(self, bundle: Bundle, encoder: GraphSession, adapter: GraphSession, llm: LLMSession,
                 stack: ExitStack):
        self.bundle, self.encoder, self.adapter, self.llm = bundle, encoder, adapter, llm
        self._stack = stack
        m = bundle.manifest
        self.manifest = m
        self.matcher = LabelMatcher.from_entries(m.adapter_info.labels)
        self._adapter_inputs = [t.name for t in m.adapter.inputs]
        self._yes_no = llm.yes_no_ids()

    @classmethod
    def from_bundle(cls, path: str | Path | None = None, variant: str | None = None,
                    providers: list[str] | None = None, n_threads: int | None = None,
                    n_gpu_layers: int = 0, verify: bool = True) -> Assistant:
        bundle = open_bundle(path, verify=verify)
        m = bundle.manifest
        if m.audio.frontend != "whisper-log-mel" or m.audio.sample_rate != af.SAMPLE_RATE or m.audio.n_fft != af.N_FFT \
                or m.audio.hop_length != af.HOP_LENGTH:
            raise EdgeError(f"bundle front end {m.audio} is not the whisper log-mel this edge computes; re-export the bundle")
        with ExitStack() as stack:
            encoder = GraphSession.open(bundle.file(m.encoder.file(variant)), m.encoder, providers, n_threads or 0)
            stack.callback(encoder.close)
            adapter = GraphSession.open(bundle.file(m.adapter.file(variant)), m.adapter, providers, n_threads or 0)
            stack.callback(adapter.close)
            llm = LLMSession(bundle.file(m.llm.file), SessionConfig(n_threads=n_threads, n_gpu_layers=n_gpu_layers))
            stack.callback(llm.close)
            if llm.n_embd != m.llm.n_embd:
                raise EdgeError(f"{m.llm.file} has width {llm.n_embd}, the manifest says {m.llm.n_embd}; re-export the bundle")
            return cls(bundle, encoder, adapter, llm, stack.pop_all())

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def providers(self) -> dict[str, str]:
        """The ONNX Runtime provider that really runs each graph."""
        return {"encoder": self.encoder.provider, "adapter": self.adapter.provider}

    # ---- the pipeline, in its stages -------------------------------------------------
    def encode(self, audio: np.ndarray, sample_rate: int = af.SAMPLE_RATE) -> tuple[list[tuple[float, float]], np.ndarray, dict]:
        """Windows (start, end) and their encoder states (W, n_taps, T, d); the per-window work."""
        audio = check_audio(audio, sample_rate)
        if sample_rate != self.manifest.audio.sample_rate:
            from edge.audio_io import resample

            audio = resample(audio, sample_rate, self.manifest.audio.sample_rate)
        a = self.manifest.audio
        t0 = time.perf_counter()
        windows = split_windows(audio, af.window_samples(a.window_seconds), a.sample_rate)
        feats = np.stack([af.features_for_window(w, a.window_seconds, a.n_mels) for _, _, w in windows])  # (W, M, F)
        t1 = time.perf_counter()
        (states,) = self.encoder.run({self.manifest.encoder.inputs[0].name: feats.astype(np.float32)})
        t2 = time.perf_counter()
        return [(s, e) for s, e, _ in windows], states, {"features": (t1 - t0) * 1e3, "encoder": (t2 - t1) * 1e3}

    def soft_tokens(self, states: np.ndarray, label_index: int) -> tuple[np.ndarray, np.ndarray]:
        """(W, n_soft, n_embd) soft tokens and (W, n_labels) presence logits for one question."""
        feeds = {"states": states, "label_index": np.full((states.shape[0],), label_index, dtype=np.int64)}
        soft, logits = self.adapter.run({k: v for k, v in feeds.items() if k in self._adapter_inputs})
        return soft, logits

    def ask(self, audio: np.ndarray, question: str, *, sample_rate: int = af.SAMPLE_RATE,
            max_new_tokens: int = 48, temperature: float = 0.0, on_token=None) -> Answer:
        if not question or not question.strip():
            raise EdgeError("the question is empty; ask e.g. \"Is there a smoke alarm?\"")
        t_start = time.perf_counter()
        spans, states, timings = self.encode(audio, sample_rate)
        return self.ask_encoded(spans, states, question, timings, t_start, max_new_tokens, temperature, on_token)

    def ask_encoded(self, spans, states, question: str, timings: dict | None = None, t_start: float | None = None,
                    max_new_tokens: int = 48, temperature: float = 0.0, on_token=None) -> Answer:
        """Answer one question about windows already encoded (several questions share one encoder pass)."""
        t_start = t_start or time.perf_counter()
        timings = dict(timings or {})
        yes_no = is_yes_no_question(question)
        label = self.matcher.match(question) if yes_no else NO_LABEL
        t0 = time.perf_counter()
        soft, _ = self.soft_tokens(states, label)
        timings["adapter"] = (time.perf_counter() - t0) * 1e3
        p = self.manifest.prompt
        sampling = Sampling(max_new_tokens=max_new_tokens, temperature=temperature)
        windows: list[WindowAnswer] = []
        for k in ("prefill", "first_token", "decode"):
            timings[k] = 0.0
        for (start, end), tokens in zip(spans, soft):
            gen = self.llm.generate([p.before_audio, tokens.astype(np.float32), *p.question_parts(question)],
                                    sampling, on_token=on_token)
            timings["prefill"] += gen.timings.prefill_ms
            timings["first_token"] += gen.timings.first_token_ms
            timings["decode"] += gen.timings.decode_ms
            heard = conf = None
            if yes_no:
                p_yes = yes_no_probability(gen.first_logits, self._yes_no.yes, self._yes_no.no)
                heard = p_yes > 0.5
                conf = p_yes if heard else 1.0 - p_yes
            windows.append(WindowAnswer(round(start, 3), round(end, 3), gen.text.strip(), heard, conf))
        timings["total"] = (time.perf_counter() - t_start) * 1e3
        return _combine(windows, yes_no, {k: round(v, 2) for k, v in timings.items()})


def _combine(windows: list[WindowAnswer], yes_no: bool, timings: dict) -> Answer:
    if yes_no:
        hits = [w for w in windows if w.heard]
        if hits:
            best = max(hits, key=lambda w: w.confidence or 0.0)
            text = best.answer
            if len(windows) > 1:
                text += " (heard at " + ", ".join(f"{w.start:.0f}-{w.end:.0f} s" for w in hits) + ")"
            return Answer(text, True, best.confidence, windows, timings)
        conf = min(w.confidence or 0.0 for w in windows)  # "no" is only as sure as its least sure window
        best = max(windows, key=lambda w: w.confidence or 0.0)
        return Answer(best.answer, False, conf, windows, timings)
    if len(windows) == 1:
        return Answer(windows[0].answer, None, None, windows, timings)
    text = " ".join(f"[{w.start:.0f}-{w.end:.0f} s] {w.answer}" for w in windows)
    return Answer(text, None, None, windows, timings)
