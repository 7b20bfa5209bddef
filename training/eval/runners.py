"""Answer benchmark rows with a trained system: a training checkpoint (torch) or a bundle (edge).

Both return one `Prediction` per row, in the rows' order, and a `RunInfo` saying what ran
where and how long it took. Scoring happens elsewhere (`training.eval.score`), on the
answers alone, so a checkpoint, its exported bundle and a predictions file from another
system are scored by the same code.

- checkpoint: `training.model.system.load_system` rebuilds encoder + adapter + LLM, encoder states
  come from the feature cache (or the encoder live), and `training.model.generate.generate`
  decodes greedily from the prompt of `training.model.sequences.generation_inputs`: the same path
  as validation during training. Yes/no questions get the label the matcher reads from
  them; open questions get none (as on the edge).
- bundle: `edge.assistant.Assistant` (ONNX Runtime + llama.cpp); each clip is encoded once
  and all its questions reuse the states.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from training.data.benchmark_io import BenchmarkRow
from training.errors import EvalError

PRECISIONS = ("auto", "bf16", "fp32")


@dataclass(frozen=True)
class RunOptions:
    batch_size: int = 16  # checkpoint: questions per generation batch
    max_new_tokens: int = 8  # tokens per yes/no answer (the parsers read the first words)
    open_max_new_tokens: int = 48  # tokens per open answer (a sentence naming a few sounds)
    precision: str = "auto"  # checkpoint: auto = the run's mixed_precision (bf16 -> bf16, else fp32)
    device: str = ""  # checkpoint: torch device; "" = cuda when available, else cpu
    cache_dir: str = ""  # checkpoint: feature cache ("" = $LISTEN_HOME/features, "none" = encode live)
    threads: int | None = None  # bundle: ONNX Runtime and llama.cpp threads (None = their default)
    variant: str | None = None  # bundle: ONNX graph variant (fp32, int8; None = the manifest's default)
    describe_audio_tokens: bool = True  # bundle with a presence model: descriptions see the soft tokens


@dataclass(frozen=True)
class Prediction:
    answer: str  # the generated text
    p_yes: float | None  # P(yes) / (P(yes) + P(no)) at the first answer token; None for open questions


@dataclass
class RunInfo:
    system: str  # checkpoint | bundle
    path: str
    device: str
    precision: str
    questions: int = 0
    seconds: float = 0.0  # answering only (models loaded, features cached)
    load_seconds: float = 0.0  # loading models (and filling the feature cache)
    recipe: str = ""
    labels: list = field(default_factory=list)  # the system's label vocabulary (labels.json entries)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "labels"}
        d["questions_per_s"] = round(self.questions / self.seconds, 3) if self.seconds else None
        return d


def _progress(total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="q", disable=not enabled)


def _autocast(precision: str, folder: Path, device):
    import torch
    from contextlib import nullcontext

    if precision not in PRECISIONS:
        raise EvalError(f"precision {precision!r} must be one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        try:
            trained = json.loads((folder / "train_config.json").read_text()).get("mixed_precision", "no")
        except (OSError, ValueError):
            trained = "no"
        precision = "bf16" if trained == "bf16" else "fp32"
    if precision == "bf16":
        return precision, (lambda: torch.autocast(device.type, torch.bfloat16))
    return precision, nullcontext


def answer_with_checkpoint(folder: Path, rows: list[BenchmarkRow], opts: RunOptions = RunOptions(),
                           progress: bool = True) -> tuple[list[Prediction], RunInfo]:
    """Load the checkpoint's system (and fill the feature cache), then `answer_rows`."""
    import torch

    from training.data.clip_features import CachedStates, LiveStates
    from training.data.feature_cache import FeatureCache, default_cache_dir
    from training.model.checkpoint import ADAPTER_CONFIG_FILE
    from training.model.system import load_system

    folder = Path(folder)
    if not (folder / ADAPTER_CONFIG_FILE).is_file():
        raise EvalError(f"{folder} is not a training checkpoint (no {ADAPTER_CONFIG_FILE}); pass e.g. runs/NAME/final")
    t0 = time.perf_counter()
    device = torch.device(opts.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    precision, autocast = _autocast(opts.precision, folder, device)
    system = load_system(folder)
    for module in (system.encoder, system.llm, system.adapter):
        module.to(device).eval()
    if opts.cache_dir == "none":
        states_of = LiveStates(system.encoder)
    else:
        cache = FeatureCache(Path(opts.cache_dir) if opts.cache_dir else default_cache_dir(), system.encoder)
        states_of = CachedStates(cache, sorted({r.audio for r in rows}), progress)
    info = RunInfo("checkpoint", str(folder), str(device), precision, len(rows), recipe=system.recipe,
                   labels=list(system.label_entries), load_seconds=round(time.perf_counter() - t0, 2))
    t1 = time.perf_counter()
    out = answer_rows(system, rows, states_of, opts, autocast, progress)
    info.seconds = round(time.perf_counter() - t1, 2)
    return out, info


def answer_rows(system, rows: list[BenchmarkRow], states_of, opts: RunOptions = RunOptions(), autocast=None,
                progress: bool = False) -> list[Prediction]:
    """Greedy answers of a loaded `ListenSystem`; `states_of(audio paths)` gives (B, n_taps, T, d)
    encoder states (`training.data.clip_features`). Yes/no rows and open rows are batched apart
    (their answer lengths differ); the output follows the rows' order."""
    from contextlib import nullcontext

    import torch

    from core.labels import NO_LABEL
    from training.model.generate import generate
    from training.model.sequences import generation_inputs, question_ids

    autocast = autocast or nullcontext
    device = next(system.adapter.parameters()).device
    tok = system.tokenizer
    yes_id, no_id = (tok(w, add_special_tokens=False).input_ids[0] for w in ("Yes", "No"))
    out: list[Prediction | None] = [None] * len(rows)
    yes_no = [i for i, r in enumerate(rows) if not r.is_open]
    opened = [i for i, r in enumerate(rows) if r.is_open]
    bar = _progress(len(rows), f"answering ({system.recipe})", progress)
    with torch.no_grad():
        for group, max_new in ((yes_no, opts.max_new_tokens), (opened, opts.open_max_new_tokens)):
            for start in range(0, len(group), opts.batch_size):
                idx = group[start : start + opts.batch_size]
                batch = [rows[i] for i in idx]
                label_index = torch.tensor(
                    [NO_LABEL if r.is_open else system.matcher.match(r.prompt_text) for r in batch], device=device
                )  # (B,)
                with autocast():
                    states = states_of([r.audio for r in batch]).to(device)  # (B, n_taps, T, d)
                    soft, _ = system.adapter(states, label_index)  # (B, S, D)
                    qids = [question_ids(tok, system.prompt, r.prompt_text) for r in batch]
                    inputs, mask = generation_inputs(system.embed, system.ids, soft, qids)  # (B, L, D), (B, L)
                    tokens, first = generate(system.llm, inputs, mask, max_new, system.ids.eos_ids)  # first: (B, V)
                texts = tok.batch_decode(tokens, skip_special_tokens=True)
                pair = torch.softmax(first[:, [yes_id, no_id]].float(), dim=-1)[:, 0]  # (B,) P(yes | yes or no)
                for k, i in enumerate(idx):
                    out[i] = Prediction(texts[k].strip(), None if rows[i].is_open else float(pair[k]))
                bar.update(len(idx))
    bar.close()
    return out


def answer_with_bundle(bundle: Path, rows: list[BenchmarkRow], opts: RunOptions = RunOptions(),
                       progress: bool = True) -> tuple[list[Prediction], RunInfo]:
    from core.audio_io import read_audio
    from edge.assistant import Assistant

    t0 = time.perf_counter()
    by_audio: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_audio[r.audio].append(i)
    out: list[Prediction | None] = [None] * len(rows)
    with Assistant.from_bundle(bundle, variant=opts.variant, n_threads=opts.threads) as assistant:
        assistant.describe_with_audio_tokens = opts.describe_audio_tokens
        m = assistant.manifest
        info = RunInfo("bundle", str(bundle), f"onnxruntime {assistant.providers['encoder']} + llama.cpp",
                       f"onnx {opts.variant or m.encoder.default_variant}, llm {m.llm.quantization}", len(rows),
                       recipe=m.adapter_info.recipe,
                       labels=list(m.presence.labels if m.presence else m.adapter_info.labels),
                       load_seconds=round(time.perf_counter() - t0, 2))
        bar = _progress(len(rows), "answering (bundle)", progress)
        t1 = time.perf_counter()
        for audio, idx in by_audio.items():
            spans, states, timings = assistant.encode(read_audio(audio))
            for i in idx:
                r = rows[i]
                max_new = opts.open_max_new_tokens if r.is_open else opts.max_new_tokens
                answer = assistant.ask_encoded(spans, states, r.prompt_text, timings, max_new_tokens=max_new)
                p_yes = answer.probability  # the presence model's calibrated P(present), when it decided
                if p_yes is None and answer.heard is not None and answer.confidence is not None:
                    p_yes = answer.confidence if answer.heard else 1.0 - answer.confidence
                out[i] = Prediction(answer.text, p_yes)
                bar.update(1)
        bar.close()
        info.seconds = round(time.perf_counter() - t1, 2)
    return out, info
