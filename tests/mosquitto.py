"""A real mosquitto broker on a loopback port for the tests, and a paho client that records
what reaches it (scripts/setup.sh installs mosquitto and mosquitto-clients).

The broker keeps nothing on disk (persistence off), so a restart loses retained messages,
as a broker restarted without persistence does: what the daemon shows after it is what it
published again.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mosquitto:
    def __init__(self, folder: Path, port: int | None = None, users: dict[str, str] | None = None,
                 log_publishes: bool = False) -> None:
        exe = shutil.which("mosquitto") or next((p for p in ("/usr/sbin/mosquitto",) if Path(p).exists()), None)
        if exe is None:
            pytest.fail("mosquitto is not installed: run scripts/setup.sh (apt: mosquitto mosquitto-clients)")
        self.exe = exe
        self.port = port or free_port()
        self.conf = folder / "mosquitto.conf"
        self.log = folder / "mosquitto.log"
        auth = "allow_anonymous true\n"
        if users:  # a login is required: mosquitto_passwd writes the hashed password file
            passwd = folder / "passwd"
            passwd.write_text("")
            for user, password in users.items():
                subprocess.run([shutil.which("mosquitto_passwd") or "mosquitto_passwd", "-b", str(passwd), user, password],
                               check=True, capture_output=True)
            auth = f"allow_anonymous false\npassword_file {passwd}\n"
        # Started as root, mosquitto would switch to user `mosquitto`, who cannot read the test's folder.
        user = "user root\n" if os.geteuid() == 0 else ""
        self.conf.write_text(f"listener {self.port} 127.0.0.1\n{auth}{user}persistence false\n"
                             f"log_dest file {self.log}\nlog_type error\nlog_type warning\n"
                             + ("log_type debug\n" if log_publishes else ""))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> Mosquitto:
        self.proc = subprocess.Popen([self.exe, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.proc.stderr.read().decode(errors='replace')[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not listen on {self.port} in 10 s")

    def published(self, client_id: str, topic: str) -> int:
        """PUBLISH packets the broker received from `client_id` on `topic` (needs `log_publishes`)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return sum(1 for line in text.splitlines()
                   if f"Received PUBLISH from {client_id} " in line and f"'{topic}'" in line)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


class Recorder:
    """A paho client subscribed to `filters`: every message it gets, in order."""

    def __init__(self, port: int, *filters: str) -> None:
        self.messages: list[mqtt.MQTTMessage] = []
        self._cond = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: subscribed.set()
        self.client.on_connect = lambda c, *a: c.subscribe([(f, 1) for f in filters])
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert subscribed.wait(10), "the recorder could not subscribe"

    def _on_message(self, client, userdata, msg) -> None:
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()

    def mark(self) -> int:
        """A place in the record: `wait(..., after=mark)` looks only at what came after it."""
        with self._cond:
            return len(self.messages)

    def wait(self, predicate, timeout: float = 15.0, what: str = "a message", after: int = 0):
        """The first message (from `after`) for which predicate(topic, payload text) holds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for m in self.messages[after:]:
                    if predicate(m.topic, m.payload.decode("utf-8", "replace")):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(m.topic, m.payload[:80]) for m in self.messages][-15:]
                    raise AssertionError(f"timed out waiting for {what}; last seen: {seen}")
                self._cond.wait(left)

    def payloads(self, topic: str) -> list[str]:
        with self._cond:
            return [m.payload.decode("utf-8", "replace") for m in self.messages if m.topic == topic]

    def publish(self, topic: str, payload: str | bytes, response_topic: str | None = None,
                correlation: bytes | None = None) -> None:
        props = None
        if response_topic or correlation:
            props = Properties(PacketTypes.PUBLISH)
            if response_topic:
                props.ResponseTopic = response_topic
            if correlation:
                props.CorrelationData = correlation
        self.client.publish(topic, payload, qos=1, properties=props).wait_for_publish(5)

    def json(self, topic: str, timeout: float = 15.0, where=lambda body: True) -> dict:
        """The first JSON payload on `topic` that `where` accepts."""
        def ok(t: str, text: str) -> bool:
            if t != topic or not text:
                return False
            try:
                return where(json.loads(text))
            except ValueError:
                return False

        return json.loads(self.wait(ok, timeout, what=f"JSON on {topic}").payload)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
