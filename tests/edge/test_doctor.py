"""`listen doctor`: the command on this machine (a subprocess), and each of the edge's checks on
prepared cases (the bridge's: tests/firmware_bridge/test_doctor.py; the command's frame: tests/core)."""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.checksums import sha256_file
from core.manifest import (
    AdapterSpec,
    AudioSpec,
    FileEntry,
    GraphSpec,
    LLMSpec,
    Manifest,
    PromptSpec,
)
from core.doctor import FAIL, OK, SKIP, WARN
from edge.daemon.sockets import bind_unix
from edge.doctor import check_bundle, check_llama, check_onnxruntime, check_socket
from edge.settings import ServeSettings, load_serve_settings

REPO = Path(__file__).resolve().parents[2]
NAMES = ["config", "system", "audio", "onnxruntime", "llama.cpp", "bundle", "socket", "mqtt", "serial"]
NO_SOUND_CARD = not Path("/dev/snd").exists()
NO_GPU = not glob.glob("/dev/nvidia[0-9]*") and not Path("/etc/nv_tegra_release").exists()


def doctor(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`listen doctor` in a clean environment: no user ALSA config, no cached bundle, a private socket path."""
    env = {k: v for k, v in os.environ.items() if k not in ("LISTEN_SOCKET", "XDG_RUNTIME_DIR")}
    env.update(HOME=str(tmp_path), LISTEN_HOME=str(tmp_path / "home"), LISTEN_SOCKET=str(tmp_path / "run" / "d.sock"))
    return subprocess.run([sys.executable, "-m", "core.cli", "doctor", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def lines_by_name(stdout: str) -> dict[str, str]:
    rows = stdout.strip().splitlines()
    checks = rows[:-1]
    assert [row.split()[1] for row in checks] == NAMES, stdout
    return {row.split()[1]: row for row in checks}


def test_doctor_on_this_machine_diagnoses_no_audio_device_and_no_gpu(tmp_path):
    proc = doctor(tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    rows = lines_by_name(proc.stdout)
    assert all(row.split()[0] in (OK, WARN, FAIL, SKIP) for row in rows.values())
    # No default bundle under the empty $LISTEN_HOME: a FAIL that names the folder and the fix.
    assert rows["bundle"].startswith("FAIL") and str(tmp_path / "home" / "default-bundle") in rows["bundle"]
    assert "fix: export one with `listen export" in rows["bundle"]
    assert proc.returncode == 1
    assert proc.stdout.strip().splitlines()[-1].startswith("listen doctor: 9 checks,")
    assert rows["mqtt"].startswith("SKIP")  # no broker configured: no Home Assistant link, nothing dialled
    assert rows["onnxruntime"].startswith("OK") and "no bundle graph to run (see the bundle check)" in rows["onnxruntime"]
    assert rows["socket"].startswith("OK") and "no daemon running" in rows["socket"]
    assert rows["serial"].startswith("SKIP")
    if NO_SOUND_CARD:
        assert rows["audio"].startswith("FAIL  audio       no audio capture device")
        assert "/dev/snd does not exist" in rows["audio"] and "fix: connect a microphone" in rows["audio"]
    if NO_GPU:
        assert "no GPU" in rows["system"]
        assert "(CPU only: this onnxruntime build has no GPU provider" in rows["onnxruntime"]
    import llama_cpp

    if not llama_cpp.llama_supports_gpu_offload():
        assert "CPU-only build" in rows["llama.cpp"]


def test_doctor_exits_0_when_nothing_fails(tmp_path):
    """A file replayed instead of a microphone, no model, no bridge: every check is OK or SKIP."""
    wav = tmp_path / "clip.wav"
    wav.write_bytes(b"RIFF")  # the audio check only needs the file to exist
    config = tmp_path / "listen.toml"
    config.write_text(f'[serve]\nno_model = true\nsource = "{wav}"\n')
    proc = doctor(tmp_path, "--config", str(config))
    rows = lines_by_name(proc.stdout)
    assert proc.returncode == 0, proc.stdout
    assert rows["audio"].startswith("SKIP") and rows["bundle"].startswith("SKIP")
    assert proc.stdout.strip().splitlines()[-1] == "listen doctor: 9 checks, 0 failed"


def test_a_bad_config_is_a_failed_check_and_the_rest_still_run(tmp_path):
    config = tmp_path / "listen.toml"
    config.write_text("[serve.activity]\nvad_aggressiveness = 9\n")
    proc = doctor(tmp_path, "--config", str(config))
    rows = lines_by_name(proc.stdout)
    assert rows["config"].startswith("FAIL") and "serve.activity.vad_aggressiveness = 9" in rows["config"]
    assert rows["onnxruntime"].startswith("OK")
    assert proc.returncode == 1


# -- one check at a time -----------------------------------------------------------------


def with_settings(text: str, tmp_path: Path) -> ServeSettings:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return load_serve_settings(path)


def test_onnxruntime_runs_the_bundles_own_graph_and_reports_the_provider_that_really_ran(tiny_bundle, tmp_path):
    check = check_onnxruntime(with_settings(f'[serve]\nbundle = "{tiny_bundle}"\nproviders = ["CPUExecutionProvider"]\n', tmp_path))
    assert check.status == OK, check.line()
    assert "the bundle's adapter" in check.summary and "runs on CPUExecutionProvider" in check.summary


def test_onnxruntime_without_a_bundle_names_the_providers_and_runs_nothing(tmp_path):
    check = check_onnxruntime(with_settings("[serve]\nno_model = true\n", tmp_path))
    assert check.status == OK and "no bundle graph to run" in check.summary and "CPUExecutionProvider" in check.summary


def test_a_requested_provider_this_build_lacks_is_a_warning(tmp_path):
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this onnxruntime build has CUDA")
    check = check_onnxruntime(with_settings('[serve]\nproviders = ["CUDAExecutionProvider"]\n', tmp_path))
    assert check.status == WARN and "asks for CUDAExecutionProvider, which this build lacks" in check.summary
    assert "onnxruntime-gpu" in check.fix


def test_cpu_only_builds_on_a_gpu_machine_are_warnings(monkeypatch):
    import llama_cpp
    import onnxruntime as ort

    import edge.doctor

    monkeypatch.setattr(edge.doctor, "nvidia_gpu", lambda: "NVIDIA GPU device nodes: /dev/nvidia0")
    if not set(ort.get_available_providers()) & {"CUDAExecutionProvider", "TensorrtExecutionProvider"}:
        check = check_onnxruntime(ServeSettings())
        assert check.status == WARN and "though this machine has a GPU" in check.summary
        assert "onnxruntime-gpu" in check.fix
    if not llama_cpp.llama_supports_gpu_offload():
        check = check_llama(ServeSettings())
        assert check.status == WARN and "though this machine has a GPU" in check.summary and "-DGGML_CUDA=on" in check.fix


def test_llama_cpu_build_with_gpu_layers_is_a_warning_with_the_rebuild(tmp_path):
    import llama_cpp

    if llama_cpp.llama_supports_gpu_offload():
        pytest.skip("this llama.cpp build offloads to a GPU")
    check = check_llama(with_settings("[serve]\ngpu_layers = -1\n", tmp_path))
    assert check.status == WARN and "serve.gpu_layers = -1 is ignored" in check.summary
    assert "-DGGML_CUDA=on" in check.fix and "-DCMAKE_CUDA_ARCHITECTURES=87" in check.fix


def write_bundle(folder: Path) -> Path:
    """A bundle whose files are placeholders: open_bundle checks presence, size and sha256, not contents."""
    folder.mkdir()
    for name in ("enc.onnx", "ada.onnx", "llm.gguf"):
        (folder / name).write_bytes(name.encode() * 100)
    graph = GraphSpec(variants={"fp32": "enc.onnx"}, default_variant="fp32", inputs=[], outputs=[], opset=18)
    manifest = Manifest(
        schema_version=1, created="2026-01-01T00:00:00+00:00", provenance={},
        audio=AudioSpec(16000, 2.0, 400, 160, 80, 200, "whisper-log-mel"),
        encoder=graph, adapter=dataclasses.replace(graph, variants={"fp32": "ada.onnx"}),
        adapter_info=AdapterSpec(recipe="listen", labels=[]),
        llm=LLMSpec("llm.gguf", "Q4_1", 64, 49152, "chatml"),
        prompt=PromptSpec("<a>", "</a>", "\n", "<end>", 4),
        files={n: FileEntry(sha256_file(folder / n), (folder / n).stat().st_size) for n in ("enc.onnx", "ada.onnx", "llm.gguf")},
    )
    (folder / "manifest.json").write_text(json.dumps(manifest.to_dict()))
    return folder


def test_bundle_integrity(tmp_path):
    bundle = write_bundle(tmp_path / "b")
    check = check_bundle(with_settings(f'[serve]\nbundle = "{bundle}"\n', tmp_path))
    assert check.status == OK and "3 files" in check.summary and "match their sha256" in check.summary
    check = check_bundle(with_settings(f'[serve]\nbundle = "{bundle}"\nvariant = "int8"\n', tmp_path))
    assert check.status == FAIL and "'int8' is not in this bundle" in check.summary and "fp32" in check.fix
    (bundle / "llm.gguf").write_bytes(b"x" * 800)  # same size, other bytes
    check = check_bundle(with_settings(f'[serve]\nbundle = "{bundle}"\n', tmp_path))
    assert check.status == FAIL and "llm.gguf does not match its sha256" in check.summary
    assert check_bundle(with_settings("[serve]\nno_model = true\n", tmp_path)).status == SKIP


SOCKET_CASES = ["absent", "live", "stale", "file", "world"]


@pytest.mark.parametrize("case", SOCKET_CASES)
def test_socket_cases(tmp_path, case):
    path = tmp_path / "d.sock"
    # the config refuses a world-writable mode, so "world" is a socket file chmod-ed behind its back
    config = with_settings(f'[serve.socket]\npath = "{path}"\nmode = 0o600\n', tmp_path)
    server = None
    if case in ("live", "stale", "world"):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        os.chmod(path, 0o666 if case == "world" else 0o600)
        server.listen(1)
        if case == "stale":  # a daemon that died: the file stays, nobody accepts
            server.close()
            server = None
    elif case == "file":
        path.write_text("not a socket")
    try:
        check = check_socket(config)
    finally:
        if server is not None:
            server.close()
    expected = {
        "absent": (OK, "no daemon running; `listen serve` will create"),
        "live": (OK, "a daemon is listening on"),
        "stale": (WARN, "is a stale socket, no daemon answers"),
        "file": (FAIL, "exists and is not a socket"),
        "world": (WARN, "lets every local user ask"),
    }[case]
    assert (check.status, expected[1] in check.summary) == (expected[0], True), check.line()
    assert str(path) in check.summary


# -- deployment mistakes found in issue 29 -----------------------------------------------


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_world_writable_bundle_fails(tmp_path, what):
    """A world-writable bundle folder passed `listen doctor`: anyone could swap a model after its check."""
    bundle = write_bundle(tmp_path / "b")
    target = bundle if what == "folder" else bundle / "llm.gguf"
    os.chmod(target, os.stat(target).st_mode | 0o002)
    check = check_bundle(with_settings(f'[serve]\nbundle = "{bundle}"\n', tmp_path))
    assert check.status == FAIL and f"{target} is writable by every local user" in check.summary
    assert f"chmod o-w {target}" in check.fix


@pytest.fixture
def passable(tmp_path):
    """A folder every user may pass through, under /tmp (pytest's own folders are 0700, which
    would lock any group out of whatever is below them)."""
    folder = Path(tempfile.mkdtemp(prefix="doctor-", dir="/tmp"))
    os.chmod(folder, 0o711)
    yield folder
    shutil.rmtree(folder)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folder_mode=st.integers(0, 0o777).map(lambda m: m | 0o700), socket_mode=st.sampled_from([0o600, 0o660, 0o620, 0o640]),
       live=st.booleans())
def test_fuzz_doctor_says_when_a_folder_locks_the_sockets_group_out(passable, folder_mode, socket_mode, live):
    """`--socket-mode 660` inside a 0700 folder locked the group out, and `listen doctor` did not say why."""
    with tempfile.TemporaryDirectory(dir=passable) as run:
        os.chmod(run, 0o711)
        folder = Path(run) / "listen"
        folder.mkdir()
        os.chmod(folder, folder_mode)
        path = folder / "d.sock"
        server = bind_unix(path, socket_mode) if live else None
        try:
            check = check_socket(with_settings(f'[serve.socket]\npath = "{path}"\nmode = 0o{socket_mode:o}\n', Path(run)))
        finally:
            if server is not None:
                server.close()
        locked = bool(socket_mode & 0o060) and not folder_mode & 0o011  # the group is the folder's own (egid)
        assert ("does not let that group through" in check.summary) is locked, check.line()
        if locked:
            assert check.status == WARN and f"{folder} (mode 0o{folder_mode:o}" in check.summary
            assert f"chmod g+x {folder}" in check.fix


def test_the_daemon_makes_its_socket_folder_passable_by_the_group_its_mode_lets_in(passable):
    for mode, folder_mode in ((0o660, 0o710), (0o600, 0o700)):
        path = passable / f"run-{mode:o}" / "d.sock"
        bind_unix(path, mode).close()
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == folder_mode
        check = check_socket(with_settings(f'[serve.socket]\npath = "{path}"\nmode = 0o{mode:o}\n', passable))
        assert "does not let that group through" not in check.summary, check.line()
