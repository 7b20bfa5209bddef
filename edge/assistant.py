"""The assistant: audio + question -> Answer, from a bundle, with no torch.

    audio ─► windows ─► log-mel (numpy) ─► encoder.onnx (once per window)
                                              │ states
    question ─► label index (LabelMatcher) ──► adapter.onnx (per question) ─► soft tokens
                                              │
    before_audio [soft tokens] question ─► llama.cpp (KV of the prefix reused) ─► answer

With a presence model in the bundle (`edge.presence`), a yes/no question is decided by it:
the asked phrase (`core.questions.asked_phrase`, any wording) is scored against each window,
`heard` is true, false or None ("I can't tell": uncertain, or a phrase too far from what the
model was trained on), and the answer is the sentence `core.replies.yes_no_reply` makes of
it, which names the sound and cannot disagree with `heard`; the LLM is not run. An open
question is described from the detections (`edge.presence.describe`): the LLM words them, and the
template stands in when its wording names a sound that was not detected. Without a presence
model, `heard` and `confidence` come from the LLM's own probabilities of "yes" against "no"
at the first answer token, for yes/no questions. Audio longer than one window is split into
windows: a presence question is heard if any window hears it, with the time ranges where
it did; an open question gets one answer per window, with timestamps.

Memory does not grow with the audio's length: `ask_windows` takes the windows as a stream
and runs the encoder and the adapter on at most CHUNK_WINDOWS windows at a time; every
question is answered on a chunk before the next chunk is encoded, so several questions
still share one encoder pass and only the small per-window answers are kept.

Question kinds come from `core.questions.question_kind`. A question not taken for English
("¿Hay un perro?", "Gibt es einen Hund?") gets the answer NOT_ENGLISH, heard None, without
running the LLM, rather than a free-text answer that silently loses `heard`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, replace
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core import audio as af
from core.bundle import Bundle, open_bundle
from core.errors import AudioInputError
from core.labels import NO_LABEL, LabelMatcher
from core.mentions import MentionFinder
from core.questions import asked_phrase, question_kind, question_problem
from core.replies import Detection, describe, heard_at, parent_reply, yes_no_reply
from edge.alarms import AlarmDetector
from edge.alarms.answers import ALARM_LABELS, AlarmAnswer, alarm_answer, seconds_clock
from edge.answer import Answer, WindowAnswer
from edge.presence.describe import detections_note, grounded_description
from edge.errors import EdgeError
from edge.llama_native import default_threads
from edge.llm_session import LLMSession, Sampling, SessionConfig, TokenPiece, yes_no_probability
from edge.onnx_sessions import GraphSession
from edge.presence import Listener
from edge.presence.text_tower import TextTower

if TYPE_CHECKING:
    from edge.settings import ServeSettings

log = logging.getLogger(__name__)

NOT_ENGLISH = 'I can only judge yes/no questions asked in English; ask e.g. "Is there a dog barking?"'
MIN_TAIL_SECONDS = 0.5  # a last partial window shorter than this joins the previous one's answer
# Windows per encoder/adapter run. Their activations, not the audio, set the peak memory
# (about 65 MB per 10 s window for Whisper tiny), so a small fixed chunk keeps it flat in the
# audio's length: measured on the default bundle, peak RSS 390 / 450 / 610 MiB for chunks of
# 1 / 2 / 4 windows (models alone: 295 MiB), at 200 / 150 / 140 ms of encoder per window.
CHUNK_WINDOWS = 2

Window = tuple[float, float, np.ndarray]  # (start s, end s, samples (n,))
OnToken = Callable[[object], None]


def check_question(question: str) -> str:
    """The question itself if it holds a word and no control character; else EdgeError."""
    if not isinstance(question, str) or not question.strip():
        raise EdgeError(f"the question is empty ({question!r}); ask e.g. \"Is there a smoke alarm?\"")
    problem = question_problem(question)
    if problem is not None:
        raise EdgeError(f"the question {question[:60]!r} cannot be asked: {problem}")
    return question


def iter_windows(blocks: Iterable[np.ndarray], window: int, sample_rate: int) -> Iterator[Window]:
    """(start s, end s, samples) per window of `window` samples over a stream of 1-D blocks.

    The last partial window is kept if it is the only one or lasts >= MIN_TAIL_SECONDS.
    Holds at most one window plus one block.
    """
    buf = np.zeros(0, dtype=np.float32)
    start, emitted = 0, 0  # samples before buf[0]; windows yielded
    for block in blocks:
        buf = np.concatenate([buf, block]) if len(buf) else np.asarray(block)
        while len(buf) >= window:
            yield start / sample_rate, (start + window) / sample_rate, buf[:window]
            buf, start, emitted = buf[window:], start + window, emitted + 1
    if not emitted or len(buf) >= MIN_TAIL_SECONDS * sample_rate:
        yield start / sample_rate, (start + len(buf)) / sample_rate, buf


def split_windows(audio: np.ndarray, window: int, sample_rate: int) -> list[Window]:
    """(start s, end s, samples) per window; the last partial window is kept if >= MIN_TAIL_SECONDS."""
    return list(iter_windows([audio], window, sample_rate))


def chunks(items: Iterable, size: int = CHUNK_WINDOWS) -> Iterator[list]:
    """Consecutive lists of at most `size` items."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


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


class _Question:
    """One question's running state while the windows stream past."""

    def __init__(self, question: str, matcher: LabelMatcher) -> None:
        self.text = question
        self.kind = question_kind(question, matcher)
        self.yes_no = self.kind == "yes_no"
        self.label = matcher.match(question) if self.yes_no else NO_LABEL
        self.phrase = asked_phrase(question) if self.yes_no else None
        self.windows: list[WindowAnswer] = []
        self.timings = dict.fromkeys(("adapter", "prefill", "first_token", "decode"), 0.0)
        self.busy_ms = 0.0  # wall time spent on this question alone (adapter + LLM)
        self.decided = False  # its decision was announced already (the LLM's, at its first token)


class Assistant:
    """Answers questions about audio with the models of one bundle. Close it (or use `with`)."""

    def __init__(self, bundle: Bundle, encoder: GraphSession, adapter: GraphSession, llm: LLMSession,
                 stack: ExitStack, listener: Listener | None = None):
        self.bundle, self.encoder, self.adapter, self.llm = bundle, encoder, adapter, llm
        self.listener = listener
        # Descriptions (with a presence model) word the detections note; with False the LLM
        # gets no audio positions for them (36 fewer to prefill): `listen eval --describe-audio-tokens no`.
        self.describe_with_audio_tokens = True
        self._stack = stack
        m = bundle.manifest
        self.manifest = m
        self.matcher = LabelMatcher.from_entries(m.adapter_info.labels)
        self._mentions = MentionFinder(m.presence.labels) if m.presence is not None else None
        # the label library's words, to find an asked sound's label (and its trained parent) by name
        self._library = LabelMatcher.from_entries(m.presence.labels) if m.presence is not None else None
        self._adapter_inputs = [t.name for t in m.adapter.inputs]
        self._yes_no = llm.yes_no_ids()

    def alarm_kind(self, question: str) -> str | None:
        """"smoke" or "carbon monoxide" when the question asks about a smoke or CO alarm (by the
        label library's words: "a fire alarm", "a smoke detector" too); else None."""
        if self._library is None:
            return None
        index = self._library.match(question)
        return None if index == NO_LABEL else ALARM_LABELS.get(self._library.labels[index])

    @classmethod
    def from_bundle(cls, path: str | Path | None = None, variant: str | None = None,
                    providers: list[str] | None = None, n_threads: int | None = None,
                    n_gpu_layers: int = 0, verify: bool = True, n_ctx: int | None = None) -> Assistant:
        """Open a bundle's three models; `n_ctx` (tokens of LLM context) defaults to SessionConfig's."""
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
            llm = LLMSession(bundle.file(m.llm.file), SessionConfig(n_threads=n_threads, n_gpu_layers=n_gpu_layers,
                                                                   **({"n_ctx": n_ctx} if n_ctx else {})))
            stack.callback(llm.close)
            if llm.n_embd != m.llm.n_embd:
                raise EdgeError(f"{m.llm.file} has width {llm.n_embd}, the manifest says {m.llm.n_embd}; re-export the bundle")
            listener = None
            if m.presence is not None:
                tower = TextTower(llm.model, m.presence.template, n_threads or default_threads())
                stack.callback(tower.close)
                listener = Listener.from_bundle(bundle, tower, providers, n_threads or 0)
                stack.callback(listener.close)
            return cls(bundle, encoder, adapter, llm, stack.pop_all(), listener)

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
    def windows(self, audio: np.ndarray, sample_rate: int = af.SAMPLE_RATE) -> list[Window]:
        """The bundle's windows over an in-memory clip (checked, resampled to the bundle's rate)."""
        audio = check_audio(audio, sample_rate)
        a = self.manifest.audio
        if sample_rate != a.sample_rate:
            from core.audio_io import resample

            audio = resample(audio, sample_rate, a.sample_rate)
        return split_windows(audio, af.window_samples(a.window_seconds), a.sample_rate)

    def stream_windows(self, blocks: Iterable[np.ndarray]) -> Iterator[Window]:
        """The bundle's windows over a stream of 1-D blocks already at the bundle's rate."""
        a = self.manifest.audio
        return iter_windows(blocks, af.window_samples(a.window_seconds), a.sample_rate)

    def encode_windows(self, windows: Sequence[Window]) -> tuple[np.ndarray, dict]:
        """Encoder states (W, n_taps, T, d) of a few windows, in runs of <= CHUNK_WINDOWS, and their timings."""
        a = self.manifest.audio
        name = self.manifest.encoder.inputs[0].name
        t_feat = t_enc = 0.0
        out = []
        for chunk in chunks(windows):
            t0 = time.perf_counter()
            feats = np.stack([af.features_for_window(w, a.window_seconds, a.n_mels) for _, _, w in chunk])  # (w, M, F)
            t1 = time.perf_counter()
            (states,) = self.encoder.run({name: feats.astype(np.float32)})  # (w, n_taps, T, d)
            out.append(states)
            t_feat, t_enc = t_feat + t1 - t0, t_enc + time.perf_counter() - t1
        states = out[0] if len(out) == 1 else np.concatenate(out)
        return states, {"features": t_feat * 1e3, "encoder": t_enc * 1e3}

    def encode(self, audio: np.ndarray, sample_rate: int = af.SAMPLE_RATE) -> tuple[list[tuple[float, float]], np.ndarray, dict]:
        """Windows (start, end) and their encoder states (W, n_taps, T, d) of an in-memory clip.

        The states of all windows are kept (about 4 MB per 10 s window); for long audio use
        `ask_windows`, which keeps only CHUNK_WINDOWS windows' states at a time.
        """
        windows = self.windows(audio, sample_rate)
        states, timings = self.encode_windows(windows)
        return [(s, e) for s, e, _ in windows], states, timings

    def soft_tokens(self, states: np.ndarray, label_index: int) -> tuple[np.ndarray, np.ndarray]:
        """(W, n_soft, n_embd) soft tokens and (W, n_labels) presence logits for one question."""
        soft, logits = [], []
        for lo in range(0, states.shape[0], CHUNK_WINDOWS):
            chunk = states[lo : lo + CHUNK_WINDOWS]
            feeds = {"states": chunk, "label_index": np.full((chunk.shape[0],), label_index, dtype=np.int64)}
            s, g = self.adapter.run({k: v for k, v in feeds.items() if k in self._adapter_inputs})
            soft.append(s)
            logits.append(g)
        return np.concatenate(soft), np.concatenate(logits)

    def ask(self, audio: np.ndarray, question: str, *, sample_rate: int = af.SAMPLE_RATE,
            max_new_tokens: int = Sampling.max_new_tokens, temperature: float = 0.0, on_token=None) -> Answer:
        check_question(question)
        return self.ask_windows(self.windows(audio, sample_rate), [question], max_new_tokens=max_new_tokens,
                                temperature=temperature, on_token=on_token)[0]

    def ask_windows(self, windows: Iterable[Window], questions: Sequence[str], *,
                    max_new_tokens: int = Sampling.max_new_tokens, temperature: float = 0.0,
                    on_token: Callable[[int, object], None] | None = None,
                    on_decision: Callable[[int, Answer], None] | None = None) -> list[Answer]:
        """Answer every question about a stream of windows, in memory bounded by CHUNK_WINDOWS.

        Each chunk of windows is encoded once and answered for every question before the
        next chunk is read. `on_token(question_index, piece)` sees each generated piece;
        `on_decision(question_index, answer)` sees a yes/no answer as soon as it is decided
        (with a presence model: before its words).
        The first answer's timings include the shared features and encoder time.
        """
        qs = [_Question(check_question(q), self.matcher) for q in questions]
        if not qs:
            raise EdgeError("no question was asked; pass at least one, e.g. \"Is there a smoke alarm?\"")
        sampling = Sampling(max_new_tokens=max_new_tokens, temperature=temperature)
        shared = {"features": 0.0, "encoder": 0.0}
        spans: list[tuple[float, float]] = []
        llm_qs = [q for q in qs if q.kind != "not_english"]
        alarms = {i: kind for i, q in enumerate(qs) if q.yes_no and (kind := self.alarm_kind(q.text))}
        detector, matches = (AlarmDetector(), []) if alarms else (None, [])
        for chunk in chunks(windows):
            spans += [(s, e) for s, e, _ in chunk]
            if detector is not None:  # every window's samples, whether or not any question needs the encoder
                for _, _, samples in chunk:
                    matches += detector.feed(samples)
            if not llm_qs:
                continue
            states, t = self.encode_windows(chunk)  # (w, n_taps, T, d)
            shared = {k: shared[k] + t[k] for k in shared}
            for i, q in enumerate(qs):
                if q.kind != "not_english":
                    cb = (lambda piece, i=i: on_token(i, piece)) if on_token else None
                    self._answer_chunk(q, spans[-len(chunk):], states, sampling, cb)
        if not spans:
            raise AudioInputError("the audio holds no samples; pass at least a fraction of a second")
        answers = []
        for i, q in enumerate(qs):
            timings = {**(shared if i == 0 else {}), **q.timings}
            timings["total"] = (sum(shared.values()) if i == 0 else 0.0) + q.busy_ms
            timings = {k: round(v, 2) for k, v in timings.items()}
            answers.append(_not_english(spans, timings) if q.kind == "not_english"
                           else _combine(q.windows, q.yes_no, timings))
            if i in alarms:
                answers[-1] = _with_alarm(answers[-1], alarm_answer(alarms[i], q.phrase, matches, answers[-1].heard,
                                                                    seconds_clock))
            self._announce(q, answers[-1], on_token and (lambda piece, i=i: on_token(i, piece)),
                           on_decision and (lambda answer, i=i: on_decision(i, answer)))
        return answers

    def _announce(self, q: _Question, answer: Answer, on_token: OnToken | None,
                  on_decision: Callable[[Answer], None] | None) -> None:
        """A yes/no answer's decision, then (decided by the presence model) its words. The LLM
        streamed its own words while it generated them: without a presence model the decision
        of a one-window answer came at its first token (`_early_decision`); over several
        windows it is only known now, after their words."""
        if not q.yes_no:
            return
        if on_decision and not q.decided:
            on_decision(answer)
        if self.listener is not None and on_token:
            on_token(TokenPiece(-1, answer.text))

    def _answer_chunk(self, q: _Question, spans: Sequence[tuple[float, float]], states: np.ndarray,
                      sampling: Sampling, on_token: OnToken | None, word: bool = True,
                      on_decision: Callable[[Answer], None] | None = None) -> None:
        """Answer `q` on one chunk of encoded windows; appends to q.windows and q.timings.

        `word=False`: a description is the template of each window's detections, without the
        LLM (several windows are answered by the template over all of them anyway: `_described`).
        `on_decision`: the LLM's yes/no decision of a one-window answer, at its first token."""
        t0 = time.perf_counter()
        if self.listener is not None and q.yes_no:
            self._decide_chunk(q, spans, states)
            q.busy_ms += (time.perf_counter() - t0) * 1e3
            return
        described = self.listener is not None and not q.yes_no
        audio = not described or (word and self.describe_with_audio_tokens)
        soft = self.soft_tokens(states, q.label)[0] if audio else [None] * len(spans)  # (w, n_soft, n_embd)
        q.timings["adapter"] += (time.perf_counter() - t0) * 1e3
        p = self.manifest.prompt
        question = q.text
        if described:
            t1 = time.perf_counter()
            found = self.listener.detect(states, list(spans))
            q.timings["presence"] = q.timings.get("presence", 0.0) + (time.perf_counter() - t1) * 1e3
        for i, ((start, end), tokens) in enumerate(zip(spans, soft)):
            # nothing cleared the description floor: the template says so plainly; the LLM, told
            # "none", wrote "No sounds detected." over loud sounds it merely could not name
            if described and (not word or not found[i]):
                q.windows.append(WindowAnswer(round(start, 3), round(end, 3), describe(found[i]), None, None,
                                              detections=[asdict(d) for d in found[i]], worded_by="template"))
                continue
            if described:
                question = f"{q.text.strip()}\n{detections_note(found[i])}"
            audio_slot = [] if tokens is None else [tokens.astype(np.float32)]
            early = self._early_decision(q, start, end, on_decision) if q.yes_no and on_decision and len(spans) == 1 else None
            gen = self.llm.generate([p.before_audio, *audio_slot, *p.question_parts(question)],
                                    sampling, on_token=None if described else on_token, on_first_logits=early)
            q.timings["prefill"] += gen.timings.prefill_ms
            q.timings["first_token"] += gen.timings.first_token_ms
            q.timings["decode"] += gen.timings.decode_ms
            heard = conf = None
            if q.yes_no:
                heard, conf = self._llm_decision(gen.first_logits)
            if described:
                text, own = grounded_description(gen.text, found[i], self._mentions)
                if on_token:
                    on_token(TokenPiece(-1, text))
                q.windows.append(WindowAnswer(round(start, 3), round(end, 3), text, None, None,
                                              detections=[asdict(d) for d in found[i]], worded_by="llm" if own else "template"))
                continue
            q.windows.append(WindowAnswer(round(start, 3), round(end, 3), gen.text.strip(), heard, conf))
        q.busy_ms += (time.perf_counter() - t0) * 1e3

    def _llm_decision(self, first_logits: np.ndarray) -> tuple[bool, float]:
        """(heard, confidence) from the LLM's probabilities of "yes" against "no" at the first answer token."""
        p_yes = yes_no_probability(first_logits, self._yes_no.yes, self._yes_no.no)
        heard = p_yes > self.manifest.adapter_info.yes_threshold
        return heard, p_yes if heard else 1.0 - p_yes

    def _early_decision(self, q: _Question, start: float, end: float,
                        on_decision: Callable[[Answer], None]) -> Callable[[np.ndarray], None]:
        """The callback that announces a one-window LLM answer's decision at its first token,
        before its words (the answer that follows carries the same heard and confidence)."""
        def announce(first_logits: np.ndarray) -> None:
            heard, conf = self._llm_decision(first_logits)
            window = WindowAnswer(round(start, 3), round(end, 3), "", heard, conf)
            q.decided = True
            on_decision(Answer("", heard, conf, [window]))

        return announce

    def _decide_chunk(self, q: _Question, spans: Sequence[tuple[float, float]], states: np.ndarray) -> None:
        """A yes/no question decided by the presence model: no LLM, the reply names the sound
        (streamed once every window is decided: `_announce`)."""
        t0 = time.perf_counter()
        parent = self._trained_parent(q)
        if q.phrase is None:
            probs, similarity, parent_probs = [None] * len(spans), 1.0, [None] * len(spans)
        else:
            scores = self.listener.score(states, [q.phrase] + ([parent[1]] if parent else []))
            probs, similarity = [float(x) for x in scores[0].probability], scores[0].similarity
            parent_probs = [float(x) for x in scores[1].probability] if parent else [None] * len(spans)
        for (start, end), p, p_parent in zip(spans, probs, parent_probs):
            heard = None if p is None else self.listener.rule.decide(p, similarity)
            conf = None if heard is None else (p if heard else 1.0 - p)
            text = yes_no_reply(heard, q.phrase)
            if p_parent is not None:  # an untrained sound, answered through the trained sound it is a kind of
                heard, conf, text = self._through_parent(heard, conf, p_parent, q.phrase, parent[1])
            q.windows.append(WindowAnswer(round(start, 3), round(end, 3), text, heard, conf, probability=p,
                                          similarity=None if q.phrase is None else round(similarity, 4)))
        q.timings["presence"] = q.timings.get("presence", 0.0) + (time.perf_counter() - t0) * 1e3

    def _trained_parent(self, q: _Question) -> tuple[str, str] | None:
        """(label, name) of the trained sound an untrained asked sound is a kind of, or None."""
        if q.phrase is None or self._library is None:
            return None
        index = self._library.match(q.text)
        if index == NO_LABEL or self.listener.is_trained(self._library.labels[index]):
            return None
        up = self.listener.trained_ancestor(self._library.labels[index])
        return None if up is None else (up, self.listener.label_name(up))

    def _through_parent(self, heard: bool | None, conf: float | None, p_parent: float, phrase: str,
                        parent_name: str) -> tuple[bool | None, float | None, str]:
        """No brass instrument heard: no trumpet either. A brass instrument heard: "I can't tell if I
        hear a trumpet; I hear a brass instrument." The trumpet's own score is not trusted to tell
        it from the other brass: measured on held-out labels, those yeses were mostly siblings
        (a bassoon for an oboe). The parent unsure: the asked sound's own answer stands."""
        parent_heard = self.listener.rule.decide(p_parent)
        if parent_heard is False:
            return False, 1.0 - p_parent, yes_no_reply(False, phrase)
        if parent_heard:
            return None, None, parent_reply(phrase, parent_name)
        return heard, conf, yes_no_reply(heard, phrase)

    def ask_encoded(self, spans, states, question: str, timings: dict | None = None, t_start: float | None = None,
                    max_new_tokens: int = Sampling.max_new_tokens, temperature: float = 0.0, on_token: OnToken | None = None,
                    on_decision: Callable[[Answer], None] | None = None) -> Answer:
        """Answer one question about windows already encoded (several questions share one encoder
        pass; the daemon keeps the states of the audio it buffers). A description of several
        windows is the template over their detections, without running the LLM per window."""
        t_start = t_start or time.perf_counter()
        q = _Question(check_question(question), self.matcher)
        if q.kind == "not_english":
            return _not_english(spans, {**(timings or {}), **q.timings, "total": 0.0})
        sampling = Sampling(max_new_tokens=max_new_tokens, temperature=temperature)
        for lo in range(0, len(spans), CHUNK_WINDOWS):
            self._answer_chunk(q, spans[lo : lo + CHUNK_WINDOWS], states[lo : lo + CHUNK_WINDOWS], sampling, on_token,
                               word=len(spans) == 1, on_decision=on_decision if len(spans) == 1 else None)
        out = {**(timings or {}), **q.timings, "total": (time.perf_counter() - t_start) * 1e3}
        answer = _combine(q.windows, q.yes_no, {k: round(v, 2) for k, v in out.items()})
        self._announce(q, answer, on_token, on_decision)
        return answer


def load_assistant(settings: ServeSettings) -> tuple[Assistant, dict]:
    """`listen serve`'s assistant, placed as its [serve] settings say (bundle, variant, providers,
    threads, GPU layers), and its bundle's summary for the daemon's `status` replies."""
    assistant = Assistant.from_bundle(
        settings.bundle,
        variant=settings.variant,
        providers=list(settings.providers) or None,
        n_threads=settings.threads or None,
        n_gpu_layers=settings.gpu_layers,
    )
    return assistant, assistant.bundle.summary()


def _not_english(spans: Sequence[tuple[float, float]], timings: dict) -> Answer:
    """The honest answer to a question not asked in English: one window over the whole audio, no `heard`."""
    whole = WindowAnswer(round(spans[0][0], 3), round(spans[-1][1], 3), NOT_ENGLISH, None, None)
    return Answer(NOT_ENGLISH, None, None, [whole], {k: round(v, 2) for k, v in timings.items()})


def _combine(windows: list[WindowAnswer], yes_no: bool, timings: dict) -> Answer:
    probability = max((w.probability for w in windows if w.probability is not None), default=None)
    if yes_no:
        hits = [w for w in windows if w.heard]
        if hits:
            best = max(hits, key=lambda w: w.confidence or 0.0)
            text = best.answer
            if len(windows) > 1:
                text += f" ({heard_at([(w.start, w.end) for w in hits])})"
            return Answer(text, True, best.confidence, windows, timings, probability)
        unsure = [w for w in windows if w.heard is None]
        if unsure:  # not heard anywhere, and not sure somewhere: the whole answer is "can't tell"
            return Answer(unsure[0].answer, None, None, windows, timings, probability)
        conf = min(w.confidence or 0.0 for w in windows)  # "no" is only as sure as its least sure window
        best = max(windows, key=lambda w: w.confidence or 0.0)
        return Answer(best.answer, False, conf, windows, timings, probability)
    if any(w.detections is not None for w in windows):
        return _described(windows, timings)
    if len(windows) == 1:
        return Answer(windows[0].answer, None, None, windows, timings)
    text = " ".join(f"[{w.start:.0f}-{w.end:.0f} s] {w.answer}" for w in windows)
    return Answer(text, None, None, windows, timings)


def _with_alarm(answer: Answer, alarm: AlarmAnswer | None) -> Answer:
    """The answer, or the pattern detector's when it decides (edge.alarms.answers)."""
    if alarm is None:
        return answer
    return replace(answer, text=alarm.text, heard=alarm.heard, confidence=alarm.confidence)


def _described(windows: list[WindowAnswer], timings: dict) -> Answer:
    """A description of the whole audio: one window's own answer, or the template over all windows' detections."""
    if len(windows) == 1:
        return Answer(windows[0].answer, None, None, windows, timings)
    merged: dict[str, Detection] = {}
    for w in windows:
        for d in w.detections or []:
            old = merged.get(d["label"])
            spans = tuple(tuple(s) for s in d["spans"]) + (old.spans if old else ())
            merged[d["label"]] = Detection(d["label"], d["name"], tuple(sorted(spans)),
                                           max(d["probability"], old.probability if old else 0.0))
    found = sorted(merged.values(), key=lambda d: -d.probability)
    return Answer(describe(found), None, None, windows, timings)
