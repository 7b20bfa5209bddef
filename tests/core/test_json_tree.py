"""core.json_tree: the one bounded walk behind the socket protocol's and the manifest's nesting checks."""

from __future__ import annotations

import pytest

from core.json_tree import JSONTooDeep, iter_json_strings


def _nested(levels: int, leaf=None):
    value = [] if leaf is None else leaf
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize("levels", [1, 2, 32])
def test_the_limit_itself_is_allowed(levels):
    assert list(iter_json_strings(_nested(levels), 32)) == []


@pytest.mark.parametrize("value", [_nested(33), {"a": _nested(32)}, _nested(100_000)])
def test_one_level_past_the_limit_is_refused_even_when_empty(value):
    with pytest.raises(JSONTooDeep, match="32 levels"):
        list(iter_json_strings(value, 32))


def test_every_string_is_yielded_keys_included():
    value = {"k1": ["a", {"k2": "b"}], "n": 1, "t": True, "z": None}
    assert sorted(iter_json_strings(value, 32)) == ["a", "b", "k1", "k2", "n", "t", "z"]
    assert list(iter_json_strings("top", 1)) == ["top"]  # a scalar has no nesting at all
