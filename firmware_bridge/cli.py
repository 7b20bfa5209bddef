"""`listen bridge`: run the UART bridge between the speaker's MCU and the daemon.

Cheap to import (argparse and the standard library only); everything else is
imported inside `run`.
"""

from __future__ import annotations

import argparse

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
  listen bridge --port /tmp/ttyMCU                        # in another"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bridge", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--port", required=True, help="serial device of the MCU, e.g. /dev/ttyUSB0 or /dev/serial/by-id/...")
    p.add_argument("--baud", type=int, default=115200, help="baud rate, 8N1 (default: 115200)")
    p.add_argument(
        "--daemon",
        metavar="SOCKET",
        default=None,
        help="the daemon's unix socket (default: $LISTEN_SOCKET, else $XDG_RUNTIME_DIR/listen/daemon.sock)",
    )
    p.add_argument("--question", default=None, help="question asked on a press of the ask button")
    p.add_argument("--ask-button", type=int, default=0, help="id of the ask button (default: 0)")
    p.add_argument("--answer-hold", type=float, default=4.0, help="seconds the answer pattern stays (default: 4)")
    p.add_argument("--brightness", type=int, default=160, help="LED brightness 0..255 (default: 160)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import signal
    import threading
    from pathlib import Path

    from firmware_bridge.bridge import BridgeConfig
    from firmware_bridge.daemon_link import NdjsonDaemonClient, default_socket
    from firmware_bridge.errors import BridgeError
    from firmware_bridge.service import BridgeService

    if not 0 <= args.brightness <= 255:
        raise BridgeError(f"--brightness {args.brightness} is out of range; use 0..255")
    if args.baud <= 0:
        raise BridgeError(f"--baud {args.baud} must be positive, e.g. 115200")
    config = BridgeConfig(
        question=args.question,
        ask_button=args.ask_button,
        answer_hold_s=args.answer_hold,
        brightness=args.brightness,
    )
    socket_path = Path(args.daemon).expanduser() if args.daemon else default_socket()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    service = BridgeService(args.port, NdjsonDaemonClient(socket_path), args.baud, config)
    print(f"listen bridge: {args.port} at {args.baud} baud <-> daemon {socket_path}", flush=True)
    with service:
        service.wait(stop)
    link = service.runner.link
    print(f"listen bridge: stopped; link counters {dict(link.counters)}, decoder {dict(link.decoder.counters)}")
    return 0
