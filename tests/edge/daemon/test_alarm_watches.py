"""Smoke and CO watches in the daemon: the pattern detector on every block, and the learned
model's alerts held until it had its chance (a temporal-three is never carbon monoxide)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.audio import SAMPLE_RATE as SR
from edge.daemon.alarms import FEED_SECONDS, HOLD_S, StreamAlarms
from edge.protocol import AlertEvent
from tests.edge.alarms.signals import T3, T4, beeping, in_noise

REPO = Path(__file__).resolve().parents[3]
T0 = 1_800_000_000.0  # a wall clock for the first sample


def feed(alarms: StreamAlarms, x: np.ndarray, block: int = 1600, t0: float = T0):
    """Every block as the capture thread hands it over (int16, with its wall time)."""
    pcm = np.clip(x * 32767, -32768, 32767).astype(np.int16)
    found, released = [], []
    for i in range(0, len(pcm), block):
        found += alarms.feed(pcm[i:i + block], t0 + i / SR)
        released += alarms.release(t0 + (i + block) / SR)
    return found, released


def watched() -> StreamAlarms:
    """A detector as the daemon runs it while a watch asks about an alarm."""
    alarms = StreamAlarms()
    alarms.watch(True)
    return alarms


def alert(start: float, end: float, question: str = "Is there a carbon monoxide alarm?") -> AlertEvent:
    return AlertEvent(1, question, "Yes, I hear a carbon monoxide alarm.", 0.96, start=start, end=end)


def test_matches_carry_wall_clock_times():
    found, _ = feed(watched(), in_noise(beeping(T3), 0))
    match, first, at = found[0]
    assert match.alarm == "smoke" and first == pytest.approx(T0 + 1.0, abs=0.03) and at - first < 4.5


def test_the_models_yes_to_co_on_a_temporal_three_is_never_sent():
    alarms = watched()
    alarms.hold("carbon monoxide", alert(T0 + 0.5, T0 + 2.5))  # a segment closed before the pattern was confirmed
    found, released = feed(alarms, in_noise(beeping(T3), 0))
    assert found and released == []


def test_the_models_yes_goes_out_when_the_detector_matched_nothing():
    """A continuous alarm, or one the detector does not know: the learned model's to hear."""
    alarms = watched()
    held = alert(T0 + 0.5, T0 + 2.5, "Is there a smoke alarm?")
    alarms.hold("smoke", held)
    _, released = feed(alarms, in_noise(beeping([(11.0, 0.0)]), 10))
    assert released == [held]


def test_a_held_alert_waits_for_the_detector():
    alarms = watched()
    alarms.hold("smoke", alert(T0, T0 + 1.0))
    assert alarms.release(T0 + 1.0 + HOLD_S - 0.1) == []
    assert len(alarms.release(T0 + 1.0 + HOLD_S)) == 1


def test_a_reset_forgets_the_audio_and_its_continuity():
    alarms = watched()
    x = beeping(T3)
    feed(alarms, x[: 3 * SR])  # the first group, then the microphone is muted
    alarms.reset()
    found, _ = feed(alarms, x[3 * SR: 5 * SR + 400], t0=T0 + 3.0)  # the next group's first beep alone
    assert found == []


@pytest.mark.parametrize("pattern, fires, silent", [
    (T3, "Is there a smoke alarm?", "Is there a carbon monoxide alarm?"),
    (T4, "Is there a carbon monoxide alarm?", "Is there a smoke alarm?"),
])
def test_listen_serve_fires_the_right_watch_and_never_the_other(tiny_presence_bundle, tmp_path, pattern, fires, silent):
    """The real `listen serve` on a generated alarm: the watch about it alerts with the pattern's
    name within two cycles; the watch about the other alarm never alerts."""
    from edge.client.events import EventStream

    wav = tmp_path / "alarm.wav"
    sf.write(wav, in_noise(beeping(pattern, seconds=14.0), 10) * 0.5, SR, subtype="PCM_16")
    sock = tmp_path / "d.sock"
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "serve", "--bundle", str(tiny_presence_bundle),
                             "--source", str(wav), "--watch", fires, "--watch", silent, "--socket", str(sock),
                             "--threads", "2"],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not sock.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the daemon did not start"
            time.sleep(0.1)
        events = EventStream(sock)
        alerts: list[AlertEvent] = []
        end = time.monotonic() + 60
        while time.monotonic() < end:  # the file plays once; the held alerts are decided at its end
            try:
                e = events.next(timeout_s=5.0)
            except TimeoutError:
                break
            if e.TYPE == "alert":
                alerts.append(e)
        events.close()
    finally:
        proc.terminate()
        proc.wait(30)
    assert "Traceback" not in proc.stderr.read()
    assert any(a.question == fires and "pattern, from" in a.answer for a in alerts), alerts
    assert not [a for a in alerts if a.question == silent]


def test_the_detector_sleeps_while_no_watch_asks_about_an_alarm():
    """Its matches serve only alarm watches (an ask runs a detector of its own): 1 to 4 % of a
    core saved on a speaker with none. Watched again, it starts afresh."""
    alarms, x = StreamAlarms(), in_noise(beeping(T3), 0)
    assert feed(alarms, x)[0] == []
    alarms.watch(True)
    assert feed(alarms, x, t0=T0 + 100)[0]
    alarms.watch(False)
    assert feed(alarms, x, t0=T0 + 200)[0] == []


def test_the_capture_threads_30_ms_blocks_are_read_together_at_their_wall_times():
    """Blocks are gathered to FEED_SECONDS: the same beeps at the same wall times as one read;
    only the confirmation may come up to FEED_SECONDS later."""
    x = in_noise(beeping(T3, seconds=14.0), 0)
    small, _ = feed(watched(), x, block=480)
    whole, _ = feed(watched(), x, block=len(x))
    assert [m.pattern for m, _, _ in small] == [m.pattern for m, _, _ in whole] and whole
    for (_, first_s, at_s), (_, first_w, at_w) in zip(small, whole):
        assert first_s == pytest.approx(first_w, abs=1e-6)
        assert at_w - 0.05 <= at_s <= at_w + FEED_SECONDS + 0.05


def test_the_daemon_runs_the_detector_only_while_a_watch_asks_about_an_alarm(tmp_path):
    from edge.capture import FileSource
    from edge.daemon.server import Daemon, DaemonConfig
    from edge.protocol import Unwatch, Watch
    from tests.edge.daemon.test_server import LoudnessAssistant

    class AlarmAware(LoudnessAssistant):
        def alarm_kind(self, question: str) -> str | None:
            return "smoke" if "smoke" in question else None

    wav = tmp_path / "quiet.wav"
    sf.write(wav, np.zeros(SR, np.float32), SR)
    daemon = Daemon(AlarmAware(), FileSource(wav), DaemonConfig(socket_path=tmp_path / "d.sock"))
    assert not daemon._alarms.watched
    other = daemon.handle(Watch("Is there a dog barking?"), None)
    assert not daemon._alarms.watched
    smoke = daemon.handle(Watch("Is there a smoke alarm?"), None)
    assert daemon._alarms.watched
    daemon.handle(Unwatch(smoke.watch_id), None)
    assert not daemon._alarms.watched and other.watch_id
