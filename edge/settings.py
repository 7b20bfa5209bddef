"""The daemon's table of the settings file: [serve] and its sub-tables (core.settings).

    [serve]              bundle, model placement, audio source, buffer, watches
    [serve.socket]       unix socket path and mode, optional loopback TCP port, idle timeout
    [serve.activity]     VAD aggressiveness and the activity gates (edge.activity.ActivityConfig)
    [serve.segments]     how activity becomes segments (edge.activity.SegmenterConfig)

Each default is written once: here, or in the runtime dataclass a table reuses; each field
carries its allowed values. `listen serve` and `listen doctor` read this table with
`load_serve_settings`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.binding import allowed, between
from core.settings import INDEX, load_section, octal_mode
from edge.activity import ActivityConfig, SegmenterConfig
from edge.daemon.server import DaemonConfig
from edge.daemon.sockets import socket_mode_problem
from edge.onnx_sessions import PREFERRED_PROVIDERS
from edge.protocol import MAX_QUESTION_CHARS

# ONNX Runtime provider names accepted in `serve.providers` (those this project has a reason to ask for).
KNOWN_PROVIDERS = (*PREFERRED_PROVIDERS, "ROCMExecutionProvider", "OpenVINOExecutionProvider")


def _loopback(v: str) -> bool:
    try:
        return ipaddress.ip_address(v).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SocketSettings:
    """[serve.socket]: where clients reach the daemon."""

    # unix socket; unset: $LISTEN_SOCKET, else $XDG_RUNTIME_DIR/listen/daemon.sock
    path: Path | None = None
    # octal file mode; the API has no authentication, so this is the access control
    mode: int = field(default=DaemonConfig.socket_mode, metadata=octal_mode(
        lambda v: socket_mode_problem(v) is None,
        "an octal file mode 0o000..0o777 with owner write and without world write "
        "(the API has no authentication), e.g. 0o600 or \"0660\""))
    # also listen on this loopback TCP port; unset: no TCP; 0: any free port
    tcp_port: int | None = field(default=None, metadata=between(0, 65535, unit="(0 = any free port)"))
    # loopback address for tcp_port (the daemon refuses any other)
    tcp_host: str = field(default=DaemonConfig.tcp_host, metadata=allowed(_loopback, "a loopback address: 127.0.0.1 or ::1"))
    # s a connection may send no request; 0: never; event subscribers exempt
    idle_timeout_s: float = field(default=DaemonConfig.idle_timeout_s, metadata=between(0, None, unit="s (0 = never)"))


@dataclass(frozen=True)
class ServeSettings:
    """[serve]: the daemon."""

    # bundle folder; unset: $LISTEN_HOME/default-bundle
    bundle: Path | None = None
    # encoder/adapter precision from the manifest (e.g. "int8"); unset: the manifest's default
    variant: str | None = field(default=None, metadata=allowed(
        lambda v: bool(v.strip()), "a variant named in the bundle manifest, e.g. \"fp32\" or \"int8\""))
    no_model: bool = False  # capture and events only, no assistant (no bundle needed)
    # capture device: PortAudio index or part of its name; unset: the system default
    device: str | None = field(default=None, metadata=INDEX)
    source: Path | None = None  # replay this audio file in real time instead of a microphone
    loop: bool = False  # with source: start over at the end
    # with source: replay speed, 1.0 = real time
    speed: float = field(default=1.0, metadata=between(0, None, lo_open=True, unit="(1.0 = real time)"))
    # s of activity kept in RAM (silence is not stored)
    buffer_seconds: float = field(default=DaemonConfig.buffer_seconds, metadata=between(0, None, lo_open=True, unit="s"))
    # MiB of encoder states kept beside that audio (asks about it skip the encoder); 0: none kept
    states_mb: float = field(default=DaemonConfig.state_bytes / 2**20, metadata=between(0, None, unit="MiB (0 = encode at ask time)"))
    # standing yes/no questions checked on every new segment
    watches: tuple[str, ...] = field(default=(), metadata=allowed(
        lambda v: all(0 < len(q.strip()) <= MAX_QUESTION_CHARS for q in v),
        f"questions of 1..{MAX_QUESTION_CHARS} characters"))
    # CPU threads for ONNX Runtime and llama.cpp; 0: every CPU this process may use
    threads: int = field(default=0, metadata=between(0, None, unit="(0 = all CPUs)"))
    # llama.cpp layers offloaded to the GPU (CUDA build); -1: all; 0: CPU only
    gpu_layers: int = field(default=0, metadata=between(-1, None, unit="(-1 = all layers, 0 = CPU only)"))
    # ONNX Runtime providers, in order; empty: TensorRT, CUDA, CPU as installed
    providers: tuple[str, ...] = field(default=(), metadata=allowed(
        lambda v: all(p in KNOWN_PROVIDERS for p in v), "a list of " + ", ".join(KNOWN_PROVIDERS)))
    socket: SocketSettings = SocketSettings()
    activity: ActivityConfig = ActivityConfig()
    segments: SegmenterConfig = SegmenterConfig()


def load_serve_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> ServeSettings:
    """[serve] of the settings file at `path` (None: defaults), with `overrides` ({"serve.speed": 2.0}) on top."""
    return load_section(ServeSettings, "serve", path, overrides)
