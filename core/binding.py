"""Untrusted key/value data -> a (nested) frozen dataclass, with errors that name the key.

One walk over the fields serves the three places that build configs from outside data:
the settings file (`core.settings`, TOML), the daemon's socket messages (`edge.protocol`,
JSON) and training configs (`training.config_io`, JSON plus `--section.field` flags).
What differs between them is passed in:

- `convert(value, hint, key)`: one leaf value -> the annotated type, or `Mismatch` with the
  expected type in words. `strict` (below) takes JSON/TOML types as they are; training's
  converter also parses the strings that command-line flags give.
- `error(message)`: the exception of the caller's family (ConfigError, ProtocolError, ...).
- `unknown`: "refuse" a key the dataclass does not have (config files: a typo must not be
  silently ignored), or "ignore" it (protocol messages: newer clients may send more fields).

A field may carry its allowed values next to its default: `field(default=..., metadata=
allowed(test, "words"))`, or `metadata=between(lo, hi, unit=...)`; `bind` checks them.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from pathlib import Path
from typing import Any, Callable, Literal, Union

Rule = tuple[Callable[[Any], bool], str]  # (test, the allowed values in words)
Convert = Callable[[Any, Any, str], Any]


class Mismatch(Exception):
    """A leaf value of the wrong type or spelling: what is wrong, and what is expected, in words."""

    def __init__(self, expected: str, problem: str = "has the wrong type") -> None:
        super().__init__(expected)
        self.expected, self.problem = expected, problem


def allowed(test: Callable[[Any], bool], words: str) -> dict[str, Rule]:
    """Field metadata: the values a field allows on top of its type."""
    return {"allowed": (test, words)}


def between(lo: float | None, hi: float | None, *, lo_open: bool = False, unit: str = "") -> dict[str, Rule]:
    """Field metadata: a number in [lo, hi] ((lo, hi] with lo_open); None: unbounded."""

    def test(v: Any) -> bool:
        return (lo is None or (v > lo if lo_open else v >= lo)) and (hi is None or v <= hi)

    if hi is None:
        words = f"{'>' if lo_open else '>='} {lo:g}"
    else:
        words = f"({lo:g}, {hi:g}]" if lo_open else f"{lo:g}..{hi:g}"
    return allowed(test, words + (f" {unit}" if unit else ""))


def rule_of(field: dataclasses.Field) -> Rule | None:
    return field.metadata.get("allowed")


def bind(
    cls: type,
    data: Any,
    convert: Convert,
    error: Callable[[str], Exception],
    *,
    prefix: str = "",
    unknown: Literal["refuse", "ignore"] = "refuse",
    where: str = "",
    given: frozenset[str] = frozenset(),
) -> Any:
    """`cls(**data)` with every value converted and checked. `prefix` ("serve.") starts the dotted
    key of each field in messages, `where` ("FILE: ") starts each message, and a key in `given`
    is named as coming from the command line instead."""
    section = prefix.rstrip(".")

    def name(key: str) -> str:
        return f"command line: {key}" if key in given else f"{where}{key}"

    if not isinstance(data, dict):
        if section:
            raise error(f"{name(section)} must be a table ([{section}]), not {type(data).__name__}")
        raise error(f"{where}expected an object of keys, not {type(data).__name__}")
    fields = [f for f in dataclasses.fields(cls) if f.init]
    known = [f.name for f in fields]
    extra = sorted(set(data) - set(known))
    if extra and unknown == "refuse":
        raise error(f"{where}unknown key {prefix}{extra[0]}; allowed{f' in [{section}]' if section else ''}: {', '.join(known)}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in fields:
        key = prefix + f.name
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise error(f"{name(key)} is required ({type_words(hints[f.name])})")
            continue
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            values[f.name] = bind(hint, data[f.name], convert, error, prefix=key + ".", unknown=unknown, where=where, given=given)
            continue
        try:
            value = convert(data[f.name], hint, key)
        except Mismatch as err:
            raise error(f"{name(key)} = {show(data[f.name])} {err.problem}; allowed: {err.expected}") from None
        rule = rule_of(f)
        if rule is not None and value is not None and not rule[0](value):
            shown = f"0o{value:o}" if f.metadata.get("spelling") == "octal" else show(value)
            raise error(f"{name(key)} = {shown} is not allowed; allowed: {rule[1]}")
        values[f.name] = value
    try:
        return cls(**values)
    except (ValueError, TypeError) as err:  # the dataclass's own __post_init__ check
        raise error(f"{where}[{section}]: {err}" if section else f"{where}{cls.__name__}: {err}") from err


def strict(value: Any, hint: Any, key: str) -> Any:
    """JSON/TOML values taken as they are: no string is parsed as a number, no bool is an int,
    an int is a float, non-finite floats are refused, a list is a tuple of its item type."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in typing.get_args(hint):
            return None
        for option in typing.get_args(hint):
            try:
                return strict(value, option, key)
            except Mismatch:
                continue
        raise Mismatch(type_words(hint))
    if origin is tuple and isinstance(value, (list, tuple)):
        item = next(a for a in typing.get_args(hint) if a is not Ellipsis)
        return tuple(strict(v, item, key) for v in value)
    if hint is bool and isinstance(value, bool):
        return value
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if hint is str and isinstance(value, str):
        return value
    if hint in (list, dict) and isinstance(value, hint):  # a bare container: its items are the caller's to check
        return value
    if hint is Any:
        return value
    raise Mismatch(type_words(hint))


def is_optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (Union, types.UnionType) and type(None) in typing.get_args(hint)


def optional_of(hint: Any) -> Any:
    """X for `X | None`."""
    (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
    return inner


def type_words(hint: Any) -> str:
    if typing.get_origin(hint) in (Union, types.UnionType):
        return " or ".join(type_words(a) for a in typing.get_args(hint))
    if typing.get_origin(hint) is tuple:
        item = next(a for a in typing.get_args(hint) if a is not Ellipsis)
        return f"a list of {type_words(item).removeprefix('a ').removeprefix('an ')}s"
    words = {bool: "true or false", int: "an integer", float: "a finite number", str: "a string",
             Path: "a non-empty path string", type(None): "null", list: "a list", dict: "an object"}
    return words.get(hint, getattr(hint, "__name__", str(hint)))


def show(value: Any) -> str:
    """A value as the user wrote it (TOML/JSON spelling), cut to 60 characters."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, Path)):
        text = repr(str(value))
    elif isinstance(value, (tuple, list)):
        text = "[" + ", ".join(show(v) for v in value) + "]"
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def defaults(cls: type, prefix: str = "") -> dict[str, Any]:
    """Every leaf key of a (nested) dataclass, dotted, with its default: {"serve.speed": 1.0, ...}."""
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hints[f.name]):
            out.update(defaults(hints[f.name], key + "."))
        elif f.default is not dataclasses.MISSING:
            out[key] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[key] = f.default_factory()
    return out


def rules(cls: type, prefix: str = "") -> dict[str, Rule]:
    """The allowed-values rule of every leaf key that has one, dotted."""
    out: dict[str, Rule] = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hints[f.name]):
            out.update(rules(hints[f.name], key + "."))
        elif rule_of(f) is not None:
            out[key] = rule_of(f)
    return out
