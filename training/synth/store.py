"""Append-only JSONL files that a run can resume from.

Rows are appended and flushed batch by batch, so an interrupted run loses at most the batch
in flight. On reopening, a last line cut short by a crash is dropped (the file is truncated
to its last complete line, with a warning); a damaged line elsewhere is an error naming the
file and the line, because rows after it would be silently lost otherwise.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from training.errors import SynthError

log = logging.getLogger(__name__)


def read_rows(path: Path, repair: bool = False) -> list[dict]:
    """All rows of a JSONL file ([] when absent); with `repair`, cut a torn last line."""
    path = Path(path)
    if not path.exists():
        return []
    data = path.read_bytes()
    lines = data.split(b"\n")
    rows = []
    for i, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
        except ValueError as err:
            is_last = i == len(lines) and not data.endswith(b"\n")
            if is_last and repair:
                keep = len(data) - len(raw)
                log.warning("%s: dropping a torn last line (%d bytes) left by an interrupted run", path, len(raw))
                with open(path, "r+b") as f:
                    f.truncate(keep)
                break
            raise SynthError(f"{path}:{i}: damaged row ({err}); fix or delete that line, then rerun to resume") from err
        rows.append(obj)
    return rows


class RowWriter:
    """Appends JSON rows to a file; `flush()` makes them durable."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self.path, "a", encoding="utf-8")

    def write(self, row: dict) -> None:
        self._f.write(json.dumps(row, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        if not self._f.closed:
            self.flush()
            self._f.close()

    def __enter__(self) -> "RowWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
