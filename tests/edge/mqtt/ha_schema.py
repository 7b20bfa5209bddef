"""Home Assistant's documented MQTT discovery options, for the entities the daemon announces.

Written from the configuration variables of
  https://www.home-assistant.io/integrations/binary_sensor.mqtt/
  https://www.home-assistant.io/integrations/switch.mqtt/
  https://www.home-assistant.io/integrations/sensor.mqtt/
  https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery (device, origin, topics)
and the device classes of https://www.home-assistant.io/integrations/binary_sensor/#device-class.
`check` raises AssertionError naming the first option that breaks them. Only what these pages
document is here; HA itself is far too heavy to import in the tests.
"""

from __future__ import annotations

import re

STR, BOOL, INT, DICT, LIST = str, bool, int, dict, list

COMMON = {
    "availability_topic": STR, "payload_available": STR, "payload_not_available": STR, "availability_mode": STR,
    "availability_template": STR, "device": DICT, "origin": DICT, "enabled_by_default": BOOL, "encoding": STR,
    "entity_category": STR, "entity_picture": STR, "icon": STR, "json_attributes_template": STR,
    "json_attributes_topic": STR, "name": STR, "object_id": STR, "default_entity_id": STR, "qos": INT, "unique_id": STR,
}
PLATFORMS = {
    "binary_sensor": {
        "options": {**COMMON, "device_class": STR, "expire_after": INT, "force_update": BOOL, "off_delay": INT,
                    "payload_off": STR, "payload_on": STR, "state_topic": STR, "value_template": STR},
        "required": {"state_topic"},
    },
    "switch": {
        "options": {**COMMON, "command_template": STR, "command_topic": STR, "device_class": STR, "optimistic": BOOL,
                    "payload_off": STR, "payload_on": STR, "retain": BOOL, "state_off": STR, "state_on": STR,
                    "state_topic": STR, "value_template": STR},
        "required": {"command_topic"},
    },
    "sensor": {
        "options": {**COMMON, "device_class": STR, "expire_after": INT, "force_update": BOOL, "last_reset_value_template": STR,
                    "options": LIST, "suggested_display_precision": INT, "state_class": STR, "state_topic": STR,
                    "unit_of_measurement": STR, "value_template": STR},
        "required": {"state_topic"},
    },
}
DEVICE = {"configuration_url": STR, "connections": LIST, "hw_version": STR, "identifiers": LIST, "manufacturer": STR,
          "model": STR, "model_id": STR, "name": STR, "serial_number": STR, "suggested_area": STR, "sw_version": STR,
          "via_device": STR}
ORIGIN = {"name": STR, "sw_version": STR, "support_url": STR}
DEVICE_CLASSES = {
    "binary_sensor": {"battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door", "garage_door",
                      "gas", "heat", "light", "lock", "moisture", "motion", "moving", "occupancy", "opening", "plug",
                      "power", "presence", "problem", "running", "safety", "smoke", "sound", "tamper", "update",
                      "vibration", "window"},
    "switch": {"outlet", "switch"},
}
# A discovery topic: <prefix>/<component>/[<node_id>/]<object_id>/config, ids of [a-zA-Z0-9_-]
# (the daemon always gives a node id).
TOPIC = re.compile(r"^(?P<prefix>[^#+]+)/(?P<component>[a-z_]+)/(?P<node>[A-Za-z0-9_-]+)/(?P<object>[A-Za-z0-9_-]+)/config$")
PUBLISH_TOPIC = re.compile(r"^[^#+]+$")  # a topic one publishes to: no wildcards


def check(topic: str, config: dict) -> str:
    """The component of a valid (topic, config) pair; AssertionError naming what is wrong."""
    m = TOPIC.match(topic)
    assert m, f"{topic}: not <prefix>/<component>/<node_id>/<object_id>/config"
    component = m["component"]
    assert component in PLATFORMS, f"{topic}: component {component} is not one this schema knows"
    spec = PLATFORMS[component]
    for key, value in config.items():
        assert key in spec["options"], f"{topic}: {key} is not a documented {component} option"
        want = spec["options"][key]
        assert isinstance(value, want) and not (want is INT and isinstance(value, bool)), \
            f"{topic}: {key} = {value!r} is not a {want.__name__}"
        if key.endswith("_topic"):
            assert PUBLISH_TOPIC.match(value) and value, f"{topic}: {key} = {value!r} is not a topic"
    missing = spec["required"] - set(config)
    assert not missing, f"{topic}: required {sorted(missing)} missing"
    assert config.get("qos", 0) in (0, 1, 2), f"{topic}: qos {config['qos']}"
    if "device_class" in config:
        assert config["device_class"] in DEVICE_CLASSES[component], f"{topic}: device_class {config['device_class']}"
    if "device" in config:
        for key, value in config["device"].items():
            assert key in DEVICE and isinstance(value, DEVICE[key]), f"{topic}: device.{key} = {value!r}"
        assert config["device"].get("identifiers") or config["device"].get("connections"), f"{topic}: a device needs identifiers"
        assert "unique_id" in config, f"{topic}: an entity with a device needs a unique_id"
    if "origin" in config:
        for key, value in config["origin"].items():
            assert key in ORIGIN and isinstance(value, ORIGIN[key]), f"{topic}: origin.{key} = {value!r}"
        assert "name" in config["origin"], f"{topic}: origin needs a name"
    return component
