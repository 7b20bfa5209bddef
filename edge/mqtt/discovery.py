"""Home Assistant MQTT discovery: what each entity of the daemon's one device looks like.

https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery. Every config is published
retained under `<discovery>/<component>/<node>/<object>/config`; an empty retained payload
there removes the entity. The keys used are the documented ones of each platform
(binary_sensor.mqtt, switch.mqtt, sensor.mqtt), written out in full, not abbreviated.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata

from edge.mqtt.topics import Topics

ON, OFF = "ON", "OFF"
ONLINE, OFFLINE = "online", "offline"

# Which binary_sensor device class a watch gets, from the words of its question (first match);
# HA shows each with its own icon and wording ("Smoke detected"). Anything else is `sound`.
DEVICE_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("carbon_monoxide", re.compile(r"carbon monoxide|\bco (?:alarm|detector|sensor)", re.I)),
    ("smoke", re.compile(r"smoke|fire alarm|fire detector", re.I)),
    ("safety", re.compile(r"glass|shatter|siren|scream|gunshot|gun shot|explosion|burglar|intruder", re.I)),
)


def device_class(question: str) -> str:
    for name, pattern in DEVICE_CLASSES:
        if pattern.search(question):
            return name
    return "sound"


def watch_key(question: str) -> str:
    """A watch's entity key: the same question (case and spacing aside) is the same entity
    across restarts, whatever watch id it gets."""
    norm = " ".join(question.lower().split())
    return "watch_" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:12]


def _version() -> str:
    try:
        return metadata.version("listen-edge")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


class Discovery:
    """The discovery config of each entity, for one node."""

    def __init__(self, topics: Topics, model: str = "on-device sound assistant") -> None:
        self.topics = topics
        version = _version()
        self.device = {
            "identifiers": [f"listen_edge_{topics.node}"],
            "name": f"LISTEN-Edge {topics.node}",
            "manufacturer": "LISTEN-Edge",
            "model": model,
            "sw_version": version,
        }
        self.origin = {"name": "listen-edge", "sw_version": version}

    def _common(self, object_id: str, name: str) -> dict:
        return {
            "name": name,
            "unique_id": f"{self.topics.node}_{object_id}",
            "availability_topic": self.topics.availability,
            "payload_available": ONLINE,
            "payload_not_available": OFFLINE,
            "qos": 1,
            "device": self.device,
            "origin": self.origin,
        }

    def watch(self, question: str) -> tuple[str, dict]:
        """(config topic, config) of the binary sensor of a watch."""
        key = watch_key(question)
        config = {
            **self._common(key, question),
            "state_topic": self.topics.watch(key),
            "payload_on": ON,
            "payload_off": OFF,
            "device_class": device_class(question),
            "json_attributes_topic": self.topics.watch_attributes(key),
        }
        return self.topics.config("binary_sensor", key), config

    def mute(self) -> tuple[str, dict]:
        """The mute switch: ON = muted (capture stopped, buffer wiped)."""
        config = {
            **self._common("mute", "Mute"),
            "command_topic": self.topics.mute_set,
            "state_topic": self.topics.mute,
            "payload_on": ON,
            "payload_off": OFF,
            "state_on": ON,
            "state_off": OFF,
            "optimistic": False,
            "retain": False,
            "icon": "mdi:microphone-off",
        }
        return self.topics.config("switch", "mute"), config

    def sound(self) -> tuple[str, dict]:
        """The last detected sound; its confidence, label and time are attributes."""
        config = {
            **self._common("last_sound", "Last sound"),
            "state_topic": self.topics.sound,
            "value_template": "{{ value_json.sound }}",
            "json_attributes_topic": self.topics.sound,
            "icon": "mdi:ear-hearing",
        }
        return self.topics.config("sensor", "last_sound"), config

    def all(self, questions: list[str]) -> dict[str, dict]:
        """Config topic -> config of every entity, for the watches' questions."""
        return dict([self.mute(), self.sound(), *(self.watch(q) for q in dict.fromkeys(questions))])
