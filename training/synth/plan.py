"""Which questions each clip gets: a deterministic plan from (seed, clip id).

Per clip, by default: one description prompt and one yes/no question about a present label
(positives), one yes/no question about an absent label and one open negative (negatives),
so half of the rows teach what is *not* in the audio. Absent objects rotate through the
three samplings.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from core.hierarchy import Hierarchy
from training.corpus.clip_index import ClipRecord
from training.corpus.folder import Corpus
from training.synth.prompts import (
    ABSENT_YN_PROMPTS, DESCRIBE_PROMPTS, OPEN_NEGATIVE_PROMPTS, PRESENT_YN_PROMPTS, Prompt, chat_messages,
    metadata_text,
)
from training.synth.sampling import SAMPLINGS, sample_absent

SAMPLING_POOL = 3  # popular/adversarial objects are drawn from the top 3 of their ranking


@dataclass(frozen=True)
class PlanConfig:
    positives_per_clip: int = 2  # rows about what is present
    negatives_per_clip: int = 2  # rows about what is absent
    seed: int = 0  # drives prompt choice and sampling


@dataclass(frozen=True)
class SynthRequest:
    id: str  # row id: "<clip id>:<slot>:<prompt id>", stable across runs (resume key)
    clip: ClipRecord
    audio: str  # audio path as written in the row (absolute, or relative to the corpus folder)
    prompt: Prompt
    question: str  # the prompt with its objects filled in
    obj: str | None  # label asked about (yes/no), or the absent label of a which/name question
    other: str | None  # which_absent: the present label offered beside `obj`
    sampling: str | None  # how `obj` was sampled, for negatives
    seed: int  # per-row seed (prompt choice already made; LLM sampling uses it)
    metadata: str  # what the LLM reads in place of the audio

    @property
    def kind(self) -> str:
        return self.prompt.kind

    def messages(self) -> list[dict]:
        return chat_messages(self.metadata, self.question)


def row_seed(seed: int, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest()[:4], "big") & 0x7FFFFFFF


def plan_clip(clip: ClipRecord, corpus: Corpus, cfg: PlanConfig) -> list[SynthRequest]:
    rng = random.Random(row_seed(cfg.seed, clip.id))
    names = corpus.label_names
    vocab = sorted(names)
    present = list(clip.labels)
    hierarchy = Hierarchy.from_entries(corpus.labels)
    offered = [lab for lab in vocab if not hierarchy.related(lab, present)]  # a trumpet clip's brass is not absent
    in_order = [e["label"] for e in clip.events if e["label"] in present]
    ordered = list(dict.fromkeys(in_order + present))  # onset order, then the rest
    meta = metadata_text(clip.caption, [names[lab] for lab in ordered])
    audio = str(clip.audio_path(corpus.root).resolve())  # absolute: rows outlive the working folder
    out: list[SynthRequest] = []

    def add(prompt: Prompt, obj=None, other=None, sampling=None, question=None):
        slot = len(out)
        rid = f"{clip.id}:{slot}:{prompt.id}"
        q = question or prompt.text.format(obj=names.get(obj, ""))
        out.append(SynthRequest(rid, clip, audio, prompt, q, obj, other, sampling, row_seed(cfg.seed, rid), meta))

    for k in range(cfg.positives_per_clip):
        if k % 2 == 1 and present:
            obj = rng.choice(present)
            add(rng.choice(PRESENT_YN_PROMPTS), obj=obj)
        else:
            add(rng.choice(DESCRIBE_PROMPTS))
    first_sampling = SAMPLINGS[rng.randrange(len(SAMPLINGS))]
    for k in range(cfg.negatives_per_clip):
        sampling = SAMPLINGS[(SAMPLINGS.index(first_sampling) + k) % len(SAMPLINGS)]
        objs = sample_absent(present, offered, 1, sampling, corpus.stats, rng, pool=SAMPLING_POOL)
        if not objs:
            break  # the clip contains every label: nothing is absent
        obj = objs[0]
        prompt = rng.choice(OPEN_NEGATIVE_PROMPTS) if k % 2 == 1 else rng.choice(ABSENT_YN_PROMPTS)
        if prompt.check == "which_absent" and not present:
            prompt = rng.choice(ABSENT_YN_PROMPTS)
        if prompt.check == "which_absent":
            other = rng.choice(present)
            a, b = (names[obj], names[other]) if rng.random() < 0.5 else (names[other], names[obj])
            add(prompt, obj=obj, other=other, sampling=sampling, question=prompt.text.format(a=a, b=b))
        else:
            add(prompt, obj=obj, sampling=sampling)
    return out


def plan_corpus(clips: list[ClipRecord], corpus: Corpus, cfg: PlanConfig) -> list[SynthRequest]:
    return [req for clip in clips for req in plan_clip(clip, corpus, cfg)]
