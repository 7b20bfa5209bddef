"""The object-hallucination benchmark for held-out clips (DESIGN.md section 6, POPE-style).

For each clip of the split that has labels, and for each sampling (random, popular,
adversarial): up to `per_clip` present labels become "yes" questions, and as many absent
labels of that sampling become "no" questions, so every sampling is balanced yes/no. The
question wording is drawn from `BENCHMARK_TEMPLATES` (six templates).

Row: `{"audio_index", "audio", "prompt_text", "object", "attribute": "positive|negative",
"label": "yes|no", "sampling", "template_id", "object_name", "clip_id"}`; `object` is the label
(snake_case), `object_name` its phrase as the question says it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from training.corpus.folder import Corpus
from training.errors import SynthError
from training.synth.plan import row_seed
from training.synth.prompts import BENCHMARK_TEMPLATES
from training.synth.sampling import SAMPLINGS, sample_absent


def make_benchmark(corpus: Corpus, split: str = "test", per_clip: int = 3, seed: int = 0,
                   templates: tuple[str, ...] = BENCHMARK_TEMPLATES) -> list[dict]:
    clips = [c for c in sorted(corpus.split(split), key=lambda r: r.id) if c.labels]
    if not clips:
        raise SynthError(f"{corpus.root} has no labelled clips in split {split!r}; a benchmark needs some")
    names = corpus.label_names
    vocab = sorted(names)
    rows = []
    for audio_index, clip in enumerate(clips):
        rng = random.Random(row_seed(seed, f"bench:{clip.id}"))
        audio = str(clip.audio_path(corpus.root).resolve())
        positives = sorted(rng.sample(list(clip.labels), min(per_clip, len(clip.labels))))
        for sampling in SAMPLINGS:
            negatives = sample_absent(list(clip.labels), vocab, len(positives), sampling, corpus.stats, rng)
            pos = positives[: len(negatives)]  # keep yes/no balanced when few labels are absent
            for attribute, objs in (("positive", pos), ("negative", negatives)):
                for obj in objs:
                    t = rng.randrange(len(templates))
                    rows.append({
                        "audio_index": audio_index, "audio": audio,
                        "prompt_text": templates[t].format(obj=names[obj]),
                        "object": obj, "attribute": attribute, "label": "yes" if attribute == "positive" else "no",
                        "sampling": sampling, "template_id": t, "object_name": names[obj], "clip_id": clip.id,
                    })
    return rows


def write_benchmark(rows: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(out)


def summary(rows: list[dict]) -> dict:
    """Counts per sampling and answer, and the templates used (for the CLI and the tests)."""
    out: dict = {}
    for r in rows:
        s = out.setdefault(r["sampling"], {"yes": 0, "no": 0})
        s[r["label"]] += 1
    return {"samplings": out, "templates": sorted({r["template_id"] for r in rows}),
            "clips": len({r["audio_index"] for r in rows}), "questions": len(rows)}
