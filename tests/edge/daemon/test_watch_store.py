"""Watches added while the daemon runs come back after a restart (edge.daemon.watches);
those of the settings file and --watch are not written, and a damaged file loses nothing
else and never stops the daemon."""

from __future__ import annotations

import json
import logging
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.capture import FileSource
from edge.client.requests import DaemonClient
from edge.daemon.server import Daemon, DaemonConfig
from edge.daemon.watches import STORE_NAME, Watches
from edge.errors import DaemonError, RequestRefused
from edge.protocol import ErrorCode
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


def test_a_symlink_planted_in_the_state_directory_is_never_followed(tmp_path):
    """Issue 29: the temporary file was opened without O_EXCL/O_NOFOLLOW, so a link at
    watches.json.tmp overwrote its target and watches.json became a link to it."""
    state = tmp_path / "state"
    state.mkdir()
    victim = tmp_path / "passwd"
    victim.write_text("root:x:0:0\n")
    (state / (STORE_NAME + ".tmp")).symlink_to(victim)
    watches = Watches(8, state / STORE_NAME)
    assert watches.add("Is it raining?", keep=True) == 1
    assert victim.read_text() == "root:x:0:0\n"
    store = state / STORE_NAME
    assert not store.is_symlink() and stat.S_IMODE(store.stat().st_mode) == 0o600
    assert json.loads(store.read_text())["watches"] == [{"watch_id": 1, "question": "Is it raining?"}]
    assert {p.name for p in state.iterdir()} == {STORE_NAME, STORE_NAME + ".tmp"}  # no temporary file left behind


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 40), limit=st.integers(1, 12), data=st.data())
def test_a_store_over_the_limit_loses_no_watch_on_the_next_rewrite(n, limit, data):
    """Issue 29: a watches.json of 10,000 was loaded as 32, and one unwatch rewrote it with 31."""
    with tempfile.TemporaryDirectory() as folder:
        _over_the_limit(Path(folder) / STORE_NAME, n, limit, data)


def _over_the_limit(store: Path, n: int, limit: int, data) -> None:
    saved = [(i, f"Is sound {i} there?") for i in range(1, n + 1)]
    store.write_text(json.dumps({"version": 1, "watches": [{"watch_id": k, "question": q} for k, q in saved]}))
    watches = Watches(limit, store)
    assert watches.items() == saved[:limit]  # the first by id are checked
    gone = data.draw(st.sampled_from([k for k, _ in saved])) if saved else None
    if gone is not None:
        assert watches.remove(gone) == dict(saved)[gone]  # checked or not, an unwatch removes it from the file
    added = watches.add("Is it raining?", keep=True)  # refused only when `limit` watches are checked already
    expected = [(k, q) for k, q in saved if k != gone] + ([] if added is None else [(added, "Is it raining?")])
    on_disk = [(w["watch_id"], w["question"]) for w in json.loads(store.read_text())["watches"]]
    assert on_disk == expected
    assert added is None or added == n + 1  # never an id the file already holds


def test_a_watch_that_is_no_yes_no_question_is_refused_and_never_saved(tmp_path):
    """"What do you hear?" was accepted as a watch, saved, and given a Home Assistant entity
    that could never fire (issue 29)."""
    state = tmp_path / "state"
    daemon = _daemon(tmp_path, state)
    with pytest.raises(DaemonError, match="a watch must be a yes/no question about a sound"):
        daemon.add_watch("What do you hear?")  # --watch / [serve.watches]
    daemon.start()
    try:
        with DaemonClient(daemon.config.socket_path) as client:
            for question, says in (("What do you hear?", "a watch must be a yes/no question"),
                                   ("هل يوجد إنذار حريق؟", "English only")):
                with pytest.raises(RequestRefused) as err:
                    client.watch(question)
                assert err.value.code == ErrorCode.BAD_MESSAGE and says in str(err.value)
            assert client.watch("Is there a smoke alarm?") == 1
            assert [w["question"] for w in client.status().watches] == ["Is there a smoke alarm?"]
    finally:
        daemon.stop()
    assert [w["question"] for w in json.loads((state / STORE_NAME).read_text())["watches"]] == ["Is there a smoke alarm?"]
