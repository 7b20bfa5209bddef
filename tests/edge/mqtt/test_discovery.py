"""edge.mqtt.discovery against Home Assistant's documented discovery schema (ha_schema.py)."""

from __future__ import annotations

import json

import pytest

from edge.mqtt.discovery import Discovery, device_class, watch_key
from edge.mqtt.topics import Topics
from tests.edge.mqtt import ha_schema

T = Topics("listen_edge", "kitchen")


def test_every_entity_config_follows_the_documented_schema_and_shares_one_device():
    d = Discovery(T, model="default-bundle")
    configs = d.all(["Is there a smoke alarm?", "Is the baby crying?", "Is there a smoke alarm?"])
    components = sorted(ha_schema.check(topic, config) for topic, config in configs.items())
    assert components == ["binary_sensor", "binary_sensor", "sensor", "switch"]  # a repeated question is one entity
    assert len({json.dumps(c["device"], sort_keys=True) for c in configs.values()}) == 1
    assert len({c["unique_id"] for c in configs.values()}) == len(configs)
    for config in configs.values():
        assert config["availability_topic"] == T.availability
        json.dumps(config, allow_nan=False)  # what goes on the wire


def test_the_mute_switch_commands_the_topic_the_link_reads_and_reports_the_one_it_writes():
    topic, config = Discovery(T).mute()
    assert topic == "homeassistant/switch/kitchen/mute/config"
    assert config["command_topic"] == T.mute_set in T.commands and config["state_topic"] == T.mute
    assert (config["payload_on"], config["payload_off"]) == (config["state_on"], config["state_off"]) == ("ON", "OFF")


def test_the_schema_check_itself_refuses_what_home_assistant_would():
    topic, config = Discovery(T).watch("Is a dog barking?")
    for broken in ({**config, "device_class": "dog"}, {**config, "stat_topic": "x"}, {**config, "qos": 3},
                   {k: v for k, v in config.items() if k != "state_topic"}, {**config, "state_topic": "a/+/b"}):
        with pytest.raises(AssertionError):
            ha_schema.check(topic, broken)
    with pytest.raises(AssertionError):
        ha_schema.check("homeassistant/binary_sensor/kitchen node/x/config", config)


@pytest.mark.parametrize("question,cls", [
    ("Is there a smoke alarm?", "smoke"), ("Did the fire alarm go off?", "smoke"),
    ("Is the carbon monoxide alarm beeping?", "carbon_monoxide"), ("Is the CO detector sounding?", "carbon_monoxide"),
    ("Is glass breaking?", "safety"), ("Is someone screaming?", "safety"), ("Is there a siren?", "safety"),
    ("Is the baby crying?", "sound"), ("Is a dog barking?", "sound"), ("Is the cooker on?", "sound"),
])
def test_the_device_class_comes_from_the_asked_sound(question, cls):
    assert device_class(question) == cls


def test_a_watch_entity_is_its_question_whatever_its_case_and_spacing():
    assert watch_key("Is there a smoke alarm?") == watch_key("  is there a  SMOKE alarm? ")
    assert watch_key("Is there a smoke alarm?") != watch_key("Is there a fire alarm?")
    assert ha_schema.TOPIC.match(T.config("binary_sensor", watch_key("Ünïcode ☃?")))
