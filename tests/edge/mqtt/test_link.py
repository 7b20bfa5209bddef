"""The daemon on a real mosquitto (tests/mosquitto.py), through edge.mqtt.link.MqttLink.

The daemon is the real one (edge.daemon.server) on a real replayed file; its assistant is
tests/edge/daemon/test_server.py's LoudnessAssistant test double ("Yes" when the audio is
louder than -25 dBFS), so a watch fires exactly on the loud beeps. The real model behind
the same link is tested in tests/test_default_bundle.py.
"""

from __future__ import annotations

import json
import time

import paho.mqtt.client as mqtt
import pytest

from edge.capture import FileSource
from edge.daemon.server import Daemon, DaemonConfig
from edge.mqtt.broker import broker
from edge.mqtt.discovery import watch_key
from edge.mqtt.link import MqttLink
from edge.mqtt.topics import Topics
from tests.edge.daemon.test_server import BEEPS, LoudnessAssistant, wait_for, write_wav
from tests.mosquitto import Mosquitto, Recorder

QUESTION = "Is there a smoke alarm?"
NODE = "kitchen"


@pytest.fixture
def mosquitto(tmp_path):
    m = Mosquitto(tmp_path).start()
    yield m
    m.stop()


def _daemon(tmp_path, source, watches=(), state_dir=None) -> Daemon:
    daemon = Daemon(LoudnessAssistant(), source,
                    DaemonConfig(socket_path=tmp_path / "run" / "d.sock", state_dir=state_dir or tmp_path / "state"))
    for q in watches:
        daemon.add_watch(q)
    return daemon


def _link(daemon: Daemon, port: int, hold_s: float = 30.0) -> MqttLink:
    return MqttLink(daemon, broker(f"mqtt://127.0.0.1:{port}"), Topics("listen_edge", NODE), hold_s=hold_s)


def _connected(link: MqttLink) -> MqttLink:
    """Commands published before the link subscribes reach nobody (no persistent session)."""
    wait_for(lambda: link.connected, what="the link to connect")
    return link


def _silence(tmp_path, seconds: float = 3.0) -> FileSource:
    return FileSource(write_wav(tmp_path / "quiet.wav", [("silence", seconds, 0)]), loop=True)


T = Topics("listen_edge", NODE)
KEY = watch_key(QUESTION)


def test_discovery_is_retained_and_a_watch_turns_on_when_its_sound_plays_then_off_after_its_hold(tmp_path, mosquitto):
    daemon = _daemon(tmp_path, FileSource(write_wav(tmp_path / "beeps.wav", BEEPS), speed=2.0), [QUESTION])
    link = _link(daemon, mosquitto.port, hold_s=1.0)
    daemon.start()
    link.start()
    rec = Recorder(mosquitto.port, f"{T.root}/#")
    try:
        on = rec.wait(lambda t, p: t == T.watch(KEY) and p == "ON", what="the watch sensor ON")
        attributes = rec.json(T.watch_attributes(KEY))
        assert attributes["question"] == QUESTION and attributes["answer"].startswith("Yes")
        assert rec.json(T.alert)["watch_id"] == 1
        rec.wait(lambda t, p: t == T.watch(KEY) and p == "OFF" and rec.messages.index(on) < _index(rec, t, p),
                 what="OFF after the hold")
        sound = rec.json(T.sound)  # no presence model: the last alert's subject
        assert sound["sound"] == "a smoke alarm" and sound["confidence"] == 0.9
        # A client that comes later gets the configs and states, retained.
        late = Recorder(mosquitto.port, "homeassistant/#", f"{T.root}/#")
        configs = {m.topic: json.loads(m.payload) for m in _settle(late) if m.topic.endswith("/config") and m.payload}
        assert set(configs) == {f"homeassistant/binary_sensor/{NODE}/{KEY}/config",
                                f"homeassistant/switch/{NODE}/mute/config", f"homeassistant/sensor/{NODE}/last_sound/config"}
        watch = configs[f"homeassistant/binary_sensor/{NODE}/{KEY}/config"]
        assert watch["device_class"] == "smoke" and watch["name"] == QUESTION and watch["state_topic"] == T.watch(KEY)
        assert late.payloads(T.availability) == ["online"] and late.payloads(T.mute) == ["OFF"]
        late.close()
    finally:
        rec.close()
        link.stop()
        daemon.stop()


def _index(rec: Recorder, topic: str, payload: str) -> int:
    return max(i for i, m in enumerate(rec.messages) if m.topic == topic and m.payload.decode() == payload)


def _settle(rec: Recorder, quiet_s: float = 0.5) -> list:
    """The recorder's messages once none has come for `quiet_s`."""
    count = -1
    while count != len(rec.messages):
        count = len(rec.messages)
        time.sleep(quiet_s)
    return list(rec.messages)


def test_mute_from_home_assistant_mutes_the_daemon_and_its_switch_follows(tmp_path, mosquitto):
    daemon = _daemon(tmp_path, FileSource(write_wav(tmp_path / "loop.wav", BEEPS), speed=4.0, loop=True))
    link = _link(daemon, mosquitto.port)
    daemon.start()
    _connected(link.start())
    rec = Recorder(mosquitto.port, f"{T.root}/#")
    try:
        wait_for(lambda: len(daemon.buffer) >= 1, what="a buffered segment")
        held = [s.audio for s in daemon.buffer.segments()]
        rec.publish(T.mute_set, "ON")  # what Home Assistant's switch sends
        rec.wait(lambda t, p: t == T.mute and p == "ON", what="the switch state ON")
        assert daemon.muted and len(daemon.buffer) == 0 and not daemon.capture.capturing
        assert all(not a.any() for a in held)  # wiped, as a mute from the socket wipes
        assert rec.json(T.response(T.mute_set)) == {"v": 1, "type": "ok", "request": "mute", "muted": True,
                                                    "wiped_segments": len(held)}
        mark = rec.mark()
        rec.publish(T.mute_set, "off")
        rec.wait(lambda t, p: t == T.mute and p == "OFF", what="the switch state OFF", after=mark)
        assert not daemon.muted
        wait_for(lambda: len(daemon.buffer) >= 1, what="capture again")
        rec.publish(T.mute_set, "maybe")
        err = rec.json(T.response(T.mute_set), where=lambda b: b["type"] == "error")
        assert err["code"] == "bad_message" and "ON or OFF" in err["text"]
        assert not daemon.muted
    finally:
        rec.close()
        link.stop()
        daemon.stop()


def test_watches_from_mqtt_get_entities_and_survive_a_restart(tmp_path, mosquitto):
    state = tmp_path / "state"
    daemon = _daemon(tmp_path, _silence(tmp_path), ["Is the oven beeping?"], state_dir=state)
    link = _link(daemon, mosquitto.port)
    daemon.start()
    _connected(link.start())
    rec = Recorder(mosquitto.port, "homeassistant/#", f"{T.root}/#")
    glass = "Is glass breaking?"
    try:
        rec.publish(T.watch_add, json.dumps({"question": glass, "id": "a1"}))
        reply = rec.json(T.response(T.watch_add))
        assert reply == {"v": 1, "type": "watching", "watch_id": 2, "question": glass, "id": "a1"}
        config = rec.json(f"homeassistant/binary_sensor/{NODE}/{watch_key(glass)}/config")
        assert config["device_class"] == "safety"
        assert [q for _, q in daemon.watches()] == ["Is the oven beeping?", glass]
        saved = json.loads((state / "watches.json").read_text())
        assert saved["watches"] == [{"watch_id": 2, "question": glass}]  # the --watch one is not saved
    finally:
        link.stop()
        daemon.stop()
    # Restart: the same settings, the same state directory.
    daemon = _daemon(tmp_path, _silence(tmp_path), ["Is the oven beeping?"], state_dir=state)
    assert daemon.watches() == [(2, glass), (3, "Is the oven beeping?")]
    link = _link(daemon, mosquitto.port)
    daemon.start()
    _connected(link.start())
    try:
        rec.publish(T.watch_remove, glass)  # by its question, as an automation would
        assert rec.json(T.response(T.watch_remove), where=lambda b: b["type"] == "unwatched")["watch_id"] == 2
        rec.wait(lambda t, p: t == f"homeassistant/binary_sensor/{NODE}/{watch_key(glass)}/config" and p == "",
                 what="the entity removed (an empty retained config)")
        assert json.loads((state / "watches.json").read_text())["watches"] == []
        rec.publish(T.watch_remove, "99")
        assert rec.json(T.response(T.watch_remove), where=lambda b: b["type"] == "error")["code"] == "unknown_watch"
        rec.publish(T.watch_add, b"\xff\xfe")
        assert rec.json(T.response(T.watch_add), where=lambda b: b["type"] == "error")["code"] == "bad_json"
        assert [q for _, q in daemon.watches()] == ["Is the oven beeping?"]
    finally:
        rec.close()
        link.stop()
        daemon.stop()


def test_a_question_over_mqtt_gets_its_answer_on_the_mqtt5_response_topic_with_its_correlation(tmp_path, mosquitto):
    daemon = _daemon(tmp_path, FileSource(write_wav(tmp_path / "beeps.wav", BEEPS), speed=8.0))
    link = _link(daemon, mosquitto.port)
    daemon.start()
    _connected(link.start())
    rec = Recorder(mosquitto.port, "phone/answers", f"{T.root}/#")
    try:
        wait_for(lambda: daemon.capture.ended and len(daemon.buffer) == 2, what="the beeps buffered")
        rec.publish(T.ask, "Is it loud?", response_topic="phone/answers", correlation=b"q-17")
        answer = rec.wait(lambda t, p: t == "phone/answers", what="the answer")
        assert answer.properties.CorrelationData == b"q-17"
        body = json.loads(answer.payload)
        assert body["type"] == "answer" and body["heard"] is True and body["segments"] == 2
        rec.publish(T.ask, json.dumps({"question": "Is it loud?", "since": 9e12}))  # no MQTT 5 properties
        err = rec.json(T.response(T.ask))
        assert err["type"] == "error" and err["code"] == "bad_message" and "since" in err["text"]
        rec.publish(T.ask, b"x" * 100_000)  # past the protocol's line: an error, not a question
        assert rec.json(T.response(T.ask), where=lambda b: b.get("code") == "line_too_long")["type"] == "error"
        rec.publish(T.ask, b"x" * 10_000_000)  # past the packet size the link told the broker: never delivered
        rec.publish(T.ask, "Is it loud?", response_topic="phone/answers", correlation=b"q-18")
        rec.wait(lambda t, p: len(rec.payloads("phone/answers")) == 2, what="the next answer")
        again = [m for m in rec.messages if m.topic == "phone/answers"][1]
        assert again.properties.CorrelationData == b"q-18" and json.loads(again.payload)["heard"] is True
    finally:
        rec.close()
        link.stop()
        daemon.stop()


def test_a_broker_down_at_start_and_restarted_mid_alert_loses_no_alert(tmp_path):
    """The broker is down when the daemon starts and while the alarm plays: capture goes on,
    the alert waits; when the broker comes back, Home Assistant gets discovery, the ON and the
    OFF that followed it (its hold passed meanwhile), in that order."""
    mosquitto = Mosquitto(tmp_path)
    daemon = _daemon(tmp_path, FileSource(write_wav(tmp_path / "beeps.wav", BEEPS), speed=4.0), [QUESTION])
    link = _link(daemon, mosquitto.port, hold_s=0.3)
    daemon.start()
    link.start()
    try:
        wait_for(lambda: daemon.capture.ended and daemon.status().queued == 0, what="the replay heard while the broker is down")
        assert len(daemon.buffer) == 2 and not link.connected
        time.sleep(0.6)  # the hold passes while the broker is down
        mosquitto.start()
        rec = Recorder(mosquitto.port, "homeassistant/#", f"{T.root}/#")
        wait_for(lambda: link.connected and len(link.outbox) == 0, timeout=40, what="the link to connect and deliver")
        states = [p for p in rec.payloads(T.watch(KEY))]
        assert "ON" in states and states.index("ON") < len(states) - 1 and states[-1] == "OFF", states
        assert rec.payloads(T.availability)[-1] == "online"
        assert rec.json(T.alert)["question"] == QUESTION
    finally:
        link.stop()
        daemon.stop()
        mosquitto.stop()


def test_a_broker_restart_while_a_sensor_is_on_keeps_capture_going_and_the_state_comes_back(tmp_path, mosquitto):
    daemon = _daemon(tmp_path, FileSource(write_wav(tmp_path / "loop.wav", BEEPS), speed=2.0, loop=True), [QUESTION])
    link = _link(daemon, mosquitto.port, hold_s=120.0)
    daemon.start()
    link.start()
    rec = Recorder(mosquitto.port, f"{T.root}/#")
    try:
        rec.wait(lambda t, p: t == T.watch(KEY) and p == "ON", what="the watch sensor ON")
        rec.close()
        mosquitto.stop()  # a broker without persistence: its retained states are gone
        wait_for(lambda: not link.connected, what="the link to notice")
        captured = daemon.status().captured_seconds
        wait_for(lambda: daemon.status().captured_seconds > captured + 1.0, what="capture to go on without the broker")
        mosquitto.start()
        rec = Recorder(mosquitto.port, "homeassistant/#", f"{T.root}/#")
        rec.wait(lambda t, p: t == T.watch(KEY) and p == "ON", timeout=40, what="ON published again")
        rec.wait(lambda t, p: t == f"homeassistant/binary_sensor/{NODE}/{KEY}/config" and p != "",
                 what="discovery published again")
        assert rec.payloads(T.availability)[-1] == "online"
    finally:
        rec.close()
        link.stop()
        daemon.stop()


def test_stale_entities_of_this_device_are_cleared_and_retained_commands_are_not_obeyed(tmp_path, mosquitto):
    """Left on the broker before the daemon connects: the config of a watch removed while it was
    away (this device's: cleared), another integration's config under the same node id (kept),
    and a retained mute command (ignored: it would mute at every reconnect)."""
    from edge.mqtt.discovery import Discovery

    gone_topic, gone = Discovery(T).watch("Is the kettle whistling?")
    other_topic = f"homeassistant/sensor/{NODE}/temperature/config"
    other = {"name": "Temperature", "state_topic": "x/t", "unique_id": "t1", "device": {"identifiers": ["thermo-1"]}}
    setup = Recorder(mosquitto.port, "homeassistant/#")
    for topic, body in ((gone_topic, gone), (other_topic, other)):
        setup.client.publish(topic, json.dumps(body), qos=1, retain=True).wait_for_publish(5)
    setup.client.publish(T.mute_set, "ON", qos=1, retain=True).wait_for_publish(5)
    setup.close()
    daemon = _daemon(tmp_path, _silence(tmp_path), [QUESTION])
    link = _link(daemon, mosquitto.port)
    daemon.start()
    _connected(link.start())
    try:
        rec = Recorder(mosquitto.port, "homeassistant/#", f"{T.root}/#")
        rec.wait(lambda t, p: t == gone_topic and p == "", what="the stale config cleared")
        configs = {m.topic: m.payload for m in _settle(rec) if m.topic.endswith("/config")}
        assert configs[other_topic] and json.loads(configs[other_topic]) == other
        assert f"homeassistant/binary_sensor/{NODE}/{KEY}/config" in configs
        assert not daemon.muted and rec.payloads(T.mute)[-1] == "OFF"
        rec.publish(T.watch_remove, "  is there a SMOKE alarm? ")  # the entity's question, however it is typed
        assert rec.json(T.response(T.watch_remove))["type"] == "unwatched" and daemon.watches() == []
        rec.close()
    finally:
        link.stop()
        daemon.stop()


def test_doctor_connects_to_the_configured_broker_and_says_why_it_cannot(tmp_path, mosquitto):
    from core.doctor import FAIL, OK, SKIP
    from edge.doctor import check_mqtt
    from edge.settings import load_serve_settings

    assert check_mqtt(load_serve_settings(None)).status == SKIP
    up = check_mqtt(load_serve_settings(None, {"serve.mqtt.url": mosquitto.url}))
    assert up.status == OK and "accepts an MQTT 5 connection anonymously" in up.summary
    mosquitto.stop()
    down = check_mqtt(load_serve_settings(None, {"serve.mqtt.url": mosquitto.url}))
    assert down.status == FAIL and "cannot connect" in down.summary and "start the broker" in down.fix


def test_a_broker_that_wants_a_login_gets_it_from_the_environment_and_a_wrong_one_is_named(tmp_path, monkeypatch):
    from core.doctor import FAIL, OK
    from edge.doctor import check_mqtt
    from edge.mqtt.broker import PASSWORD_ENV
    from edge.settings import load_serve_settings

    locked = Mosquitto(tmp_path, users={"speaker": "s3cret"}).start()
    try:
        settings = {"serve.mqtt.url": locked.url, "serve.mqtt.username": "speaker", "serve.mqtt.password": "wrong"}
        bad = check_mqtt(load_serve_settings(None, settings))
        assert bad.status == FAIL and "refused" in bad.summary and "password" in bad.fix and "wrong" not in bad.line()
        monkeypatch.setenv(PASSWORD_ENV, "s3cret")  # the environment wins over the file
        assert check_mqtt(load_serve_settings(None, settings)).status == OK
        daemon = _daemon(tmp_path, _silence(tmp_path))
        link = MqttLink(daemon, broker(locked.url, "speaker", "wrong"), T)
        daemon.start()
        try:
            _connected(link.start())
        finally:
            link.stop()
            daemon.stop()
    finally:
        locked.stop()


def test_a_failure_inside_the_daemon_is_an_internal_error_reply_and_the_link_keeps_serving(tmp_path, mosquitto, monkeypatch):
    daemon = _daemon(tmp_path, _silence(tmp_path))
    link = _link(daemon, mosquitto.port)
    daemon.start()
    _connected(link.start())
    rec = Recorder(mosquitto.port, f"{T.root}/#")
    try:
        real = daemon.request
        monkeypatch.setattr(daemon, "request", lambda request: 1 / 0)  # a bug in the daemon's request handling
        rec.publish(T.watch_add, "Is it raining?")
        err = rec.json(T.response(T.watch_add))
        assert err["type"] == "error" and err["code"] == "internal" and "ZeroDivisionError" in err["text"]
        monkeypatch.setattr(daemon, "request", real)
        rec.publish(T.watch_add, "Is it raining?")
        assert rec.json(T.response(T.watch_add), where=lambda b: b["type"] == "watching")["watch_id"] == 1
        assert link.connected
    finally:
        rec.close()
        link.stop()
        daemon.stop()


def _flushed(rec: Recorder, link: MqttLink, port: int, n: int) -> None:
    """Wait until the broker has every message the link queued, and the recorder has what the
    broker sent before a marker published after them."""
    wait_for(lambda: link.connected and len(link.outbox) == 0, timeout=40, what="the link to deliver")
    marker = f"{T.root}/test_marker"
    rec.client.publish(marker, str(n), qos=1)
    rec.wait(lambda t, p: t == marker and p == str(n), what="the marker")


@pytest.mark.parametrize("case", ["broker-down-at-start", "retained-ha-birth"])
def test_availability_is_published_once_per_connect(tmp_path, case):
    """It was published twice on every connect (issue 29): the publisher sent the `online` it had
    taken while waiting for the broker, then the copy the connect queued in its place; and a
    retained Home Assistant birth message, delivered on subscribing, was taken for a restart
    of Home Assistant and made everything go out again."""
    mosquitto = Mosquitto(tmp_path, log_publishes=True)
    if case == "retained-ha-birth":
        mosquitto.start()
        birth = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        birth.connect("127.0.0.1", mosquitto.port)
        birth.loop_start()
        birth.publish(T.ha_status, "online", qos=1, retain=True).wait_for_publish(10)
        birth.disconnect()
        birth.loop_stop()
    daemon = _daemon(tmp_path, _silence(tmp_path))
    link = _link(daemon, mosquitto.port)
    daemon.start()
    link.start()
    rec = None
    try:
        if case == "broker-down-at-start":  # the publisher waits for the broker with `online` in hand
            wait_for(lambda: daemon.status().captured_seconds > 0, what="capture")
            mosquitto.start()
        rec = Recorder(mosquitto.port, f"{T.root}/#")
        _flushed(rec, link, mosquitto.port, 1)
        assert rec.payloads(T.availability)[-1:] == ["online"]
        assert mosquitto.published(f"listen-edge-{NODE}", T.availability) == 1
    finally:
        if rec is not None:
            rec.close()
        link.stop()
        daemon.stop()
        mosquitto.stop()
