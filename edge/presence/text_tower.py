"""The text tower on the edge: a phrase -> the frozen LLM's last hidden states, pooled.

The same computation as training's `training.presence.text_tower`, on the same GGUF, with
llama.cpp: the bundle's template (`core.presence.TextTemplate`: prefix "The sound of", " " +
phrase, and a suffix if any) is tokenized part by part, fed in one batch to a small context
of its own (embeddings on, no pooling), and the output states of the phrase's tokens, after
the final norm, are averaged (or the last token's state is taken, for a PromptEOL template). The model's weights are shared
with the answering session; the context is separate, so the answering session's KV cache
(its reused prompt prefix) is never disturbed. Phrases repeat (a watch asks the same one
every few seconds), so the last `cache_size` results are kept.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from core.presence import TextTemplate
from edge.errors import LLMError
from edge.llama_native import NativeBatch, NativeContext, NativeModel

MAX_PHRASE_TOKENS = 48  # a phrase is a few words (core.questions.MAX_PHRASE_WORDS); longer is cut


class TextTower:
    def __init__(self, model: NativeModel, template: TextTemplate, n_threads: int, cache_size: int = 256) -> None:
        self.model, self.template = model, template
        self._prefix_ids = model.tokenize(template.prefix, parse_special=False) if template.prefix else []
        self._suffix_ids = model.tokenize(template.suffix, parse_special=False) if template.suffix else []
        n = len(self._prefix_ids) + MAX_PHRASE_TOKENS + len(self._suffix_ids)
        self._ctx = NativeContext(model, n_ctx=max(64, n), n_batch=n, n_threads=n_threads, embeddings=True)
        self._batch = NativeBatch(n)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def close(self) -> None:
        self._batch.close()
        self._ctx.close()

    def __enter__(self) -> TextTower:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def state(self, phrase: str) -> np.ndarray:
        """(n_embd,) float32: the phrase's mean output state."""
        phrase = " ".join(phrase.split())
        if phrase in self._cache:
            self._cache.move_to_end(phrase)
            return self._cache[phrase]
        body = self.model.tokenize(" " + phrase, parse_special=False)[:MAX_PHRASE_TOKENS]
        if not body:
            raise LLMError(f"the phrase {phrase!r} holds no token")
        ids = self._prefix_ids + body + self._suffix_ids
        self._ctx.clear()
        self._batch.set_tokens(ids, 0, want_last=True, want_from=0)  # llama.cpp wants every row out in embeddings mode
        self._ctx.decode(self._batch)
        rows = [len(ids) - 1] if self.template.last else range(len(self._prefix_ids), len(self._prefix_ids) + len(body))
        out = np.mean([self._ctx.embeddings(i) for i in rows], axis=0).astype(np.float32)
        if self._cache_size:
            self._cache[phrase] = out
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out

    def states(self, phrases) -> np.ndarray:
        """(P, n_embd) float32."""
        return np.stack([self.state(p) for p in phrases]) if phrases else np.zeros((0, self.model.n_embd), np.float32)
