"""Frozen dataclass configs <-> JSON files <-> command-line flags (torch-free).

- `from_dict(cls, data)` builds a (nested) config and refuses unknown keys, naming them
  and listing the known ones (nanoGPT's "Unknown config key").
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

from training.errors import TrainingError


class TrainConfigError(TrainingError):
    """A training config file or override with an unknown key or a value of the wrong type.

    Not `edge.config.ConfigError`, which is about the `listen` settings file (listen.toml).
    """


def to_dict(config: Any) -> dict:
    """A JSON-ready nested dict (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


def from_dict(cls: type, data: dict, where: str = "config") -> Any:
    if not isinstance(data, dict):
        raise TrainConfigError(f"{where} must be a JSON object, found {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise TrainConfigError(f"Unknown config key: {', '.join(f'{where}.{k}' for k in unknown)}; known keys: {', '.join(fields)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in data.items():
        values[name] = _coerce(hints[name], value, f"{where}.{name}")
    return cls(**values)


def _coerce(hint: Any, value: Any, where: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value, where)
    origin = typing.get_origin(hint)
    if origin is tuple:
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        if not isinstance(value, (list, tuple)):
            raise TrainConfigError(f"{where} must be a list, found {value!r}")
        (item,) = {a for a in typing.get_args(hint) if a is not Ellipsis}
        return tuple(_coerce(item, v, where) for v in value)
    try:
        if hint is bool:
            if isinstance(value, str):
                if value.lower() in ("1", "true", "yes", "on"):
                    return True
                if value.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError(value)
            return bool(value)
        if hint is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        return hint(value)
    except (TypeError, ValueError) as err:
        raise TrainConfigError(f"{where} must be {getattr(hint, '__name__', hint)}, found {value!r}") from err


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
