"""`listen doctor`: is this device ready for `listen serve` and `listen bridge`? One line per check.

The command composes what each package contributes through the `listen.doctor` entry
points (pyproject.toml), in the order of the settings file's tables (core.settings.SECTIONS):
the edge's checks for [serve] (edge/doctor.py), the bridge's for [bridge]
(firmware_bridge/doctor.py). A contribution is a module with

    SECTION                      its table in the settings file
    SETTINGS                     its settings dataclass (defaults when the file is broken)
    add_arguments(parser)        its flags, each naming its key
    load_settings(args)          its table of --config with its flags on top (ConfigError)
    CHECKS                       [(name, check(settings) -> Check)]

Each check returns a status, what was found and, when something is wrong, the fix. Nothing
changes the system, opens the microphone or the serial port (a running bridge holds it, and
opening it may reset the MCU), or loads the LLM. A check that crashes is a FAIL line with its
error, never a traceback.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable

from core.errors import ConfigError
from core.settings import SECTIONS

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"

DESCRIPTION = """\
Check, one line each with the fix, what `listen serve` and `listen bridge` need on this
device: the audio capture devices and their sample rates, the ONNX Runtime providers and the
one that really runs the bundle's graph, the llama.cpp build (CPU or GPU offload), the
bundle's integrity, the socket's permissions and the serial port's access.

  listen doctor
  sudo -u listen listen doctor --config /etc/listen/listen.toml   # as the service sees it

Statuses: OK; WARN (works, probably not as intended); FAIL (will not work); SKIP (not used
with these settings). Exit code 0 when nothing failed, 1 when a check failed. Nothing is
changed, and neither the microphone nor the serial port is opened."""


@dataclass(frozen=True)
class Check:
    name: str  # what was checked, e.g. "audio"
    status: str  # OK, WARN (works, but probably not as intended), FAIL (will not work), SKIP (not used)
    summary: str  # what was found
    fix: str = ""  # what to do about it (empty when nothing needs doing)

    def line(self) -> str:
        text = " ".join(f"{self.summary}; fix: {self.fix}".split()) if self.fix else " ".join(self.summary.split())
        return f"{self.status:<4}  {self.name:<11} {text}"


CheckFn = Callable[[Any], Check]


def run_checks(settings: Any, checks: list[tuple[str, CheckFn]]) -> list[Check]:
    results = []
    for name, check in checks:
        try:
            results.append(check(settings))
        except Exception as err:  # a broken library must not hide the other checks
            results.append(Check(name, FAIL, f"the check itself failed: {type(err).__name__}: {err}",
                                 "report this with the output of `listen -v doctor`"))
    return results


# -- who is asking (socket and serial permissions) -----------------------------------------


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def me() -> str:
    return user_name(os.geteuid())


# -- the command -----------------------------------------------------------------------------


def contributions() -> list[Any]:
    """The loaded `listen.doctor` modules, in the settings file's table order."""
    found = []
    for ep in entry_points(group="listen.doctor"):
        try:
            found.append(ep.load())
        except ImportError:  # a part not installed on this device (e.g. no bridge extra): nothing to check
            continue
    order = {name: i for i, name in enumerate(SECTIONS)}
    return sorted(found, key=lambda m: order.get(m.SECTION, len(order)))


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "doctor",
        help="check this device: audio, ONNX Runtime, llama.cpp, bundle, socket, serial (one line each, with the fix)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--config", type=Path, metavar="FILE", help="the TOML file the services use (deploy/listen.toml)")
    parts = contributions()
    for part in parts:
        part.add_arguments(p)
    p.set_defaults(func=run, doctor_parts=parts)  # loaded once: their flags and their checks


def run(args: argparse.Namespace) -> int:
    parts = args.doctor_parts
    loaded, problems = [], []
    for part in parts:
        try:
            loaded.append(part.load_settings(args))
        except ConfigError as err:
            loaded.append(part.SETTINGS())
            problems.append(str(err))
    if problems:
        shown = "; ".join(dict.fromkeys(problems))  # a broken file is every table's problem: say it once
        first = Check("config", FAIL, f"{shown}; the other checks use the defaults",
                      "correct the key (deploy/listen.toml documents every key and its allowed values)")
    elif args.config is None:
        first = Check("config", OK, "no --config given: built-in defaults and the flags (deploy/listen.toml lists them)")
    else:
        first = Check("config", OK, f"{args.config} is valid")
    results = [first]
    for part, settings in zip(parts, loaded):
        results += run_checks(settings, part.CHECKS)
    for check in results:
        print(check.line(), flush=True)
    failed = [c.name for c in results if c.status == FAIL]
    print(f"listen doctor: {len(results)} checks, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}")
    return 1 if failed else 0
