"""`listen corpus stats --splits`: the per-split table counts distinct recordings and exposes sharing."""

from __future__ import annotations

from training.corpus.clip_index import ClipRecord
from training.corpus.stats import split_table


def _row(cid: str, split: str, labels: list[str], recs: list[str]) -> ClipRecord:
    sources = [{"recording_id": r, "package": "p", "version": "1", "path": r, "licence": "GPL-2+", "sha256": "0" * 64}
               for r in recs]
    return ClipRecord(cid, f"audio/{cid}.wav", split, 10.0, 16000, sorted(labels), sources=sources)


def test_the_table_counts_distinct_recordings_and_recordings_shared_across_splits():
    rows = [_row("a", "train", ["dog_barking"], ["rec:1", "rec:2"]), _row("b", "train", ["cattle"], ["rec:2"]),
            _row("c", "real_test", ["frog"], ["rec:3"]), _row("d", "real_test", ["frog"], ["rec:2"])]
    table = split_table(rows, ["frog"])
    assert "| train | 2 | 0.01 | 2 | 2 | 1 |" in table  # rec:2 is also in real_test: the table must show it
    assert "| real_test | 2 | 0.01 | 1 | 2 | 1 |" in table
    assert "unseen labels (1; in train/validation clips: 0): frog" in table
    rows.append(_row("e", "validation", ["frog"], ["rec:9"]))
    assert "in train/validation clips: 1" in split_table(rows, ["frog"])
