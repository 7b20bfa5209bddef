"""deploy/systemd: the directives the deployment relies on, `systemd-analyze verify` where it exists,
and the sd_notify messages a real `listen serve` sends to a fake systemd."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import pytest

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "deploy" / "systemd"
SERVE, BRIDGE = "listen-serve.service", "listen-bridge.service"
INSTALLED_LISTEN = "/opt/listen-edge/.venv/bin/listen"  # where deploy/README.md installs the project


def directives(name: str) -> dict[tuple[str, str], list[str]]:
    """{(section, key): [values]}; systemd allows a key several times (DeviceAllow=, Environment=)."""
    out: dict[tuple[str, str], list[str]] = {}
    section = ""
    for raw in (UNITS / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.setdefault((section, key.strip()), []).append(value.strip())
    return out


def one(units: dict, section: str, key: str) -> str:
    values = units.get((section, key), [])
    assert len(values) == 1, f"[{section}] {key}= should appear once, found {values}"
    return values[0]


@pytest.mark.parametrize("name", [SERVE, BRIDGE])
def test_both_units_restart_on_failure_and_are_hardened(name):
    u = directives(name)
    assert one(u, "Service", "Restart") == "on-failure"
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert one(u, "Service", key) == "yes", key
    assert one(u, "Service", "ProtectSystem") == "strict"
    assert one(u, "Service", "DevicePolicy") == "closed"  # then only what DeviceAllow= names
    assert one(u, "Service", "User") == "listen"
    assert one(u, "Install", "WantedBy") == "multi-user.target"
    command = one(u, "Service", "ExecStart").split()
    assert command[:2] == [INSTALLED_LISTEN, name.split("-")[1].split(".")[0]]
    assert command[2:] == ["--config", "/etc/listen/listen.toml"]
    assert (REPO / "deploy" / "listen.toml").is_file()  # the file the units read, as shipped


def test_serve_is_a_notify_unit_with_its_socket_directory_and_only_audio_devices():
    u = directives(SERVE)
    assert one(u, "Service", "Type") == "notify"  # listen serve sends READY=1: the test below
    assert one(u, "Service", "RuntimeDirectory") == "listen"
    assert "LISTEN_SOCKET=/run/listen/daemon.sock" in u[("Service", "Environment")]
    assert one(u, "Service", "SupplementaryGroups") == "audio"
    assert u[("Service", "DeviceAllow")] == ["char-alsa rw"]
    assert 'path = "/run/listen/daemon.sock"' in (REPO / "deploy" / "listen.toml").read_text()


def _notify_socket(path: Path) -> socket.socket:
    """What systemd gives a Type=notify service: a unix datagram socket named by $NOTIFY_SOCKET."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    return sock


def _receive(sock: socket.socket, timeout: float) -> str:
    sock.settimeout(timeout)
    return sock.recv(4096).decode()


def test_listen_serve_notifies_ready_once_its_socket_answers_and_stopping_on_sigterm(tmp_path):
    """The real `listen serve` process (no model, a WAV as its microphone) and a fake systemd:
    READY=1 must come only once clients can connect (systemd then starts the bridge, which
    connects at once), STOPPING=1 when SIGTERM arrives, and the process exits 0."""
    import soundfile as sf

    from edge.client.requests import DaemonClient

    wav = tmp_path / "tone.wav"
    sf.write(wav, (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32), 16000)
    daemon_sock, notify_path = tmp_path / "d.sock", tmp_path / "notify"
    notify = _notify_socket(notify_path)
    env = {**os.environ, "PYTHONPATH": str(REPO), "NOTIFY_SOCKET": str(notify_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--no-model", "--source", str(wav), "--loop",
         "--socket", str(daemon_sock)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert _receive(notify, timeout=60) == "READY=1"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.connect(str(daemon_sock))  # at once, no retry: up when it said so, not later
        with DaemonClient(daemon_sock, timeout_s=10) as client:
            assert client.status().source == f"file {wav}"
        proc.send_signal(signal.SIGTERM)
        assert _receive(notify, timeout=15) == "STOPPING=1"
        assert proc.wait(timeout=15) == 0
    finally:
        notify.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in proc.stderr.read()


def test_notify_reaches_an_abstract_socket_and_is_silent_outside_systemd(monkeypatch):
    """systemd may name an abstract socket (`@name`); without $NOTIFY_SOCKET nothing is sent."""
    from edge.daemon.systemd import notify_systemd

    name = f"listen-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        notify_systemd("READY=1")
        assert _receive(sock, timeout=5) == "READY=1"
        monkeypatch.delenv("NOTIFY_SOCKET")
        notify_systemd("READY=1")  # a no-op, and no error
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            sock.recv(4096)


def test_bridge_starts_after_serve_and_gets_only_serial_devices():
    u = directives(BRIDGE)
    assert one(u, "Unit", "After") == SERVE
    assert one(u, "Unit", "Wants") == SERVE  # not Requires=: the bridge outlives a daemon crash and shows ERROR
    assert one(u, "Service", "SupplementaryGroups") == "dialout"
    allowed = u[("Service", "DeviceAllow")]
    assert allowed and all(re.fullmatch(r"char-tty[A-Z]+ rw", a) for a in allowed), allowed
    assert "char-ttyUSB rw" in allowed and "char-ttyTHS rw" in allowed  # USB serial, Jetson UART
    assert one(u, "Service", "RestrictAddressFamilies") == "AF_UNIX"
    assert ("Service", "RuntimeDirectory") not in u  # serve owns /run/listen; a second owner would remove it on stop


def test_units_pass_systemd_analyze_verify(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (Debian package `systemd`); the units were not verified")
    # ExecStart must name an executable that exists: point it at this checkout's `listen`.
    listen = Path(sys.executable).with_name("listen")
    if not listen.is_file():
        pytest.skip(f"{listen} does not exist (project not installed in this environment)")
    for name in (SERVE, BRIDGE):
        text = (UNITS / name).read_text(encoding="utf-8").replace(INSTALLED_LISTEN, str(listen))
        (tmp_path / name).write_text(text, encoding="utf-8")
    proc = subprocess.run([tool, "verify", "--man=no", str(tmp_path / SERVE), str(tmp_path / BRIDGE)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    # verify exits 0 on warnings such as "Unknown key": any line about our units is a failure too.
    ours = [line for line in (proc.stdout + proc.stderr).splitlines() if "listen-" in line]
    assert proc.returncode == 0 and not ours, proc.stdout + proc.stderr


def test_verify_would_catch_a_misspelled_directive(tmp_path):
    """The check above is only worth something if verify reports a bad key in our unit."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (Debian package `systemd`)")
    text = (UNITS / SERVE).read_text().replace(INSTALLED_LISTEN, "/bin/true").replace("PrivateTmp=", "PrivateTemp=")
    (tmp_path / SERVE).write_text(text)
    proc = subprocess.run([tool, "verify", "--man=no", str(tmp_path / SERVE)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert "Unknown key 'PrivateTemp'" in proc.stdout + proc.stderr
