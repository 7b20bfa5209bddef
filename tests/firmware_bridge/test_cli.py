"""The command lines: `listen bridge` and `python -m firmware_bridge.simulator`, as processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from firmware_bridge.controller import BridgeConfig
from firmware_bridge.daemon_client import NdjsonDaemonClient
from firmware_bridge.service import BridgeService
from firmware_bridge.simulator import McuSimulator, PtyCable
from firmware_bridge.uart.messages import LedPattern as P

REPO = Path(__file__).resolve().parents[2]


def _listen(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60, **kw)


def test_help_names_the_options():
    proc = _listen("bridge", "--help")
    assert proc.returncode == 0
    for option in ("--port", "--baud", "--daemon", "--question", "PROTOCOL.md"):
        assert option in proc.stdout


def test_bad_arguments_are_one_line_errors():
    proc = _listen("bridge", "--port", "/dev/null", "--brightness", "300")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["listen bridge: error: --brightness 300 is out of range; use 0..255"]


def test_bridge_process_serves_until_sigterm(short_tmp, fake_daemon):
    cable = PtyCable(short_tmp / "ttyMCU")
    cable.plug()
    with McuSimulator(cable=cable) as sim:
        proc = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "bridge", "--port", cable.path, "--daemon", str(fake_daemon.path),
             "--question", "Is the kettle whistling?"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            assert sim.wait_for_led(P.IDLE, timeout=20)
            sim.press(0)
            assert sim.wait_for_led(P.ANSWER_YES, timeout=10)
            assert fake_daemon.of_type("ask")[0]["question"] == "Is the kettle whistling?"
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=10)
    cable.unplug()
    assert proc.returncode == 0, out
    assert "stopped; link counters" in out and "'acked'" in out


def test_simulator_command_drives_a_bridge(short_tmp, fake_daemon):
    link = short_tmp / "ttySIM"
    sim = subprocess.Popen(
        [sys.executable, "-m", "firmware_bridge.simulator", "--pty", str(link)],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    client = NdjsonDaemonClient(fake_daemon.path, timeout_s=5)
    service = None
    try:
        assert "host end at" in sim.stdout.readline()
        assert link.is_symlink()
        service = BridgeService(str(link), client, config=BridgeConfig(question="Is it raining?")).start()
        sim.stdin.write("press 0\n")
        sim.stdin.write("mute on\n")
        sim.stdin.write("quit\n")
        sim.stdin.flush()
        out = sim.communicate(timeout=20)[0]
    finally:
        if service is not None:
            service.stop()
        if sim.poll() is None:
            sim.kill()
    assert sim.returncode == 0, out
    assert "LED THINKING" in out or "LED ANSWER_YES" in out, out
    assert fake_daemon.of_type("ask") and fake_daemon.muted
    assert not os.path.lexists(link)  # the simulator unplugged on exit
