"""Watches added while the daemon runs come back after a restart (edge.daemon.watches);
those of the settings file and --watch are not written, and a damaged file loses nothing
else and never stops the daemon."""

from __future__ import annotations

import json
import logging
import stat

from edge.capture import FileSource
from edge.client.requests import DaemonClient
from edge.daemon.server import Daemon, DaemonConfig
from edge.daemon.watches import STORE_NAME, Watches
from tests.edge.daemon.test_server import LoudnessAssistant, write_wav


def _daemon(tmp_path, state_dir) -> Daemon:
    source = FileSource(write_wav(tmp_path / "q.wav", [("silence", 1.0, 0)]), loop=True)
    return Daemon(LoudnessAssistant(), source, DaemonConfig(socket_path=tmp_path / "d.sock", state_dir=state_dir))


def test_socket_watches_survive_a_restart_with_their_ids_and_config_watches_are_not_written(tmp_path):
    state = tmp_path / "state"
    daemon = _daemon(tmp_path, state)
    daemon.add_watch("Is the oven beeping?")  # --watch: added at every start, never saved
    daemon.start()
    try:
        with DaemonClient(daemon.config.socket_path) as client:
            assert client.watch("Is the baby crying?") == 2
            assert client.watch("Is a dog barking?") == 3
            client.unwatch(2)
    finally:
        daemon.stop()
    store = state / STORE_NAME
    assert json.loads(store.read_text())["watches"] == [{"watch_id": 3, "question": "Is a dog barking?"}]
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    again = _daemon(tmp_path, state)
    assert again.add_watch("Is the oven beeping?") == 4
    assert again.add_watch("Is a dog barking?") == 3  # the same question in the settings: not twice
    assert again.watches() == [(3, "Is a dog barking?"), (4, "Is the oven beeping?")]


def test_a_damaged_store_is_set_aside_logged_and_the_daemon_starts_without_it(tmp_path, caplog):
    for body in ("{not json", '{"watches": [{"watch_id": 0, "question": "x"}]}', '{"watches": [{"watch_id": 1}]}',
                 '{"watches": [{"watch_id": 1, "question": ""}]}', "[]",
                 '{"watches": [{"watch_id": 1, "question": "a?"}, {"watch_id": 1, "question": "b?"}]}'):
        store = tmp_path / STORE_NAME
        store.write_text(body)
        with caplog.at_level(logging.ERROR, logger="edge.daemon"):
            caplog.clear()
            watches = Watches(8, store)
        assert watches.items() == [] and not store.exists()
        assert (tmp_path / (STORE_NAME + ".bad")).read_text() == body  # kept for a person to read
        assert "cannot be read" in caplog.text
        assert watches.add("Is it raining?", keep=True) == 1 and store.exists()


def test_without_a_state_directory_nothing_is_written(tmp_path):
    watches = Watches(8, None)
    assert watches.add("Is it raining?", keep=True) == 1
    assert list(tmp_path.iterdir()) == []
