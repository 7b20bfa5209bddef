"""The daemon on an MQTT broker, for Home Assistant: discovery, states, alerts and commands.

Threads (daemon threads; `stop` ends them):
  paho      paho-mqtt's network loop: connects, reconnects with backoff, reads commands.
            Mute and watch commands are answered there (they take milliseconds).
  publish   sends the outbox (outbox.py) one message at a time with QoS 1, waiting for the
            broker's acknowledgement; turns watch sensors OFF when their hold passes.
  ask       runs asks from MQTT one after another (they wait for the model); at most
            ASK_QUEUE wait, one more is answered `busy`.

The daemon calls `observe` on its own threads: it only queues, so a broker that is down,
slow or restarting never holds up capture or the model. Every connect (the first, and each
after a broker restart, which may have lost retained messages) publishes availability,
discovery and the current states again, and clears this node's stale discovery configs.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from core.questions import asked_phrase
from edge.daemon.observers import Heard
from edge.errors import EdgeError, ProtocolError
from edge.mqtt import commands
from edge.mqtt.broker import Broker
from edge.mqtt.discovery import OFF, OFFLINE, ON, ONLINE, Discovery, watch_key
from edge.mqtt.holds import Holds
from edge.mqtt.outbox import Outbox, Outgoing
from edge.mqtt.topics import Topics
from edge.protocol import MAX_LINE_BYTES, AlertEvent, Error, ErrorCode, Message, StateEvent, Unwatch, Unwatched, Watching

if TYPE_CHECKING:
    from edge.daemon.server import Daemon

log = logging.getLogger("edge.mqtt")

ASK_QUEUE = 4  # asks from MQTT waiting for the model; one more is answered `busy`
ACK_WAIT_S = 0.5  # the publisher looks at the connection this often while it waits for an acknowledgement
HOLD_TICK_S = 0.25  # the longest a sensor stays ON past its hold
STOP_FLUSH_S = 2.0  # at stop, `offline` gets this long to reach the broker
RECONNECT_S = (1, 10)  # paho's reconnect backoff, min and max seconds: a returning broker gets the queued alerts within ~10 s
# The largest packet the broker may send us (MQTT 5 CONNECT property; it drops larger ones), so a
# huge payload on a command topic never reaches memory; payloads past MAX_LINE_BYTES get an error.
MAX_PACKET_BYTES = 4 * MAX_LINE_BYTES


def make_client(broker: Broker, client_id: str) -> mqtt.Client:
    """A paho MQTT 5 client for `broker`: its login and TLS set, not connected."""
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    if broker.username:
        c.username_pw_set(broker.username, broker.password)
    if broker.tls:
        c.tls_set(ca_certs=str(broker.ca_file) if broker.ca_file else None)
    return c


def probe(broker: Broker, timeout_s: float = 5.0) -> str | None:
    """Connect to `broker` once and leave (`listen doctor`): None when it accepted, else why not."""
    c = make_client(broker, f"listen-edge-doctor-{os.getpid()}")
    answer: list[str | None] = []
    done = threading.Event()

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        answer.append(f"refused: {reason_code}" if reason_code.is_failure else None)
        done.set()

    c.on_connect = on_connect
    try:
        c.connect(broker.host, broker.port, keepalive=10)
    except (OSError, ValueError) as err:  # refused, unreachable, unknown host, TLS handshake
        return f"cannot connect: {err}"
    c.loop_start()
    try:
        if not done.wait(timeout_s):
            return f"no CONNACK within {timeout_s:g} s (is it an MQTT 5 broker on that port?)"
        return answer[0]
    finally:
        c.disconnect()
        c.loop_stop()


def _model(bundle: dict) -> str:
    """The device's model line in Home Assistant, from the bundle summary the daemon reports."""
    if not bundle.get("recipe"):
        return "on-device sound assistant" + ("" if bundle else " (capture only)")
    return f"on-device sound assistant ({bundle['recipe']} adapter, LLM {bundle.get('quantization') or '?'})"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _iso(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, timezone.utc).isoformat(timespec="seconds")


class MqttLink:
    def __init__(self, daemon: Daemon, broker: Broker, topics: Topics, hold_s: float = 30.0,
                 queue_limit: int = 1000, keepalive_s: int = 30) -> None:
        self.daemon = daemon
        self.broker = broker
        self.topics = topics
        self.discovery = Discovery(topics, model=_model(daemon.bundle))
        self.outbox = Outbox(queue_limit)
        self.holds = Holds(hold_s)
        self.keepalive_s = keepalive_s
        # A fired watch heard its sound: the last sound is its subject too (labelled when the
        # presence model knows the phrase), beside what the presence model detects unasked.
        self._listener = getattr(daemon.assistant, "listener", None)
        self._questions: dict[int, str] = dict(daemon.watches())  # watch id -> question
        self._lock = threading.Lock()  # _questions, _kept
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._asks: queue.Queue = queue.Queue(ASK_QUEUE)
        self._threads: list[threading.Thread] = []
        self._last_problem: str | None = None  # the last connection problem logged (each is logged once)
        self._reported_drops = 0
        self._muted = daemon.muted  # the switch state last published
        self._kept: dict[str, bytes] = {}  # the last sound and each watch's last alert: published again on reconnect
        self.client = self._client()

    # -- lifecycle ---------------------------------------------------------------------------

    def _client(self) -> mqtt.Client:
        c = make_client(self.broker, f"listen-edge-{self.topics.node}")
        c.will_set(self.topics.availability, OFFLINE, qos=1, retain=True)
        c.reconnect_delay_set(*RECONNECT_S)
        c.on_connect = self._on_connect
        c.on_connect_fail = self._on_connect_fail
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        return c

    def start(self) -> MqttLink:
        self._resync()
        self.daemon.observe(self.observe)
        try:
            props = Properties(PacketTypes.CONNECT)
            props.MaximumPacketSize = MAX_PACKET_BYTES
            self.client.connect_async(self.broker.host, self.broker.port, self.keepalive_s, clean_start=True,
                                      properties=props)
        except (OSError, ValueError) as err:
            raise EdgeError(f"MQTT broker {self.broker.describe()}: {err}") from err
        self.client.loop_start()
        for name, target in (("mqtt-publish", self._publish_loop), ("mqtt-ask", self._ask_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("MQTT: broker %s, topics %s/#, discovery under %s/", self.broker.describe(), self.topics.root,
                 self.topics.discovery)
        return self

    def stop(self) -> None:
        """Say `offline` (when the broker is there), then disconnect; what still waits is lost."""
        if self._stopping.is_set():
            return
        offline = Outgoing(self.topics.availability, OFFLINE.encode(), latest_only=True)
        self.outbox.put(offline, first=True)
        deadline = time.monotonic() + STOP_FLUSH_S
        while self._connected.is_set() and offline in self.outbox and time.monotonic() < deadline:
            time.sleep(0.02)
        self._stopping.set()
        try:
            self._asks.put_nowait(None)  # wakes the ask thread
        except queue.Full:
            pass
        self.client.disconnect()
        self.client.loop_stop()
        for thread in self._threads:
            thread.join(5.0)
        if self.outbox:
            log.info("MQTT: stopped with %d messages not delivered", len(self.outbox))

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    # -- the daemon's side (its threads: queue only) -----------------------------------------

    def observe(self, item: object) -> None:
        if isinstance(item, AlertEvent):
            self._alert(item)
        elif isinstance(item, StateEvent):
            if item.muted != self._muted:  # a state event also says when capture ends
                self._muted = item.muted
                self._put(self.topics.mute, ON if item.muted else OFF, latest_only=True)
        elif isinstance(item, Heard):
            self._sound(item.sound, item.label, item.confidence, item.start, item.end)
        elif isinstance(item, Watching):
            with self._lock:
                self._questions[item.watch_id] = item.question
            self._put_config(*self.discovery.watch(item.question))
            key = watch_key(item.question)
            self._put(self.topics.watch(key), ON if self.holds.is_on(key) else OFF, latest_only=True)
        elif isinstance(item, Unwatched):
            with self._lock:
                question = self._questions.pop(item.watch_id, None)
                still = question in self._questions.values()
            if question is not None and not still:  # no other watch asks it: the entity goes
                key = watch_key(question)
                self.holds.forget(key)
                with self._lock:
                    self._kept.pop(self.topics.watch_attributes(key), None)
                self._put_config(self.discovery.watch(question)[0], None)

    def _alert(self, alert: AlertEvent) -> None:
        key = watch_key(alert.question)
        body = {"watch_id": alert.watch_id, "question": alert.question, "answer": alert.answer,
                "confidence": alert.confidence, "start": _iso(alert.start), "end": _iso(alert.end)}
        self._keep(self.topics.watch_attributes(key), _json(body))  # before the ON: a trigger on it reads these
        if self.holds.fire(key, time.monotonic()):
            self._put(self.topics.watch(key), ON)  # in order, never replaced: HA sees every ON
        self._put(self.topics.alert, _json(body), retain=False)
        phrase = asked_phrase(alert.question) or alert.question
        label = self._listener.label_of(phrase) if self._listener is not None else None
        self._sound(phrase, label, alert.confidence, alert.start, alert.end)

    def _sound(self, sound: str, label: str | None, confidence: float | None, start: float, end: float) -> None:
        body = {"sound": sound, "label": label, "confidence": None if confidence is None else round(confidence, 3),
                "start": _iso(start), "end": _iso(end)}
        self._keep(self.topics.sound, _json(body))

    def _keep(self, topic: str, payload: bytes) -> None:
        """A retained state that is published again after each reconnect."""
        with self._lock:
            self._kept[topic] = payload
        self._put(topic, payload, latest_only=True)

    def _put(self, topic: str, payload: str | bytes, retain: bool = True, latest_only: bool = False,
             properties: Properties | None = None) -> None:
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        self.outbox.put(Outgoing(topic, data, retain=retain, latest_only=latest_only, properties=properties))
        if self.outbox.dropped > self._reported_drops:
            self._reported_drops = self.outbox.dropped
            log.warning("MQTT: %d messages waited for the broker past the queue's %d; the oldest were dropped",
                        self.outbox.dropped, self.outbox.limit)

    def _put_config(self, topic: str, config: dict | None) -> None:
        """A discovery config (None: remove the entity, an empty retained payload)."""
        self._put(topic, b"" if config is None else _json(config), latest_only=True)

    def _resync(self) -> None:
        """Everything Home Assistant needs to show the device as it is now."""
        self.outbox.put(Outgoing(self.topics.availability, ONLINE.encode(), latest_only=True), first=True)
        with self._lock:
            questions = list(self._questions.values())
        for topic, config in self.discovery.all(questions).items():
            self._put_config(topic, config)
        self._muted = self.daemon.muted
        self._put(self.topics.mute, ON if self._muted else OFF, latest_only=True)
        for question in dict.fromkeys(questions):
            key = watch_key(question)
            self._put(self.topics.watch(key), ON if self.holds.is_on(key) else OFF, latest_only=True)
        with self._lock:
            kept = list(self._kept.items())
        for topic, payload in kept:
            self._put(topic, payload, latest_only=True)

    # -- the publisher thread ----------------------------------------------------------------

    def _publish_loop(self) -> None:
        while not self._stopping.is_set():
            now = time.monotonic()
            for key in self.holds.expire(now):
                self._put(self.topics.watch(key), OFF)
            deadline = self.holds.next_deadline()
            wait = HOLD_TICK_S if deadline is None else min(HOLD_TICK_S, max(0.0, deadline - now))
            message = self.outbox.peek(wait)
            if message is None:
                continue
            if not self._connected.wait(wait or HOLD_TICK_S):
                continue
            if message not in self.outbox:  # a newer state replaced it while the broker was away (the connect's resync)
                continue
            if self._send(message):
                self.outbox.done(message)
            else:
                self._stopping.wait(0.05)  # the connection is going: let paho notice before the next try

    def _send(self, message: Outgoing) -> bool:
        """Publish with QoS 1 and wait for the broker's PUBACK while the connection lasts. True:
        the broker has it (or it can never be sent: dropped, logged); False: try it again."""
        try:
            info = self.client.publish(message.topic, message.payload, qos=1, retain=message.retain,
                                       properties=message.properties)
        except ValueError as err:  # a payload over the broker's limits: it would block every message behind it
            log.error("MQTT: cannot publish to %s (%s); dropped", message.topic, err)
            return True
        if info.rc == mqtt.MQTT_ERR_NO_CONN:
            return False
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            log.error("MQTT: cannot publish to %s (%s); dropped", message.topic, mqtt.error_string(info.rc))
            return True
        while not self._stopping.is_set():
            try:
                info.wait_for_publish(ACK_WAIT_S)
            except (RuntimeError, ValueError):
                return False
            if info.is_published():
                return True
            if not self._connected.is_set():
                return False  # sent again after the reconnect (QoS 1 is at least once)
        return False

    # -- paho's thread -----------------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self._problem(f"refused the connection: {reason_code}" + (
                " (check [serve.mqtt] username/password or $LISTEN_MQTT_USERNAME/$LISTEN_MQTT_PASSWORD)"
                if reason_code.value in (0x86, 0x87) else ""))
            return
        client.subscribe([(t, 1) for t in (*self.topics.commands, self.topics.ha_status, self.topics.configs())])
        self._resync()
        self._connected.set()
        self._last_problem = None
        log.info("MQTT: connected to %s; %d messages waiting", self.broker.describe(), len(self.outbox))

    def _on_connect_fail(self, client, userdata) -> None:
        self._problem("cannot connect; retrying (alerts are kept for it)")

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self._connected.clear()
        if not self._stopping.is_set():
            self._problem(f"connection lost ({reason_code}); reconnecting (alerts are kept for it)")

    def _problem(self, text: str) -> None:
        """Log a connection problem once, not at every retry."""
        if text != self._last_problem:
            log.warning("MQTT broker %s: %s", self.broker.describe(), text)
            self._last_problem = text

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        try:
            self._message(msg)
        except Exception:  # paho would end its network loop on an exception: log it, keep serving
            log.exception("MQTT: handling a message on %s failed", msg.topic)

    def _message(self, msg: mqtt.MQTTMessage) -> None:
        topic = msg.topic
        if topic == self.topics.ha_status:
            # Home Assistant restarted: discovery again. A retained birth message is delivered on
            # every subscribe: old news, which the connect's own resync has answered already.
            if msg.payload.strip() == ONLINE.encode() and not msg.retain:
                self._resync()
            return
        if topic.startswith(self.topics.discovery + "/") and topic.endswith("/config"):
            self._clear_stale(topic, msg)
            return
        action = dict(zip(self.topics.commands, commands.ACTIONS)).get(topic)
        if action is None:
            return
        if msg.retain:  # left on the broker by someone: it would be carried out again at every reconnect
            log.warning("MQTT: ignored a retained command on %s; publish commands without retain", topic)
            return
        reply_to, correlation = self._reply_address(msg)
        try:
            request = commands.parse(action, msg.payload)
        except ProtocolError as err:
            log.warning("MQTT: %s: %s", topic, err.text)
            self._reply(reply_to, correlation, Error(err.code, err.text))
            return
        if action == "ask":
            try:
                self._asks.put_nowait((request, reply_to, correlation))
            except queue.Full:
                self._reply(reply_to, correlation, Error(ErrorCode.BUSY, f"{ASK_QUEUE} asks are already waiting; retry shortly",
                                                         id=request.id))
            return
        try:
            reply = self._command(request)
        except Exception as err:  # a bug must not go unanswered, nor end paho's loop
            log.exception("MQTT: %s failed", topic)
            reply = Error(ErrorCode.INTERNAL, f"{type(err).__name__}: {err}", id=getattr(request, "id", None))
        self._reply(reply_to, correlation, reply)

    def _command(self, request: Message | commands.UnwatchQuestion) -> Message:
        if isinstance(request, commands.UnwatchQuestion):
            key = watch_key(request.question)  # the same entity: case and spacing aside
            ids = [k for k, q in self.daemon.watches() if watch_key(q) == key]
            if not ids:
                return Error(ErrorCode.UNKNOWN_WATCH, f"no watch asks {request.question!r}", id=request.id)
            replies = [self.daemon.request(Unwatch(k)) for k in ids]
            return replies[-1]
        reply = self.daemon.request(request)
        log.info("MQTT: %s -> %s", request.TYPE, reply.TYPE)
        return reply

    def _clear_stale(self, topic: str, msg: mqtt.MQTTMessage) -> None:
        """A retained config of this node for an entity it no longer has (a watch removed while
        the daemon was away): remove it from Home Assistant."""
        if not msg.retain or not msg.payload:
            return
        try:
            ours = json.loads(msg.payload)["device"]["identifiers"] == self.discovery.device["identifiers"]
        except (ValueError, KeyError, TypeError):
            ours = False
        if not ours:  # another integration's entity under the same node id: not ours to remove
            return
        with self._lock:
            current = self.discovery.all(list(self._questions.values()))
        if topic not in current:
            log.info("MQTT: removing the stale entity %s", topic)
            self._put_config(topic, None)

    def _reply_address(self, msg: mqtt.MQTTMessage) -> tuple[str, bytes | None]:
        """Where a command's reply goes: its MQTT 5 response topic (with its correlation data),
        else <command topic>/response."""
        props = getattr(msg, "properties", None)
        topic = getattr(props, "ResponseTopic", None)
        correlation = getattr(props, "CorrelationData", None)
        if not topic or "+" in topic or "#" in topic:
            topic = Topics.response(msg.topic)
        return topic, correlation

    def _reply(self, topic: str, correlation: bytes | None, reply: Message) -> None:
        props = None
        if correlation is not None:
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = correlation
        self._put(topic, reply.encode().rstrip(b"\n"), retain=False, properties=props)

    # -- the ask thread ----------------------------------------------------------------------

    def _ask_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                item = self._asks.get(timeout=HOLD_TICK_S)
            except queue.Empty:
                continue
            if item is None:
                return
            request, reply_to, correlation = item
            try:
                reply = self.daemon.request(request)
            except Exception as err:  # noqa: BLE001 - a bug must not end the thread; the asker hears of it
                log.exception("MQTT: ask %r failed", request.question)
                reply = Error(ErrorCode.INTERNAL, f"{type(err).__name__}: {err}", id=request.id)
            self._reply(reply_to, correlation, reply)
