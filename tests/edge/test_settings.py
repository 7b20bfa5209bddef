"""[serve] declares each daemon setting once, on its field (edge/settings.py): `listen serve`'s
and `listen doctor`'s flags are made from those fields, each flag overrides its own key, and
`ServeSettings.daemon_config` hands the daemon the same values and defaults."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest

from core.settings import add_flags, flag, section_keys
from edge import doctor
from edge.cli import serve
from edge.daemon.server import DaemonConfig
from edge.settings import ServeSettings, SocketSettings, default_state_dir, load_serve_settings

# Today's flags of `listen serve` and their keys: users' scripts and the systemd units use these names.
SERVE_FLAGS = {
    "--bundle": "serve.bundle", "--no-model": "serve.no_model", "--threads": "serve.threads",
    "--gpu-layers": "serve.gpu_layers", "--source": "serve.source", "--loop": "serve.loop", "--speed": "serve.speed",
    "--device": "serve.device", "--socket": "serve.socket.path", "--socket-mode": "serve.socket.mode",
    "--tcp": "serve.socket.tcp_port", "--tcp-host": "serve.socket.tcp_host",
    "--idle-timeout": "serve.socket.idle_timeout_s", "--buffer-seconds": "serve.buffer_seconds",
    "--states-mb": "serve.states_mb", "--vad-aggressiveness": "serve.activity.vad_aggressiveness",
    "--max-segment-seconds": "serve.segments.max_length_s", "--watch": "serve.watches", "--state-dir": "serve.state_dir",
    "--mqtt": "serve.mqtt.url", "--mqtt-node-id": "serve.mqtt.node_id", "--mqtt-hold": "serve.mqtt.hold_s",
}
# Fragments of the usage line: the metavars and choices as they were written by hand.
USAGE = ["[--bundle BUNDLE]", "[--no-model]", "[--loop]", "[--source FILE]", "[--socket-mode OCTAL]", "[--tcp PORT]",
         "[--tcp-host TCP_HOST]", "[--idle-timeout SECONDS]", "[--buffer-seconds BUFFER_SECONDS]", "[--states-mb MIB]",
         "[--vad-aggressiveness {0,1,2,3}]", "[--max-segment-seconds MAX_SEGMENT_SECONDS]", "[--watch QUESTION]",
         "[--state-dir DIR]", "[--mqtt URL]", "[--mqtt-node-id ID]", "[--mqtt-hold SECONDS]"]
GROUPS = {"audio source": ["--source", "--loop", "--speed", "--device"],
          "socket API": ["--socket", "--socket-mode", "--tcp", "--tcp-host", "--idle-timeout"],
          "activity and buffer": ["--buffer-seconds", "--states-mb", "--vad-aggressiveness", "--max-segment-seconds",
                                  "--watch", "--state-dir"],
          "Home Assistant (MQTT)": ["--mqtt", "--mqtt-node-id", "--mqtt-hold"]}
# One valid command-line value per flag, and the value its key then holds (not the default).
SAMPLES = {
    "serve.bundle": (["/b/bundle"], Path("/b/bundle")), "serve.no_model": ([], True), "serve.threads": (["3"], 3),
    "serve.gpu_layers": (["-1"], -1), "serve.source": (["/c/clip.wav"], Path("/c/clip.wav")), "serve.loop": ([], True),
    "serve.speed": (["2.5"], 2.5), "serve.device": (["USB"], "USB"), "serve.socket.path": (["/r/d.sock"], Path("/r/d.sock")),
    "serve.socket.mode": (["660"], 0o660), "serve.socket.tcp_port": (["8765"], 8765),
    "serve.socket.tcp_host": (["::1"], "::1"), "serve.socket.idle_timeout_s": (["0"], 0.0),
    "serve.buffer_seconds": (["60"], 60.0), "serve.states_mb": (["1.5"], 1.5),
    "serve.activity.vad_aggressiveness": (["3"], 3), "serve.segments.max_length_s": (["4"], 4.0),
    "serve.watches": (["Is there a dog?", "--watch", "Is the kettle on?"], ("Is there a dog?", "Is the kettle on?")),
    "serve.state_dir": (["/s/state"], Path("/s/state")), "serve.mqtt.url": (["mqtt://127.0.0.1:1883"], "mqtt://127.0.0.1:1883"),
    "serve.mqtt.node_id": (["kitchen"], "kitchen"), "serve.mqtt.hold_s": (["5"], 5.0),
}


def serve_parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="listen")
    serve.register(root.add_subparsers())
    return root


def flat(s: ServeSettings) -> dict:
    out = {}
    for key in section_keys(ServeSettings, "serve"):
        value = s
        for part in key.split(".")[1:]:
            value = getattr(value, part)
        out[key] = value
    return out


def serve_actions() -> dict[str, argparse.Action]:
    """{flag: its argparse action} of `listen serve`."""
    sub = serve_parser()._subparsers._group_actions[0].choices["serve"]
    return {a.option_strings[0]: a for a in sub._actions if a.option_strings and a.dest != "help"}


def test_every_flag_of_today_is_made_from_its_key():
    actions = serve_actions()
    assert {name: actions[name].dest for name in SERVE_FLAGS} == SERVE_FLAGS
    assert set(actions) - set(SERVE_FLAGS) == {"--config"}, "a new flag: add it to SERVE_FLAGS and SAMPLES"


def help_entries(block: str) -> dict[str, str]:
    """{flag: its entry on one line} of one block of --help (a long flag's help goes on the next line)."""
    entries: dict[str, str] = {}
    for line in block.splitlines():
        if line.startswith("  -"):
            name = line.split()[0]
            entries[name] = line.strip()
        elif line.startswith("    ") and entries:
            entries[name] += " " + line.strip()
    return entries


def test_listen_serve_help_names_each_flags_key_in_its_group(monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    text = serve_parser()._subparsers._group_actions[0].choices["serve"].format_help()
    entries = help_entries(text)
    for name, key in SERVE_FLAGS.items():
        hint = f"(repeatable; replaces [{key}])" if key == "serve.watches" else f"[{key}]"
        assert entries[name].endswith(hint), entries[name]
    usage = " ".join(text.split("\n\n")[0].split())
    for fragment in USAGE:
        assert fragment in usage
    for title, names in GROUPS.items():
        block = text.split(f"\n{title}:\n")[1].split("\n\n")[0]
        assert set(help_entries(block)) == set(names), title


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_each_flag_overrides_exactly_its_key(key):
    name = next(n for n, k in SERVE_FLAGS.items() if k == key)
    argv, want = SAMPLES[key]
    args = serve_parser().parse_args(["serve", name, *argv])
    got = flat(load_serve_settings(None, serve.serve_overrides(args)))
    defaults = flat(ServeSettings())
    assert got[key] == want != defaults[key]
    assert {k: v for k, v in got.items() if k != key} == {k: v for k, v in defaults.items() if k != key}


def test_no_flag_given_overrides_nothing():
    args = serve_parser().parse_args(["serve"])
    assert set(serve.serve_overrides(args)) == set(SERVE_FLAGS.values())
    assert all(v is None for v in serve.serve_overrides(args).values())
    assert load_serve_settings(None, serve.serve_overrides(args)) == ServeSettings()


def test_listen_doctor_takes_the_same_flags_with_its_own_help(monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    p = argparse.ArgumentParser()
    p.add_argument("--config", type=Path)
    doctor.add_arguments(p)
    assert "check this bundle folder [serve.bundle]" in p.format_help()
    assert "check this daemon socket [serve.socket.path]" in p.format_help()
    s = doctor.load_settings(p.parse_args(["--bundle", "/b", "--device", "2", "--socket", "/r/d.sock"]))
    assert (s.bundle, s.device, s.socket.path) == (Path("/b"), "2", Path("/r/d.sock"))
    assert doctor.load_settings(p.parse_args([])) == ServeSettings()


def test_the_daemon_gets_the_settings_defaults(monkeypatch, tmp_path):
    """No DaemonConfig default disagrees with the [serve] default it comes from."""
    monkeypatch.setenv("LISTEN_SOCKET", str(tmp_path / "d.sock"))
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    assert ServeSettings().daemon_config() == DaemonConfig(socket_path=tmp_path / "d.sock", state_dir=default_state_dir())


def test_every_daemon_key_reaches_the_daemon():
    s = dataclasses.replace(
        ServeSettings(), buffer_seconds=60.0, states_mb=1.5, state_dir=Path("/s"),
        socket=SocketSettings(path=Path("/r/d.sock"), mode=0o660, tcp_port=0, tcp_host="::1", idle_timeout_s=5.0))
    assert s.daemon_config() == DaemonConfig(
        socket_path=Path("/r/d.sock"), socket_mode=0o660, tcp_port=0, tcp_host="::1", idle_timeout_s=5.0,
        buffer_seconds=60.0, state_bytes=int(1.5 * 2**20), state_dir=Path("/s"))


def test_a_flag_in_an_unknown_group_is_a_programming_error():
    @dataclasses.dataclass(frozen=True)
    class Table:
        x: int = dataclasses.field(default=0, metadata=flag("--x", "x", group="nowhere"))

    with pytest.raises(ValueError, match="flag group 'nowhere'"):
        add_flags(argparse.ArgumentParser(), Table, "t", ("somewhere",))
