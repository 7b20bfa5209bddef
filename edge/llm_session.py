"""The LLM on the edge: llama.cpp with audio soft tokens injected at the audio slot.

llama-cpp-python's high-level `Llama` class cannot take input embeddings, so this uses the
low-level API (`edge.llama_native`): text parts go in as token ids, the audio soft tokens
go in as rows of `llama_batch.embd`, and positions are tracked here. A prompt is a list of
parts, in the bundle's layout:

    [before_audio] [soft tokens (N, n_embd) float32] [after_audio] [UserText(question)] [after_question]  -> answer

Each text part is tokenized on its own, without added special tokens (the chat template
already holds them). A `str` part is the bundle's template: its special-token text
(`<|im_end|>`) becomes the special token. A `UserText` part is what a user typed: it is
tokenized as plain text, so a question holding `<|im_end|><|im_start|>assistant` stays
those characters and cannot close the user turn. `PromptSpec.question_parts` builds the
three parts after the soft tokens; for a ChatML template they give the same ids as
training's one-string tokenization of the question text (`training/model/prompt.py`), since the
question sits between a newline and a special token, both boundaries of the BPE.
Consecutive text parts are decoded in one llama_decode call.

The KV cache is reused across calls: the longest run of leading parts identical to the
previous call's (the fixed before_audio prefix; also the soft tokens when several
questions ask about one window) stays in the cache, and the rest is truncated away.

Sampling runs in numpy on the logits: greedy, or temperature with top-k. Generation stops
at an end-of-generation token of the vocabulary (EOS, EOT, `<|im_end|>`), at an extra stop
id, at `max_new_tokens` or when the context is full. Torch-free.
"""

from __future__ import annotations

import codecs
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

from core.manifest import UserText  # the prompt layout's part types are the bundle contract's
from edge.errors import LLMError
from edge.llama_native import NativeBatch, NativeContext, NativeModel, default_threads


PromptPart = Union[str, UserText, np.ndarray]  # template text, user text, or soft tokens (N, n_embd) float32

YES_VARIANTS = (" yes", "yes", "Yes", " Yes", "YES")  # the first answer token, as models write it
NO_VARIANTS = (" no", "no", "No", " No", "NO")

__all__ = [
    "LLMError", "LLMSession", "MAX_THREADS", "SessionConfig", "Sampling", "Generation", "LLMTimings",
    "TokenPiece", "TokenStream", "UserText", "YesNoIds", "yes_no_probability",
]


# CPU threads for llama.cpp and ONNX Runtime: more than this is a typo (one thread per CPU is
# the useful most, and 100,000 threads hang llama.cpp while they start).
MAX_THREADS = 256


@dataclass(frozen=True)
class SessionConfig:
    n_ctx: int = 2048  # tokens of context: prompt (text + soft tokens) plus the answer
    n_batch: int = 512  # rows per llama_decode call (longer prompts are fed in chunks)
    n_threads: int | None = None  # None: every CPU this process may use
    n_gpu_layers: int = 0  # layers offloaded to the GPU in CUDA/Metal builds; -1 = all, 0 = CPU
    kv_f32: bool = False  # f32 KV cache for exact parity checks; the f16 default halves its memory


@dataclass(frozen=True)
class Sampling:
    # tokens; generation stops here at the latest. The one answer-length default: the assistant,
    # the daemon and `listen ask --max-tokens` read it from here. 48, what every answer already
    # got (a sentence naming a few sounds); 64 reached only direct LLMSession callers.
    max_new_tokens: int = 48
    temperature: float = 0.0  # 0 = greedy (argmax); > 0 samples from softmax(logits / T)
    top_k: int = 40  # with temperature > 0: sample among the k likeliest tokens (0 = all)
    seed: int | None = 0  # RNG seed of temperature sampling (None: fresh entropy)
    stop_ids: tuple[int, ...] = ()  # stop at these too, beside the vocabulary's end-of-generation tokens


@dataclass(frozen=True)
class LLMTimings:
    prefill_ms: float  # decoding the prompt positions that were not reused from the KV cache
    first_token_ms: float  # from the call to the first answer token (tokenize + prefill + sample)
    decode_ms: float  # from the first answer token to the last one (one llama_decode per token)
    n_prompt: int  # prompt positions (text tokens + soft tokens)
    n_reused: int  # of which were reused from the KV cache
    n_generated: int  # answer tokens sampled (the stop token included)

    @property
    def decode_tokens_per_s(self) -> float:
        """Tokens per second after the first one (each costs one decode); 0 when only one came."""
        steps = self.n_generated - 1
        return steps / (self.decode_ms / 1e3) if steps > 0 and self.decode_ms > 0 else 0.0


@dataclass(frozen=True)
class TokenPiece:
    id: int
    text: str  # the text this token completes ("" for a stop token or half a UTF-8 character)


@dataclass(frozen=True)
class Generation:
    text: str  # the answer, without the stop token
    token_ids: tuple[int, ...]  # answer tokens, the stop token included when one was hit
    first_logits: np.ndarray  # (V,) float32: logits of the first answer token
    stop: str  # "eog" | "stop_id" | "max_tokens" | "context_full"
    timings: LLMTimings


@dataclass(frozen=True)
class YesNoIds:
    yes: tuple[int, ...]  # single-token spellings of "yes" in this vocabulary
    no: tuple[int, ...]


def yes_no_probability(first_logits: np.ndarray, yes_ids: Sequence[int], no_ids: Sequence[int]) -> float:
    """P(yes) / (P(yes) + P(no)) at the first answer token, summing each side's spellings.

    `first_logits` (V,) are raw logits; the softmax normalisation cancels in the ratio."""
    if not yes_ids or not no_ids:
        raise LLMError("yes_no_probability needs at least one 'yes' and one 'no' token id")
    logits = np.asarray(first_logits, dtype=np.float64)
    yes, no = logits[list(yes_ids)], logits[list(no_ids)]  # (Ny,), (Nn,)
    top = max(yes.max(), no.max())
    p_yes, p_no = np.exp(yes - top).sum(), np.exp(no - top).sum()
    return float(p_yes / (p_yes + p_no))


@dataclass
class _Segment:
    key: tuple  # ("text", str), ("user", str) or ("embd", shape, sha1); ("gen",) for generated tokens
    length: int  # KV positions it occupies


def _runs(segments: Sequence[tuple[tuple, list[int] | np.ndarray]]) -> list[tuple[bool, list[int] | np.ndarray]]:
    """Rows to decode as (is_embd, rows): consecutive text segments joined, so that a
    question's three parts share llama_decode calls; empty segments dropped."""
    runs: list[tuple[bool, list[int] | np.ndarray]] = []
    for key, rows in segments:
        is_embd = key[0] == "embd"
        if len(rows) == 0:
            continue
        if runs and not is_embd and not runs[-1][0]:
            runs[-1] = (False, runs[-1][1] + rows)
        else:
            runs.append((is_embd, rows))
    return runs


class TokenStream:
    """Iterates over the answer's tokens as they are sampled; `.first_logits` holds the first
    answer token's logits (V,) from the first piece on, `.result` the `Generation` once the
    iteration is over."""

    def __init__(self, steps: Iterator[TokenPiece]) -> None:
        self._steps = steps
        self.first_logits: np.ndarray | None = None
        self.result: Generation | None = None

    def __iter__(self) -> Iterator[TokenPiece]:
        self.result = yield from self._steps


class LLMSession:
    """A GGUF LLM on llama.cpp that takes soft tokens; one sequence, KV cache reused across calls.

    Use it as a context manager, or call `close()`: the native context and model are freed
    there, context first. Not thread-safe: one call at a time (the KV cache is shared state)."""

    def __init__(self, gguf: Path, config: SessionConfig = SessionConfig()) -> None:
        self.config = config
        self.path = Path(gguf)
        self._stack = ExitStack()
        try:
            self.model = self._stack.enter_context(NativeModel(self.path, n_gpu_layers=config.n_gpu_layers))
            self.ctx = self._stack.enter_context(
                NativeContext(
                    self.model, n_ctx=config.n_ctx, n_batch=config.n_batch,
                    n_threads=config.n_threads or default_threads(), kv_f32=config.kv_f32,
                )
            )
            self._tokens = self._stack.enter_context(NativeBatch(config.n_batch))
            self._embd = self._stack.enter_context(NativeBatch(config.n_batch, n_embd=self.model.n_embd))
        except BaseException:
            self._stack.close()
            raise
        self._cache: list[_Segment] = []  # what the KV cache holds, in order
        self._tok_cache: dict[str, list[int]] = {}

    def close(self) -> None:
        """Free the batches, the context and the model (in that order)."""
        self._stack.close()
        self._cache = []

    def __enter__(self) -> LLMSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- facts and vocabulary -------------------------------------------------------
    @property
    def n_embd(self) -> int:
        return self.model.n_embd

    @property
    def n_vocab(self) -> int:
        return self.model.n_vocab

    def tokenize(self, part: str | UserText) -> list[int]:
        """Token ids of a text part, no BOS added: special-token text is parsed in template
        text (`str`) only; `UserText` is plain text."""
        if isinstance(part, UserText):
            return self.model.tokenize(part.text, parse_special=False)
        ids = self._tok_cache.get(part)
        if ids is None:
            ids = self.model.tokenize(part)
            if len(self._tok_cache) < 256:  # template parts repeat: a bundle has a handful
                self._tok_cache[part] = ids
        return list(ids)

    def detokenize(self, ids: Sequence[int]) -> str:
        return b"".join(self.model.piece(int(i)) for i in ids).decode("utf-8", errors="replace")

    def yes_no_ids(self) -> YesNoIds:
        """The single-token spellings of yes/no ("yes", " yes", "Yes", ...) in this vocabulary."""

        def single(variants: tuple[str, ...]) -> tuple[int, ...]:
            ids = (self.model.tokenize(v, parse_special=False) for v in variants)
            return tuple(sorted({t[0] for t in ids if len(t) == 1}))

        found = YesNoIds(single(YES_VARIANTS), single(NO_VARIANTS))
        if not found.yes or not found.no:
            raise LLMError(f"{self.path.name}: no single-token 'yes'/'no' in its vocabulary; presence confidence is unavailable")
        return found

    # ---- evaluation ----------------------------------------------------------------
    def prompt_logits(self, parts: Sequence[PromptPart]) -> np.ndarray:
        """Logits (V,) of the token that follows the prompt, reusing the KV cache."""
        logits, _, _ = self._prefill(parts)
        return logits

    def reset(self) -> None:
        """Forget the KV cache (the next call evaluates its whole prompt)."""
        self.ctx.clear()
        self._cache = []

    def stream(self, parts: Sequence[PromptPart], sampling: Sampling = Sampling()) -> TokenStream:
        """The answer to `parts`, token by token; `stream.result` holds the Generation after."""
        stream = TokenStream(iter(()))
        stream._steps = self._generate(parts, sampling, stream)
        return stream

    def generate(
        self,
        parts: Sequence[PromptPart],
        sampling: Sampling = Sampling(),
        on_token: Callable[[TokenPiece], None] | None = None,
        on_first_logits: Callable[[np.ndarray], None] | None = None,
    ) -> Generation:
        """The whole answer; `on_first_logits` sees the first answer token's logits (V,) once the
        prompt is read, before `on_token` sees each token as it comes."""
        stream = self.stream(parts, sampling)
        for piece in stream:
            if on_first_logits is not None:
                on_first_logits(stream.first_logits)
                on_first_logits = None
            if on_token is not None:
                on_token(piece)
        assert stream.result is not None  # set by the exhausted generator
        return stream.result

    # ---- internals -------------------------------------------------------------------
    def _segments(self, parts: Sequence[PromptPart]) -> list[tuple[tuple, list[int] | np.ndarray]]:
        out = []
        for i, part in enumerate(parts):
            if isinstance(part, str):
                out.append((("text", part), self.tokenize(part)))
                continue
            if isinstance(part, UserText):
                out.append((("user", part.text), self.tokenize(part)))
                continue
            embd = np.asarray(part)
            if embd.ndim != 2 or embd.shape[1] != self.n_embd:
                raise LLMError(
                    f"prompt part {i}: soft tokens of shape {tuple(embd.shape)}, expected (N, {self.n_embd}) "
                    f"for {self.path.name}; the adapter's projection must match the LLM's width"
                )
            embd = np.ascontiguousarray(embd, dtype=np.float32)  # (N, D)
            if not np.isfinite(embd).all():
                raise LLMError(f"prompt part {i}: soft tokens hold NaN or Inf")
            out.append((("embd", embd.shape, hashlib.sha1(embd.tobytes()).hexdigest()), embd))
        return out

    def _prefill(self, parts: Sequence[PromptPart]) -> tuple[np.ndarray, float, tuple[int, int]]:
        """Evaluate the prompt -> (first-token logits (V,), prefill ms, (n_prompt, n_reused))."""
        segments = self._segments(parts)
        lengths = [len(rows) for _, rows in segments]
        n_prompt = sum(lengths)
        if n_prompt == 0:
            raise LLMError("the prompt is empty")
        if n_prompt >= self.ctx.n_ctx:
            raise LLMError(f"the prompt has {n_prompt} positions but the context holds {self.ctx.n_ctx}; raise n_ctx")
        last = max(i for i, n in enumerate(lengths) if n > 0)
        # Reuse whole leading segments that the cache already holds, short of the last
        # non-empty one: its final row must be decoded again to give the logits.
        keep = 0
        while keep < last and keep < len(self._cache) and self._cache[keep].key == segments[keep][0]:
            keep += 1
        n_reused = sum(lengths[:keep])
        t0 = time.perf_counter()
        if not self.ctx.truncate(n_reused):
            keep, n_reused = 0, 0
        self._cache = self._cache[:keep]
        pos = n_reused
        logits = None
        try:
            for is_embd, rows in _runs(segments[keep:]):
                for start in range(0, len(rows), self.config.n_batch):
                    chunk = rows[start : start + self.config.n_batch]
                    want = pos + len(chunk) == n_prompt  # the prompt's final row
                    if is_embd:
                        self._embd.set_embeddings(chunk, pos, want_last=want)
                        self.ctx.decode(self._embd)
                    else:
                        self._tokens.set_tokens(chunk, pos, want_last=want)
                        self.ctx.decode(self._tokens)
                    pos += len(chunk)
                    if want:
                        logits = self.ctx.logits(len(chunk) - 1)
        except BaseException:
            if not self.ctx.truncate(n_reused):  # the cache may hold part of the prompt now
                self._cache = []
            raise
        self._cache += [_Segment(key, len(rows)) for key, rows in segments[keep:]]
        assert logits is not None  # the last non-empty segment requested them
        return logits, (time.perf_counter() - t0) * 1e3, (n_prompt, n_reused)

    def _sample(self, logits: np.ndarray, sampling: Sampling, rng: np.random.Generator) -> int:
        if sampling.temperature <= 0:
            return int(np.argmax(logits))
        scaled = logits.astype(np.float64) / sampling.temperature  # (V,)
        if 0 < sampling.top_k < scaled.size:
            cut = np.partition(scaled, -sampling.top_k)[-sampling.top_k]
            scaled = np.where(scaled >= cut, scaled, -np.inf)
        p = np.exp(scaled - scaled.max())
        return int(rng.choice(p.size, p=p / p.sum()))

    def _generate(self, parts: Sequence[PromptPart], sampling: Sampling, into: TokenStream) -> Iterator[TokenPiece]:
        if sampling.max_new_tokens < 1:
            raise LLMError(f"max_new_tokens must be at least 1, got {sampling.max_new_tokens}")
        t0 = time.perf_counter()
        first_logits, prefill_ms, (n_prompt, n_reused) = self._prefill(parts)
        into.first_logits = first_logits
        rng = np.random.default_rng(sampling.seed)
        stop_ids = set(sampling.stop_ids)
        utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        ids: list[int] = []
        text: list[str] = []
        pos, logits, stop = n_prompt, first_logits, "max_tokens"
        t_first = t_last = None
        try:
            while True:
                tok = self._sample(logits, sampling, rng)
                ids.append(tok)
                t_last = time.perf_counter()
                t_first = t_first or t_last
                if self.model.is_eog(tok) or tok in stop_ids:
                    stop = "eog" if self.model.is_eog(tok) else "stop_id"
                    yield TokenPiece(tok, "")
                    break
                piece = utf8.decode(self.model.piece(tok))
                text.append(piece)
                yield TokenPiece(tok, piece)
                if len(ids) >= sampling.max_new_tokens:
                    break
                if pos >= self.ctx.n_ctx:
                    stop = "context_full"
                    break
                self._tokens.set_tokens([tok], pos, want_last=True)
                self.ctx.decode(self._tokens)
                pos += 1
                logits = self.ctx.logits(0)
        finally:
            # the generated tokens sit in the cache after the prompt; the next call truncates them
            self._cache.append(_Segment(("gen",), pos - n_prompt))
        text.append(utf8.decode(b"", final=True))
        timings = LLMTimings(
            prefill_ms=prefill_ms,
            first_token_ms=(t_first - t0) * 1e3,
            decode_ms=(t_last - t_first) * 1e3,
            n_prompt=n_prompt,
            n_reused=n_reused,
            n_generated=len(ids),
        )
        return Generation("".join(text), tuple(ids), first_logits, stop, timings)
