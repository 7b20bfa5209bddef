"""The daemon's table of the settings file: [serve] and its sub-tables (core.settings).

    [serve]              bundle, model placement, audio source, buffer, watches
    [serve.socket]       unix socket path and mode, optional loopback TCP port, idle timeout
    [serve.activity]     VAD aggressiveness and the activity gates (edge.activity.ActivityConfig)
    [serve.segments]     how activity becomes segments (edge.activity.SegmenterConfig)
    [serve.mqtt]         the MQTT broker for Home Assistant (edge/mqtt, docs/home-assistant.md)

A setting is declared once, on its field: key (the field's name), type, default, allowed
values with their unit, and its command-line flag with the flag's help
(`core.settings.flag`). `listen serve` and `listen doctor` generate their flags from these
fields (`core.settings.add_flags`) and read the table with `load_serve_settings`. A default
is written here, or in the runtime dataclass that uses it: the keys the daemon itself takes
default to `DaemonConfig`'s fields (edge/daemon/server.py), and `ServeSettings.daemon_config`
is the one place a [serve] key becomes a `DaemonConfig` field. [serve.activity] and
[serve.segments] are the runtime dataclasses themselves (edge/activity.py).
deploy/listen.toml lists every key (tests/test_settings_file.py keeps it in step).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.binding import allowed, between
from core.questions import question_problem
from core.settings import INDEX, flag, load_section, octal_mode
from edge.activity import ActivityConfig, SegmenterConfig
from edge.client.address import default_socket_path
from edge.daemon.server import DaemonConfig
from edge.llm_session import MAX_THREADS
from edge.daemon.sockets import socket_mode_problem
from edge.mqtt.broker import url_problem
from edge.mqtt.topics import NAME
from edge.onnx_sessions import PREFERRED_PROVIDERS
from edge.protocol import MAX_QUESTION_CHARS
from edge.ring_buffer import MAX_BUFFER_SECONDS

# ONNX Runtime provider names accepted in `serve.providers` (those this project has a reason to ask for).
KNOWN_PROVIDERS = (*PREFERRED_PROVIDERS, "ROCMExecutionProvider", "OpenVINOExecutionProvider")

# `listen serve --help` groups its flags under these titles, in this order (`Flag.group`); the
# flags of [serve.activity] and [serve.segments] (edge/activity.py) join BUFFER's group.
SOURCE, API, BUFFER, HOME_ASSISTANT = "audio source", "socket API", "activity and buffer", "Home Assistant (MQTT)"
FLAG_GROUPS = (SOURCE, API, BUFFER, HOME_ASSISTANT)


def _loopback(v: str) -> bool:
    try:
        return ipaddress.ip_address(v).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SocketSettings:
    """[serve.socket]: where clients reach the daemon."""

    # unix socket; unset: $LISTEN_SOCKET, else $XDG_RUNTIME_DIR/listen/daemon.sock
    path: Path | None = field(default=None, metadata=flag(
        "--socket", "unix socket path (default: $LISTEN_SOCKET or $XDG_RUNTIME_DIR/listen/daemon.sock)",
        group=API, doctor="check this daemon socket"))
    # octal file mode; the API has no authentication, so this is the access control
    mode: int = field(default=DaemonConfig.socket_mode, metadata=octal_mode(
        lambda v: socket_mode_problem(v) is None,
        "an octal file mode 0o000..0o777 with owner write and without world write "
        "(the API has no authentication), e.g. 0o600 or \"0660\"")
        | flag("--socket-mode", "permissions of the socket in octal, e.g. 600 or 660; never world-writable",
               metavar="OCTAL", group=API))
    # also listen on this loopback TCP port; unset: no TCP; 0: any free port
    tcp_port: int | None = field(default=None, metadata=between(0, 65535, unit="(0 = any free port)")
                                 | flag("--tcp", "also listen on 127.0.0.1:PORT (loopback only)", metavar="PORT", group=API))
    # loopback address for tcp_port (the daemon refuses any other)
    tcp_host: str = field(default=DaemonConfig.tcp_host, metadata=allowed(_loopback, "a loopback address: 127.0.0.1 or ::1")
                          | flag("--tcp-host", "loopback address for --tcp: 127.0.0.1 or ::1", group=API))
    # s a connection may send no request; 0: never; event subscribers exempt
    idle_timeout_s: float = field(default=DaemonConfig.idle_timeout_s, metadata=between(0, None, unit="s (0 = never)") | flag(
        "--idle-timeout", "close a connection that sends no request for this long, 0 = never; event subscribers are exempt",
        metavar="SECONDS", group=API))


def _topic_name(v: str) -> bool:
    return NAME.fullmatch(v) is not None


def _topic_prefix(v: str) -> bool:
    return all(_topic_name(part) for part in v.split("/"))


@dataclass(frozen=True)
class MqttSettings:
    """[serve.mqtt]: Home Assistant over MQTT (docs/home-assistant.md)."""

    # broker, mqtt://HOST[:PORT] or mqtts://HOST[:PORT]; unset: no MQTT
    url: str | None = field(default=None, metadata=allowed(
        lambda v: url_problem(v) is None, "mqtt://HOST[:PORT] or mqtts://HOST[:PORT], without a user or password")
        | flag("--mqtt", "join this broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (no credentials here)",
               metavar="URL", group=HOME_ASSISTANT))
    # broker login; $LISTEN_MQTT_USERNAME / $LISTEN_MQTT_PASSWORD win over these
    username: str | None = None
    password: str | None = None
    # mqtts: CA certificate of the broker; unset: the system's CAs
    ca_file: Path | None = None
    # this daemon's id in topics and in Home Assistant; unset: the host name
    node_id: str | None = field(default=None, metadata=allowed(_topic_name, "1..64 of A-Z a-z 0-9 _ -") | flag(
        "--mqtt-node-id", "this speaker's id in topics and in Home Assistant (default: the host name)",
        metavar="ID", group=HOME_ASSISTANT))
    # topics are <base_topic>/<node_id>/...
    base_topic: str = field(default="listen_edge", metadata=allowed(_topic_prefix, "levels of A-Z a-z 0-9 _ - joined by /"))
    # Home Assistant's discovery prefix
    discovery_prefix: str = field(default="homeassistant", metadata=allowed(_topic_prefix, "levels of A-Z a-z 0-9 _ - joined by /"))
    # s a watch's sensor stays ON after its sound was last heard
    hold_s: float = field(default=30.0, metadata=between(0, None, lo_open=True, unit="s") | flag(
        "--mqtt-hold", "a watch's sensor stays ON this long after its sound was last heard",
        metavar="SECONDS", group=HOME_ASSISTANT))
    # messages kept for the broker while it is away; the oldest go first
    queue: int = field(default=1000, metadata=between(1, None, unit="messages"))
    # s between keep-alive pings; a silent broker is given up after 1.5x
    keepalive_s: int = field(default=30, metadata=between(5, 3600, unit="s"))


def default_state_dir() -> Path:
    """$STATE_DIRECTORY (systemd's StateDirectory=), else $XDG_STATE_HOME/listen, else ~/.local/state/listen."""
    systemd = os.environ.get("STATE_DIRECTORY")
    if systemd:
        return Path(systemd.split(":")[0])
    xdg = os.environ.get("XDG_STATE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "state") / "listen"


@dataclass(frozen=True)
class ServeSettings:
    """[serve]: the daemon."""

    # bundle folder; unset: $LISTEN_HOME/default-bundle
    bundle: Path | None = field(default=None, metadata=flag(
        "--bundle", "bundle folder (default: the default bundle)", doctor="check this bundle folder"))
    # encoder/adapter precision from the manifest (e.g. "int8"); unset: the manifest's default
    variant: str | None = field(default=None, metadata=allowed(
        lambda v: bool(v.strip()), "a variant named in the bundle manifest, e.g. \"fp32\" or \"int8\""))
    # capture and events only, no assistant (no bundle needed)
    no_model: bool = field(default=False, metadata=flag("--no-model", "capture and events only: no assistant is loaded"))
    # capture device: PortAudio index or part of its name; unset: the system default
    device: str | None = field(default=None, metadata=INDEX | flag(
        "--device", "capture device: index or part of its name (default: the system default)",
        group=SOURCE, doctor="check this capture device"))
    # replay this audio file in real time instead of a microphone
    source: Path | None = field(default=None, metadata=flag(
        "--source", "replay this audio file in real time instead of a microphone", metavar="FILE", group=SOURCE))
    # with source: start over at the end
    loop: bool = field(default=False, metadata=flag("--loop", "with --source: start over at the end", group=SOURCE))
    # with source: replay speed, 1.0 = real time
    speed: float = field(default=1.0, metadata=between(0, None, lo_open=True, unit="(1.0 = real time)")
                         | flag("--speed", "with --source: replay speed, 1.0 = real time", group=SOURCE))
    # s of activity kept in RAM (silence is not stored)
    buffer_seconds: float = field(default=DaemonConfig.buffer_seconds,
                                  metadata=between(0, MAX_BUFFER_SECONDS, lo_open=True, unit="s")
                                  | flag("--buffer-seconds", "seconds of activity kept in RAM", group=BUFFER))
    # MiB of encoder states kept beside that audio (asks about it skip the encoder); 0: none kept
    states_mb: float = field(default=DaemonConfig.state_bytes / 2**20, metadata=between(
        0, None, unit="MiB (0 = encode at ask time)") | flag(
        "--states-mb", "encoder states kept beside the buffered audio, so that asks skip the encoder; "
        "0 = encode at ask time", metavar="MIB", group=BUFFER))
    # standing yes/no questions checked on every new segment
    watches: tuple[str, ...] = field(default=(), metadata=allowed(
        lambda v: len(v) <= DaemonConfig.max_watches and all(
            0 < len(q.strip()) <= MAX_QUESTION_CHARS and question_problem(q) is None for q in v),
        f"at most {DaemonConfig.max_watches} questions of 1..{MAX_QUESTION_CHARS} characters, without control characters")
        | flag("--watch", "a standing yes/no question", metavar="QUESTION", group=BUFFER))
    # watches added while running are kept here; unset: $STATE_DIRECTORY, $XDG_STATE_HOME/listen or ~/.local/state/listen
    state_dir: Path | None = field(default=None, metadata=flag(
        "--state-dir", "where watches added while running are kept "
        "(default: $STATE_DIRECTORY, $XDG_STATE_HOME/listen or ~/.local/state/listen)", metavar="DIR", group=BUFFER))
    # CPU threads for ONNX Runtime and llama.cpp; 0: every CPU this process may use
    threads: int = field(default=0, metadata=between(0, MAX_THREADS, unit="(0 = all CPUs)")
                         | flag("--threads", "CPU threads for the models, 0 = all"))
    # llama.cpp layers offloaded to the GPU (CUDA build); -1: all; 0: CPU only
    gpu_layers: int = field(default=0, metadata=between(-1, None, unit="(-1 = all layers, 0 = CPU only)")
                            | flag("--gpu-layers", "llama.cpp layers on the GPU (CUDA build), -1 = all"))
    # ONNX Runtime providers, in order; empty: TensorRT, CUDA, CPU as installed
    providers: tuple[str, ...] = field(default=(), metadata=allowed(
        lambda v: all(p in KNOWN_PROVIDERS for p in v), "a list of " + ", ".join(KNOWN_PROVIDERS)))
    socket: SocketSettings = SocketSettings()
    activity: ActivityConfig = ActivityConfig()
    segments: SegmenterConfig = SegmenterConfig()
    mqtt: MqttSettings = MqttSettings()

    def daemon_config(self) -> DaemonConfig:
        """The daemon's runtime config: the one place a [serve] key becomes a `DaemonConfig` field.
        An unset socket path or state folder is the environment's default here."""
        return DaemonConfig(
            socket_path=self.socket.path or default_socket_path(),
            socket_mode=self.socket.mode,
            tcp_port=self.socket.tcp_port,
            tcp_host=self.socket.tcp_host,
            idle_timeout_s=self.socket.idle_timeout_s,
            buffer_seconds=self.buffer_seconds,
            state_bytes=int(self.states_mb * 2**20),
            state_dir=self.state_dir or default_state_dir(),
        )


def load_serve_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> ServeSettings:
    """[serve] of the settings file at `path` (None: defaults), with `overrides` ({"serve.speed": 2.0}) on top."""
    return load_section(ServeSettings, "serve", path, overrides)
