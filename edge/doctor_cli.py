"""`listen doctor`: check this device for `listen serve` and `listen bridge` (argument parsing only).

Cheap to import: the checks (edge.doctor) and the libraries they probe are imported inside `run`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Check, one line each with the fix, what `listen serve` and `listen bridge` need on this
device: the audio capture devices and their sample rates, the ONNX Runtime providers and the
one that really runs, the llama.cpp build (CPU or GPU offload), the bundle's integrity, the
socket's permissions and the serial port's access.

  listen doctor
  sudo -u listen listen doctor --config /etc/listen/listen.toml   # as the service sees it

Statuses: OK; WARN (works, probably not as intended); FAIL (will not work); SKIP (not used
with these settings). Exit code 0 when nothing failed, 1 when a check failed. Nothing is
changed, and neither the microphone nor the serial port is opened."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "doctor",
        help="check this device: audio, ONNX Runtime, llama.cpp, bundle, socket, serial (one line each, with the fix)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--config", type=Path, metavar="FILE", help="the TOML file the services use (deploy/listen.toml)")
    p.add_argument("--bundle", type=Path, help="check this bundle folder [serve.bundle]")
    p.add_argument("--device", help="check this capture device [serve.device]")
    p.add_argument("--socket", type=Path, help="check this daemon socket [serve.socket.path]")
    p.add_argument("--port", help="check this serial port [bridge.port]")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from edge.config import ConfigError, ListenConfig, load_config
    from edge.doctor import FAIL, OK, Check, run_checks

    overrides = {"serve.bundle": args.bundle, "serve.device": args.device, "serve.socket.path": args.socket,
                 "bridge.port": args.port}
    try:
        config = load_config(args.config, overrides)
        if args.config is None:
            first = Check("config", OK, "no --config given: built-in defaults and the flags (deploy/listen.toml lists them)")
        else:
            first = Check("config", OK, f"{args.config} is valid")
    except ConfigError as err:
        config = ListenConfig()
        first = Check("config", FAIL, f"{err}; the other checks use the defaults",
                      "correct the key (deploy/listen.toml documents every key and its allowed values)")
    results = [first, *run_checks(config)]
    for check in results:
        print(check.line(), flush=True)
    failed = [c.name for c in results if c.status == FAIL]
    print(f"listen doctor: {len(results)} checks, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}")
    return 1 if failed else 0
