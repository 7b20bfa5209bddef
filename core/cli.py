"""`listen`: the one console command.

Subcommands are discovered through the `listen.commands` entry-point group (see
pyproject.toml), so this dispatcher imports no package: each composes its own commands. Each entry point
names a `register(subparsers)` function in a module that is cheap to import (no torch at
import time); the parser it adds sets `func`, which receives the parsed arguments and
returns an exit code. Any `ListenError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib.metadata import entry_points

from core.errors import ListenError

DESCRIPTION = """\
LISTEN-Edge: ask questions about the sounds around you, answered on the device,
with an adapter trained to say "no" when a sound was not there.

Stages: training/ (corpus, LISTEN synthesis, adapter training, evaluation),
export/ (ONNX + GGUF bundle), edge/ (ask, serve), firmware_bridge/ (UART link).
Run `listen COMMAND --help` for the details of each command."""


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the command line, only its command is registered (a command's
    `register` may import its package's config classes: `listen ask` must not pay for torch)."""
    parser = argparse.ArgumentParser(
        prog="listen", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    commands = sorted(entry_points(group="listen.commands"), key=lambda e: e.name)
    named = next((a for a in (argv or []) if not a.startswith("-")), None)
    if any(ep.name == named for ep in commands):
        commands = [ep for ep in commands if ep.name == named]
    for ep in commands:
        try:
            register = ep.load()
        except ImportError as err:  # a part not installed on this device (e.g. no train extra)
            sub.add_parser(ep.name, help=f"(unavailable: {err})").set_defaults(
                func=_unavailable(ep.name, err)
            )
            continue
        register(sub)
    return parser


def _unavailable(name: str, err: ImportError):
    def run(_args: argparse.Namespace) -> int:
        raise ListenError(
            f"`listen {name}` cannot run here: {err}. Install the extra it needs, "
            f"e.g. pip install 'listen-edge[train,export]'"
        )

    return run


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(
        # daemons (serve, bridge) set log_level=INFO for the journal; interactive commands print
        level=logging.DEBUG if args.verbose else getattr(args, "log_level", logging.WARNING),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(args.func(args) or 0)
    except ListenError as err:
        print(f"listen {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"listen {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
