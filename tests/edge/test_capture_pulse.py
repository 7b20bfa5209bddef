"""Capture through a real audio path: PulseAudio null sink -> ALSA `pulse` device -> sounddevice.

The recipe of DESIGN.md section 7: a private PulseAudio (HOME and XDG_RUNTIME_DIR in temporary
folders) with a null sink `vsink` whose monitor is the default source; `paplay` plays into
the sink in real time and `listen serve --device pulse` records it. The daemon runs as its
own process with `--no-model` (capture, segments, events, mute; no assistant needed).
Skipped, with the reason, only where PulseAudio cannot start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from edge.client.events import EventStream
from edge.client.requests import DaemonClient
from edge.protocol import SegmentEvent, StateEvent

REPO = Path(__file__).resolve().parents[2]
SR = 16000


@pytest.fixture(scope="module")
def pulse_env(tmp_path_factory):
    for tool in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(tool) is None:
            pytest.skip(f"PulseAudio cannot start: `{tool}` is not installed (apt install pulseaudio pulseaudio-utils)")
    root = tmp_path_factory.mktemp("pulse")
    home, runtime = root / "home", root / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "PYTHONPATH": str(REPO)}
    env.pop("PULSE_SERVER", None)
    started = subprocess.run(
        ["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
         "--load=module-null-sink sink_name=vsink", "--load=module-native-protocol-unix"],
        env=env, capture_output=True, text=True, timeout=30,
    )
    if started.returncode != 0:
        why = (started.stderr.strip().splitlines() or ["no message"])[-1]
        pytest.skip(f"PulseAudio cannot start here (exit {started.returncode}): {why}")
    try:
        subprocess.run(["pactl", "set-default-source", "vsink.monitor"], env=env, check=True, capture_output=True, timeout=10)
        yield env
    finally:
        subprocess.run(["pulseaudio", "--kill"], env=env, capture_output=True, timeout=10)


def beep_wav(path: Path, lead_s: float = 0.8, beep_s: float = 0.6, tail_s: float = 0.5) -> Path:
    n = int(beep_s * SR)
    x = np.concatenate([np.zeros(int(lead_s * SR)), 0.5 * np.sin(2 * np.pi * 1000 * np.arange(n) / SR), np.zeros(int(tail_s * SR))])
    sf.write(path, x.astype(np.float32), SR, subtype="PCM_16")
    return path


def play(env: dict, wav: Path) -> None:
    subprocess.run(["paplay", "--device=vsink", str(wav)], env=env, check=True, capture_output=True, timeout=30)


def wait_captured(client: DaemonClient, seconds: float, timeout: float = 20.0) -> None:
    """Until the daemon has received `seconds` more audio from the device."""
    start = client.status().captured_seconds
    deadline = time.monotonic() + timeout
    while client.status().captured_seconds < start + seconds:
        assert time.monotonic() < deadline, f"the device delivered less than {seconds} s of audio in {timeout} s"
        time.sleep(0.05)


def next_segment(events: EventStream, timeout: float) -> SegmentEvent | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = events.next(max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            return None
        if isinstance(event, SegmentEvent):
            return event
    return None


def test_missing_device_error_names_the_devices_seen(pulse_env, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli", "serve", "--no-model", "--device", "no-such-mic", "--socket", str(tmp_path / "s")],
        cwd=REPO, env=pulse_env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    line = proc.stderr.strip().splitlines()[-1]
    assert "no capture device matches 'no-such-mic'" in line and "'pulse'" in line and "--source FILE" in line


def test_daemon_captures_a_beep_played_through_pulseaudio(pulse_env, tmp_path):
    wav = beep_wav(tmp_path / "beep.wav")
    sock = tmp_path / "pulse.sock"
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--no-model", "--device", "pulse", "--socket", str(sock)],
        cwd=REPO, env=pulse_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not sock.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None and sock.exists(), proc.stderr.read() if proc.poll() is not None else "no socket"
        with DaemonClient(sock) as client, EventStream(sock) as events:
            status = client.status()
            assert status.capturing and "pulse" in status.source
            wait_captured(client, 0.8)  # the stream delivers, past the activity detector's 0.5 s warm-up

            t_play = time.time()
            play(pulse_env, wav)
            seg = next_segment(events, 5.0)
            assert seg is not None, "no segment from the beep played into the null sink"
            assert seg.kind == "sound" and seg.level_dbfs > -30.0
            assert seg.end - seg.start == pytest.approx(0.6 + 0.3 + 0.5, abs=0.35)  # beep + pre-roll + hangover
            assert t_play < seg.start < time.time()  # wall-clock timestamps
            assert client.status().buffer_segments == 1

            assert client.mute().wiped_segments == 1
            assert events.next(5) == StateEvent(muted=True, capturing=False)
            play(pulse_env, wav)
            assert next_segment(events, 1.5) is None  # muted: the device is closed, nothing is heard
            status = client.status()
            assert status.buffer_segments == 0 and not status.capturing

            client.unmute()
            assert events.next(5) == StateEvent(muted=False, capturing=True)
            wait_captured(client, 0.8)  # the stream reopens and the detector re-learns the room
            play(pulse_env, wav)
            seg = next_segment(events, 5.0)
            assert seg is not None and seg.kind == "sound"
            assert client.status().capture_failures == 0
    finally:
        proc.terminate()
        try:
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert not sock.exists()
