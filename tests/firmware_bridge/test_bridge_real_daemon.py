"""End to end with real processes: `listen serve` (the real daemon, serving the tiny bundle,
replaying a WAV of beeps as its microphone), `listen bridge` on one end of a pty pair, and
the reference MCU simulator on the other. Needs the session's `tiny_bundle` (built once by
the export pipeline; about a minute on 2 cores when no other test built it already)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from firmware_bridge.daemon_client import NdjsonDaemonClient
from firmware_bridge.errors import DaemonLinkError
from firmware_bridge.simulator import McuSimulator, PtyCable
from firmware_bridge.uart.messages import LedPattern as P

REPO = Path(__file__).resolve().parents[2]
SR = 16000
ANSWERS = (P.ANSWER_YES, P.ANSWER_NO)


def _eventually(predicate, timeout: float = 20.0, what: str = "condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = predicate()
        except DaemonLinkError:
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _beeps(path: Path) -> Path:
    import soundfile as sf

    tone = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(SR // 2) / SR)
    x = np.concatenate([np.zeros(SR), tone, np.zeros(int(1.5 * SR)), tone, np.zeros(SR)])
    x += np.random.default_rng(0).standard_normal(len(x)) * 1e-4
    sf.write(path, x.astype(np.float32), SR, subtype="PCM_16")
    return path


class Serve:
    """A `listen serve` process; restartable on the same socket."""

    def __init__(self, bundle: Path, wav: Path, sock: Path, log: Path) -> None:
        self.args = [sys.executable, "-m", "core.cli", "serve", "--bundle", str(bundle), "--source", str(wav),
                     "--loop", "--speed", "4", "--socket", str(sock)]
        self.sock, self.log = sock, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(self.args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        client = NdjsonDaemonClient(self.sock, timeout_s=30)
        _eventually(lambda: self.proc.poll() is None and client.status(), 60, "the daemon's socket")
        client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)


@pytest.fixture(scope="module")
def live(tiny_bundle, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bridge_e2e")
    short = Path(os.path.realpath(f"/tmp/fb-e2e-{os.getpid()}"))
    short.mkdir(exist_ok=True)
    serve = Serve(tiny_bundle, _beeps(tmp / "beeps.wav"), short / "d.sock", tmp / "serve.log")
    serve.start()
    client = NdjsonDaemonClient(serve.sock, timeout_s=30)
    _eventually(lambda: client.status()["buffer_segments"] > 0, 30, "a buffered segment")
    cable = PtyCable(short / "ttyMCU")
    cable.plug()
    sim = McuSimulator(cable=cable).start()
    bridge_log = tmp / "bridge.log"
    with open(bridge_log, "w") as out:
        bridge = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "-v", "bridge", "--port", cable.path, "--daemon", str(serve.sock),
             "--question", "Is there a beep?", "--answer-hold", "0.5"],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        assert sim.wait_for_led(P.IDLE, timeout=30), bridge_log.read_text()[-3000:]
        yield sim, serve, client, bridge, bridge_log
    finally:
        bridge.send_signal(signal.SIGTERM)
        try:
            bridge.wait(10)
        finally:
            sim.stop()
            serve.stop()
            if cable.plugged:
                cable.unplug()
            for p in short.iterdir():
                p.unlink()
            short.rmdir()
        assert bridge.returncode == 0, bridge_log.read_text()[-3000:]


def _answer_after(sim: McuSimulator, start: int) -> list[P]:
    assert sim.wait_for(lambda s: any(p in ANSWERS for p in s.patterns()[start:]), timeout=90), sim.patterns()
    return sim.patterns()[start:]


def test_button_press_shows_thinking_then_an_answer(live):
    sim, serve, client, bridge, log = live
    start = len(sim.leds)
    assert sim.press(0).wait(2)
    seen = _answer_after(sim, start)
    assert P.THINKING in seen and seen.index(P.THINKING) < min(seen.index(p) for p in ANSWERS if p in seen)
    assert P.ERROR not in seen, log.read_text()[-2000:]
    assert sim.wait_for_led(P.IDLE, timeout=10)  # after --answer-hold


def test_mute_switch_leaves_the_daemon_muted_with_an_empty_buffer(live):
    sim, serve, client, bridge, log = live
    assert client.status()["buffer_segments"] > 0
    assert sim.set_mute(True).wait(2)
    assert sim.wait_for_led(P.MUTED, timeout=10)
    status = _eventually(lambda: (s := client.status())["muted"] and s, 10, "the daemon muted")
    assert status["buffer_segments"] == 0 and status["buffer_seconds"] == 0.0
    assert status["capturing"] is False
    start = len(sim.leds)
    assert sim.press(0).wait(2)  # ignored while muted (the bridge has it: the press was acknowledged)
    # the looping beeps go on, but nothing is captured while muted: the capture stands still
    later = client.status()
    assert (later["captured_seconds"], later["buffer_segments"]) == (status["captured_seconds"], 0)
    assert sim.patterns()[start:] == [] and sim.led.pattern is P.MUTED
    # The switch goes off after the press, and the bridge handles the two in order: a press that
    # was not ignored would show THINKING before the unmute's IDLE.
    assert sim.set_mute(False).wait(2)
    _eventually(lambda: not client.status()["muted"], 10, "the daemon unmuted")
    assert sim.wait_for_led(P.IDLE, timeout=10)
    assert not {P.THINKING, P.LISTENING, P.ERROR} & set(sim.patterns()[start:]), sim.patterns()[start:]


def test_unplug_and_replug_is_survived(live):
    sim, serve, client, bridge, log = live
    lost = log.read_text().count("connection lost")
    sim.unplug()
    _eventually(lambda: log.read_text().count("connection lost") > lost, 10, "the bridge to see its port vanish")
    assert bridge.poll() is None
    start = len(sim.leds)
    sim.replug()
    assert sim.wait_for(lambda s: len(s.leds) > start, timeout=15), log.read_text()[-2000:]
    _eventually(lambda: client.status()["buffer_segments"] > 0, 20, "a buffered segment")
    start = len(sim.leds)
    sim.press(0)
    assert P.THINKING in _answer_after(sim, start)


def test_daemon_restart_is_survived_and_the_switch_still_mutes_it(live):
    sim, serve, client, bridge, log = live
    sim.set_mute(True)
    _eventually(lambda: client.status()["muted"], 10, "the daemon muted")
    serve.stop()
    serve.start()  # a fresh daemon starts unmuted...
    # ...and the bridge re-subscribes and mutes it again, because the switch is on.
    _eventually(lambda: client.status()["muted"] and client.status()["subscribers"] >= 1, 20, "re-mute")
    sim.set_mute(False)
    _eventually(lambda: not client.status()["muted"], 10, "the daemon unmuted")
    assert sim.wait_for_led(P.IDLE, timeout=10)
