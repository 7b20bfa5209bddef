"""Thin owners of llama.cpp's native objects: the model, the context and the batch.

One small wrapper per native object (the layering of llama-cpp-python's `_internals.py`):
each owns its pointer, frees it in `close()` (or `with`), and turns return codes and NULL
pointers into `LLMError`. Nothing is freed through `__del__`. A context must be closed
before its model; `LLMSession` holds them in one `ExitStack` that does so.

llama.cpp writes its logs through a C callback. `route_native_logs()` installs one that
forwards them to the `listen.llama_cpp` logger; the callback object is kept at module level,
because a temporary one is freed by Python while C still calls it (a segfault).
Torch-free.
"""

from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path

import numpy as np

from edge.errors import LLMError

log = logging.getLogger("listen.llama_cpp")

# ggml_log_level (ggml.h of the pinned llama.cpp: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4,
# CONT 5 continues the previous line) -> logging level. INFO is chatty (a metadata dump per
# model load), so it goes to DEBUG.
_LOG_LEVELS = {0: logging.DEBUG, 1: logging.DEBUG, 2: logging.DEBUG, 3: logging.WARNING, 4: logging.ERROR}
_LOG_CALLBACK = None  # the installed ctypes callback, kept alive for the life of the process
_BACKEND_READY = False
_MAX_TEXT_BYTES = 2**31 - 1 - 8  # llama_tokenize takes the length and the buffer size as int32
_PIECE_BYTES = 64  # first buffer of piece(): longer than nearly every token of real vocabularies


def _llama():
    try:
        import llama_cpp
    except ImportError as err:
        raise LLMError(
            "llama-cpp-python is not installed: `pip install llama-cpp-python==0.3.36` "
            "(CMAKE_ARGS='-DGGML_NATIVE=OFF' for a portable build, '-DGGML_CUDA=on' for CUDA)"
        ) from err
    return llama_cpp


def route_native_logs() -> None:
    """Send llama.cpp's logs to the `listen.llama_cpp` logger (INFO lines at DEBUG level)."""
    global _LOG_CALLBACK
    if _LOG_CALLBACK is not None:
        return
    llama_cpp = _llama()
    last = [logging.DEBUG]

    def forward(level: int, text: bytes, _user_data) -> None:
        lvl = last[0] if level == 5 else _LOG_LEVELS.get(level, logging.DEBUG)
        last[0] = lvl
        if log.isEnabledFor(lvl):
            msg = text.decode("utf-8", errors="replace").rstrip("\n")
            if msg:
                log.log(lvl, "%s", msg)

    _LOG_CALLBACK = llama_cpp.llama_log_callback(forward)
    llama_cpp.llama_log_set(_LOG_CALLBACK, ctypes.c_void_p(0))


def _backend_init() -> None:
    global _BACKEND_READY
    if not _BACKEND_READY:
        route_native_logs()
        _llama().llama_backend_init()
        _BACKEND_READY = True


class NativeModel:
    """A loaded GGUF model and its vocabulary."""

    def __init__(self, path: Path, *, n_gpu_layers: int = 0, vocab_only: bool = False) -> None:
        llama_cpp = _llama()
        _backend_init()
        path = Path(path)
        if not path.is_file():
            what = "is not a regular file" if path.exists() else "does not exist"
            raise LLMError(f"GGUF file {path} {what}; pass the path of a .gguf file")
        params = llama_cpp.llama_model_default_params()
        params.n_gpu_layers = n_gpu_layers  # 0 = CPU only; -1 = all layers (CUDA/Metal builds)
        params.vocab_only = vocab_only
        self._lib = llama_cpp
        self.path = path
        self.model = llama_cpp.llama_model_load_from_file(str(path).encode(), params)
        if not self.model:
            raise LLMError(f"llama.cpp could not load {path} (not a GGUF LLM, or an architecture this build does not know)")
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        if not self.vocab:
            self.close()
            raise LLMError(f"{path} holds no vocabulary")
        self._n_vocab = int(llama_cpp.llama_vocab_n_tokens(self.vocab))

    def close(self) -> None:
        if getattr(self, "model", None):
            self._lib.llama_model_free(self.model)
        self.model = None
        self.vocab = None  # it lives inside the model: a call after close would read freed memory

    def _live(self) -> None:
        """Refuse a call after close(): the native pointers are freed, so it would crash."""
        if not getattr(self, "model", None):
            raise LLMError(f"the model {self.path.name} is closed; load it again")

    def __enter__(self) -> NativeModel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # model facts
    @property
    def n_embd(self) -> int:
        self._live()
        return int(self._lib.llama_model_n_embd(self.model))

    @property
    def n_vocab(self) -> int:
        return self._n_vocab

    @property
    def n_ctx_train(self) -> int:
        self._live()
        return int(self._lib.llama_model_n_ctx_train(self.model))

    def meta(self, key: str) -> str | None:
        """A GGUF metadata value as text (e.g. `general.file_type`), None when absent."""
        self._live()
        buf = ctypes.create_string_buffer(4096)
        n = self._lib.llama_model_meta_val_str(self.model, key.encode(), buf, len(buf))
        if n < 0:
            return None
        if n >= len(buf):
            buf = ctypes.create_string_buffer(n + 1)
            self._lib.llama_model_meta_val_str(self.model, key.encode(), buf, len(buf))
        return buf.value.decode("utf-8", errors="replace")

    def chat_template(self) -> str | None:
        self._live()
        raw = self._lib.llama_model_chat_template(self.model, None)
        return raw.decode("utf-8", errors="replace") if raw else None

    # vocabulary
    def tokenize(self, text: str, *, add_special: bool = False, parse_special: bool = True) -> list[int]:
        """Token ids of `text`. Special-token text (`<|im_start|>`) becomes its token when
        `parse_special`; no BOS is added unless `add_special` (prompts carry their own).
        User text must go in with `parse_special=False`, or it can forge the chat template."""
        self._live()
        raw = text.encode("utf-8")
        if len(raw) > _MAX_TEXT_BYTES:
            raise LLMError(f"a text of {len(raw)} bytes is too long to tokenize (at most {_MAX_TEXT_BYTES}); shorten it")
        # Prose runs 3-5 bytes per token, so a buffer of half the bytes serves it in one call;
        # denser text (digits are one token each) takes a second call at the size llama.cpp asks.
        cap = len(raw) // 2 + 8
        buf = (self._lib.llama_token * cap)()
        n = self._lib.llama_tokenize(self.vocab, raw, len(raw), buf, cap, add_special, parse_special)
        if n < 0 and -n <= 2 * len(raw) + 16:  # -n tokens are needed (at most about one per byte)
            cap = -n
            buf = (self._lib.llama_token * cap)()
            n = self._lib.llama_tokenize(self.vocab, raw, len(raw), buf, cap, add_special, parse_special)
        if n < 0:
            raise LLMError(f"llama.cpp failed to tokenize {text[:40]!r} (code {n})")
        return list(buf[:n])

    def piece(self, token: int, *, special: bool = False) -> bytes:
        """The bytes of one token (a piece of UTF-8; may split a character). Control tokens
        (`<|im_end|>`) give b"" unless `special`."""
        self._live()
        if not 0 <= token < self._n_vocab:  # llama.cpp indexes with .at(): out of range aborts the process
            raise LLMError(f"token id {token} is outside the vocabulary of {self.n_vocab} tokens of {self.path.name}")
        buf = ctypes.create_string_buffer(_PIECE_BYTES)
        n = self._lib.llama_token_to_piece(self.vocab, token, buf, len(buf), 0, special)
        if n < 0:  # too small: -n bytes are needed
            buf = ctypes.create_string_buffer(-n)
            n = self._lib.llama_token_to_piece(self.vocab, token, buf, len(buf), 0, special)
        if n < 0:
            raise LLMError(f"llama.cpp failed to write token {token} as text (code {n})")
        return buf.raw[:n]

    def is_eog(self, token: int) -> bool:
        """End of generation: EOS, EOT or another end-of-turn token (e.g. `<|im_end|>`)."""
        self._live()
        return bool(self._lib.llama_vocab_is_eog(self.vocab, token))

    def eos_eot(self) -> tuple[int, ...]:
        self._live()
        ids = (self._lib.llama_vocab_eos(self.vocab), self._lib.llama_vocab_eot(self.vocab))
        return tuple(sorted({int(i) for i in ids if i >= 0}))


class NativeContext:
    """A llama.cpp context (the KV cache and the compute buffers) over one model, one sequence."""

    SEQ = 0  # the only sequence id used

    def __init__(
        self, model: NativeModel, *, n_ctx: int, n_batch: int, n_threads: int, kv_f32: bool = False,
        embeddings: bool = False,
    ) -> None:
        llama_cpp = _llama()
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = n_batch
        params.n_ubatch = n_batch
        params.n_seq_max = 1
        params.n_threads = n_threads
        params.n_threads_batch = n_threads
        params.no_perf = True
        if embeddings:  # per-row output states after the final norm (the text tower); a causal
            params.embeddings = True  # LM's default pooling is none, so each row keeps its own
        if kv_f32:  # exact parity tests; the default f16 cache rounds at about 1e-3 relative
            params.type_k = params.type_v = llama_cpp.GGML_TYPE_F32
        self._lib = llama_cpp
        self.model = model  # kept so the model outlives its context
        self.n_vocab = model.n_vocab
        self.ctx = llama_cpp.llama_init_from_model(model.model, params)
        if not self.ctx:
            raise LLMError(f"llama.cpp could not create a context of {n_ctx} tokens for {model.path} (out of memory?)")
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.n_ctx = int(llama_cpp.llama_n_ctx(self.ctx))

    def close(self) -> None:
        if getattr(self, "ctx", None):
            self._lib.llama_free(self.ctx)
        self.ctx = None

    def __enter__(self) -> NativeContext:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def decode(self, batch: NativeBatch) -> None:
        rc = self._lib.llama_decode(self.ctx, batch.batch)
        if rc == 1:
            raise LLMError(f"the prompt does not fit the context of {self.n_ctx} tokens; raise n_ctx or shorten the prompt")
        if rc != 0:
            raise LLMError(f"llama_decode failed with code {rc}")

    def logits(self, i: int) -> np.ndarray:
        """A copy of the logits of batch row `i` (which must have been marked for output): (V,)."""
        ptr = self._lib.llama_get_logits_ith(self.ctx, i)
        if not ptr:
            raise LLMError(f"no logits for batch row {i}")
        return np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).copy()

    def embeddings(self, i: int) -> np.ndarray:
        """A copy of the output state of batch row `i` (a context made with embeddings=True): (n_embd,)."""
        ptr = self._lib.llama_get_embeddings_ith(self.ctx, i)
        if not ptr:
            raise LLMError(f"no output state for batch row {i} (was the context made with embeddings=True?)")
        return np.ctypeslib.as_array(ptr, shape=(self.model.n_embd,)).copy()

    def truncate(self, n_keep: int) -> bool:
        """Drop the KV cache from position `n_keep` on (keep positions [0, n_keep)).

        Returns False when the memory cannot drop part of a sequence (recurrent or
        sliding-window models): it is then cleared whole and the caller starts over."""
        if n_keep > 0 and self._lib.llama_memory_seq_rm(self.memory, self.SEQ, n_keep, -1):
            return True
        self.clear()
        return n_keep <= 0

    def clear(self) -> None:
        self._lib.llama_memory_clear(self.memory, True)


class NativeBatch:
    """A `llama_batch` for up to `capacity` rows of either token ids or embeddings."""

    def __init__(self, capacity: int, *, n_embd: int = 0) -> None:
        llama_cpp = _llama()
        self._lib = llama_cpp
        self.capacity = capacity
        self.n_embd = n_embd  # 0: a token batch; else an embedding batch of this width
        # llama_batch_init allocates `embd` when n_embd > 0, else `token`: never both.
        self.batch = llama_cpp.llama_batch_init(capacity, n_embd, 1)
        if not (self.batch.embd if n_embd else self.batch.token):
            raise LLMError(f"llama_batch_init failed for {capacity} rows")

    def close(self) -> None:
        if getattr(self, "batch", None) is not None:
            self._lib.llama_batch_free(self.batch)
        self.batch = None

    def __enter__(self) -> NativeBatch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _rows(self, n: int, pos0: int, want_last: bool, want_from: int | None = None) -> None:
        if not 0 < n <= self.capacity:
            raise LLMError(f"a batch of {n} rows does not fit a batch of {self.capacity}")
        b = self.batch
        b.n_tokens = n
        for i in range(n):
            b.pos[i] = pos0 + i
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = NativeContext.SEQ
            b.logits[i] = 0
        b.logits[n - 1] = 1 if want_last else 0
        for i in range(n if want_from is None else want_from, n):
            b.logits[i] = 1

    def set_tokens(self, ids: list[int], pos0: int, *, want_last: bool, want_from: int | None = None) -> None:
        """Rows of token ids at positions pos0..; outputs requested for the last row, and for every
        row from `want_from` on when given."""
        if self.n_embd:
            raise LLMError("an embedding batch cannot hold token ids")
        self._rows(len(ids), pos0, want_last, want_from)
        for i, t in enumerate(ids):
            self.batch.token[i] = t

    def set_embeddings(self, embd: np.ndarray, pos0: int, *, want_last: bool) -> None:
        """Rows of input embeddings (N, n_embd) float32 at positions pos0..; logits for the last row."""
        if not self.n_embd or embd.ndim != 2 or embd.shape[1] != self.n_embd:
            raise LLMError(f"embeddings of shape {tuple(embd.shape)} do not fit a batch of width {self.n_embd}")
        rows = np.ascontiguousarray(embd, dtype=np.float32)  # (N, D)
        self._rows(rows.shape[0], pos0, want_last)
        ctypes.memmove(self.batch.embd, rows.ctypes.data, rows.nbytes)


def default_threads() -> int:
    """Threads for llama.cpp: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
