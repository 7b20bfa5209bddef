"""The object-hallucination benchmark for held-out clips (DESIGN.md section 6, POPE-style).

For each clip of the split that has labels, and for each sampling (random, popular,
adversarial): up to `per_clip` present labels become "yes" questions, and as many absent
labels of that sampling become "no" questions, so every sampling is balanced yes/no. The
question wording is drawn from `BENCHMARK_TEMPLATES` (six templates).

Row: `{"audio_index", "audio", "prompt_text", "object", "attribute": "positive|negative",
"label": "yes|no", "sampling", "template_id", "object_name", "clip_id"}`; `object` is the label
(snake_case), `object_name` its phrase as the question says it.

Any split of the corpus can be asked about: `test`, `real_test` (real recordings only), the
raw views (`real_raw`: each held-out recording alone), and `unseen` (and `unseen_raw`), whose
questions, "yes" and "no" alike, only name the labels that no train or validation clip holds
(zero-shot presence): the other labels of its clips (their beds) are neither asked about nor
offered as absent.

With a label hierarchy (labels.json `parents`, `core.hierarchy`), a label that a clip's labels
imply (a brass instrument for a trumpet) or that is more specific than one of them (a snare
drum for "a drum") is never offered as absent: its answer is not "no".
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from core.hierarchy import Hierarchy
from training.corpus.folder import Corpus
from training.corpus.splits import RAW_SPLITS, TRAINING_SPLITS
from training.errors import SynthError
from training.synth.plan import row_seed
from training.synth.prompts import BENCHMARK_TEMPLATES
from training.synth.sampling import SAMPLINGS, sample_absent


def make_benchmark(corpus: Corpus, split: str = "test", per_clip: int = 3, seed: int = 0,
                   templates: tuple[str, ...] = BENCHMARK_TEMPLATES) -> list[dict]:
    vocab = benchmark_vocabulary(corpus, split)
    clips = [c for c in sorted(corpus.split(split), key=lambda r: r.id) if set(c.labels) & set(vocab)]
    if not clips:
        raise SynthError(f"{corpus.root} has no labelled clips in split {split!r}; a benchmark needs some")
    names = corpus.label_names
    hierarchy = Hierarchy.from_entries(corpus.labels)
    rows = []
    for audio_index, clip in enumerate(clips):
        rng = random.Random(row_seed(seed, f"bench:{clip.id}"))
        audio = str(clip.audio_path(corpus.root).resolve())
        askable = [lab for lab in clip.labels if lab in vocab]
        positives = sorted(rng.sample(askable, min(per_clip, len(askable))))
        offered = [lab for lab in vocab if not hierarchy.related(lab, clip.labels)]
        for sampling in SAMPLINGS:
            negatives = sample_absent(list(clip.labels), offered, len(positives), sampling, corpus.stats, rng)
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


def benchmark_vocabulary(corpus: Corpus, split: str) -> list[str]:
    """The labels a benchmark of `split` asks about: every label, or for `unseen` (and `unseen_raw`)
    the unseen labels the builder held out (build.json), which no train or validation clip of any
    corpus built from the same sources and split seed holds. A corpus without build.json (an
    imported one): the labels of the split that no train or validation clip of it holds."""
    if RAW_SPLITS.get(split, split) != "unseen":
        return sorted(corpus.label_names)
    heard = {lab for r in corpus.split(split) for lab in r.labels}
    planned = _unseen_labels(corpus.root)
    if planned is not None:
        return sorted(heard & planned)
    trained = {lab for r in corpus.rows if r.split in TRAINING_SPLITS for lab in r.labels}
    return sorted(heard - trained)


def _unseen_labels(root: Path) -> set[str] | None:
    from training.corpus.build import BUILD_FILE

    try:
        return set(json.loads((Path(root) / BUILD_FILE).read_text(encoding="utf-8"))["unseen_labels"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


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
