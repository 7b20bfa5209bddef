"""Label statistics of a corpus: what `popular` and `adversarial` negatives are drawn from.

`stats.json`:
```
{"clips": N, "duration_s": total, "splits": {split: clips},
 "label_counts": {label: clips containing it},
 "label_counts_by_split": {split: {label: clips}},
 "cooccurrence": {label: {other: clips containing both}},
 "events": total events, "sources": {source: events}}
```
Every label of `labels.json` appears in `label_counts` (0 when never heard).
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from pathlib import Path

from training.corpus.clip_index import STATS_FILE, ClipRecord, write_text_atomic
from training.errors import CorpusFileError


def compute_stats(rows: list[ClipRecord], all_labels: list[str] | None = None) -> dict:
    counts: Counter[str] = Counter({lab: 0 for lab in all_labels or []})
    by_split: dict[str, Counter[str]] = {}
    cooc: dict[str, Counter[str]] = {lab: Counter() for lab in counts}
    sources: Counter[str] = Counter()
    for r in rows:
        counts.update(r.labels)
        by_split.setdefault(r.split, Counter()).update(r.labels)
        for a, b in combinations(r.labels, 2):
            cooc.setdefault(a, Counter())[b] += 1
            cooc.setdefault(b, Counter())[a] += 1
        sources.update(e["source"] for e in r.events)
    return {
        "clips": len(rows),
        "duration_s": round(sum(r.duration_s for r in rows), 3),
        "splits": dict(sorted(Counter(r.split for r in rows).items())),
        "label_counts": dict(sorted(counts.items())),
        "label_counts_by_split": {s: dict(sorted(c.items())) for s, c in sorted(by_split.items())},
        "cooccurrence": {a: dict(sorted(c.items())) for a, c in sorted(cooc.items()) if c},
        "events": sum(len(r.events) for r in rows),
        "sources": dict(sorted(sources.items())),
    }


def write_stats(corpus_dir: Path, stats: dict) -> Path:
    path = corpus_dir / STATS_FILE
    write_text_atomic(path, json.dumps(stats, indent=1, sort_keys=True) + "\n")
    return path


def read_stats(path: Path) -> dict:
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusFileError(f"{path} does not exist; write it with `listen corpus stats {path.parent}`") from None
    except (OSError, ValueError) as err:
        raise CorpusFileError(f"{path} is not valid JSON ({err}); rewrite it with `listen corpus stats {path.parent}`") from err
    for key in ("label_counts", "cooccurrence"):
        if not isinstance(stats.get(key), dict):
            raise CorpusFileError(f"{path} lacks the object {key!r}; rewrite it with `listen corpus stats {path.parent}`")
    return stats


def markdown_table(stats: dict) -> str:
    """Label counts per split, most frequent first, as a Markdown table."""
    splits = sorted(stats["label_counts_by_split"])
    lines = ["| label | all | " + " | ".join(splits) + " |", "|---|---:|" + "---:|" * len(splits)]
    for label, n in sorted(stats["label_counts"].items(), key=lambda kv: (-kv[1], kv[0])):
        per = [str(stats["label_counts_by_split"][s].get(label, 0)) for s in splits]
        lines.append(f"| {label} | {n} | " + " | ".join(per) + " |")
    return "\n".join(lines)


def split_table(rows: list[ClipRecord], unseen_labels: list[str] = ()) -> str:
    """Per split: clips, hours, labels heard, distinct real recordings (from the clips' provenance)
    and how many of them another split also uses (0 by construction: the builder refuses it)."""
    recordings: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    clips: Counter = Counter()
    seconds: Counter = Counter()
    for r in rows:
        clips[r.split] += 1
        seconds[r.split] += r.duration_s
        labels.setdefault(r.split, set()).update(r.labels)
        recordings.setdefault(r.split, set()).update(s["recording_id"] for s in r.sources)
    out = ["| split | clips | hours | labels heard | real recordings | shared with another split |",
           "|---|---:|---:|---:|---:|---:|"]
    for split in sorted(clips):
        others = set().union(*(v for k, v in recordings.items() if k != split))
        out.append(f"| {split} | {clips[split]} | {seconds[split] / 3600:.2f} | {len(labels[split])} | "
                   f"{len(recordings[split])} | {len(recordings[split] & others)} |")
    if unseen_labels:
        trained = {lab for r in rows if r.split in ("train", "validation") for lab in r.labels}
        out.append(f"\nunseen labels ({len(unseen_labels)}; in train/validation clips: "
                   f"{len(trained & set(unseen_labels))}): {', '.join(unseen_labels)}")
    return "\n".join(out)
