"""Frozen dataclass configs <-> JSON files <-> command-line flags (torch-free).

- `from_dict(cls, data)` builds a (nested) config through the one dataclass binding of the
  project (core.binding), which refuses unknown keys, naming them and listing the known ones.
- `add_arguments(parser, cls)` adds one `--section.field` flag per field, its help taken
  from the field's `metadata["help"]` and its default shown, so `--help` documents all.
- `overrides_from_args(args, cls)` collects the flags the user actually gave, as a
  nested dict to merge over the file's values with `merge`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import typing
from pathlib import Path
from typing import Any

from core.binding import Mismatch, bind, strict, type_words
from training.errors import TrainConfigError


def to_dict(config: Any) -> dict:
    """A JSON-ready nested dict (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


def from_dict(cls: type, data: dict, where: str = "config") -> Any:
    """A (nested) config from JSON values or from the strings `--section.field` flags give
    (core.binding: unknown keys refused, naming the known ones)."""
    return bind(cls, data, _convert, TrainConfigError, prefix=f"{where}.")


def _convert(value: Any, hint: Any, key: str) -> Any:
    """JSON values as they are; a string from a flag parsed as the field's type."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        if not isinstance(value, (list, tuple)):
            raise Mismatch("a list")
        (item,) = {a for a in typing.get_args(hint) if a is not Ellipsis}
        return tuple(_convert(v, item, key) for v in value)
    if isinstance(value, str) and hint in (bool, int, float):
        words = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
        if hint is bool and value.lower() in words:
            return words[value.lower()]
        try:
            value = hint(value) if hint is not bool else value
        except ValueError:
            raise Mismatch(type_words(hint)) from None
    if hint is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if hint is bool and value in (0, 1) and not isinstance(value, bool):
        value = bool(value)
    return strict(value, hint, key)


def load_config(cls: type, path: Path) -> Any:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise TrainConfigError(f"config file {path} does not exist") from None
    except (OSError, ValueError) as err:
        raise TrainConfigError(f"config file {path} is not valid JSON: {err}") from err
    return from_dict(cls, data, Path(path).name)


def merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for k, v in override.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def add_arguments(parser: argparse.ArgumentParser, cls: type, prefix: str = "") -> None:
    """One `--prefix.field` flag per field (nested dataclasses become sections)."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            add_arguments(parser, hint, f"{prefix}{f.name}.")
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        shown = ",".join(map(str, default)) if isinstance(default, tuple) else default
        parser.add_argument(
            f"--{prefix}{f.name}",
            dest=f"cfg:{prefix}{f.name}",
            default=argparse.SUPPRESS,
            metavar=_metavar(hint),
            help=f"{f.metadata.get('help', '')} (default: {shown!r})",
        )


def _metavar(hint: Any) -> str:
    if typing.get_origin(hint) is tuple:
        return "A,B,..."
    return getattr(hint, "__name__", "VALUE").upper()


def overrides_from_args(args: argparse.Namespace) -> dict:
    """Nested dict of the `--section.field` flags given on the command line (strings)."""
    out: dict = {}
    for key, value in vars(args).items():
        if not key.startswith("cfg:"):
            continue
        node = out
        *parents, leaf = key[4:].split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out
