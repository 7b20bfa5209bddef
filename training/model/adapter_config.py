"""The model's configuration: which encoder states are tapped, and how the adapter is sized.

Two frozen dataclasses, each default written once here. They are saved with every
checkpoint (`adapter_config.json`), so export rebuilds exactly the module that was trained.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RECIPES = ("auto", "factorised", "listen")
HEAD_INPUTS = ("qformer", "states")
# "auto" picks the factorised recipe for LLMs below this many parameters: DESIGN.md 4b
# measured that SmolLM2-135M cannot compare a description with a question, while the
# paper's 8B backbones can (plain LISTEN is their default).
AUTO_FACTORISED_MAX_PARAMS = 1_000_000_000


@dataclass(frozen=True)
class EncoderConfig:
    whisper: str = field(default="default", metadata={"help": "Whisper spec: `default`, a hub id, an HF or CTranslate2 folder"})
    taps: tuple[int, ...] = field(
        default=(), metadata={"help": "hidden states to tap: 0 = embeddings, k = after layer k (the last is layer-normed); empty = all"}
    )
    window_seconds: float = field(
        default=10.0, metadata={"help": "seconds per window; < 30 trims positions like whisper.cpp audio_ctx (4x faster at 10 s)"}
    )


@dataclass(frozen=True)
class AdapterConfig:
    recipe: str = field(
        default="auto",
        metadata={"help": f"one of {RECIPES}: `factorised` = presence head decides yes/no through decision tokens; "
                  "`listen` = plain LISTEN (LM loss only); `auto` = factorised below 1B LLM parameters"},
    )
    num_queries: int = field(default=32, metadata={"help": "learned queries per tapped layer = audio soft tokens given to the LLM"})
    num_layers: int = field(default=2, metadata={"help": "Q-Former blocks (self-attn, cross-attn, feed-forward), shared by all taps"})
    num_heads: int = field(default=6, metadata={"help": "attention heads; must divide the Q-Former width"})
    width: int = field(default=0, metadata={"help": "Q-Former width; 0 = the encoder width (384 for tiny.en)"})
    ffn_mult: int = field(default=4, metadata={"help": "feed-forward hidden size as a multiple of the width"})
    frame_pool: int = field(default=2, metadata={"help": "average-pool encoder frames by this factor before cross-attention (speed)"})
    dropout: float = field(default=0.0, metadata={"help": "dropout in the Q-Former (0 keeps DDP/resume runs bit-comparable)"})
    head_input: str = field(
        default="qformer",
        metadata={"help": f"one of {HEAD_INPUTS}: presence head reads the mean Q-Former output before the projection, "
                  "or the time-mean of the tapped states (a linear probe)"},
    )
    decision_tokens: int = field(default=4, metadata={"help": "soft tokens after the audio that carry the yes/no decision (factorised)"})


def resolve_recipe(config: AdapterConfig, llm_params: int) -> str:
    """The concrete recipe: `auto` becomes `factorised` for small LLMs, else `listen`."""
    if config.recipe != "auto":
        return config.recipe
    return "factorised" if llm_params < AUTO_FACTORISED_MAX_PARAMS else "listen"
