"""Everything one training run needs, each default written once (torch-free).

Load from a JSON file (`listen train --config run.json`) and override single fields on
the command line (`--adapter.num_queries 16`, `--lr 3e-4`); unknown keys are refused.
The resolved config is saved with every checkpoint as `train_config.json`.

Each field says in its metadata whether it defines the trained model (`"model": True`): a
resumed run must not change those (`MODEL_FIELDS`), while paths, logging, validation and
the split of a batch into micro-batches may change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from training.model.adapter_config import AdapterConfig, EncoderConfig

PRECISIONS = ("auto", "bf16", "fp16", "no")


@dataclass(frozen=True)
class TrainConfig:
    # --- data ---
    train_data: str = field(default="", metadata={"model": True, "help": "training rows (JSONL from `listen synth`: id, audio, question, answer, labels)"})
    val_data: str = field(default="", metadata={"model": False, "help": "held-out benchmark rows (JSONL: audio, prompt_text, object, label, sampling); empty = no validation"})
    labels: str = field(default="", metadata={"model": False, "help": "labels.json of the corpus (label vocabulary); empty = next to train_data or its corpus"})
    clip_index: str = field(default="", metadata={"model": False, "help": "the corpus's clip index (clips.jsonl) giving each clip's labels (optional when rows carry labels)"})
    out_dir: str = field(default="runs/train", metadata={"model": False, "help": "checkpoints and logs go here"})
    cache_dir: str = field(default="", metadata={"model": False, "help": "feature cache folder; empty = $LISTEN_HOME/features"})
    use_cache: bool = field(default=True, metadata={"model": False, "help": "read cached encoder states (false = run the encoder every step; slower)"})
    # --- models ---
    llm: str = field(default="default", metadata={"model": True, "help": "frozen LLM: `default` (SmolLM2 GGUF), a hub id, an HF folder or a .gguf file"})
    encoder: EncoderConfig = field(default_factory=EncoderConfig, metadata={"model": True})
    adapter: AdapterConfig = field(default_factory=AdapterConfig, metadata={"model": True})
    # --- optimisation ---
    seed: int = field(default=0, metadata={"model": True, "help": "seeds the data order, the adapter init and every per-step random draw"})
    max_steps: int = field(default=600, metadata={"model": True, "help": "optimizer steps"})
    batch_size: int = field(default=16, metadata={"model": True, "help": "global sequences per optimizer step (all processes, all accumulation)"})
    micro_batch: int = field(default=8, metadata={"model": False, "help": "sequences per forward pass per process (batch_size / (micro_batch * processes) = accumulation)"})
    lr: float = field(default=4e-4, metadata={"model": True, "help": "peak learning rate of the adapter (DESIGN 4b)"})
    head_lr: float = field(default=1e-2, metadata={"model": True, "help": "peak learning rate of the presence head (4b: 1e-2 reached 0.92 in 300 steps)"})
    weight_decay: float = field(default=0.01, metadata={"model": True, "help": "AdamW weight decay (not on norms, biases, tokens)"})
    warmup_steps: int = field(default=30, metadata={"model": True, "help": "linear warmup steps before the cosine decay"})
    min_lr_ratio: float = field(default=0.1, metadata={"model": True, "help": "the cosine decays to this fraction of the peak"})
    grad_clip: float = field(default=1.0, metadata={"model": False, "help": "max global gradient norm (0 = no clipping)"})
    presence_weight: float = field(default=1.0, metadata={"model": True, "help": "weight of the per-label presence BCE beside the LM loss"})
    presence_clips: int = field(
        default=32, metadata={"model": False, "help": "extra clips per global step for the presence loss only (cheap: no LLM pass); "
                              "must split evenly over processes"}
    )
    presence_balance: float = field(
        default=50.0, metadata={"model": True, "help": "weight positives in the presence BCE by negatives/positives per label, capped here "
                                "(0 = unweighted): p = 0.5 then means even odds, as in yes/no questions"}
    )
    decision_margin: float = field(
        default=0.1, metadata={"model": True, "help": "teacher forcing of the decision: p ~ U(0.5+m, 1) if the asked sound is present, U(0, 0.5-m) if not"}
    )
    max_answer_tokens: int = field(default=40, metadata={"model": True, "help": "answers are cut to this many tokens (plus the end-of-turn)"})
    mixed_precision: str = field(
        default="auto", metadata={"model": False, "help": f"one of {PRECISIONS}: autocast dtype; auto = bf16 on GPUs and on CPUs with "
                                  "native bf16 (avx512_bf16 / amx_bf16: 1.65x faster here), else no"}
    )
    # --- bookkeeping ---
    log_every: int = field(default=10, metadata={"model": False, "help": "steps between log lines (JSONL and TensorBoard)"})
    eval_every: int = field(default=100, metadata={"model": False, "help": "steps between validations (0 = only at the end)"})
    save_every: int = field(default=100, metadata={"model": False, "help": "steps between checkpoints (the last is always saved)"})
    keep_checkpoints: int = field(default=3, metadata={"model": False, "help": "step checkpoints kept (the newest); `best` is kept apart"})
    eval_rows: int = field(default=300, metadata={"model": False, "help": "benchmark rows per sampling used at each validation (0 = all)"})
    eval_batch: int = field(default=16, metadata={"model": False, "help": "questions per generation batch at validation"})
    eval_max_new_tokens: int = field(default=6, metadata={"model": False, "help": "tokens generated per yes/no answer (scoring looks for `yes`)"})


# Fields that define the trained model: a resumed run must not change them.
MODEL_FIELDS = tuple(f.name for f in fields(TrainConfig) if f.metadata.get("model"))
