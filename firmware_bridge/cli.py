"""`listen bridge`: run the UART bridge between the speaker's MCU and the daemon.

Cheap to import (argparse and the standard library only); everything else is
imported inside `run`.
"""

from __future__ import annotations

import argparse
import logging

HELP = "bridge the speaker's microcontroller (buttons, mute switch, LEDs) to the daemon"
DESCRIPTION = """\
Link the speaker's microcontroller to the LISTEN daemon over a UART.

- A short press of the ask button asks --question (or, without one, starts listening);
  a long press always starts listening. The ring shows THINKING, then ANSWER_YES / ANSWER_NO.
- The hardware mute switch mutes the daemon (capture stops, the buffer is wiped) and
  shows MUTED; watch alerts from the daemon show ALERT.
- If the port disappears the bridge reopens it with backoff; if the daemon restarts it
  re-subscribes to its events (and mutes it again when the switch is on).

Protocol: firmware_bridge/PROTOCOL.md. Try it without hardware:
  python -m firmware_bridge.simulator --pty /tmp/ttyMCU   # in one terminal
  listen bridge --port /tmp/ttyMCU                        # in another

Settings come from --config FILE (its [bridge] table; deploy/listen.toml lists every key
with its default and unit; the [key] after each option's help names its key); flags
override the file."""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bridge", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # Flag defaults are None: an unset flag leaves the --config value (or its default) alone.
    p.add_argument("--config", metavar="FILE", help="TOML settings, [bridge] table (deploy/listen.toml); flags override it")
    p.add_argument("--port", help="serial device of the MCU, e.g. /dev/ttyUSB0 or /dev/serial/by-id/... [bridge.port]")
    p.add_argument("--baud", type=int, help="baud rate, 8N1 [bridge.baud]")
    p.add_argument(
        "--daemon",
        metavar="SOCKET",
        default=None,
        help="the daemon's unix socket (default: [serve.socket] path, else $LISTEN_SOCKET, "
        "else $XDG_RUNTIME_DIR/listen/daemon.sock) [bridge.daemon]",
    )
    p.add_argument("--question", default=None, help="question asked on a press of the ask button [bridge.mapping.question]")
    p.add_argument("--ask-button", type=int, help="id of the ask button [bridge.mapping.ask_button]")
    p.add_argument("--answer-hold", type=float, help="seconds the answer pattern stays [bridge.mapping.answer_hold_s]")
    p.add_argument("--brightness", type=int, help="LED brightness 0..255 [bridge.mapping.brightness]")
    p.set_defaults(func=run, log_level=logging.INFO)  # a daemon: its INFO lines go to the journal


def run(args: argparse.Namespace) -> int:
    import signal
    import threading
    from pathlib import Path

    from edge.client.address import default_socket_path
    from firmware_bridge.daemon_client import NdjsonDaemonClient
    from firmware_bridge.errors import BridgeError
    from firmware_bridge.service import BridgeService
    from firmware_bridge.settings import load_bridge_settings

    if args.brightness is not None and not 0 <= args.brightness <= 255:
        raise BridgeError(f"--brightness {args.brightness} is out of range; use 0..255")
    if args.baud is not None and args.baud <= 0:
        raise BridgeError(f"--baud {args.baud} must be positive, e.g. 115200")
    settings = load_bridge_settings(args.config, {
        "bridge.port": args.port,
        "bridge.baud": args.baud,
        "bridge.daemon": Path(args.daemon) if args.daemon else None,
        "bridge.mapping.question": args.question,
        "bridge.mapping.ask_button": args.ask_button,
        "bridge.mapping.answer_hold_s": args.answer_hold,
        "bridge.mapping.brightness": args.brightness,
    })
    if settings.port is None:
        raise BridgeError("no serial port: pass --port /dev/ttyUSB0 or set `port` under [bridge] in the --config file")
    port, baud, config = settings.port, settings.baud, settings.mapping
    socket_path = settings.daemon or default_socket_path()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    service = BridgeService(port, NdjsonDaemonClient(socket_path), baud, config)
    print(f"listen bridge: {port} at {baud} baud <-> daemon {socket_path}", flush=True)
    with service:
        service.wait(stop)
    link = service.runner.link
    print(f"listen bridge: stopped; link counters {dict(link.counters)}, decoder {dict(link.decoder.counters)}")
    return 0
