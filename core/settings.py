"""The settings file that `listen serve`, `listen bridge` and `listen doctor` share (TOML).

One file holds a table per program, so a value two programs need (the daemon's socket) is
written once:

    [serve]    the daemon         edge.settings.ServeSettings (with [serve.socket],
                                  [serve.activity], [serve.segments])
    [bridge]   the UART bridge    firmware_bridge.settings.BridgeSettings ([bridge.mapping])

Each package owns the dataclass of its table, and each field carries its default and its
allowed values (`core.binding.between` / `allowed`); this module only reads the file and
binds one table. `deploy/listen.toml` lists every key with its default and unit. Unknown
keys and tables are refused, values are type-checked, and every error names the key and
the allowed values. A key that is absent keeps its default (TOML has no null, so an
optional key is simply left out). Relative paths in the file are relative to the file's
folder; command-line flags override the file.

A key may also be a command-line flag: `flag("--buffer-seconds", "help", ...)` in its field's
metadata (joined to the allowed values with `|`). `add_flags` adds those flags to a parser,
with the key as each flag's `dest` and "[serve.buffer_seconds]" after its help, and
`flag_overrides` hands the ones given back as overrides for `load_section`.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import typing
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from core import binding
from core.errors import ConfigError
from core.json_tree import JSONTooDeep, iter_json_strings

SECTIONS = ("serve", "bridge")  # the file's top-level tables
MAX_DEPTH = 16  # nesting of tables and arrays; the deepest setting is [serve.mqtt] (3)


def octal_mode(test: Callable[[int], bool], words: str) -> dict[str, Any]:
    """Field metadata for a file mode: also written as a string of octal digits ("0600"), shown in octal."""
    return {**binding.allowed(test, words), "spelling": "octal"}


INDEX = {"spelling": "index"}  # field metadata: a string that may also be written as an integer (a device index)


@dataclasses.dataclass(frozen=True)
class Flag:
    """The command-line flag of one settings key (field metadata, made by `flag`)."""

    name: str  # "--buffer-seconds"
    help: str  # without the key; `add_flags` appends "[serve.buffer_seconds]"
    metavar: str | None = None  # None: the name in capitals (BUFFER_SECONDS), or the choices
    group: str | None = None  # its argument group's title in --help; None: the parser's own options
    choices: Sequence[Any] | None = None
    doctor: str | None = None  # `listen doctor` takes this flag too, with this help; None: it does not


def flag(name: str, help: str, *, metavar: str | None = None, group: str | None = None,
         choices: Sequence[Any] | None = None, doctor: str | None = None) -> dict[str, Flag]:
    """Field metadata: the key's command-line flag. Join it to other metadata with `|`:
    `metadata=between(0, None, unit="s") | flag("--idle-timeout", "...")`."""
    return {"flag": Flag(name, help, metavar, group, choices, doctor)}


def add_flags(parser: argparse.ArgumentParser, cls: type, section: str, groups: Sequence[str] = (),
              *, doctor: bool = False) -> None:
    """One flag per key of the table that has one, in field order. Each flag's dest is its key
    and its default None, so an unset flag leaves the file's value alone (`flag_overrides`).
    `groups`: the argument groups' titles, in the order --help shows them (each `Flag.group`
    must be one). `doctor`: only the flags `listen doctor` takes, with its help, ungrouped."""
    containers = {title: parser.add_argument_group(title) for title in groups}
    for key, f, hint, spelling in _leaves(cls, section + "."):
        fl: Flag | None = f.metadata.get("flag")
        if fl is None or (doctor and fl.doctor is None):
            continue
        if not doctor and fl.group is not None and fl.group not in containers:
            raise ValueError(f"{key}: flag group {fl.group!r} is not one of {list(groups)}")  # a programming error
        where = parser if doctor or fl.group is None else containers[fl.group]
        where.add_argument(fl.name, dest=key, **_flag_arguments(fl, key, hint, spelling, doctor))


def flag_overrides(args: argparse.Namespace, section: str) -> dict[str, Any]:
    """The keys of `section` as the flags gave them ({"serve.speed": 2.0, ...}; None: not given),
    for `load_section`'s overrides."""
    return {key: value for key, value in vars(args).items() if key.startswith(section + ".")}


def _flag_arguments(fl: Flag, key: str, hint: Any, spelling: str | None, doctor: bool) -> dict[str, Any]:
    """add_argument's keywords for a key of type `hint`: a bool is a switch, a tuple a repeatable flag."""
    if binding.is_optional(hint):
        hint = binding.optional_of(hint)
    help = fl.doctor if doctor else fl.help
    out: dict[str, Any] = {"default": None, "help": f"{help} [{key}]"}
    if hint is bool:
        return {**out, "action": "store_true"}
    if typing.get_origin(hint) is tuple:  # each use adds one item; the flags replace the file's list
        hint = next(a for a in typing.get_args(hint) if a is not Ellipsis)
        out.update(action="append", help=f"{help} (repeatable; replaces [{key}])")
    if hint in (int, float, Path) and spelling != "octal":  # an octal mode stays a string ("600"), read as the file's
        out["type"] = hint
    if fl.choices is not None:
        out["choices"] = fl.choices
    if fl.metavar is not None or fl.choices is None:  # argparse shows the choices when there is no metavar
        out["metavar"] = fl.metavar or fl.name.lstrip("-").replace("-", "_").upper()
    return out


def read_settings(path: str | Path) -> dict[str, Any]:
    """The file's tables; ConfigError if it is missing, unreadable, not TOML, or has a table no program reads."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        try:
            import tomli as tomllib
        except ImportError as err:
            raise ConfigError("reading TOML on Python 3.10 needs tomli: pip install tomli") from err
    path = Path(path)
    try:
        with open(path, "rb") as f:
            table = tomllib.load(f)
        for _ in iter_json_strings(table, MAX_DEPTH):  # TOML's tables and arrays nest like JSON's
            pass
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist; see deploy/listen.toml for an example") from None
    except OSError as err:
        raise ConfigError(f"cannot read configuration file {path}: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from err
    except UnicodeDecodeError as err:  # TOML is UTF-8; tomllib decodes before it parses
        raise ConfigError(f"{path} is not UTF-8 text (byte {err.object[err.start:err.start + 1]!r} at offset "
                          f"{err.start}); save it as UTF-8") from None
    except (RecursionError, JSONTooDeep):  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{path}: arrays or tables nest deeper than {MAX_DEPTH} levels; no setting needs that") from None
    unknown = sorted(set(table) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]}; allowed at the top level: {', '.join(SECTIONS)}")
    return table


def load_section(cls: type, section: str, path: str | Path | None = None, overrides: dict[str, Any] | None = None,
                 tables: dict[str, Any] | None = None) -> Any:
    """Table `section` of the file at `path` (None: defaults only) as a `cls`, with `overrides`
    ({"serve.buffer_seconds": 60.0, ...}, full dotted keys; None values are skipped) on top.
    `Path` values in overrides are relative to the working directory; strings in the file are
    relative to the file's folder. `tables`: the file as `read_settings(path)` already gave it
    (a caller that needs another table of the same file reads it once)."""
    table: Any = {}
    base = Path.cwd()
    where = ""
    if path is not None:
        path = Path(path).expanduser()
        table = (read_settings(path) if tables is None else tables).get(section, {})
        base = path.resolve().parent
        where = f"{path}: "
    given: set[str] = set()
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if not key.startswith(section + "."):
            raise ValueError(f"override {key!r} is not in [{section}]")  # a programming error, not the user's
        if isinstance(value, Path):
            value = value.expanduser().absolute()
        if isinstance(table, dict):
            _set_dotted(table, key[len(section) + 1 :], value)
        given.add(key)

    spellings = _spellings(cls, section + ".")

    def convert(value: Any, hint: Any, key: str) -> Any:
        return _convert(value, hint, key, base, spellings.get(key))

    return binding.bind(cls, table, convert, ConfigError, prefix=section + ".", where=where, given=frozenset(given))


def path_value(value: Any, base: Path) -> Path:
    """A path from the file: `~` expanded, relative to `base` (the file's folder)."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p


def section_keys(cls: type, section: str) -> dict[str, Any]:
    """Every key of one table, dotted, with its default: {"serve.buffer_seconds": 300.0, ...}."""
    return binding.defaults(cls, section + ".")


def _set_dotted(table: dict, key: str, value: Any) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        table = table.setdefault(part, {})
        if not isinstance(table, dict):
            return  # the file already holds a non-table here; bind reports it
    table[leaf] = value


def _spellings(cls: type, prefix: str) -> dict[str, str]:
    return {key: spelling for key, _, _, spelling in _leaves(cls, prefix) if spelling is not None}


def _leaves(cls: type, prefix: str) -> Iterator[tuple[str, dataclasses.Field, Any, str | None]]:
    """(dotted key, field, type hint, spelling) of every leaf key of a (nested) table, in field order."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = prefix + f.name
        if dataclasses.is_dataclass(hints[f.name]):
            yield from _leaves(hints[f.name], key + ".")
        else:
            yield key, f, hints[f.name], f.metadata.get("spelling")


def _convert(value: Any, hint: Any, key: str, base: Path, spelling: str | None) -> Any:
    if binding.is_optional(hint):  # TOML has no null: a present key is always an X
        hint = binding.optional_of(hint)
    if spelling == "octal" and isinstance(value, str):
        digits = value[2:] if value[:2].lower() == "0o" else value
        if not re.fullmatch("[0-7]{1,4}", digits):  # int(_, 8) would also take " 6_0", "-600"
            raise binding.Mismatch('e.g. 0o600 or "0600"', problem="is not an octal file mode")
        return int(digits, 8)
    if spelling == "index" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if hint is Path:
        if isinstance(value, (str, Path)) and str(value).strip():
            return path_value(value, base)
        raise binding.Mismatch(binding.type_words(Path))
    return binding.strict(value, hint, key)
