"""`listen serve`: the smart-speaker daemon's arguments, and the wiring of its parts: settings
(edge/settings.py), audio source (edge/capture.py), assistant (edge/assistant.py), the daemon
(edge/daemon/server.py) and systemd (edge/daemon/systemd.py).

Cheap to import: the model (edge.assistant) and sounddevice are imported inside `run`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from edge.errors import EdgeError

if TYPE_CHECKING:
    from edge.assistant import Assistant
    from edge.settings import ServeSettings

# SIGHUP means "reload": the daemon stops cleanly and exits with this non-zero status, so that
# the shipped unit's Restart=on-failure starts it again, re-reading its settings (a reload by
# restart; exit 0 once left the service down). 128 + SIGHUP, as a shell reports it.
RESTART_EXIT = 128 + signal.SIGHUP

DESCRIPTION = """\
Capture audio, keep the last minutes of activity (speech and other sounds) in RAM, and
answer questions about it over a local socket (newline-delimited JSON, see edge/PROTOCOL.md).

  listen serve                              # default microphone, default bundle
  listen serve --source kitchen.wav --loop  # replay a file in real time (no microphone needed)
  listen serve --watch "Is there a smoke alarm?"
  listen serve --watch "Is there a smoke alarm?" --mqtt mqtt://127.0.0.1:1883   # Home Assistant

Settings come from --config FILE (TOML; deploy/listen.toml lists every key with its default
and unit; the [key] after each option's help names its key); flags override the file.
The socket is a unix socket with mode 0600 ($LISTEN_SOCKET, else
$XDG_RUNTIME_DIR/listen/daemon.sock); --tcp adds a loopback-only TCP port. Mute stops the
capture and wipes the buffer. SIGTERM shuts down cleanly; SIGHUP too, then exits with
status 129 so that a service manager (Restart=on-failure) starts it again with the settings
re-read. Watches added while running are kept in the state directory and come back at the
next start. Logs go to stderr, with syslog priority prefixes when running under systemd
(journald).

With --mqtt, the daemon also joins an MQTT broker for Home Assistant (docs/home-assistant.md):
discovery makes a device with a binary sensor per watch, a mute switch and a last-sound
sensor; watches and questions can be sent over MQTT. A user name and password go in
[serve.mqtt] or $LISTEN_MQTT_USERNAME / $LISTEN_MQTT_PASSWORD, never on the command line."""


def register(subparsers) -> None:
    from core.settings import add_flags
    from edge.settings import FLAG_GROUPS, ServeSettings

    p = subparsers.add_parser(
        "serve",
        help="run the listening daemon (microphone or --source FILE) with a local socket API",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--config", type=Path, metavar="FILE", help="TOML settings (deploy/listen.toml lists every key); flags override it")
    add_flags(p, ServeSettings, "serve", FLAG_GROUPS)  # each key's flag is declared on its field (edge/settings.py)
    p.set_defaults(func=run, log_level=logging.INFO)  # a daemon: its INFO lines go to the journal


def run(args: argparse.Namespace) -> int:
    from edge.activity import Segmenter
    from edge.capture import FileSource, MicrophoneSource, find_input_device
    from edge.daemon.server import Daemon
    from edge.daemon.systemd import notify_systemd, use_journald_format
    from edge.settings import load_serve_settings

    use_journald_format()
    s = load_serve_settings(args.config, serve_overrides(args))
    _one_blas_thread()
    if s.source is not None:
        source = FileSource(s.source, speed=s.speed, loop=s.loop)
    else:
        find_input_device(s.device)  # fail now, naming the devices seen
        source = MicrophoneSource(s.device)
    assistant, bundle = (None, {}) if s.no_model else _load_assistant(s)
    segmenter = Segmenter(s.segments, s.activity)
    daemon = Daemon(assistant, source, s.daemon_config(), segmenter=segmenter, bundle=bundle)
    for question in s.watches:
        daemon.add_watch(question)
    stop = threading.Event()
    signals: list[int] = []

    def on_signal(signum: int, _frame) -> None:
        signals.append(signum)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    link = _mqtt_link(daemon, s) if s.mqtt.url else None
    daemon.start()
    try:
        if link is not None:
            link.start()
        notify_systemd("READY=1")
        stop.wait()
        notify_systemd("STOPPING=1")
    finally:
        if link is not None:
            link.stop()
        daemon.stop()
    if signals[:1] == [signal.SIGHUP]:
        logging.getLogger("edge.daemon").warning(
            "SIGHUP: stopped to be started again with the settings re-read; exit status %d", RESTART_EXIT)
        return RESTART_EXIT
    return 0


def serve_overrides(args: argparse.Namespace) -> dict:
    """The flags given on the command line, as config keys (None: not given)."""
    from core.settings import flag_overrides

    return flag_overrides(args, "serve")


def _one_blas_thread():
    """numpy's BLAS on one thread: its only products here (log-mel filters, the label
    library's scores) are small, and OpenBLAS's idle workers spin after each one. On busy
    audio that cost 1.4 % of a core, a third of the daemon's (bench/bench_always_on.py).
    Returns the limit (`restore_original_limits()` undoes it)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def _mqtt_link(daemon, settings: ServeSettings):
    """The daemon's MQTT link to the broker of [serve.mqtt] (edge/mqtt/link.py), not started."""
    from edge.mqtt.broker import broker
    from edge.mqtt.topics import Topics, default_node_id

    m = settings.mqtt
    try:
        from edge.mqtt.link import MqttLink
    except ImportError as err:
        raise EdgeError(f"MQTT needs paho-mqtt ({err}); install the edge extra") from err
    topics = Topics(m.base_topic, m.node_id or default_node_id(), m.discovery_prefix)
    return MqttLink(daemon, broker(m.url, m.username, m.password, m.ca_file), topics, hold_s=m.hold_s,
                    queue_limit=m.queue, keepalive_s=m.keepalive_s)


def _load_assistant(settings: ServeSettings) -> tuple[Assistant, dict]:
    """edge.assistant.load_assistant, or one line saying how to run without a model."""
    try:
        from edge.assistant import load_assistant
    except ImportError as err:
        raise EdgeError(
            f"the on-device assistant is not available ({err}); install the edge extra, "
            f"or run `listen serve --no-model` for capture and events only"
        ) from err
    return load_assistant(settings)
