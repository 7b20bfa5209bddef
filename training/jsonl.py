"""Reading JSONL files (clip indexes, training rows, benchmarks, imported metadata): one reader.

Streamed line by line, so memory is bounded by the longest line, not the file. Every failure
is one line of the caller's error family naming the file and the line: the file is missing
or unreadable (with `hint`, what to pass instead), a line is not JSON, or not an object.
Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from core.errors import ListenError


def read_json_lines(path: Path, error: type[ListenError], hint: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line of `path`."""
    path = Path(path)
    try:
        f = open(path, encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path} does not exist; {hint}") from None
    except OSError as err:
        raise error(f"cannot read {path}: {err.strerror or err}; {hint}") from err
    with f:
        n = 0
        try:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as err:
                    raise error(f"{path} line {n} is not valid JSON ({getattr(err, 'msg', err)}); "
                                f"fix or delete that line") from err
                if not isinstance(obj, dict):
                    raise error(f"{path} line {n} is a JSON {type(obj).__name__}, not an object")
                yield n, obj
        except UnicodeDecodeError as err:
            raise error(f"{path} line {n + 1} is not UTF-8 text ({err.reason}); {hint}") from err
