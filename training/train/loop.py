"""`listen train`: one visible loop around Hugging Face Accelerate.

  1. data       rows -> tokens, asked label, presence targets; validation rows
  2. models     frozen encoder + frozen LLM, fresh adapter (or resumed)
  3. features   the feature cache is filled once (main process first)
  4. optimizer  AdamW (presence head at its own learning rate), warmup + cosine
  5. loop       micro-batches with gradient accumulation (no DDP sync until the last),
                clip, step, log, validate, checkpoint

The objective is in training/train/losses.py, validation in training/eval/validation.py.
Everything random in a step derives from (seed, step), so 1 process and N processes with
the same global batch, and an interrupted-then-resumed run, follow the same trajectory.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from contextlib import nullcontext
from pathlib import Path

import torch

from training.config_io import to_dict
from training.data.batches import BatchPlan, load_examples, presence_clips, read_label_entries, tokenize_rows
from training.errors import ResumeError, TrainingError
from training.eval.validation import evaluate_benchmark
from training.model import checkpoint as ckpt
from training.model.system import ListenSystem, build_system
from training.train.config import MODEL_FIELDS, PRECISIONS, TrainConfig
from training.train.losses import compute_losses, presence_pos_weight
from training.train.run_log import RunLog


def make_accelerator(cfg: TrainConfig):
    from accelerate import Accelerator, DistributedDataParallelKwargs
    from accelerate.state import AcceleratorState

    if cfg.mixed_precision not in PRECISIONS:
        raise TrainingError(f"mixed_precision {cfg.mixed_precision!r} must be one of {PRECISIONS}")
    # Accelerate keeps its precision in a process-wide singleton; train() may run several
    # times in one process (tests, benches) with other settings. The distributed state
    # (PartialState) is kept.
    AcceleratorState._reset_state()
    # find_unused_parameters: a micro-batch without open questions leaves `decision_open` unused
    return Accelerator(
        mixed_precision=resolve_precision(cfg.mixed_precision),
        cpu=not torch.cuda.is_available(),
        kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)],
    )


def resolve_precision(precision: str) -> str:
    """`auto` -> bf16 where the hardware computes it natively, else no autocast."""
    if precision != "auto":
        return precision
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: emulated bf16 would be slower than fp32
        return "no"
    return "bf16" if ("avx512_bf16" in flags or "amx_bf16" in flags) else "no"


def param_groups(adapter, cfg: TrainConfig) -> list[dict]:
    head = {id(p) for p in adapter.head_parameters()}
    decay, no_decay, head_params = [], [], []
    for name, p in adapter.named_parameters():
        if id(p) in head:
            head_params.append(p)
        elif p.ndim < 2 or name.startswith(("queries", "decision_", "tap_")):
            no_decay.append(p)
        else:
            decay.append(p)
    return [
        {"params": decay, "lr": cfg.lr, "weight_decay": cfg.weight_decay},
        {"params": no_decay, "lr": cfg.lr, "weight_decay": 0.0},
        {"params": head_params, "lr": cfg.head_lr, "weight_decay": 0.0},
    ]


def lr_factor(step: int, cfg: TrainConfig) -> float:
    """Linear warmup, then cosine from 1 to min_lr_ratio at max_steps."""
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    progress = (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps)
    return cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def check_resume(saved: dict, cfg: TrainConfig) -> None:
    now = to_dict(cfg)
    changed = [k for k in MODEL_FIELDS if saved.get(k) != now.get(k)]
    if changed:
        raise ResumeError(
            f"cannot resume: the checkpoint was trained with different {', '.join(changed)}; "
            f"resume with the same values or start a new out_dir"
        )


def train(cfg: TrainConfig, resume: str | Path | None = None, progress: bool = True, system: ListenSystem | None = None) -> dict:
    """Run (or resume) training; returns the final state (step, samples, last validation)."""
    from tqdm.auto import tqdm

    from training.data.clip_features import CachedStates, LiveStates
    from training.data.feature_cache import FeatureCache, default_cache_dir

    accelerator = make_accelerator(cfg)
    main = accelerator.is_main_process
    out_dir = Path(cfg.out_dir)
    world, rank = accelerator.num_processes, accelerator.process_index
    local = cfg.batch_size // world
    if cfg.batch_size % world or local % cfg.micro_batch:
        raise TrainingError(
            f"batch_size {cfg.batch_size} must split into {world} processes x whole micro-batches of {cfg.micro_batch}"
        )
    if cfg.presence_clips % world:
        raise TrainingError(f"presence_clips {cfg.presence_clips} must split evenly over {world} processes")
    resume_dir = ckpt.latest_checkpoint(out_dir) if resume == "auto" else (Path(resume) if resume else None)

    # 1. data
    labels = read_label_entries(labels=cfg.labels, train_data=cfg.train_data, clip_index=cfg.clip_index)
    train_examples, val_rows = load_examples(train_data=cfg.train_data, clip_index=cfg.clip_index,
                                             val_data=cfg.val_data, eval_rows=cfg.eval_rows, seed=cfg.seed)

    # 2. models
    if system is None:
        system = build_system(cfg.encoder, cfg.adapter, cfg.llm, labels, cfg.seed)
    device = accelerator.device
    system.encoder.to(device)
    system.llm.to(device)
    rows = tokenize_rows(system, train_examples, cfg.max_answer_tokens)
    pos_weight = presence_pos_weight(rows, len(labels), cfg.presence_balance)
    clip_rows = presence_clips(rows) if cfg.presence_weight else []
    extra_local = cfg.presence_clips // world if clip_rows else 0

    # 3. features
    if cfg.use_cache:
        cache = FeatureCache(Path(cfg.cache_dir) if cfg.cache_dir else default_cache_dir(), system.encoder)
        with accelerator.main_process_first():
            states_of = CachedStates(cache, [r.audio for r in rows] + [r.audio for r in val_rows], progress and main)
    else:
        states_of = LiveStates(system.encoder)

    # 4. optimizer, schedule, resume
    adapter = system.adapter.to(device)
    optimizer = torch.optim.AdamW(param_groups(adapter, cfg), betas=(0.9, 0.98))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, cfg))
    start, samples, history, elapsed_before = 0, 0, [], 0.0
    if resume_dir is not None:
        check_resume(json.loads((resume_dir / ckpt.TRAIN_CONFIG_FILE).read_text()), cfg)
        restored, _ = ckpt.load_adapter(resume_dir)
        adapter.load_state_dict(restored.state_dict())
        trainer_state, state = ckpt.load_trainer_state(resume_dir)
        optimizer.load_state_dict(trainer_state["optimizer"])
        scheduler.load_state_dict(trainer_state["scheduler"])
        start, samples, history = state["step"], state["samples"], state.get("history", [])
        elapsed_before = state.get("elapsed_s", 0.0)
    # the scheduler is stepped by hand: Accelerate's wrapper would step it once per process
    adapter, optimizer = accelerator.prepare(adapter, optimizer)
    raw_adapter = accelerator.unwrap_model(adapter)
    system.adapter = raw_adapter

    meta = ckpt.AdapterMeta(
        cfg.encoder, cfg.adapter, system.recipe, system.encoder.n_taps, system.encoder.d_model,
        system.embed.embedding_dim, len(labels), cfg.llm,
    )
    log = RunLog(out_dir, main)
    if main and start == 0:
        log.path.unlink(missing_ok=True)
    plan = BatchPlan(len(rows), cfg.batch_size, cfg.seed)
    micro_count = local // cfg.micro_batch
    t_start = time.perf_counter()
    window = {"loss": 0.0, "lm": 0.0, "presence": 0.0, "n": 0, "t": time.perf_counter(), "samples": 0}
    bar = tqdm(total=cfg.max_steps, initial=start, desc=f"train ({system.recipe})", unit="step", disable=not (progress and main))

    def validate(step: int) -> dict:
        metrics = evaluate_benchmark(
            system, val_rows, states_of, cfg.eval_batch, cfg.eval_max_new_tokens, accelerator.autocast
        )
        return {"step": step, "eval": metrics}

    def save(step: int, name: str) -> None:
        state = {"step": step, "samples": samples, "elapsed_s": elapsed_before + time.perf_counter() - t_start, "history": history,
                 "recipe": system.recipe, "world_size": world}
        trainer_state = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
        ckpt.save_checkpoint(out_dir / name, raw_adapter, meta, system.prompt, labels, to_dict(cfg), trainer_state, state)

    # 5. loop
    adapter.train()
    for step in range(start, cfg.max_steps):
        global_idx = plan.indices(step)
        u = plan.uniforms(step)
        mine = range(rank * local, (rank + 1) * local)
        torch.manual_seed(cfg.seed * 100_003 + step)  # dropout, if any: a function of the step only
        extra_idx = plan.clips(step, len(clip_rows), extra_local * world)[rank * extra_local : (rank + 1) * extra_local]
        for m in range(micro_count):
            pos = list(mine[m * cfg.micro_batch : (m + 1) * cfg.micro_batch])
            batch = [rows[global_idx[p]] for p in pos]
            last = m == micro_count - 1
            extra = [clip_rows[i] for i in extra_idx] if last else []  # presence-only clips, once per step
            with nullcontext() if last else accelerator.no_sync(adapter):
                states = states_of([r.audio for r in batch]).to(device)
                extra_states = states_of([r.audio for r in extra]) if extra else None
                with accelerator.autocast():
                    losses = compute_losses(system, adapter, batch, states, u[pos], cfg, pos_weight, extra, extra_states)
                objective = losses.objective(micro_count)
                accelerator.backward(objective)
            window["loss"] += float(objective.detach())
            window["lm"] += float(losses.lm) / micro_count
            window["presence"] += float(losses.presence) / micro_count
        if cfg.grad_clip > 0:
            accelerator.clip_grad_norm_(adapter.parameters(), cfg.grad_clip)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        samples += cfg.batch_size
        window["n"] += 1
        window["samples"] += cfg.batch_size
        done = step + 1

        if done % cfg.log_every == 0 or done == cfg.max_steps:
            means = accelerator.reduce(
                torch.tensor([window["loss"], window["lm"], window["presence"]], device=device), "mean"
            ) / window["n"]
            rate = window["samples"] / (time.perf_counter() - window["t"])
            record = {"step": done, "loss": float(means[0]), "lm_loss": float(means[1]),
                      "presence_loss": float(means[2]), "lr": scheduler.get_last_lr()[0],
                      "samples_per_s": rate, "elapsed_s": elapsed_before + time.perf_counter() - t_start}
            log.write(record)
            bar.set_postfix(loss=f"{record['loss']:.3f}", sps=f"{rate:.1f}")
            window = {"loss": 0.0, "lm": 0.0, "presence": 0.0, "n": 0, "t": time.perf_counter(), "samples": 0}
        bar.update(1)

        is_last = done == cfg.max_steps
        if val_rows and ((cfg.eval_every and done % cfg.eval_every == 0) or is_last):
            if main:
                record = validate(done)
                history.append(record)
                log.write(record)
                _print_eval(record, bar)
            accelerator.wait_for_everyone()
        if (cfg.save_every and done % cfg.save_every == 0) or is_last:
            if main:
                save(done, f"step-{done}")
                ckpt.prune_checkpoints(out_dir, cfg.keep_checkpoints)
                if history and history[-1]["step"] == done and _score(history[-1]) >= max(_score(h) for h in history):
                    save(done, "best")
            accelerator.wait_for_everyone()
    bar.close()
    if main and cfg.max_steps > start:
        last = out_dir / f"step-{cfg.max_steps}"
        final = out_dir / "final"
        if final.exists():
            shutil.rmtree(final)
        shutil.copytree(last, final)
    log.close()
    accelerator.wait_for_everyone()
    return {"step": cfg.max_steps, "samples": samples, "history": history, "recipe": system.recipe,
            "elapsed_s": elapsed_before + time.perf_counter() - t_start}


def _score(record: dict) -> float:
    """Validation score for `best`: the worst accuracy over the samplings."""
    ev = record["eval"]
    return min(v["accuracy"] for k, v in ev.items() if k != "all" and isinstance(v, dict) and "accuracy" in v)


def _print_eval(record: dict, bar) -> None:
    parts = []
    for k, v in record["eval"].items():
        if k in ("random", "popular", "adversarial"):
            parts.append(f"{k[:3]} acc {v['accuracy']:.2f} yes {v['yes_ratio']:.2f} head {v['head_accuracy']:.2f}")
    bar.write(f"step {record['step']}: " + " | ".join(parts))
