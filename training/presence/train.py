"""`listen presence train`: fit the presence model on cached features, calibrate, choose the rule.

1. segment features of the train and validation splits (cached, `features`);
2. the text tower's states for every phrase: the trained labels' phrases and the asked
   phrases of the validation benchmark (cached per LLM, the LLM is unloaded after);
3. CLAP-style training: each step scores a batch of clips against every trained label,
   each label said with one of its phrases drawn at random, with binary cross-entropy
   (present labels are the positives; the others the negatives);
4. every `eval_every` steps, the validation benchmark (POPE-style questions, phrases taken
   from the questions as the edge takes them) picks the best step by calibrated log-loss;
5. Platt calibration on the validation benchmark; the novelty floor from how close the
   trained labels' phrases come to one another; checkpoint + validation numbers.
Phrases are the labels' names, synonyms and LLM-written paraphrases (`paraphrases.py`).
Before that, the same recipe is trained once without `holdout_labels` labels: the validation
questions about them measure the open path alone (`metrics["zero_shot"]`) and fit the
novelty gate (`core.presence.NoveltyGate`) that the final calibration carries, so that a
phrase unlike every trained one gets a probability near the prior, not a confident "no".
No LLM in the loop: a few minutes on 2 cores (two trainings).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from core.paths import listen_home
from core.hierarchy import Hierarchy
from core.presence import MAX_DESCRIBED, NoveltyGate, PresenceRule
from core.questions import asked_phrase
from training.errors import PresenceDataError
from training.model.adapter_config import EncoderConfig
from training.eval.metrics import expected_calibration_error
from training.presence.calibration import Platt, fit_gate
from training.presence.checkpoint import PresenceMeta, save_presence
from training.presence.features import SplitFeatures, split_features
from training.presence.model import PresenceConfig, PresenceModel
from training.presence.paraphrases import paraphrase_table
from training.presence.phrases import phrases_by_label, vocabulary_phrases
from core.presence import TEXT_TEMPLATES

log = logging.getLogger(__name__)


@dataclass
class PresenceTrainConfig:
    corpus: str = field(default="", metadata={"help": "corpus folder (clips.jsonl + labels.json) with train and validation splits"})
    out_dir: str = field(default="runs/presence", metadata={"help": "where presence.safetensors + presence.json go"})
    cache_dir: str = field(default="", metadata={"help": "segment features and phrase states; empty = $LISTEN_HOME/presence-cache"})
    llm: str = field(default="default", metadata={"help": "the frozen LLM whose states are the text tower"})
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    model: PresenceConfig = field(default_factory=PresenceConfig)
    steps: int = field(default=3000, metadata={"help": "optimizer steps"})
    batch_clips: int = field(default=64, metadata={"help": "clips per step (each scored against every trained label)"})
    lr: float = field(default=1e-3, metadata={"help": "AdamW learning rate (cosine decay to a tenth)"})
    weight_decay: float = field(default=0.05, metadata={"help": "AdamW weight decay"})
    pos_weight: float = field(default=4.0, metadata={"help": "weight of a present label's loss against an absent one's"})
    negatives: bool = field(default=True, metadata={"help": "learn from absent labels too; false = positives only (the LISTEN ablation)"})
    mixup: float = field(default=0.0, metadata={"help": "share of clips averaged with another clip (labels: the union)"})
    segment_mask: float = field(default=0.0, metadata={"help": "chance that each segment's features are zeroed in "
                                                                "training (SpecAugment-style time masking)"})
    hard_negatives: int = field(default=0, metadata={"help": "per clip, the absent labels it scores highest get "
                                                              "hard_weight times the loss (0 = off)"})
    hard_weight: float = field(default=3.0, metadata={"help": "loss weight of a hard negative (see hard_negatives)"})
    hierarchy: bool = field(default=True, metadata={"help": "a clip holds its labels' parents too (labels.json "
                                                            "parents); a label more specific than one it holds is "
                                                            "neither present nor absent for it"})
    eval_every: int = field(default=250, metadata={"help": "steps between validation passes"})
    unsure_width: float = field(default=0.1, metadata={"help": "half-width of the uncertain band around 0.5 (can't tell)"})
    describe_absent: float = field(default=0.08, metadata={"help": "share of validation descriptions that may name an absent sound"})
    novelty_quantile: float = field(default=0.02, metadata={"help": "share of trained labels that would be 'too novel' as new phrases"})
    text_template: str = field(default="mean", metadata={"help": "how the text tower reads a phrase: mean (of the "
                                                                  "phrase tokens after 'The sound of') or eol (the last "
                                                                  "token of a PromptEOL prompt)"})
    paraphrases: int = field(default=4, metadata={"help": "LLM-written paraphrases kept per label (0 = names and synonyms only)"})
    holdout_labels: int = field(default=15, metadata={"help": "labels left out of a first training run: validation questions "
                                                              "about them measure the open path and fit the novelty gate (0 = none)"})
    train_solo: bool = field(default=True, metadata={"help": "train on the corpus's solo clips too (false: its "
                                                              "mixed scenes only, the recipe before issue 27)"})
    report_splits: str = field(default="", metadata={"help": "comma-separated held-out splits scored after training "
                                                              "(e.g. real_raw,real_test,unseen): reported, never used "
                                                              "for any choice"})
    seed: int = 0
    threads: int = field(default=0, metadata={"help": "torch threads; 0 = all"})


def cache_root(cfg: PresenceTrainConfig) -> Path:
    return Path(cfg.cache_dir) if cfg.cache_dir else listen_home() / "presence-cache"


def llm_tag(llm_spec: str, template: str = "mean") -> str:
    """Names what the cached phrase states and paraphrases came from (the LLM file and the template)."""
    from training.backbones.load import resolve_llm_spec

    target = resolve_llm_spec(llm_spec)
    t = TEXT_TEMPLATES[template]
    key = f"{target}:{Path(target).stat().st_size if Path(target).is_file() else ''}:{t.prefix}"
    if template != "mean":  # the mean template's tag stays what it was: its caches stay valid
        key += f":{t.suffix}:{t.pooling}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def phrase_state_table(phrases: list[str], llm_spec: str, cache: Path, progress=print,
                       template: str = "mean") -> dict[str, np.ndarray]:
    """phrase -> text tower state, for every phrase given (computed once per LLM and template, then cached)."""
    path = cache / f"phrases-{llm_tag(llm_spec, template)}.npz"
    table: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as z:
            table = dict(zip((str(p) for p in z["phrases"]), z["states"]))
    todo = sorted(set(phrases) - set(table))
    if todo:
        from training.backbones.load import load_llm
        from training.presence.text_tower import phrase_states

        progress(f"text tower: {len(todo)} new phrases through {Path(llm_spec).name or llm_spec}")
        llm, tok = load_llm(llm_spec)
        table.update(zip(todo, phrase_states(llm, tok, todo, TEXT_TEMPLATES[template])))
        del llm
        cache.mkdir(parents=True, exist_ok=True)
        keys = sorted(table)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, phrases=np.array(keys), states=np.stack([table[k] for k in keys]).astype(np.float32))
        tmp.replace(path)
    return table


@dataclass
class QuestionSet:
    """Benchmark questions reduced to what the presence model scores: (clip row, phrase, present)."""

    clip_rows: np.ndarray  # (Q,) index into the split's features
    phrases: list[str]  # (Q,) the asked phrase of each question
    present: np.ndarray  # (Q,) bool
    samplings: list[str]
    labels: list[str]  # (Q,) the label each question is about

    @classmethod
    def from_rows(cls, rows: list[dict], feats: SplitFeatures) -> QuestionSet:
        where = {cid: i for i, cid in enumerate(feats.ids)}
        asked = [(r, asked_phrase(r["prompt_text"])) for r in rows if r["clip_id"] in where]
        keep = [(r, phrase) for r, phrase in asked if phrase]
        return cls(np.array([where[r["clip_id"]] for r, _ in keep], dtype=int), [phrase for _, phrase in keep],
                   np.array([r["label"] == "yes" for r, _ in keep], dtype=bool), [r["sampling"] for r, _ in keep],
                   [r["object"] for r, _ in keep])

    def about(self, labels: set[str], inside: bool = True) -> QuestionSet:
        """The questions about `labels` (inside) or about any other label."""
        keep = [i for i, lab in enumerate(self.labels) if (lab in labels) == inside]
        return QuestionSet(self.clip_rows[keep], [self.phrases[i] for i in keep], self.present[keep],
                           [self.samplings[i] for i in keep], [self.labels[i] for i in keep])


@torch.no_grad()
def clip_logits(model: PresenceModel, segments: np.ndarray, text: torch.Tensor, batch: int = 64) -> np.ndarray:
    """(N, P) clip logits of segment features (N, n_taps, S, d) against embedded phrases (P, dim), in batches."""
    return np.concatenate([model.score_segments(torch.from_numpy(segments[lo : lo + batch].astype(np.float32)), text)[0].numpy()
                           for lo in range(0, len(segments), batch)])


@torch.no_grad()
def question_logits(model: PresenceModel, feats: SplitFeatures, qs: QuestionSet, table: dict) -> np.ndarray:
    """The clip logit of every question: each clip scored against each distinct phrase once."""
    model.eval()
    uniq = sorted(set(qs.phrases))
    col = {p: i for i, p in enumerate(uniq)}
    text = model.embed_text(torch.from_numpy(np.stack([table[p] for p in uniq])))
    clips = np.unique(qs.clip_rows)
    row = {c: i for i, c in enumerate(clips)}
    z = clip_logits(model, feats.segments[clips], text)
    return np.array([z[row[c], col[p]] for c, p in zip(qs.clip_rows, qs.phrases)])


def question_metrics(p_yes: np.ndarray, present: np.ndarray, decided: np.ndarray | None = None) -> dict:
    """Accuracy, F1 of "no", yes-ratio (can't-tell counts as not yes, like the paper's parser), ECE."""
    said_yes = p_yes >= 0.5 if decided is None else decided == 1
    tp_no = float(np.sum(~said_yes & ~present))
    prec_no = tp_no / max(1.0, float(np.sum(~said_yes)))
    rec_no = tp_no / max(1.0, float(np.sum(~present)))
    return {
        "n": int(present.size),
        "accuracy": float(np.mean(said_yes == present)),
        "f1_no": 0.0 if prec_no + rec_no == 0 else 2 * prec_no * rec_no / (prec_no + rec_no),
        "yes_ratio": float(np.mean(said_yes)),
        "cant_tell": 0.0 if decided is None else float(np.mean(decided == -1)),
        "ece": expected_calibration_error(p_yes, present)["ece"],
    }


@torch.no_grad()
def novelty_floor(model: PresenceModel, vocabulary: list[tuple[str, str]], table: dict, quantile: float) -> tuple[float, dict]:
    """The cosine below which a phrase is too far from every trained phrase to be judged.

    Each trained label is treated as if it were new: its phrases' nearest phrase of ANOTHER
    label. The floor is the `quantile` of those nearest cosines, so that about that share of
    the trained labels would have been refused had they been new.
    """
    model.eval()
    emb = model.embed_text(torch.from_numpy(np.stack([table[p] for p, _ in vocabulary]))).numpy()
    labels = np.array([lab for _, lab in vocabulary])
    sim = emb @ emb.T
    sim[labels[:, None] == labels[None, :]] = -1.0
    per_label = {}
    for lab in np.unique(labels):
        per_label[str(lab)] = float(sim[labels == lab].max())
    values = np.array(list(per_label.values()))
    return float(np.quantile(values, quantile)), {"median_nearest_other_label": float(np.median(values)),
                                                   "min_nearest_other_label": float(values.min())}


@torch.no_grad()
def describe_floor(model: PresenceModel, platt: Platt, feats: SplitFeatures, trained: list[str],
                   by_label: dict[str, list[str]], table: dict, max_absent: float) -> tuple[float, dict]:
    """The lowest P(present) floor at which at most `max_absent` of the validation clips'
    descriptions (their top MAX_DESCRIBED labels above the floor) would name an absent sound."""
    model.eval()
    text = model.embed_text(torch.from_numpy(np.stack([table[by_label[lab][0]] for lab in trained])))
    p = platt.probability(clip_logits(model, feats.segments, text))  # (N, L)
    present = np.array([[lab in labs for lab in trained] for labs in feats.labels])
    order = np.argsort(-p, axis=1)[:, :MAX_DESCRIBED]
    top_p = np.take_along_axis(p, order, 1)
    top_present = np.take_along_axis(present, order, 1)
    table_out = {}
    for floor in np.round(np.arange(0.5, 0.995, 0.01), 2):
        named = top_p >= floor
        absent = float(np.mean((named & ~top_present).any(1)))
        table_out[float(floor)] = {"naming_absent": absent, "naming_present": float(np.mean((named & top_present).any(1)))}
    ok = [f for f, v in table_out.items() if v["naming_absent"] <= max_absent]
    chosen = min(ok) if ok else 0.99
    return chosen, {"floor": chosen, "max_absent": max_absent, **table_out[chosen]}


def decisions(rule: PresenceRule, p: np.ndarray, sim: np.ndarray) -> np.ndarray:
    """The rule's answer per question as 1 (yes), 0 (no) or -1 (can't tell)."""
    return np.array([{True: 1, False: 0, None: -1}[rule.decide(x, s)] for x, s in zip(p, sim)], dtype=int)


@torch.no_grad()
def nearest_similarity(model: PresenceModel, phrases: list[str], vocabulary: list[tuple[str, str]], table: dict) -> np.ndarray:
    """(P,) each phrase's cosine to its nearest trained phrase in the model's text space (what the
    rule's novelty floor is compared with; the edge computes the same against the bundle's vocabulary)."""
    model.eval()
    known = model.embed_text(torch.from_numpy(np.stack([table[p] for p, _ in vocabulary])))
    asked = model.embed_text(torch.from_numpy(np.stack([table[p] for p in phrases])))
    return (asked @ known.T).max(1).values.numpy()


def zero_shot_report(model: PresenceModel, platt: Platt, rule: PresenceRule, feats: SplitFeatures, qs: QuestionSet,
                     vocabulary: list[tuple[str, str]], table: dict) -> dict:
    """The open path on its own: validation questions about labels that training never saw.

    Reports the metrics of the plain calibration, those with the novelty gate, those with the
    rule as well (band and novelty floor: can't tell), and accuracy by how close the asked
    phrase comes to a trained one (does closeness to a trained phrase make a score worth more?)."""
    z = question_logits(model, feats, qs, table)
    sim = nearest_similarity(model, qs.phrases, vocabulary, table)
    plain, gated = platt.probability(z), platt.probability(z, sim)
    decided = decisions(rule, gated, sim)
    by_closeness = {}
    edges = np.unique(np.quantile(sim, [0.0, 0.25, 0.5, 0.75, 1.0]))  # ties (one phrase, many questions) merge bins
    bins = np.clip(np.searchsorted(edges, sim, side="right") - 1, 0, max(0, len(edges) - 2))
    for k in range(max(1, len(edges) - 1)):
        inside = bins == k
        if inside.any():
            by_closeness[f"{sim[inside].min():.3f}-{sim[inside].max():.3f}"] = {
                "n": int(inside.sum()), "present": float(np.mean(qs.present[inside])),
                "accuracy": float(np.mean((plain[inside] >= 0.5) == qs.present[inside]))}
    return {"labels": sorted(set(qs.labels)), "metrics": question_metrics(plain, qs.present),
            "gated": question_metrics(gated, qs.present), "with_rule": question_metrics(gated, qs.present, decided),
            "refused_as_novel": float(np.mean(sim < rule.min_similarity)),
            "accuracy_by_nearest_trained_cosine": by_closeness}


def held_out_report(model: PresenceModel, platt: Platt, rule: PresenceRule, corpus, splits: dict[str, SplitFeatures],
                    vocabulary: list[tuple[str, str]], table: dict, cfg: PresenceTrainConfig, progress=print) -> dict:
    """The final model on held-out splits, torch side (the edge's numbers come from `listen eval`):
    every choice is made before this, so these are reported only."""
    from training.synth.benchmark import make_benchmark

    trained = {lab for _, lab in vocabulary}
    out = {}
    for split, feats in splits.items():
        qs = QuestionSet.from_rows(make_benchmark(corpus, split, seed=cfg.seed), feats)
        new = sorted(set(qs.phrases) - set(table))
        if new:
            table.update(phrase_state_table(new, cfg.llm, cache_root(cfg), progress, cfg.text_template))
        z = question_logits(model, feats, qs, table)
        sim = nearest_similarity(model, qs.phrases, vocabulary, table)
        p = platt.probability(z, sim)
        decided = decisions(rule, p, sim)
        known = np.array([lab in trained for lab in qs.labels])
        present_known = qs.present & known
        out[split] = {**question_metrics(p, qs.present, decided),
                      "present_trained_answered_yes": float(np.mean(decided[present_known] == 1)) if present_known.any() else None}
        m = out[split]
        progress(f"  {split}: accuracy {m['accuracy']:.3f}, F1(no) {m['f1_no']:.3f}, yes {m['yes_ratio']:.3f}, "
                 f"can't tell {m['cant_tell']:.3f}, ECE {m['ece']:.3f}, present trained sounds answered yes "
                 f"{m['present_trained_answered_yes'] if m['present_trained_answered_yes'] is not None else float('nan'):.3f}")
    return out


def train_presence(cfg: PresenceTrainConfig, progress=print) -> Path:
    from training.corpus.folder import load_corpus
    from training.model.encoder import load_tapped_encoder
    from training.synth.benchmark import make_benchmark

    t_start = time.perf_counter()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    corpus_dir = Path(cfg.corpus)
    corpus = load_corpus(corpus_dir)
    cache = cache_root(cfg)
    encoder = load_tapped_encoder(cfg.encoder)
    progress("[1/6] segment features of the train and validation splits")
    index = corpus_dir / "clips.jsonl"
    frames = cfg.model.segment_frames
    train = split_features(index, "train", encoder, cache, segment_frames=frames)
    if not cfg.train_solo:  # the scenes alone: the solo clips' background says "alone"
        solo = {r.id for r in corpus.rows if r.split == "train" and (r.background or "").startswith("alone")}
        keep = [i for i, cid in enumerate(train.ids) if cid not in solo]
        train = SplitFeatures([train.ids[i] for i in keep], [train.labels[i] for i in keep], train.segments[keep])
    val = split_features(index, "validation", encoder, cache, segment_frames=frames)
    val_splits = ["validation"]
    if any(r.split == "validation_raw" for r in corpus.rows):  # the raw view: choices are made on it too
        val = val + split_features(index, "validation_raw", encoder, cache, segment_frames=frames)
        val_splits.append("validation_raw")
    held_out = {s: split_features(index, s, encoder, cache, segment_frames=frames)
                for s in cfg.report_splits.split(",") if s.strip()}
    n_taps, enc_width = encoder.n_taps, encoder.d_model
    del encoder
    hierarchy = Hierarchy.from_entries(corpus.labels) if cfg.hierarchy else Hierarchy({})

    in_train = sorted({lab for labs in train.labels for lab in hierarchy.implied(labs)})
    if len(in_train) < 2:
        raise PresenceDataError(f"the train split of {corpus_dir} holds {len(in_train)} label(s); the presence model needs >= 2")
    # held-out labels are drawn from those the validation clips hold, so that questions about them exist;
    # never a parent: its children's clips would teach it anyway
    parents = {p for ups in hierarchy.parents.values() for p in ups}
    heard_in_val = sorted(set(in_train) & {lab for labs in val.labels for lab in labs} - parents)
    held = sorted(random.Random(cfg.seed).sample(heard_in_val, min(cfg.holdout_labels, len(heard_in_val), len(in_train) - 2)))
    paraphrases = paraphrase_table(corpus.labels, in_train, cfg.llm, cache, llm_tag(cfg.llm), per_label=cfg.paraphrases,
                                   progress=progress) if cfg.paraphrases > 0 else {}
    vocabulary = vocabulary_phrases(corpus.labels, in_train, paraphrases)
    val_qs = QuestionSet.from_rows([row for split in val_splits for row in make_benchmark(corpus, split, seed=cfg.seed)], val)
    progress(f"[2/6] text tower states: {len(vocabulary)} phrases of {len(in_train)} trained labels "
             f"({sum(map(len, paraphrases.values()))} written by the LLM), {len(set(val_qs.phrases))} asked in "
             f"{len(val_qs.phrases)} validation questions")
    if cfg.text_template not in TEXT_TEMPLATES:
        raise PresenceDataError(f"--text_template {cfg.text_template!r} is not one of {', '.join(TEXT_TEMPLATES)}")
    table = phrase_state_table([p for p, _ in vocabulary] + val_qs.phrases, cfg.llm, cache, progress, cfg.text_template)
    text_width = next(iter(table.values())).shape[0]

    def fit(labels: list[str], qs: QuestionSet, what: str) -> tuple[PresenceModel, list[tuple[str, str]], Platt, int, float]:
        vocab = [v for v in vocabulary if v[1] in set(labels)]
        model, step, nll = fit_presence(cfg, labels, vocab, train, val, qs, table, n_taps, enc_width, text_width, what,
                                        hierarchy)
        return model, vocab, Platt.fit(question_logits(model, val, qs, table), qs.present), step, nll

    gate, zero_shot = NoveltyGate(), None
    zero_qs = val_qs.about(set(held))
    if held and zero_qs.phrases:
        seen_qs = val_qs.about(set(held), inside=False)
        progress(f"[3/6] the open path alone: {cfg.steps} steps without {len(held)} labels, "
                 f"then {len(zero_qs.phrases)} validation questions about them")
        h_model, h_vocab, h_platt, _, _ = fit([lab for lab in in_train if lab not in held], seen_qs, "without held-out labels")
        z = h_platt.scale * question_logits(h_model, val, val_qs, table) + h_platt.bias  # calibrated logits
        sim = nearest_similarity(h_model, val_qs.phrases, h_vocab, table)
        gate = fit_gate(z, sim, val_qs.present)
        h_floor, _ = novelty_floor(h_model, h_vocab, table, cfg.novelty_quantile)
        h_rule = PresenceRule(0.5, 0.5 - cfg.unsure_width, 0.5 + cfg.unsure_width, h_floor).check()
        zero_shot = zero_shot_report(h_model, h_platt.with_gate(gate), h_rule, val, zero_qs, h_vocab, table)
        del h_model
    else:
        progress("[3/6] no labels held out: no novelty gate")

    progress(f"[4/6] training {cfg.steps} steps of {cfg.batch_clips} clips x {len(in_train)} labels")
    model, vocabulary, platt, best_step, best_nll = fit(in_train, val_qs, "all labels")
    platt = platt.with_gate(gate)
    by_label = phrases_by_label(vocabulary)

    progress(f"[5/6] calibration on {len(val_qs.phrases)} validation questions (best step {best_step})")
    z = question_logits(model, val, val_qs, table)
    floor, nearest = novelty_floor(model, vocabulary, table, cfg.novelty_quantile)
    val_implied = SplitFeatures(val.ids, [tuple(hierarchy.implied(labs)) for labs in val.labels], val.segments)
    describe_min, describing = describe_floor(model, platt, val_implied, in_train, by_label, table, cfg.describe_absent)
    rule = PresenceRule(0.5, 0.5 - cfg.unsure_width, 0.5 + cfg.unsure_width, floor, describe_min).check()
    sim = nearest_similarity(model, val_qs.phrases, vocabulary, table)
    p = platt.probability(z, sim)
    decided = decisions(rule, p, sim)
    from training.config_io import to_dict

    metrics = {"config": to_dict(cfg), "best_step": best_step, "validation_nll": best_nll, "validation": question_metrics(p, val_qs.present),
               "validation_with_band": question_metrics(p, val_qs.present, decided),
               "novelty": {"quantile": cfg.novelty_quantile, "floor": floor, **nearest, "gate": gate.to_calibration()},
               "paraphrases": {"labels_with_any": sum(1 for v in paraphrases.values() if v),
                               "phrases": sum(map(len, paraphrases.values()))},
               "descriptions": describing,
               "trained_labels": in_train, "train_clips": len(train.ids), "validation_clips": len(val.ids),
               "seconds": round(time.perf_counter() - t_start, 1)}
    if zero_shot:
        metrics["zero_shot"] = zero_shot
    if held_out:
        metrics["held_out"] = held_out_report(model, platt, rule, corpus, held_out, vocabulary, table, cfg, progress)
    progress("[6/6] checkpoint")
    out = Path(cfg.out_dir)
    template = TEXT_TEMPLATES[cfg.text_template]
    save_presence(out, model, PresenceMeta(cfg.model, n_taps, enc_width, text_width, template.prefix, template.pooling, platt,
                                           rule, [list(v) for v in vocabulary], corpus.labels, cfg.llm, metrics,
                                           template.suffix))
    v = metrics["validation"]
    progress(f"presence model written to {out} in {metrics['seconds']:.0f}s: validation accuracy {v['accuracy']:.3f}, "
             f"F1(no) {v['f1_no']:.3f}, yes {v['yes_ratio']:.3f}, ECE {v['ece']:.3f}; novelty floor {floor:.3f}")
    if zero_shot:
        a, b = zero_shot["metrics"], zero_shot["gated"]
        progress(f"zero-shot ({len(held)} held-out labels, {a['n']} questions): accuracy {a['accuracy']:.3f}, yes {a['yes_ratio']:.3f}, "
                 f"ECE {a['ece']:.3f}; with the novelty gate ECE {b['ece']:.3f}, can't tell {zero_shot['with_rule']['cant_tell']:.3f}")
    return out


def label_targets(clip_labels: list[tuple[str, ...]], trained: list[str],
                  hierarchy: Hierarchy) -> tuple[torch.Tensor, torch.Tensor]:
    """(targets, weights), (N, L) each: a label is present in a clip when the clip's labels imply
    it; a label more specific than one the clip holds (a snare drum in a clip of "a drum") is
    unknown: weight 0, neither a positive nor a negative."""
    col = {lab: j for j, lab in enumerate(trained)}
    targets = torch.zeros(len(clip_labels), len(trained))
    weights = torch.ones(len(clip_labels), len(trained))
    for i, labs in enumerate(clip_labels):
        for lab in hierarchy.implied(labs):
            if lab in col:
                targets[i, col[lab]] = 1.0
        for lab in labs:
            for finer in hierarchy.descendants(lab):
                if finer in col and targets[i, col[finer]] == 0:
                    weights[i, col[finer]] = 0.0
    return targets, weights


def fit_presence(cfg: PresenceTrainConfig, trained: list[str], vocabulary: list[tuple[str, str]], train: SplitFeatures,
                 val: SplitFeatures, val_qs: QuestionSet, table: dict, n_taps: int, enc_width: int, text_width: int,
                 what: str, hierarchy: Hierarchy | None = None) -> tuple[PresenceModel, int, float]:
    """The training loop: (model at its best step by validation log-loss, that step, that log-loss)."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    model = PresenceModel(cfg.model, n_taps, enc_width, text_width)
    by_label = phrases_by_label(vocabulary)
    states = {p: torch.from_numpy(table[p]) for p, _ in vocabulary}
    targets, weights = label_targets(train.labels, trained, hierarchy or Hierarchy({}))
    segments = torch.from_numpy(train.segments.astype(np.float32))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(1.0, s / cfg.steps)))))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(cfg.pos_weight), reduction="none")
    best = (float("inf"), None, 0)
    from tqdm.auto import tqdm

    bar = tqdm(range(1, cfg.steps + 1), desc=f"presence ({what})", unit="step")
    for step in bar:
        model.train()
        idx = torch.tensor(rng.sample(range(len(segments)), min(cfg.batch_clips, len(segments))))
        phrases = torch.stack([states[rng.choice(by_label[lab])] for lab in trained])
        x, y, w = segments[idx], targets[idx], weights[idx]
        if cfg.mixup > 0:  # two clips' features averaged: both clips' sounds count as present
            mix = torch.rand(len(idx)) < cfg.mixup
            other = idx[torch.randperm(len(idx))]
            x = torch.where(mix[:, None, None, None], 0.5 * (x + segments[other]), x)
            y = torch.where(mix[:, None], torch.maximum(y, targets[other]), y)
            w = torch.where(mix[:, None], torch.minimum(w, weights[other]), w)
        if cfg.segment_mask > 0:  # time masking on the cached features
            keep = (torch.rand(x.shape[0], 1, x.shape[2], 1) >= cfg.segment_mask).to(x.dtype)
            x = x * keep
        logits, _ = model(x, phrases)
        if not cfg.negatives:
            w = w * y  # positives only (the LISTEN ablation)
        elif cfg.hard_negatives > 0:  # the absent labels this clip is most confused with weigh more
            absent = torch.where((y == 0) & (w > 0), logits.detach(), torch.tensor(-1e9))
            top = absent.topk(min(cfg.hard_negatives, absent.shape[1]), dim=1).indices
            boost = torch.zeros_like(w).scatter_(1, top, cfg.hard_weight - 1.0) * (y == 0) * (w > 0)
            w = w + boost
        loss = (loss_fn(logits, y) * w).sum() / w.sum().clamp(min=1.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % cfg.eval_every == 0 or step == cfg.steps:
            z = question_logits(model, val, val_qs, table)
            p = Platt.fit(z, val_qs.present).probability(z)
            nll = float(-np.mean(np.log(np.where(val_qs.present, p, 1 - p) + 1e-12)))
            m = question_metrics(p, val_qs.present)
            bar.set_postfix(loss=f"{loss.item():.3f}", val_nll=f"{nll:.3f}", val_acc=f"{m['accuracy']:.3f}")
            log.info("%s: step %d loss %.4f val nll %.4f acc %.3f", what, step, loss.item(), nll, m["accuracy"])
            if nll < best[0]:
                best = (nll, {k: v.clone() for k, v in model.state_dict().items()}, step)
    bar.close()
    model.load_state_dict(best[1])
    model.eval()
    return model, best[2], best[0]
