"""What the real recordings give: the source table and each label's distinct recordings.

A label counts as learnable from real recordings only with at least LEARNABLE_MIN distinct
recordings (distinct recording ids: identical files count once); labels under it are marked
`short` and are not reported as learned. Evaluation-only recordings are counted apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from training.corpus.events import EVENTS
from training.corpus.recordings import Recording

LEARNABLE_MIN = 3  # distinct real recordings a label needs to be reported as learned
WELL_COVERED = (10, 2)  # (recordings, sources): a label heard in enough recordings from more than one source


@dataclass(frozen=True)
class LabelCount:
    label: str
    audioset: str
    recordings: int  # distinct training-eligible recordings
    eval_only: int  # distinct evaluation-only recordings
    sources: int = 0  # sources (packages, themes) its training-eligible recordings come from

    @property
    def well_covered(self) -> bool:
        return self.recordings >= WELL_COVERED[0] and self.sources >= WELL_COVERED[1]

    @property
    def short(self) -> bool:
        return self.recordings < LEARNABLE_MIN


def label_counts(recordings: list[Recording]) -> list[LabelCount]:
    """One row per vocabulary label, in vocabulary order."""
    train, held, sources = defaultdict(set), defaultdict(set), defaultdict(set)
    for r in recordings:
        (held if r.eval_only else train)[r.label].add(r.recording_id)
        if not r.eval_only:
            sources[r.label].add(r.source)
    return [LabelCount(e.label, e.audioset, len(train[e.label]), len(held[e.label]), len(sources[e.label]))
            for e in EVENTS]


def source_rows(recordings: list[Recording], durations: dict[str, float]) -> list[dict]:
    """Per source: licences, files used, distinct recordings, labels, minutes (distinct recordings)."""
    rows: dict[str, dict] = {}
    for r in recordings:
        p = r.provenance
        row = rows.setdefault(r.source, {"source": r.source, "version": p.version if p else "",
                                         "licences": set(), "files": 0, "recs": {}, "labels": set(),
                                         "eval_only": r.eval_only})
        row["files"] += 1
        row["recs"][r.recording_id] = durations.get(r.recording_id, 0.0)
        row["labels"].add(r.label)
        if p:
            row["licences"].add(p.licence)
    return [{**row, "licences": sorted(row["licences"]), "labels": sorted(row["labels"]),
             "recordings": len(row["recs"]), "minutes": sum(row["recs"].values()) / 60}
            for row in sorted(rows.values(), key=lambda x: x["source"])]


def durations_of(recordings: list[Recording]) -> dict[str, float]:
    """{recording id: seconds} from the file headers (soundfile; no decoding)."""
    import soundfile as sf

    out = {}
    for r in recordings:
        if r.recording_id not in out:
            try:
                out[r.recording_id] = sf.info(str(r.path)).duration
            except RuntimeError:
                out[r.recording_id] = 0.0
    return out


def markdown(recordings: list[Recording]) -> str:
    counts = label_counts(recordings)
    sources = source_rows(recordings, durations_of(recordings))
    with_any = [c for c in counts if c.recordings]
    learned = [c for c in counts if not c.short]
    distinct = {r.recording_id for r in recordings if not r.eval_only}
    covered = [c for c in counts if c.well_covered]
    lines = ["### Totals", "",
             f"- distinct training-eligible real recordings (a recording counts once: identical files, the notes "
             f"rendered from one SoundFont sample and near-duplicate samples across SoundFonts are one): **{len(distinct)}**",
             f"- labels with >= {WELL_COVERED[0]} distinct recordings from >= {WELL_COVERED[1]} sources: "
             f"**{len(covered)}** of {len(counts)}",
             f"- labels with >= {LEARNABLE_MIN} distinct recordings: {len(learned)}; with any: {len(with_any)}", "",
             "### Sources", "",
             "| source | version | licence | files used | distinct recordings | labels | minutes |",
             "|---|---|---|---:|---:|---|---:|"]
    for s in sources:
        name = s["source"] + (" (EVALUATION ONLY)" if s["eval_only"] else "")
        lines.append(f"| {name} | {s['version']} | {', '.join(s['licences'])} | {s['files']} | {s['recordings']} | "
                     f"{len(s['labels'])}: {', '.join(s['labels'])} | {s['minutes']:.1f} |")
    lines += ["", "### Recordings per label", "",
              f"{len(counts)} labels in the vocabulary; {len(with_any)} have at least one real recording; "
              f"{len(learned)} have {LEARNABLE_MIN} or more distinct real recordings (the others are marked "
              f"`short` and are not reported as learned). Evaluation-only recordings are counted apart.", "",
              "| label | AudioSet name | distinct recordings | sources | eval-only | status |", "|---|---|---:|---:|---:|---|"]
    for c in counts:
        status = "short" if c.short else ("well covered" if c.well_covered else "ok")
        lines.append(f"| {c.label} | {c.audioset} | {c.recordings} | {c.sources} | {c.eval_only} | {status} |")
    return "\n".join(lines) + "\n"
