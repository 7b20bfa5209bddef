"""Home Assistant over MQTT: how much later an alert reaches the broker than the socket, and
what a broker outage costs.

A `listen serve` process on the default bundle replays smoke-alarm beeps in a loop (its
microphone), with `--watch "Is there a smoke alarm?"` and `--mqtt` to a mosquitto started
here on a loopback port. Two subscribers on this machine receive every alert: the socket's
`events` stream (the baseline: what the speaker's bridge gets) and a paho client on the
broker (what Home Assistant gets). Per alert: segment end -> socket (the watch check itself)
and socket -> broker (the MQTT link: outbox, QoS 1 publish, broker hop), medians.

Then the broker is stopped for OUTAGE_S while the alarm goes on, and started again: the
alerts the socket saw meanwhile are counted on the broker after it returns (none may be
lost; the outbox keeps them), with the time from the broker's restart to the last of them.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_latency import write_clip  # noqa: E402
from bench.common import default_bundle  # noqa: E402
from tests.mosquitto import Mosquitto  # noqa: E402  (a real mosquitto on a loopback port, restartable)
from edge.mqtt.link import RECONNECT_S  # noqa: E402

THREADS = 2
RUN_S = 40.0  # alarm replayed with both subscribers listening
OUTAGE_S = 20.0  # broker down while the alarm goes on
QUESTION = "Is there a smoke alarm?"
NODE = "bench"


class BrokerAlerts:
    """Arrival times of `<root>/alert` messages, reconnecting across broker restarts."""

    def __init__(self, port: int) -> None:
        import paho.mqtt.client as mqtt

        self.times: list[float] = []
        self.segments: list[tuple[str, str]] = []  # (start, end) of each alert's segment, ISO seconds
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_connect = lambda c, *a: c.subscribe(f"listen_edge/{NODE}/alert", qos=1)
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(0.2, 1)
        self.client.connect_async("127.0.0.1", port)
        self.client.loop_start()

    def _on_message(self, client, userdata, msg) -> None:
        body = json.loads(msg.payload)
        self.times.append(time.time())
        self.segments.append((body["start"], body["end"]))

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def iso(unix_s: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(unix_s, timezone.utc).isoformat(timespec="seconds")


def socket_alerts(sock: Path, out: list[tuple[float, float, float]], stop: threading.Event) -> None:
    """(arrival, segment start, segment end) of each alert on the socket's event stream."""
    from edge.client.events import EventStream
    from edge.protocol import AlertEvent

    with EventStream(sock) as events:
        while not stop.is_set():
            try:
                event = events.next(0.5)
            except TimeoutError:
                continue
            if isinstance(event, AlertEvent):
                out.append((time.time(), event.start, event.end))


def main() -> None:
    bundle = default_bundle()
    work = Path(tempfile.mkdtemp(prefix="bench-mqtt-"))
    clip = write_clip(work / "alarm.wav")
    broker = Mosquitto(work).start()
    port = broker.port
    sock = work / "d.sock"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    daemon = subprocess.Popen([sys.executable, "-m", "core.cli", "serve", "--bundle", str(bundle), "--source", str(clip),
                               "--loop", "--watch", QUESTION, "--mqtt", f"mqtt://127.0.0.1:{port}", "--mqtt-node-id", NODE,
                               "--socket", str(sock), "--threads", str(THREADS), "--state-dir", str(work / "state")],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    on_socket: list[tuple[float, float, float]] = []
    stop = threading.Event()
    mqtt_alerts = BrokerAlerts(port)
    try:
        deadline = time.monotonic() + 120
        while not sock.exists():
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("listen serve did not start")
            time.sleep(0.2)
        reader = threading.Thread(target=socket_alerts, args=(sock, on_socket, stop), daemon=True)
        reader.start()
        time.sleep(RUN_S)
        n_before = len(on_socket)
        time.sleep(1.0)  # the last socket alert's MQTT copy is on its way
        arrived = dict(zip(mqtt_alerts.segments, mqtt_alerts.times))
        check = [(arrival - end) * 1e3 for arrival, _, end in on_socket[:n_before]]
        hop = [(arrived[(iso(s), iso(e))] - arrival) * 1e3 for arrival, s, e in on_socket[:n_before]
               if (iso(s), iso(e)) in arrived]

        broker.stop()
        first_down = len(on_socket)
        time.sleep(OUTAGE_S)
        outage = {(iso(s), iso(e)) for _, s, e in on_socket[first_down:]}
        t_up = time.time()
        broker.start()
        wait_until = time.monotonic() + 60
        while not outage <= set(mqtt_alerts.segments) and time.monotonic() < wait_until:
            time.sleep(0.05)
        got = dict(zip(mqtt_alerts.segments, mqtt_alerts.times))
        delivered = [got[k] for k in outage if k in got]
        caught_up_s = max(delivered) - t_up if delivered else float("nan")
    finally:
        stop.set()
        mqtt_alerts.close()
        daemon.terminate()
        daemon.wait(30)
        broker.stop()
        shutil.rmtree(work, ignore_errors=True)
    if not hop:
        raise SystemExit("no alert arrived in the run: the watch never fired on the beeps")
    check_ms, hop_ms = statistics.median(check), statistics.median(hop)
    print("# MQTT link: alert delivery (default bundle, 2 threads, mosquitto on loopback)\n")
    print(f"{len(hop)} alerts in {RUN_S:.0f} s of looping smoke-alarm beeps; medians.\n")
    print("| path | median ms | x the watch check |")
    print("|---|---|---|")
    print(f"| segment end -> socket `alert` (the watch check; baseline) | {check_ms:.0f} | 1.00x |")
    print(f"| socket `alert` -> broker `alert` (the MQTT link) | {hop_ms:.1f} | {hop_ms / check_ms:.3f}x |")
    print()
    print(f"Broker stopped for {OUTAGE_S:.0f} s while the alarm went on: the socket saw {len(outage)} alerts, the broker "
          f"got {len(delivered)} of them after its restart, the last {caught_up_s:.1f} s after it came back "
          f"(the daemon reconnects with a 1-{RECONNECT_S[1]} s backoff).")


if __name__ == "__main__":
    main()
