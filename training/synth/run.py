"""Run the LISTEN synthesis over a corpus: plan, generate, filter, write, report.

Files, for `--out rows.jsonl` (a shard k of n writes `rows.shard<k>-of-<n>.jsonl` instead):
- `rows.jsonl`: accepted rows `{id, audio, question, answer, kind, object, sampling, prompt_id,
  source, model, seed, clip_id, labels, split}`;
- `rows.rejected.jsonl`: generations the consistency filter dropped, with the reason;
- `rows.report.json`: per-prompt counts and rejection rates over both files.

Resumable: a request whose id is in either file is skipped, so an interrupted run (or one
that failed on a bad clip) continues where it stopped and keeps what it wrote.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from training.corpus.folder import Corpus, load_corpus
from core.mentions import MentionFinder
from training.errors import SynthError
from training.synth.answers import template_answer
from training.synth.backends import GenerationConfig, make_backend, model_label
from training.synth.consistency import Verdict, check_answer
from training.synth.plan import PlanConfig, SynthRequest, plan_corpus
from training.synth.prompts import PROMPTS
from training.synth.store import RowWriter, read_rows

log = logging.getLogger(__name__)
ANSWER_MODES = ("llm", "template")
ON_REJECT = ("drop", "template")


@dataclass(frozen=True)
class SynthConfig:
    corpus: Path  # corpus folder
    out: Path  # accepted rows (JSONL)
    split: str = "train"  # clips of this split ("all" for every split)
    answers: str = "llm"  # llm: the backbone writes answers; template: deterministic templates
    backend: str = "llamacpp"  # transformers | llamacpp
    model: str = "default"  # LLM spec: default, a .gguf path, an HF folder or hub id
    plan: PlanConfig = field(default_factory=PlanConfig)
    gen: GenerationConfig = field(default_factory=GenerationConfig)
    on_reject: str = "drop"  # drop a rejected generation, or write the template answer instead
    shard: tuple[int, int] = (0, 1)  # (index, count): this process takes clips index::count
    max_clips: int | None = None  # first N clips of the shard (quick runs)
    device: str | None = None  # transformers device (default cuda if available)
    threads: int | None = None  # llama.cpp threads


@dataclass(frozen=True)
class OutputPaths:
    rows: Path
    rejected: Path
    report: Path


def output_paths(out: Path, shard: tuple[int, int]) -> OutputPaths:
    out = Path(out)
    stem, suffix = out.stem, out.suffix or ".jsonl"
    if shard[1] > 1:
        stem = f"{stem}.shard{shard[0]:03d}-of-{shard[1]:03d}"
    return OutputPaths(out.with_name(stem + suffix), out.with_name(stem + ".rejected.jsonl"),
                       out.with_name(stem + ".report.json"))


def select_clips(corpus: Corpus, cfg: SynthConfig):
    clips = sorted(corpus.split(cfg.split), key=lambda r: r.id)
    if not clips:
        raise SynthError(f"{corpus.root} has no clips in split {cfg.split!r}; pick another --split")
    index, count = cfg.shard
    clips = clips[index::count]
    return clips[: cfg.max_clips] if cfg.max_clips else clips


def run_synthesis(cfg: SynthConfig, progress: bool = True) -> dict:
    """Synthesize the rows of this shard that are not written yet; returns the report."""
    if cfg.answers not in ANSWER_MODES:
        raise SynthError(f"--answers {cfg.answers!r} must be one of {', '.join(ANSWER_MODES)}")
    if cfg.on_reject not in ON_REJECT:
        raise SynthError(f"--on-reject {cfg.on_reject!r} must be one of {', '.join(ON_REJECT)}")
    corpus = load_corpus(cfg.corpus, check_audio=True)
    names = corpus.label_names
    matcher = MentionFinder(corpus.labels)
    requests = plan_corpus(select_clips(corpus, cfg), corpus, cfg.plan)
    paths = output_paths(cfg.out, cfg.shard)
    done_rows = read_rows(paths.rows, repair=True)
    done_rejected = read_rows(paths.rejected, repair=True)
    model_id = "template" if cfg.answers == "template" else _model_id(cfg.model)
    _check_same_model(paths.rows, done_rows + done_rejected, model_id)
    done = {r["id"] for r in done_rows} | {r["id"] for r in done_rejected}
    todo = [r for r in requests if r.id not in done]
    log.info("%d requests planned, %d already written, %d to do", len(requests), len(requests) - len(todo), len(todo))

    generated, start = 0, time.perf_counter()
    if todo:
        backend = None if cfg.answers == "template" else make_backend(cfg.backend, cfg.model, cfg.gen, cfg.device, cfg.threads)
        bar = _progress(len(todo), progress)
        step = max(1, cfg.gen.batch_size)
        try:
            with RowWriter(paths.rows) as rows_out, RowWriter(paths.rejected) as rejected_out:
                for i in range(0, len(todo), step):
                    batch = todo[i : i + step]
                    if backend is None:
                        answers = [template_answer(r, names) for r in batch]
                    else:
                        answers = backend.generate([r.messages() for r in batch], [r.seed for r in batch])
                        generated += len(batch)
                    for req, answer in zip(batch, answers):
                        _write(req, answer, backend is None, model_id, names, matcher, cfg.on_reject, rows_out, rejected_out)
                    rows_out.flush()
                    rejected_out.flush()
                    bar.update(len(batch))
        finally:
            bar.close()
            if backend is not None:
                backend.close()
    seconds = time.perf_counter() - start
    report = build_report(read_rows(paths.rows), read_rows(paths.rejected), requests)
    report.update({
        "model": model_id, "backend": None if cfg.answers == "template" else cfg.backend, "answers": cfg.answers,
        "corpus": str(cfg.corpus), "split": cfg.split, "shard": list(cfg.shard),
        "this_run": {"requests": len(todo), "generated": generated, "seconds": round(seconds, 3),
                     "samples_per_s": round(len(todo) / seconds, 3) if todo and seconds > 0 else None},
    })
    paths.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def _write(req: SynthRequest, answer: str, is_template: bool, model_id: str, names: dict, matcher: MentionFinder,
           on_reject: str, rows_out: RowWriter, rejected_out: RowWriter) -> None:
    verdict = check_answer(req, answer, matcher)
    if is_template and not verdict:
        raise SynthError(f"the template answer for {req.id} fails the filter ({verdict.reason}): {answer!r}; "
                         f"this is a bug in training/synth/answers.py")
    source = "template" if is_template else "llm"
    if not verdict:
        rejected_out.write({"id": req.id, "clip_id": req.clip.id, "prompt_id": req.prompt.id, "kind": req.kind,
                            "question": req.question, "answer": answer, "reason": verdict.reason,
                            "object": req.obj, "model": model_id, "seed": req.seed})
        if on_reject == "drop":
            return
        answer, verdict, source = template_answer(req, names), Verdict(True), "template_fallback"
    rows_out.write(make_row(req, answer, source, model_id, verdict, llm_chose=source == "llm"))


def make_row(req: SynthRequest, answer: str, source: str, model_id: str, verdict: Verdict, llm_chose: bool) -> dict:
    obj, sampling = req.obj, req.sampling
    if req.prompt.check == "name_absent" and llm_chose:  # the LLM picked the missing sound itself
        obj, sampling = verdict.named, None
    return {
        "id": req.id, "audio": req.audio, "question": req.question, "answer": answer, "kind": req.kind,
        "object": obj, "sampling": sampling, "prompt_id": req.prompt.id, "source": source, "model": model_id,
        "seed": req.seed, "clip_id": req.clip.id, "labels": list(req.clip.labels), "split": req.clip.split,
    }


def build_report(rows: list[dict], rejected: list[dict], requests: list[SynthRequest] | None = None) -> dict:
    """Per-prompt generated / accepted / rejected counts and rejection rates (LLM generations only)."""
    per: dict[str, Counter] = {}
    reasons: dict[str, Counter] = {}
    for r in rows:
        c = per.setdefault(r["prompt_id"], Counter())
        c["rows"] += 1
        if r["source"] == "llm":
            c["accepted"] += 1
        if r["source"] == "template_fallback":
            c["fallback"] += 1
    for r in rejected:
        per.setdefault(r["prompt_id"], Counter())["rejected"] += 1
        reasons.setdefault(r["prompt_id"], Counter())[r["reason"]] += 1
    prompts = {}
    for pid in sorted(per):
        c = per[pid]
        gen = c["accepted"] + c["rejected"]
        prompts[pid] = {"kind": PROMPTS[pid].kind if pid in PROMPTS else None, "rows": c["rows"], "generated": gen,
                        "accepted": c["accepted"], "rejected": c["rejected"], "fallback": c["fallback"],
                        "rejection_rate": round(c["rejected"] / gen, 4) if gen else None,
                        "reasons": dict(sorted(reasons.get(pid, Counter()).items()))}

    def total(kind: str | None) -> dict:
        sel = [p for p in prompts.values() if kind in (None, p["kind"])]
        gen = sum(p["generated"] for p in sel)
        rej = sum(p["rejected"] for p in sel)
        return {"rows": sum(p["rows"] for p in sel), "generated": gen, "rejected": rej,
                "rejection_rate": round(rej / gen, 4) if gen else None}

    out = {"prompts": prompts, "positive": total("positive"), "negative": total("negative"), "total": total(None)}
    if requests is not None:
        out["requests"] = len(requests)
        out["clips"] = len({r.clip.id for r in requests})
    return out


def report_markdown(report: dict) -> str:
    """Per-prompt table: rows written, LLM generations, how many the filter rejected and why."""
    lines = ["| prompt | kind | rows | generated | accepted | rejected | rejection rate | top reasons |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for pid, p in report["prompts"].items():
        rate = "-" if p["rejection_rate"] is None else f"{100 * p['rejection_rate']:.1f} %"
        top = ", ".join(f"{k} {v}" for k, v in sorted(p["reasons"].items(), key=lambda kv: -kv[1])[:3])
        lines.append(f"| {pid} | {p['kind']} | {p['rows']} | {p['generated']} | {p['accepted']} | {p['rejected']} "
                     f"| {rate} | {top} |")
    for kind in ("positive", "negative", "total"):
        t = report[kind]
        rate = "-" if t["rejection_rate"] is None else f"{100 * t['rejection_rate']:.1f} %"
        lines.append(f"| **{kind}** | | {t['rows']} | {t['generated']} | {t['generated'] - t['rejected']} "
                     f"| {t['rejected']} | {rate} | |")
    return "\n".join(lines)


def resolve_shard(arg: str | None) -> tuple[int, int]:
    """`--shard K/N`, else the launcher's process index, else (0, 1).

    `accelerate launch` (like torchrun) sets RANK and WORLD_SIZE in every process, on one
    machine or many; sharding needs nothing more (no process group), so a rank never waits
    for another and each resumes on its own.
    """
    if arg:
        try:
            k, n = (int(x) for x in arg.split("/"))
        except ValueError:
            raise SynthError(f"--shard {arg!r} must look like K/N, e.g. 0/4") from None
        if not 0 <= k < n:
            raise SynthError(f"--shard {arg!r}: K must be in 0..N-1")
        return k, n
    try:
        world = int(os.environ.get("WORLD_SIZE", "1") or 1)
        rank = int(os.environ.get("RANK", "0") or 0)
    except ValueError:
        raise SynthError("WORLD_SIZE and RANK must be integers (as set by accelerate launch or torchrun)") from None
    if world <= 1:
        return 0, 1
    if not 0 <= rank < world:
        raise SynthError(f"RANK {rank} is outside 0..WORLD_SIZE-1 ({world})")
    return rank, world


def merge_outputs(parts: list[Path], out: Path) -> dict:
    """Merge shard outputs (rows and rejected rows, deduplicated by id) into `out` and its report."""
    rows, rejected = {}, {}
    for part in parts:
        p = output_paths(part, (0, 1))
        for r in read_rows(p.rows):
            rows.setdefault(r["id"], r)
        for r in read_rows(p.rejected):
            rejected.setdefault(r["id"], r)
    if not rows and not rejected:
        raise SynthError(f"no rows in {', '.join(map(str, parts))}; nothing to merge")
    target = output_paths(out, (0, 1))
    for path, data in ((target.rows, rows), (target.rejected, rejected)):
        tmp = path.with_name(path.name + ".part")
        tmp.write_text("".join(json.dumps(data[k], ensure_ascii=False) + "\n" for k in sorted(data)), encoding="utf-8")
        tmp.replace(path)
    report = build_report(list(rows.values()), list(rejected.values()))
    report["merged_from"] = [str(p) for p in parts]
    target.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def _model_id(spec: str) -> str:
    from training.backbones.load import resolve_llm_spec

    try:
        return model_label(resolve_llm_spec(spec))
    except Exception as err:  # noqa: BLE001 - a missing default-model package
        raise SynthError(f"cannot resolve model {spec!r}: {err}") from err


def _check_same_model(path: Path, rows: list[dict], model_id: str) -> None:
    others = sorted({r.get("model") for r in rows} - {model_id})
    if others:
        raise SynthError(f"{path} already holds rows written by {', '.join(map(str, others))}, not {model_id}; "
                         f"resume with the same model or write to another --out")


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="synthesizing", unit="row", disable=not enabled)
