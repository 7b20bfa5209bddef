"""edge.mqtt.broker: the broker the user names, and credentials that never come from a URL."""

from __future__ import annotations

import pytest

from edge.mqtt.broker import PASSWORD_ENV, USERNAME_ENV, broker, url_problem


@pytest.mark.parametrize("url,host,port,tls", [
    ("mqtt://127.0.0.1", "127.0.0.1", 1883, False), ("mqtt://broker.lan:1884", "broker.lan", 1884, False),
    ("mqtts://ha.local", "ha.local", 8883, True), ("mqtt://[::1]:1883/", "::1", 1883, False),
])
def test_urls_name_a_host_a_port_and_tls(url, host, port, tls):
    b = broker(url, environ={})
    assert (b.host, b.port, b.tls) == (host, port, tls)


@pytest.mark.parametrize("url,words", [
    ("http://host", "scheme"), ("host:1883", "scheme"), ("mqtt://user:secret@host", "ps"), ("mqtt://user@host", "ps"),
    ("mqtt://", "no host"), ("mqtt://host:99999", "port"), ("mqtt://host:x", "port"), ("mqtt://host/topic", "path"),
    ("mqtt://host:0", "port 0"),
])
def test_bad_urls_say_why(url, words):
    problem = url_problem(url)
    assert problem is not None and words in problem
    with pytest.raises(ValueError, match="MQTT broker"):
        broker(url, environ={})


def test_credentials_come_from_the_environment_first_then_the_settings_and_never_show_in_logs():
    b = broker("mqtts://ha.local", "file-user", "file-pass", environ={})
    assert (b.username, b.password) == ("file-user", "file-pass")
    b = broker("mqtts://ha.local", "file-user", "file-pass", environ={USERNAME_ENV: "env-user", PASSWORD_ENV: "env-pass"})
    assert (b.username, b.password) == ("env-user", "env-pass")
    assert "env-pass" not in b.describe() and b.describe() == "mqtts://env-user@ha.local:8883"
