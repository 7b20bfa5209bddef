"""The broker the daemon talks to: the one the user names, and nothing else.

`--mqtt URL` (or [serve.mqtt] url) names it: mqtt://HOST[:PORT] (plain, port 1883) or
mqtts://HOST[:PORT] (TLS, port 8883). A user name and password come from [serve.mqtt] or
$LISTEN_MQTT_USERNAME / $LISTEN_MQTT_PASSWORD (the environment wins), never from the URL:
a URL is a command-line argument, and every local user can read those in `ps`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SCHEMES = {"mqtt": (False, 1883), "mqtts": (True, 8883)}
USERNAME_ENV = "LISTEN_MQTT_USERNAME"
PASSWORD_ENV = "LISTEN_MQTT_PASSWORD"


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None
    ca_file: Path | None = None  # mqtts: the CA that signed the broker's certificate; None: the system's

    def describe(self) -> str:
        """The URL without secrets, for logs."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{host}:{self.port}"


def url_problem(url: str) -> str | None:
    """Why `url` cannot name a broker; None when it can."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as err:  # a port out of range or not a number
        return f"the port is not 1..65535 ({err})"
    if parts.scheme not in SCHEMES:
        return f"the scheme must be mqtt:// or mqtts://, not {parts.scheme or 'none'}"
    if parts.username is not None or parts.password is not None:
        return (f"a user or password in the URL would show in `ps`; set [serve.mqtt] username/password "
                f"or ${USERNAME_ENV} / ${PASSWORD_ENV} instead")
    if not parts.hostname:
        return "it names no host"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "only mqtt[s]://HOST[:PORT] is understood (no path or query)"
    if port == 0:
        return "port 0 is not a broker port"
    return None


def broker(url: str, username: str | None = None, password: str | None = None, ca_file: Path | None = None,
           environ: Mapping[str, str] = os.environ) -> Broker:
    """The broker of a URL that `url_problem` accepts, with credentials (the environment's first)."""
    problem = url_problem(url)
    if problem is not None:
        raise ValueError(f"MQTT broker {url!r}: {problem}")
    parts = urlsplit(url.strip())
    tls, default_port = SCHEMES[parts.scheme]
    return Broker(
        host=parts.hostname or "",
        port=parts.port or default_port,
        tls=tls,
        username=environ.get(USERNAME_ENV) or username,
        password=environ.get(PASSWORD_ENV) or password,
        ca_file=ca_file,
    )
