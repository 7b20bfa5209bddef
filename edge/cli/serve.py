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
    p = subparsers.add_parser(
        "serve",
        help="run the listening daemon (microphone or --source FILE) with a local socket API",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Flag defaults are None: an unset flag leaves the --config value (or its default) alone.
    p.add_argument("--config", type=Path, metavar="FILE", help="TOML settings (deploy/listen.toml lists every key); flags override it")
    p.add_argument("--bundle", type=Path, help="bundle folder (default: the default bundle) [serve.bundle]")
    p.add_argument("--no-model", action="store_true", default=None, help="capture and events only: no assistant is loaded [serve.no_model]")
    p.add_argument("--threads", type=int, help="CPU threads for the models, 0 = all [serve.threads]")
    p.add_argument("--gpu-layers", type=int, help="llama.cpp layers on the GPU (CUDA build), -1 = all [serve.gpu_layers]")
    src = p.add_argument_group("audio source")
    src.add_argument("--source", type=Path, metavar="FILE", help="replay this audio file in real time instead of a microphone [serve.source]")
    src.add_argument("--loop", action="store_true", default=None, help="with --source: start over at the end [serve.loop]")
    src.add_argument("--speed", type=float, help="with --source: replay speed, 1.0 = real time [serve.speed]")
    src.add_argument("--device", help="capture device: index or part of its name (default: the system default) [serve.device]")
    api = p.add_argument_group("socket API")
    api.add_argument("--socket", type=Path, help="unix socket path (default: $LISTEN_SOCKET or $XDG_RUNTIME_DIR/listen/daemon.sock) [serve.socket.path]")
    api.add_argument("--socket-mode", metavar="OCTAL", help="permissions of the socket in octal, e.g. 600 or 660; never world-writable [serve.socket.mode]")
    api.add_argument("--tcp", type=int, metavar="PORT", help="also listen on 127.0.0.1:PORT (loopback only) [serve.socket.tcp_port]")
    api.add_argument("--tcp-host", help="loopback address for --tcp: 127.0.0.1 or ::1 [serve.socket.tcp_host]")
    api.add_argument("--idle-timeout", type=float, metavar="SECONDS", help="close a connection that sends no request for this long, 0 = never; event subscribers are exempt [serve.socket.idle_timeout_s]")
    act = p.add_argument_group("activity and buffer")
    act.add_argument("--buffer-seconds", type=float, help="seconds of activity kept in RAM [serve.buffer_seconds]")
    act.add_argument("--states-mb", type=float, metavar="MIB", help="encoder states kept beside the buffered audio, so that asks skip the encoder; 0 = encode at ask time [serve.states_mb]")
    act.add_argument("--vad-aggressiveness", type=int, choices=range(4), help="webrtcvad mode 0..3 [serve.activity.vad_aggressiveness]")
    act.add_argument("--max-segment-seconds", type=float, help="longer activity is cut [serve.segments.max_length_s]")
    act.add_argument("--watch", action="append", metavar="QUESTION", help="a standing yes/no question (repeatable; replaces [serve.watches])")
    act.add_argument("--state-dir", type=Path, metavar="DIR", help="where watches added while running are kept (default: $STATE_DIRECTORY, $XDG_STATE_HOME/listen or ~/.local/state/listen) [serve.state_dir]")
    ha = p.add_argument_group("Home Assistant (MQTT)")
    ha.add_argument("--mqtt", metavar="URL", help="join this broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (no credentials here) [serve.mqtt.url]")
    ha.add_argument("--mqtt-node-id", metavar="ID", help="this speaker's id in topics and in Home Assistant (default: the host name) [serve.mqtt.node_id]")
    ha.add_argument("--mqtt-hold", type=float, metavar="SECONDS", help="a watch's sensor stays ON this long after its sound was last heard [serve.mqtt.hold_s]")
    p.set_defaults(func=run, log_level=logging.INFO)  # a daemon: its INFO lines go to the journal


def run(args: argparse.Namespace) -> int:
    from edge.activity import Segmenter
    from edge.capture import FileSource, MicrophoneSource, find_input_device
    from edge.client.address import default_socket_path
    from edge.daemon.server import Daemon, DaemonConfig
    from edge.daemon.systemd import notify_systemd, use_journald_format
    from edge.settings import default_state_dir, load_serve_settings

    use_journald_format()
    s = load_serve_settings(args.config, serve_overrides(args))
    if s.source is not None:
        source = FileSource(s.source, speed=s.speed, loop=s.loop)
    else:
        find_input_device(s.device)  # fail now, naming the devices seen
        source = MicrophoneSource(s.device)
    assistant, bundle = (None, {}) if s.no_model else _load_assistant(s)
    config = DaemonConfig(
        socket_path=s.socket.path or default_socket_path(),
        socket_mode=s.socket.mode,
        tcp_port=s.socket.tcp_port,
        tcp_host=s.socket.tcp_host,
        idle_timeout_s=s.socket.idle_timeout_s,
        buffer_seconds=s.buffer_seconds,
        state_bytes=int(s.states_mb * 2**20),
        state_dir=s.state_dir or default_state_dir(),
    )
    segmenter = Segmenter(s.segments, s.activity)
    daemon = Daemon(assistant, source, config, segmenter=segmenter, bundle=bundle)
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
    return {
        "serve.bundle": args.bundle,
        "serve.no_model": args.no_model,
        "serve.threads": args.threads,
        "serve.gpu_layers": args.gpu_layers,
        "serve.source": args.source,
        "serve.loop": args.loop,
        "serve.speed": args.speed,
        "serve.device": args.device,
        "serve.socket.path": args.socket,
        "serve.socket.mode": args.socket_mode,
        "serve.socket.tcp_port": args.tcp,
        "serve.socket.tcp_host": args.tcp_host,
        "serve.socket.idle_timeout_s": args.idle_timeout,
        "serve.buffer_seconds": args.buffer_seconds,
        "serve.states_mb": args.states_mb,
        "serve.activity.vad_aggressiveness": args.vad_aggressiveness,
        "serve.segments.max_length_s": args.max_segment_seconds,
        "serve.watches": args.watch,
        "serve.state_dir": args.state_dir,
        "serve.mqtt.url": args.mqtt,
        "serve.mqtt.node_id": args.mqtt_node_id,
        "serve.mqtt.hold_s": args.mqtt_hold,
    }


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
