"""`listen serve`: the smart-speaker daemon (argument parsing only; the logic is edge/daemon.py).

Cheap to import: the model (edge.assistant) and sounddevice are imported inside `run`.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import threading
from pathlib import Path

from edge.errors import EdgeError

log = logging.getLogger("edge.serve")

DESCRIPTION = """\
Capture audio, keep the last minutes of activity (speech and other sounds) in RAM, and
answer questions about it over a local socket (newline-delimited JSON, see edge/PROTOCOL.md).

  listen serve                              # default microphone, default bundle
  listen serve --source kitchen.wav --loop  # replay a file in real time (no microphone needed)
  listen serve --watch "Is there a smoke alarm?"

The socket is a unix socket with mode 0600 ($LISTEN_SOCKET, else
$XDG_RUNTIME_DIR/listen/daemon.sock); --tcp adds a loopback-only TCP port. Mute stops the
capture and wipes the buffer. SIGTERM shuts down cleanly. Logs go to stderr, with syslog
priority prefixes when running under systemd (journald)."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve",
        help="run the listening daemon (microphone or --source FILE) with a local socket API",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--bundle", type=Path, help="bundle folder (default: the default bundle)")
    p.add_argument("--no-model", action="store_true", help="capture and events only: no assistant is loaded")
    src = p.add_argument_group("audio source")
    src.add_argument("--source", type=Path, metavar="FILE", help="replay this audio file in real time instead of a microphone")
    src.add_argument("--loop", action="store_true", help="with --source: start over at the end")
    src.add_argument("--speed", type=float, default=1.0, help="with --source: replay speed (default 1.0 = real time)")
    src.add_argument("--device", help="capture device: index or part of its name (default: the system default)")
    api = p.add_argument_group("socket API")
    api.add_argument("--socket", type=Path, help="unix socket path (default: $LISTEN_SOCKET or $XDG_RUNTIME_DIR/listen/daemon.sock)")
    api.add_argument("--socket-mode", type=lambda s: int(s, 8), default=0o600, help="octal permissions of the socket (default 600)")
    api.add_argument("--tcp", type=int, metavar="PORT", help="also listen on 127.0.0.1:PORT (loopback only)")
    api.add_argument("--tcp-host", default="127.0.0.1", help="loopback address for --tcp: 127.0.0.1 or ::1")
    act = p.add_argument_group("activity and buffer")
    act.add_argument("--buffer-seconds", type=float, default=300.0, help="seconds of activity kept in RAM (default 300)")
    act.add_argument("--vad-aggressiveness", type=int, choices=range(4), default=2, help="webrtcvad mode 0..3 (default 2)")
    act.add_argument("--max-segment-seconds", type=float, default=10.0, help="longer activity is cut (default 10)")
    act.add_argument("--watch", action="append", default=[], metavar="QUESTION", help="a standing yes/no question (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from edge.activity import ActivityConfig, Segmenter, SegmenterConfig
    from edge.capture import FileSource, MicrophoneSource, find_input_device
    from edge.client import default_socket_path
    from edge.daemon import Daemon, DaemonConfig

    if os.environ.get("JOURNAL_STREAM"):
        use_journald_format()
    if args.source is not None:
        source = FileSource(args.source, speed=args.speed, loop=args.loop)
    else:
        find_input_device(args.device)  # fail now, naming the devices seen
        source = MicrophoneSource(args.device)
    assistant, bundle = (None, {}) if args.no_model else load_assistant(args.bundle)
    config = DaemonConfig(
        socket_path=args.socket or default_socket_path(),
        socket_mode=args.socket_mode,
        tcp_port=args.tcp,
        tcp_host=args.tcp_host,
        buffer_seconds=args.buffer_seconds,
    )
    segmenter = Segmenter(
        SegmenterConfig(max_length_s=args.max_segment_seconds),
        ActivityConfig(vad_aggressiveness=args.vad_aggressiveness),
    )
    daemon = Daemon(assistant, source, config, segmenter=segmenter, bundle=bundle)
    for question in args.watch:
        daemon.add_watch(question)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: stop.set())
    daemon.start()
    try:
        notify_systemd("READY=1")
        stop.wait()
        notify_systemd("STOPPING=1")
    finally:
        daemon.stop()
    return 0


def load_assistant(bundle: Path | None):
    """(assistant, bundle summary) from `edge.assistant.Assistant.from_bundle`."""
    try:
        from edge.assistant import Assistant
    except ImportError as err:
        raise EdgeError(
            f"the on-device assistant is not available ({err}); install the edge extra, "
            f"or run `listen serve --no-model` for capture and events only"
        ) from err
    if bundle is None:
        try:
            from edge.bundle import default_bundle_dir

            bundle = default_bundle_dir()
        except ImportError:
            pass
    assistant = Assistant.from_bundle(bundle)
    summary = getattr(getattr(assistant, "bundle", None), "summary", None)
    return assistant, (summary() if callable(summary) else {})


class JournaldFormatter(logging.Formatter):
    """`<priority>name: message`: journald reads the syslog priority from the prefix and stamps the time."""

    PRIORITIES = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}

    def format(self, record: logging.LogRecord) -> str:
        priority = self.PRIORITIES.get(record.levelno, 6)
        text = super().format(record).replace("\n", "\n" + f"<{priority}>")  # every line of a traceback
        return f"<{priority}>{record.name}: {text}"


def use_journald_format() -> None:
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JournaldFormatter("%(message)s"))


def notify_systemd(state: str) -> None:
    """sd_notify for `Type=notify` units; a no-op outside systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(state.encode(), address)
    except OSError as err:
        log.debug("sd_notify failed: %s", err)
