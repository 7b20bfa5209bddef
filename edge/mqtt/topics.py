"""Every topic the daemon publishes or reads, in one place.

    <base>/<node>/availability        online / offline (retained; offline is the last will)
    <base>/<node>/mute                ON / OFF (retained)        <base>/<node>/mute/set     ON / OFF
    <base>/<node>/watch/<key>         ON / OFF per watch (retained), <key> from its question
    <base>/<node>/watch/<key>/attributes   the last alert of that watch (JSON, retained):
                                      watch_id, question, answer, confidence, start, end (ISO 8601)
    <base>/<node>/sound               the last detected or watched sound (JSON, retained): sound, label,
                                      confidence, start, end
    <base>/<node>/alert               every alert as it happens (JSON as attributes, not retained)
    <base>/<node>/watch/add           a question (text or {"question": ...})
    <base>/<node>/watch/remove        a watch id or a question (text or JSON)
    <base>/<node>/ask                 a question (text or {"question": ..., "since": ..., "id": ...})
    <command>/response                a command's reply, unless MQTT 5 names a response topic
    <discovery>/<component>/<node>/<object>/config   Home Assistant discovery (retained)
    <discovery>/status                Home Assistant's birth message: "online" -> discovery again
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a node id or topic level HA accepts in discovery topics


def default_node_id() -> str:
    """This machine's host name as a discovery node id ("kitchen-speaker" -> "kitchen-speaker")."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", socket.gethostname().split(".")[0]).strip("_")
    return slug[:64] or "listen"


@dataclass(frozen=True)
class Topics:
    base: str  # e.g. "listen_edge"
    node: str  # e.g. "kitchen-speaker"
    discovery: str = "homeassistant"

    @property
    def root(self) -> str:
        return f"{self.base}/{self.node}"

    @property
    def availability(self) -> str:
        return f"{self.root}/availability"

    @property
    def mute(self) -> str:
        return f"{self.root}/mute"

    @property
    def mute_set(self) -> str:
        return f"{self.root}/mute/set"

    @property
    def sound(self) -> str:
        return f"{self.root}/sound"

    @property
    def alert(self) -> str:
        return f"{self.root}/alert"

    @property
    def watch_add(self) -> str:
        return f"{self.root}/watch/add"

    @property
    def watch_remove(self) -> str:
        return f"{self.root}/watch/remove"

    @property
    def ask(self) -> str:
        return f"{self.root}/ask"

    @property
    def commands(self) -> tuple[str, ...]:
        return (self.mute_set, self.watch_add, self.watch_remove, self.ask)

    @property
    def ha_status(self) -> str:
        return f"{self.discovery}/status"

    def watch(self, key: str) -> str:
        return f"{self.root}/watch/{key}"

    def watch_attributes(self, key: str) -> str:
        return f"{self.root}/watch/{key}/attributes"

    def config(self, component: str, object_id: str) -> str:
        return f"{self.discovery}/{component}/{self.node}/{object_id}/config"

    def configs(self) -> str:
        """A filter for every discovery config of this node (stale ones are cleared on connect)."""
        return f"{self.discovery}/+/{self.node}/+/config"

    @staticmethod
    def response(command: str) -> str:
        return f"{command}/response"
