"""The configuration file of `listen serve`, `listen bridge` and `listen doctor` (TOML).

One file holds both programs, so the socket path is written once:

    [serve]              bundle, model placement, audio source, buffer, watches
    [serve.socket]       unix socket path and mode, optional loopback TCP port, idle timeout
    [serve.activity]     VAD aggressiveness and the activity gates (edge.activity.ActivityConfig)
    [serve.segments]     how activity becomes segments (edge.activity.SegmenterConfig)
    [bridge]             serial port, baud rate, daemon socket
    [bridge.mapping]     buttons and LEDs (firmware_bridge.controller.BridgeConfig)

Each default is written once: in the dataclasses below, or in the runtime dataclass a
section reuses. `deploy/listen.toml` lists every key with its default and unit. Unknown
keys and tables are refused, values are type-checked, and every error names the key and
the allowed values. A key that is absent keeps its default (TOML has no null, so an
optional key is simply left out). Relative paths in the file are relative to the file's
folder; command-line flags override the file (`load_config(path, overrides)`).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import re
import sys
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Union

from edge.activity import ActivityConfig, SegmenterConfig
from edge.daemon import DaemonConfig
from edge.daemon_sockets import socket_mode_problem
from edge.errors import EdgeError
from edge.onnx_sessions import PREFERRED_PROVIDERS
from edge.protocol import MAX_LISTEN_SECONDS, MAX_QUESTION_CHARS
from firmware_bridge.controller import BridgeConfig
from firmware_bridge.uart.protocol import DEFAULT_BAUD


class ConfigError(EdgeError):
    """The configuration file cannot be read, or a key holds a value outside its allowed set."""


# ONNX Runtime provider names accepted in `serve.providers` (those this project has a reason to ask for).
KNOWN_PROVIDERS = (*PREFERRED_PROVIDERS, "ROCMExecutionProvider", "OpenVINOExecutionProvider")


@dataclass(frozen=True)
class SocketSettings:
    """[serve.socket]: where clients reach the daemon."""

    path: Path | None = None  # unix socket; unset: $LISTEN_SOCKET, else $XDG_RUNTIME_DIR/listen/daemon.sock
    mode: int = DaemonConfig.socket_mode  # octal file mode; the API has no authentication, so this is the access control
    tcp_port: int | None = None  # also listen on this loopback TCP port; unset: no TCP; 0: any free port
    tcp_host: str = DaemonConfig.tcp_host  # loopback address for tcp_port (the daemon refuses any other)
    idle_timeout_s: float = DaemonConfig.idle_timeout_s  # s a connection may send no request; 0: never; event subscribers exempt


@dataclass(frozen=True)
class ServeSettings:
    """[serve]: the daemon."""

    bundle: Path | None = None  # bundle folder; unset: $LISTEN_HOME/default-bundle
    variant: str | None = None  # encoder/adapter precision from the manifest (e.g. "int8"); unset: the manifest's default
    no_model: bool = False  # capture and events only, no assistant (no bundle needed)
    device: str | None = None  # capture device: PortAudio index or part of its name; unset: the system default
    source: Path | None = None  # replay this audio file in real time instead of a microphone
    loop: bool = False  # with source: start over at the end
    speed: float = 1.0  # with source: replay speed, 1.0 = real time
    buffer_seconds: float = DaemonConfig.buffer_seconds  # s of activity kept in RAM (silence is not stored)
    watches: tuple[str, ...] = ()  # standing yes/no questions checked on every new segment
    threads: int = 0  # CPU threads for ONNX Runtime and llama.cpp; 0: every CPU this process may use
    gpu_layers: int = 0  # llama.cpp layers offloaded to the GPU (CUDA build); -1: all; 0: CPU only
    providers: tuple[str, ...] = ()  # ONNX Runtime providers, in order; empty: TensorRT, CUDA, CPU as installed
    socket: SocketSettings = SocketSettings()
    activity: ActivityConfig = ActivityConfig()
    segments: SegmenterConfig = SegmenterConfig()


@dataclass(frozen=True)
class BridgeSettings:
    """[bridge]: the UART bridge to the speaker's microcontroller."""

    port: str | None = None  # serial device of the MCU, e.g. /dev/ttyUSB0; required (here or --port)
    baud: int = DEFAULT_BAUD  # bits/s, 8N1; must match the firmware
    daemon: Path | None = None  # the daemon's socket; unset: [serve.socket] path, else $LISTEN_SOCKET, else $XDG_RUNTIME_DIR/...
    mapping: BridgeConfig = BridgeConfig()


@dataclass(frozen=True)
class ListenConfig:
    serve: ServeSettings = ServeSettings()
    bridge: BridgeSettings = BridgeSettings()

    @property
    def bridge_socket(self) -> Path | None:
        """The socket the bridge dials: its own setting, else the daemon's; None: the environment default."""
        return self.bridge.daemon or self.serve.socket.path


# -- allowed values ----------------------------------------------------------------------
# key -> (test, the allowed values in words). Type checks come from the annotations; these
# are the ranges and sets on top of them.

Rule = tuple[Callable[[Any], bool], str]


def _between(lo: float | None, hi: float | None, *, lo_open: bool = False, unit: str = "") -> Rule:
    def test(v) -> bool:
        return (lo is None or (v > lo if lo_open else v >= lo)) and (hi is None or v <= hi)

    if hi is None:
        words = f"{'>' if lo_open else '>='} {lo:g}"
    else:
        words = f"{lo:g}..{hi:g}" if not lo_open else f"({lo:g}, {hi:g}]"
    return test, words + (f" {unit}" if unit else "")


def _loopback(v: str) -> bool:
    try:
        return ipaddress.ip_address(v).is_loopback
    except ValueError:
        return False


RULES: dict[str, Rule] = {
    "serve.variant": (lambda v: bool(v.strip()), "a variant named in the bundle manifest, e.g. \"fp32\" or \"int8\""),
    "serve.speed": _between(0, None, lo_open=True, unit="(1.0 = real time)"),
    "serve.buffer_seconds": _between(0, None, lo_open=True, unit="s"),
    "serve.watches": (lambda v: all(0 < len(q.strip()) <= MAX_QUESTION_CHARS for q in v),
                      f"questions of 1..{MAX_QUESTION_CHARS} characters"),
    "serve.threads": _between(0, None, unit="(0 = all CPUs)"),
    "serve.gpu_layers": _between(-1, None, unit="(-1 = all layers, 0 = CPU only)"),
    "serve.providers": (lambda v: all(p in KNOWN_PROVIDERS for p in v), "a list of " + ", ".join(KNOWN_PROVIDERS)),
    "serve.socket.mode": (lambda v: socket_mode_problem(v) is None,
                          "an octal file mode 0o000..0o777 with owner write and without world write "
                          "(the API has no authentication), e.g. 0o600 or \"0660\""),
    "serve.socket.tcp_port": _between(0, 65535, unit="(0 = any free port)"),
    "serve.socket.tcp_host": (_loopback, "a loopback address: 127.0.0.1 or ::1"),
    "serve.socket.idle_timeout_s": _between(0, None, unit="s (0 = never)"),
    "serve.activity.vad_aggressiveness": (lambda v: v in (0, 1, 2, 3), "0, 1, 2 or 3 (webrtcvad mode, 3 = strictest)"),
    "serve.activity.min_level_dbfs": _between(-120, 0, unit="dBFS"),
    "serve.activity.warmup_s": _between(0, None, unit="s"),
    "serve.activity.floor_window_s": _between(0, None, lo_open=True, unit="s"),
    "serve.activity.energy_margin_db": _between(0, None, unit="dB"),
    "serve.activity.speech_margin_db": _between(0, None, unit="dB"),
    "serve.activity.spectral_margin_db": _between(0, None, unit="dB"),
    "serve.activity.spectral_min_bins": _between(1, 257, unit="FFT bins"),
    "serve.activity.tonal_fraction": _between(0, 1, lo_open=True),
    "serve.activity.background_tau_s": _between(0, None, lo_open=True, unit="s"),
    "serve.activity.background_active_tau_s": _between(0, None, lo_open=True, unit="s"),
    "serve.segments.pre_roll_s": _between(0, None, unit="s"),
    "serve.segments.hangover_s": _between(0, None, unit="s"),
    "serve.segments.min_active_s": _between(0, None, unit="s"),
    "serve.segments.max_length_s": _between(0, None, lo_open=True, unit="s"),
    "bridge.port": (lambda v: bool(v.strip()), "a serial device path, e.g. /dev/ttyUSB0"),
    "bridge.baud": _between(0, None, lo_open=True, unit="bits/s, e.g. 115200"),
    "bridge.mapping.question": (lambda v: 0 < len(v.strip()) <= MAX_QUESTION_CHARS,
                                f"a question of 1..{MAX_QUESTION_CHARS} characters"),
    "bridge.mapping.ask_button": _between(0, 255, unit="(button id)"),
    "bridge.mapping.listen_seconds": _between(0, MAX_LISTEN_SECONDS, lo_open=True, unit="s"),
    "bridge.mapping.answer_hold_s": _between(0, None, unit="s"),
    "bridge.mapping.alert_hold_s": _between(0, None, unit="s"),
    "bridge.mapping.brightness": _between(0, 255),
    "bridge.mapping.long_press_ms": _between(50, 60000, unit="ms"),
}
OCTAL_KEYS = {"serve.socket.mode"}  # also accept a string of octal digits ("0600"); shown in octal
INDEX_KEYS = {"serve.device"}  # a string that may also be written as an integer (a PortAudio index)


# -- loading -----------------------------------------------------------------------------


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> ListenConfig:
    """Read `path` (None: defaults only), apply `overrides` ({"serve.buffer_seconds": 60.0, ...}; None
    values are skipped) and validate everything. Paths given as `Path` in overrides are relative to
    the working directory; strings in the file are relative to the file's folder."""
    table: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        path = Path(path).expanduser()
        table = read_toml(path)
        base = path.resolve().parent
    given = set()
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if isinstance(value, Path):
            value = value.expanduser().absolute()
        _set_dotted(table, key, value)
        given.add(key)
    where = f"{path}: " if path is not None else ""
    return _build(ListenConfig, table, "", _Context(base, given, where))


def read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        try:
            import tomli as tomllib
        except ImportError as err:
            raise ConfigError("reading TOML on Python 3.10 needs tomli: pip install tomli") from err
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist; see deploy/listen.toml for an example") from None
    except OSError as err:
        raise ConfigError(f"cannot read configuration file {path}: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from err


def config_keys(cls: type = ListenConfig, prefix: str = "") -> dict[str, Any]:
    """Every key of the file, dotted, with its default: {"serve.buffer_seconds": 300.0, ...}."""
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        key = f"{prefix}{f.name}"
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        if dataclasses.is_dataclass(hints[f.name]):
            out.update(config_keys(hints[f.name], key + "."))
        else:
            out[key] = default
    return out


@dataclass(frozen=True)
class _Context:
    base: Path  # folder that relative paths in the file are relative to
    given: set  # dotted keys that came from the command line
    where: str  # "FILE: " that starts a message about the file

    def name(self, key: str) -> str:
        """`key`, prefixed with where its value came from."""
        return f"command line: {key}" if key in self.given else f"{self.where}{key}"


def _set_dotted(table: dict, key: str, value: Any) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        table = table.setdefault(part, {})
        if not isinstance(table, dict):
            return  # the file already holds a non-table here; _build reports it
    table[leaf] = value


def _build(cls: type, table: Any, prefix: str, ctx: _Context):
    section = prefix.rstrip(".") or "the top level"
    if not isinstance(table, dict):
        raise ConfigError(f"{ctx.name(prefix.rstrip('.'))} must be a table ([{section}]), not {type(table).__name__}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls) if f.init]
    unknown = sorted(set(table) - set(names))
    if unknown:
        raise ConfigError(
            f"{ctx.where}unknown key {prefix + unknown[0]}; allowed in [{section}]: {', '.join(names)}"
        )
    values = {}
    for name, raw in table.items():
        key = prefix + name
        kind = hints[name]
        if dataclasses.is_dataclass(kind):
            values[name] = _build(kind, raw, key + ".", ctx)
        else:
            values[name] = _check(_coerce(raw, kind, key, ctx), key, ctx)
    try:
        return cls(**values)
    except (ValueError, TypeError) as err:  # a runtime dataclass's own __post_init__ check
        raise ConfigError(f"{ctx.where}[{section}]: {err}") from err


def _check(value: Any, key: str, ctx: _Context) -> Any:
    rule = RULES.get(key)
    if rule is not None and not rule[0](value):
        shown = f"0o{value:o}" if key in OCTAL_KEYS else _show(value)
        raise ConfigError(f"{ctx.name(key)} = {shown} is not allowed; allowed: {rule[1]}")
    return value


def _coerce(raw: Any, kind: Any, key: str, ctx: _Context) -> Any:
    """`raw` as the annotated type `kind`, or a ConfigError naming the key and the expected type."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (Union, types.UnionType):  # X | None: a present key is always an X
        kind = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(kind), typing.get_args(kind)
    if key in OCTAL_KEYS and isinstance(raw, str):
        digits = raw[2:] if raw[:2].lower() == "0o" else raw
        if not re.fullmatch("[0-7]{1,4}", digits):  # int(_, 8) would also take " 6_0", "-600"
            raise ConfigError(f"{ctx.name(key)} = {_show(raw)} is not an octal file mode; allowed: e.g. 0o600 or \"0600\"")
        return int(digits, 8)
    if kind is bool and isinstance(raw, bool):
        return raw
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind is float and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            raise ConfigError(f"{ctx.name(key)} = {raw} is not allowed; allowed: a finite number")
        return float(raw)
    if kind is str and isinstance(raw, str):
        return raw
    if kind is str and key in INDEX_KEYS and isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if kind is Path and isinstance(raw, (str, Path)) and str(raw).strip():
        p = Path(raw).expanduser()
        return p if p.is_absolute() else ctx.base / p
    if origin is tuple and isinstance(raw, (list, tuple)):
        return tuple(_coerce(item, args[0], key, ctx) for item in raw)
    expected = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
                Path: "a non-empty path string"}.get(kind, "a list of strings" if origin is tuple else str(kind))
    raise ConfigError(f"{ctx.name(key)} = {_show(raw)} has the wrong type; allowed: {expected}")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, Path)):
        return repr(str(value))
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value)
