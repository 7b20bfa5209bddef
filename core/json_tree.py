"""Walking a parsed JSON value safely: bounded nesting, without recursion.

Both untrusted JSON inputs (the daemon's socket lines and a bundle's manifest.json) are
refused past a nesting limit before anything recursive (a canonical dump, a dataclass
build) can exhaust the stack; each caller turns `JSONTooDeep` into its own error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class JSONTooDeep(ValueError):
    """Arrays/objects nest deeper than the caller's limit."""


def iter_json_strings(value: Any, max_depth: int) -> Iterator[str]:
    """Every string in `value`, object keys included, in no set order.

    Raises JSONTooDeep once an array or object sits deeper than `max_depth` levels (the
    outermost one is level 1), so the walk itself is bounded by the limit, not the input.
    """
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, (dict, list)):
            if level > max_depth:
                raise JSONTooDeep(f"arrays/objects nest deeper than {max_depth} levels")
            if isinstance(item, dict):
                stack.extend((key, level) for key in item)
                stack.extend((v, level + 1) for v in item.values())
            else:
                stack.extend((v, level + 1) for v in item)
