"""The settings file (core.settings) with the tables the packages own: edge's [serve] and the
bridge's [bridge]. Valid files, an error table, overrides, and deploy/listen.toml itself."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.binding import rules
from core.errors import ConfigError
from core.settings import section_keys
from edge.activity import ActivityConfig
from edge.daemon.server import DaemonConfig
from edge.settings import ServeSettings, load_serve_settings
from firmware_bridge.controller import BridgeConfig
from firmware_bridge.settings import BridgeSettings, load_bridge_settings

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "deploy" / "listen.toml"
# The keys deploy/listen.toml sets for the systemd units; every other key it writes holds its default.
DEPLOYED = {"serve.bundle": "/var/lib/listen/bundle", "serve.socket.path": "/run/listen/daemon.sock",
            "serve.socket.mode": 0o660, "bridge.port": "/dev/ttyUSB0"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "listen.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Both:
    """Both tables of one file, read the way `listen serve` and `listen bridge` read them."""

    def __init__(self, path: Path | None, overrides: dict | None = None) -> None:
        overrides = overrides or {}
        self.serve = load_serve_settings(path, {k: v for k, v in overrides.items() if k.startswith("serve.")})
        self.bridge = load_bridge_settings(path, {k: v for k, v in overrides.items() if k.startswith("bridge.")})


load_config = Both


def config_keys() -> dict:
    """Every key of the file with its default."""
    return {**section_keys(ServeSettings, "serve"), **section_keys(BridgeSettings, "bridge")}


def flat(config: Both) -> dict:
    """{dotted key: value} of a loaded file (the same keys as config_keys())."""
    out = {}
    for key in config_keys():
        value = config
        for part in key.split("."):
            value = getattr(value, part)
        out[key] = value
    return out


# -- valid files -------------------------------------------------------------------------

VALID = [
    # (file text, {dotted key: expected value})
    ("", {}),
    ("[serve]\nbuffer_seconds = 60\n", {"serve.buffer_seconds": 60.0}),  # an integer where a float is expected
    ("[serve.socket]\nmode = 0o660\n", {"serve.socket.mode": 0o660}),
    ("[serve.socket]\nmode = \"0640\"\n", {"serve.socket.mode": 0o640}),
    ("[serve.socket]\nmode = \"0o770\"\nidle_timeout_s = 0\n", {"serve.socket.mode": 0o770, "serve.socket.idle_timeout_s": 0.0}),
    ("[serve.socket]\ntcp_port = 0\ntcp_host = \"::1\"\n", {"serve.socket.tcp_port": 0, "serve.socket.tcp_host": "::1"}),
    ("[serve]\ndevice = 2\n", {"serve.device": "2"}),  # a PortAudio index
    ("[serve]\nwatches = [\"Is there a dog?\", \"Is the kettle on?\"]\n",
     {"serve.watches": ("Is there a dog?", "Is the kettle on?")}),
    ("[serve]\nproviders = [\"CUDAExecutionProvider\", \"CPUExecutionProvider\"]\ngpu_layers = -1\n",
     {"serve.providers": ("CUDAExecutionProvider", "CPUExecutionProvider"), "serve.gpu_layers": -1}),
    ("[serve.activity]\nvad_aggressiveness = 3\nenergy_margin_db = 14.5\n",
     {"serve.activity.vad_aggressiveness": 3, "serve.activity.energy_margin_db": 14.5}),
    ("[serve.segments]\nmax_length_s = 8\n", {"serve.segments.max_length_s": 8.0}),
    ("[bridge]\nport = \"/dev/ttyACM0\"\nbaud = 9600\n[bridge.mapping]\nquestion = \"Is it raining?\"\nlong_press_ms = 800\n",
     {"bridge.port": "/dev/ttyACM0", "bridge.baud": 9600, "bridge.mapping.question": "Is it raining?",
      "bridge.mapping.long_press_ms": 800}),
]


@pytest.mark.parametrize("text,expected", VALID, ids=[f"valid{i}" for i in range(len(VALID))])
def test_valid_files_load_and_keep_every_other_default(tmp_path, text, expected):
    got = flat(load_config(write(tmp_path, text)))
    want = {**config_keys(), **expected}
    assert got == want


def test_relative_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "etc").mkdir()
    path = tmp_path / "etc" / "listen.toml"
    path.write_text('[serve]\nbundle = "bundles/b1"\nsource = "/abs/clip.wav"\n[serve.socket]\npath = "~/s.sock"\n')
    s = load_config(path).serve
    assert s.bundle == tmp_path / "etc" / "bundles" / "b1"
    assert s.source == Path("/abs/clip.wav")
    assert s.socket.path == Path("~/s.sock").expanduser()


def test_sections_build_the_runtime_dataclasses(tmp_path):
    c = load_config(write(tmp_path, "[serve.activity]\nvad_aggressiveness = 1\n[bridge.mapping]\nbrightness = 7\n"))
    assert c.serve.activity == ActivityConfig(vad_aggressiveness=1)
    assert c.bridge.mapping == BridgeConfig(brightness=7)


def test_the_bridge_dials_the_serve_socket_unless_told_otherwise(tmp_path):
    c = load_bridge_settings(write(tmp_path, '[serve.socket]\npath = "/run/listen/daemon.sock"\n'))
    assert c.daemon == Path("/run/listen/daemon.sock")
    c = load_bridge_settings(write(tmp_path, '[serve.socket]\npath = "/run/a.sock"\n[bridge]\ndaemon = "/run/b.sock"\n'))
    assert c.daemon == Path("/run/b.sock")
    c = load_bridge_settings(write(tmp_path, '[serve.socket]\npath = "run/a.sock"\n'))
    assert c.daemon == tmp_path / "run" / "a.sock"  # relative to the file, as the daemon reads it
    assert load_bridge_settings(None).daemon is None  # the environment's default then


# -- invalid files: the error names the key and the allowed values -----------------------

INVALID = [
    # (file text, fragments the one-line message must contain)
    ("[serve]\nbuffer_seconds = -1\n", ["serve.buffer_seconds", "-1.0", "allowed: (0, 86400] s"]),
    # numbers without an upper bound once logged an OverflowError every 0.2 s, or hung (issue 29)
    ("[serve]\nbuffer_seconds = 1e308\n", ["serve.buffer_seconds = 1e+308", "allowed: (0, 86400] s"]),
    ("[serve]\nthreads = 100000\n", ["serve.threads = 100000", "0..256"]),
    ("[serve]\nwatches = [\"Is there \\u001b[2J applause?\"]\n", ["serve.watches", "without control characters"]),
    ("[serve]\nwatches = [\"Is there a \\u202egod?\"]\n", ["serve.watches", "without control characters"]),
    ("[serve]\nbufer_seconds = 1\n", ["unknown key serve.bufer_seconds", "allowed in [serve]:", "buffer_seconds"]),
    ("[speaker]\nvolume = 3\n", ["unknown key speaker", "allowed at the top level: serve, bridge"]),
    ("serve = 3\n", ["serve", "must be a table"]),
    ("[serve]\nsocket = \"/run/x.sock\"\n", ["serve.socket", "must be a table ([serve.socket])"]),
    ("[serve.activity]\nvad_aggressiveness = 4\n", ["serve.activity.vad_aggressiveness = 4", "0, 1, 2 or 3"]),
    ("[serve.activity]\nvad_aggressiveness = \"2\"\n", ["serve.activity.vad_aggressiveness", "wrong type", "an integer"]),
    ("[serve.activity]\ntonal_fraction = 0\n", ["serve.activity.tonal_fraction", "(0, 1]"]),
    ("[serve.activity]\nmin_level_dbfs = 3\n", ["serve.activity.min_level_dbfs", "-120..0 dBFS"]),
    ("[serve.segments]\nmax_length_s = 0\n", ["serve.segments.max_length_s", "> 0 s"]),
    ("[serve.socket]\nmode = \"0999\"\n", ["serve.socket.mode", "not an octal file mode", "0o600"]),
    ("[serve.socket]\nmode = 0o1777\n", ["serve.socket.mode = 0o1777", "0o000..0o777"]),
    ("[serve.socket]\nmode = 0o777\n", ["serve.socket.mode = 0o777", "without world write"]),
    ("[serve.socket]\nmode = 0o662\n", ["serve.socket.mode = 0o662", "without world write"]),
    ("[serve.socket]\nmode = 0o060\n", ["serve.socket.mode = 0o60", "with owner write"]),
    ("[serve.socket]\nmode = 777\n", ["serve.socket.mode = 0o1411", "0o000..0o777"]),  # decimal 777 in TOML
    ("[serve.socket]\nmode = \" 6_00\"\n", ["serve.socket.mode", "not an octal file mode"]),
    ("[serve.socket]\nmode = \"-600\"\n", ["serve.socket.mode", "not an octal file mode"]),
    ("[serve.socket]\nidle_timeout_s = -1\n", ["serve.socket.idle_timeout_s = -1.0", ">= 0 s (0 = never)"]),
    ("[serve.socket]\nidle_timeout_s = inf\n", ["serve.socket.idle_timeout_s", "a finite number"]),
    ("[serve.socket]\ntcp_port = 70000\n", ["serve.socket.tcp_port", "0..65535"]),
    ("[serve.socket]\ntcp_host = \"0.0.0.0\"\n", ["serve.socket.tcp_host", "loopback", "127.0.0.1 or ::1"]),
    ("[serve]\nproviders = [\"CUDA\"]\n", ["serve.providers", "'CUDA'", "CUDAExecutionProvider"]),
    ("[serve]\nwatches = \"Is there a dog?\"\n", ["serve.watches", "a list of strings"]),
    ("[serve]\nwatches = [\"\"]\n", ["serve.watches", "1..1000 characters"]),
    ("[serve]\nno_model = \"yes\"\n", ["serve.no_model", "true or false"]),
    ("[serve]\nspeed = nan\n", ["serve.speed", "a finite number"]),
    ("[serve]\ngpu_layers = -2\n", ["serve.gpu_layers", ">= -1"]),
    ("[serve]\nbundle = \"\"\n", ["serve.bundle", "a non-empty path"]),
    ("[serve]\nthreads = 1.5\n", ["serve.threads", "an integer"]),
    ("[bridge]\nbaud = 0\n", ["bridge.baud", "> 0 bits/s"]),
    ("[bridge.mapping]\nbrightness = 300\n", ["bridge.mapping.brightness = 300", "0..255"]),
    ("[bridge.mapping]\nlisten_seconds = 60\n", ["bridge.mapping.listen_seconds", "(0, 30] s"]),
    ("[bridge.mapping]\nbuttons = 1\n", ["unknown key bridge.mapping.buttons", "ask_button"]),
    ("[bridge.mapping]\nlong_press_ms = 5\n", ["bridge.mapping.long_press_ms", "50..60000 ms"]),
    ("[serve\nbundle = 1\n", ["is not valid TOML"]),
]


@pytest.mark.parametrize("text,fragments", INVALID, ids=[f"invalid{i}" for i in range(len(INVALID))])
def test_invalid_files_are_one_line_errors_naming_key_and_allowed_values(tmp_path, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nowhere\.toml does not exist; see deploy/listen\.toml"):
        load_config(tmp_path / "nowhere.toml")


def test_the_allowed_values_sit_on_the_fields():
    """Every range the old RULES table held is now field metadata, read back by key."""
    found = {**rules(ServeSettings, "serve."), **rules(BridgeSettings, "bridge.")}
    assert set(found) <= set(config_keys())
    assert {"serve.speed", "serve.socket.mode", "serve.activity.vad_aggressiveness", "serve.segments.max_length_s",
            "bridge.baud", "bridge.mapping.brightness"} <= set(found)


# -- command-line overrides --------------------------------------------------------------


def test_overrides_beat_the_file_and_none_means_not_given(tmp_path, monkeypatch):
    path = write(tmp_path, '[serve]\nbuffer_seconds = 60\nwatches = ["a?"]\n[serve.activity]\nvad_aggressiveness = 1\n')
    monkeypatch.chdir(tmp_path)
    c = load_config(path, {"serve.buffer_seconds": 12.0, "serve.activity.vad_aggressiveness": None,
                           "serve.watches": ["b?"], "serve.socket.path": Path("rel.sock")})
    assert c.serve.buffer_seconds == 12.0
    assert c.serve.activity.vad_aggressiveness == 1  # None: the flag was not given
    assert c.serve.watches == ("b?",)
    assert c.serve.socket.path == tmp_path / "rel.sock"  # a flag's relative path: the working directory


def test_a_bad_override_names_the_key_as_coming_from_the_command_line(tmp_path):
    with pytest.raises(ConfigError, match=r"^command line: serve\.buffer_seconds = -3\.0 is not allowed; allowed: \(0, 86400\] s$"):
        load_config(write(tmp_path, ""), {"serve.buffer_seconds": -3.0})


def test_listen_serve_reads_the_file_and_flags_override_it(tmp_path):
    """The real command: a bad value in the file stops `listen serve` with the key named, exit 2."""
    path = write(tmp_path, "[serve]\nno_model = true\n[serve.activity]\nvad_aggressiveness = 7\n")
    proc = subprocess.run([sys.executable, "-m", "core.cli", "serve", "--config", str(path)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "serve.activity.vad_aggressiveness" in proc.stderr and "0, 1, 2 or 3" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "core.cli", "serve", "--config", str(path), "--vad-aggressiveness", "1",
                           "--buffer-seconds", "0"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2  # the flag fixed the file's value; the next bad value is the flag's own
    assert "command line: serve.buffer_seconds = 0.0" in proc.stderr


@pytest.mark.parametrize("mode, fragment", [("777", "without world write"), ("0666", "without world write"),
                                            ("abc", "'abc' is not an octal file mode"), ("9", "'9' is not an octal")])
def test_listen_serve_refuses_a_bad_socket_mode_flag(tmp_path, mode, fragment):
    """Once `--socket-mode 777` started a world-writable socket without a word."""
    wav = tmp_path / "q.wav"
    wav.write_bytes(b"")  # never read: the flags are checked first
    proc = subprocess.run([sys.executable, "-m", "core.cli", "serve", "--no-model", "--source", str(wav),
                           "--socket", str(tmp_path / "s.sock"), "--socket-mode", mode],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "command line: serve.socket.mode" in lines[0] and fragment in lines[0], proc.stderr
    assert not (tmp_path / "s.sock").exists()


def test_listen_bridge_takes_its_port_from_the_file(tmp_path):
    path = write(tmp_path, "[bridge.mapping]\nbrightness = 999\n")
    proc = subprocess.run([sys.executable, "-m", "core.cli", "bridge", "--config", str(path), "--port", "/dev/null"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "bridge.mapping.brightness = 999" in proc.stderr and "0..255" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "core.cli", "bridge"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no serial port" in proc.stderr


# -- deploy/listen.toml ------------------------------------------------------------------


def test_the_example_file_is_valid_and_holds_the_defaults():
    got = flat(load_config(EXAMPLE))
    want = {**config_keys(), **{k: (Path(v) if k in ("serve.bundle", "serve.socket.path") else v)
                                for k, v in DEPLOYED.items()}}
    want["bridge.daemon"] = want["serve.socket.path"]  # unset in the file: the bridge dials the serve socket
    assert got == want


def test_the_example_file_documents_every_key_with_its_default():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    section = ""
    documented = {}
    comments: list[str] = []
    for line in lines:
        header = re.match(r"^\[([\w.]+)\]$", line)
        key = re.match(r"^#?\s*(\w+) = ", line)
        if header:
            section, comments = header.group(1), []
        elif key and section:
            documented[f"{section}.{key.group(1)}"] = " ".join(comments)
            comments = []
        elif line.startswith("#"):
            comments.append(line)
        else:
            comments = []
    missing = sorted(set(config_keys()) - set(documented))
    assert not missing, f"deploy/listen.toml does not mention {missing}"
    undocumented = sorted(k for k, text in documented.items() if "Default:" not in text)
    assert not undocumented, f"no 'Default:' comment above {undocumented}"
    assert set(documented) <= set(config_keys()), "deploy/listen.toml mentions a key the loader does not know"


# -- files a careless editor or an attacker could leave (issue 29) --------------------------


def test_a_file_that_is_not_utf8_is_one_line_naming_it(tmp_path):
    path = tmp_path / "listen.toml"
    path.write_bytes(b"\xff[serve]\n")  # once a UnicodeDecodeError traceback in `serve` and `doctor`
    with pytest.raises(ConfigError, match=r"listen\.toml is not UTF-8 text \(byte b'\\xff' at offset 0\); save it as UTF-8"):
        load_config(path)


@settings(max_examples=20, deadline=None)
@given(depth=st.integers(1, 100_000), inline=st.booleans())
def test_fuzz_nesting_of_any_depth_loads_or_is_one_line(depth, inline):
    """100,000 nested arrays or 5,000 nested inline tables were a RecursionError traceback."""
    value = "{a = " * depth + "1" + "}" * depth if inline else "[" * depth + "1" + "]" * depth
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), f"[serve]\nwatches = {value}\n")
        with pytest.raises(ConfigError) as info:  # never a valid list of questions
            load_config(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    if depth + 2 > 16:  # the file's table, [serve], then the value's levels
        assert "nest deeper than 16 levels" in message


@settings(max_examples=15, deadline=None)
@given(n=st.one_of(st.integers(0, 40), st.just(400_000)))
def test_fuzz_watches_in_the_file_are_at_most_the_daemons_limit(n):
    """400,000 watches in the file once said "32 watches already; unwatch one first", naming no file or key."""
    questions = ", ".join(f'"Is sound {i} there?"' for i in range(n))
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), f"[serve]\nwatches = [{questions}]\n")
        if n <= DaemonConfig.max_watches:
            assert len(load_config(path).serve.watches) == n
            return
        with pytest.raises(ConfigError) as info:
            load_config(path)
    message = str(info.value)
    assert "\n" not in message and f"{path}: serve.watches = " in message
    assert f"at most {DaemonConfig.max_watches} questions" in message


@pytest.mark.parametrize("command", ["serve", "doctor"])
def test_listen_serve_and_doctor_say_a_file_is_not_utf8_in_one_line(tmp_path, command):
    path = tmp_path / "listen.toml"
    path.write_bytes(b"\xff[serve]\n")
    proc = subprocess.run([sys.executable, "-m", "core.cli", command, "--config", str(path)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in proc.stderr and proc.returncode in (1, 2), proc.stderr
    said = [line for line in (proc.stderr + proc.stdout).splitlines() if "is not UTF-8 text" in line]
    assert len(said) == 1 and str(path) in said[0]


def test_listen_serve_refuses_an_unbounded_buffer_at_start(tmp_path):
    """`--buffer-seconds 1e308` once started, logged an OverflowError every 0.2 s and never captured."""
    proc = subprocess.run([sys.executable, "-m", "core.cli", "serve", "--no-model", "--buffer-seconds", "1e308",
                           "--socket", str(tmp_path / "s.sock")], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "listen serve: error: command line: serve.buffer_seconds = 1e+308 is not allowed; allowed: (0, 86400] s"]
