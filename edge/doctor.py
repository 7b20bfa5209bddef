"""The edge's part of `listen doctor` (core/doctor.py): is this device ready for `listen serve`?

Each check reads [serve] as the daemon reads it (edge.settings) and returns a `core.doctor.Check`.

  system       Python, machine, NVIDIA GPU / Jetson
  audio        capture devices (PortAudio) and whether they take core.audio.SAMPLE_RATE mono int16
  onnxruntime  providers installed, and the one that really runs the bundle's adapter graph
  llama.cpp    CPU or GPU-offload build, against serve.gpu_layers
  bundle       manifest and sha256 of every file (core.bundle.open_bundle)
  socket       the daemon socket: its folder, mode, owner, a live daemon
  mqtt         with [serve.mqtt] url: one real MQTT 5 connect with the configured login
"""

from __future__ import annotations

import glob
import argparse
import os
import platform
import re
import socket as socketlib
import stat
from pathlib import Path
from typing import Callable

from core.audio import SAMPLE_RATE  # what the capture opens (edge.capture: mono int16 blocks)
from core.doctor import FAIL, OK, SKIP, WARN, Check, group_name, me, user_name
from core.settings import add_flags, flag_overrides
from edge.settings import ServeSettings, load_serve_settings

SECTION = "serve"
SETTINGS = ServeSettings


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The [serve] flags whose field names a `doctor` help (edge/settings.py): --bundle, --device, --socket."""
    add_flags(p, ServeSettings, SECTION, doctor=True)


def load_settings(args: argparse.Namespace) -> ServeSettings:
    return load_serve_settings(args.config, flag_overrides(args, SECTION))


# -- system ------------------------------------------------------------------------------


def check_system(s: ServeSettings) -> Check:
    where = f"Python {platform.python_version()} on {platform.machine()} {platform.system()}"
    gpu = nvidia_gpu()
    if gpu is None:
        return Check("system", OK, f"{where}; no GPU (no /dev/nvidia*, not a Jetson): the models run on the CPU")
    return Check("system", OK, f"{where}; {gpu}")


def nvidia_gpu() -> str | None:
    """What shows an NVIDIA GPU here (a Jetson's release file, or /dev/nvidia* nodes); None: no GPU."""
    tegra = Path("/etc/nv_tegra_release")
    if tegra.is_file():
        release = tegra.read_text(errors="replace").splitlines()[0].lstrip("# ").split(",")[0:2]
        return f"Jetson ({', '.join(s.strip() for s in release)}): GPU shares the CPU's memory"
    nodes = sorted(glob.glob("/dev/nvidia[0-9]*"))
    return f"NVIDIA GPU device nodes: {', '.join(nodes)}" if nodes else None


# -- audio -------------------------------------------------------------------------------


def check_capture(s: ServeSettings) -> Check:
    if s.source is not None:
        if Path(s.source).is_file():
            return Check("audio", SKIP, f"serve.source = {s.source}: a file is replayed, no microphone is used")
        return Check("audio", FAIL, f"serve.source = {s.source} does not exist", "fix the path, or remove `source` to capture")
    try:
        import sounddevice as sd
    except OSError as err:  # the system PortAudio library is missing
        return Check("audio", FAIL, f"PortAudio cannot be loaded ({err})", "apt install libportaudio2")
    except ImportError as err:
        return Check("audio", FAIL, f"sounddevice is not installed ({err})", "pip install 'listen-edge[edge]'")
    devices = list(sd.query_devices())
    inputs = [(i, d) for i, d in enumerate(devices) if d["max_input_channels"] > 0]
    if not inputs:
        return Check("audio", FAIL, f"no audio capture device: PortAudio sees {len(devices)} devices, none can record; "
                     f"{_snd_reason()}",
                     "connect a microphone (`arecord -l` lists ALSA capture cards), put the service user in the "
                     "`audio` group, or replay a file with `source = FILE` under [serve]")
    from edge.capture import find_input_device
    from edge.errors import CaptureError

    seen = []
    for i, d in inputs[:6]:
        ok = _takes_the_rate(sd, i)
        seen.append(f"{i} {d['name']!r} {d['default_samplerate']:g} Hz{'' if ok else f' (refuses {SAMPLE_RATE} Hz)'}")
    more = f" and {len(inputs) - 6} more" if len(inputs) > 6 else ""
    try:
        chosen = find_input_device(s.device)
    except CaptureError as err:
        return Check("audio", FAIL, str(err), "set `device` under [serve] to one of the devices seen")
    name = devices[chosen]["name"]
    if not _takes_the_rate(sd, chosen):
        return Check("audio", FAIL, f"capture device {chosen} {name!r} refuses {SAMPLE_RATE} Hz mono int16; inputs: "
                     f"{'; '.join(seen)}{more}",
                     "choose a device that resamples (ALSA `default`, `pulse` or a `plug` device) with `device` under [serve]")
    return Check("audio", OK, f"capturing from {chosen} {name!r} at {SAMPLE_RATE} Hz mono; inputs: {'; '.join(seen)}{more}")


def _takes_the_rate(sd, index: int) -> bool:
    try:
        sd.check_input_settings(device=index, samplerate=SAMPLE_RATE, channels=1, dtype="int16")
        return True
    except Exception:  # sounddevice.PortAudioError or ValueError: the device refuses
        return False


def _snd_reason() -> str:
    snd = Path("/dev/snd")
    if not snd.is_dir():
        return "/dev/snd does not exist (no sound card, or its driver is not loaded)"
    if not os.access(snd, os.R_OK | os.X_OK) or not all(os.access(p, os.R_OK | os.W_OK) for p in snd.glob("pcmC*c")):
        return f"/dev/snd exists but {me()} cannot open its capture devices (not in the `audio` group?)"
    return "/dev/snd has devices, but PortAudio lists none that can record"


# -- ONNX Runtime ------------------------------------------------------------------------


def check_onnxruntime(s: ServeSettings) -> Check:
    try:
        import onnxruntime as ort
    except ImportError as err:
        return Check("onnxruntime", FAIL, f"onnxruntime is not installed ({err})",
                     "pip install onnxruntime (CPU) or onnxruntime-gpu (CUDA; Jetson: docs/jetson.md)")
    from edge.onnx_sessions import choose_providers

    available = ort.get_available_providers()
    wanted = choose_providers(list(s.providers) or None)
    ran = _run_bundle_graph(s)
    if isinstance(ran, Check):
        return ran
    if ran is None:
        head = f"onnxruntime {ort.__version__}: providers {', '.join(available)}; no bundle graph to run (see the bundle check)"
        runs = wanted[0]
    else:
        runs, graph = ran
        head = f"onnxruntime {ort.__version__}: providers {', '.join(available)}; the bundle's {graph} runs on {runs}"
    missing = [p for p in s.providers if p not in available]
    if missing:
        return Check("onnxruntime", WARN, f"{head}; serve.providers asks for {', '.join(missing)}, which this build lacks",
                     "install onnxruntime-gpu (CUDA, TensorRT; Jetson: docs/jetson.md), or drop them from providers")
    installed = _onnxruntime_distributions()
    if len(installed) > 1:
        return Check("onnxruntime", WARN, f"{head}; several builds installed ({', '.join(installed)}) share one module",
                     "keep one: pip uninstall onnxruntime (keep onnxruntime-gpu on a GPU device)")
    if runs != wanted[0]:
        return Check("onnxruntime", WARN, f"{head}, not on the requested {wanted[0]}: the GPU provider did not start",
                     "install the CUDA 12 / cuDNN 9 (and TensorRT) libraries this onnxruntime-gpu was built for "
                     "(JetPack 6 on Jetson: docs/jetson.md), or set providers = [\"CPUExecutionProvider\"] under [serve]")
    if runs == "CPUExecutionProvider" and wanted == ["CPUExecutionProvider"] and not s.providers:
        if nvidia_gpu() is not None:
            return Check("onnxruntime", WARN, f"{head}: this build has no GPU provider, though this machine has a GPU",
                         "pip uninstall onnxruntime && pip install onnxruntime-gpu (Jetson: NVIDIA's JetPack index, docs/jetson.md)")
        head += " (CPU only: this onnxruntime build has no GPU provider; onnxruntime-gpu adds CUDA and TensorRT)"
    if runs == "TensorrtExecutionProvider":
        cache = os.environ.get("ORT_TENSORRT_CACHE_PATH") if os.environ.get("ORT_TENSORRT_ENGINE_CACHE_ENABLE") == "1" else None
        head += f"; TensorRT engine cache {cache or 'off: every start rebuilds the engines (docs/jetson.md)'}"
    return Check("onnxruntime", OK, head)


def _onnxruntime_distributions() -> list[str]:
    from importlib.metadata import distributions

    names = {(d.metadata["Name"] or "").lower() for d in distributions()}
    return sorted(n for n in names if n == "onnxruntime" or n.startswith("onnxruntime-") or n.startswith("onnxruntime_"))


def _run_bundle_graph(s: ServeSettings) -> tuple[str, str] | Check | None:
    """(provider that really ran, file) for one run of the bundle's adapter graph (the smaller of its
    two) on zeros, with the daemon's providers; None without a usable bundle (the bundle check says why)."""
    import numpy as np

    from core.bundle import open_bundle
    from core.errors import BundleError
    from edge.onnx_sessions import GraphSession

    if s.no_model:
        return None
    try:
        bundle = open_bundle(s.bundle, verify=False)  # the bundle check verifies the hashes
        spec = bundle.manifest.adapter
        path = bundle.file(spec.file(s.variant if s.variant in spec.variants else None))
        graph = GraphSession.open(path, spec, list(s.providers) or None, threads=1)
    except BundleError:
        return None
    feeds = {t.name: np.zeros([d if isinstance(d, int) else 1 for d in t.shape], dtype=t.dtype) for t in spec.inputs}
    outputs = graph.run(feeds)
    if not all(np.isfinite(o).all() for o in outputs):
        return Check("onnxruntime", FAIL, f"{path.name} runs on {graph.provider} but returns NaN/Inf for zeros",
                     "reinstall onnxruntime; check the GPU driver / CUDA libraries")
    return graph.provider, path.name


# -- llama.cpp ---------------------------------------------------------------------------


def check_llama(s: ServeSettings) -> Check:
    try:
        import llama_cpp
    except ImportError as err:
        return Check("llama.cpp", FAIL, f"llama-cpp-python is not installed ({err})",
                     "pip install llama-cpp-python==0.3.36 (CMAKE_ARGS=\"-DGGML_CUDA=on\" for CUDA; docs/jetson.md)")
    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    backends = sorted(set(re.findall(r"(?:^|\|)\s*([A-Za-z][\w-]*) : ", info))) or ["CPU"]
    layers = s.gpu_layers
    head = f"llama-cpp-python {llama_cpp.__version__}: {'GPU-offload' if gpu else 'CPU-only'} build (backends {', '.join(backends)})"
    rebuild = ('rebuild with CMAKE_ARGS="-DGGML_CUDA=on" pip install --force-reinstall --no-cache-dir '
               "llama-cpp-python==0.3.36 (Jetson Orin: add -DCMAKE_CUDA_ARCHITECTURES=87)")
    if gpu and layers == 0:
        return Check("llama.cpp", WARN, f"{head}, but serve.gpu_layers = 0 keeps the LLM on the CPU",
                     "set gpu_layers = -1 under [serve] (all layers on the GPU)")
    if not gpu and layers != 0:
        return Check("llama.cpp", WARN, f"{head}: serve.gpu_layers = {layers} is ignored, the LLM runs on the CPU", rebuild)
    if not gpu and nvidia_gpu() is not None:
        return Check("llama.cpp", WARN, f"{head}: the LLM runs on the CPU, though this machine has a GPU", rebuild)
    where = f"serve.gpu_layers = {layers}: LLM on the GPU" if gpu else "the LLM runs on the CPU (no GPU offload)"
    return Check("llama.cpp", OK, f"{head}; {where}")


# -- bundle ------------------------------------------------------------------------------


def check_bundle(s: ServeSettings) -> Check:
    if s.no_model:
        return Check("bundle", SKIP, "serve.no_model = true: no bundle is loaded")
    from core.bundle import open_bundle
    from core.errors import BundleError

    try:
        bundle = open_bundle(s.bundle, verify=True)
    except BundleError as err:
        return Check("bundle", FAIL, str(err),
                     "export one with `listen export --checkpoint CKPT --out FOLDER`, copy it here and set "
                     "`bundle = FOLDER` under [serve] (or no_model = true for capture only)")
    m = bundle.manifest
    writable = _world_writable(bundle.path, list(m.files))
    if writable is not None:
        return Check("bundle", FAIL, f"{writable} is writable by every local user: anyone could replace the models "
                     "the daemon loads after their sha256 was checked",
                     f"chmod o-w {writable} (the bundle needs no write access at all: chmod -R a-w {bundle.path})")
    size_mb = sum(e.size for e in m.files.values()) / 1e6
    variants = sorted(m.encoder.variants)
    if s.variant is not None and s.variant not in m.encoder.variants:
        return Check("bundle", FAIL, f"{bundle.path}: serve.variant = {s.variant!r} is not in this bundle (it has {', '.join(variants)})",
                     f"set variant to one of {', '.join(variants)} under [serve], or remove it")
    return Check("bundle", OK, f"{bundle.path}: schema {m.schema_version}, {len(m.files)} files ({size_mb:.1f} MB) match "
                 f"their sha256; LLM {m.llm.file} ({m.llm.quantization}); encoder variants {', '.join(variants)}")


def _world_writable(folder: Path, names: list[str]) -> Path | None:
    """The bundle folder, or the first of its files, that any local user may write; None if none."""
    for path in (folder, *(folder / n for n in names)):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue  # the integrity check already said what is missing
        if mode & stat.S_IWOTH:
            return path
    return None


# -- socket ------------------------------------------------------------------------------


def check_socket(s: ServeSettings) -> Check:
    from edge.client.address import default_socket_path

    sock = s.socket
    path = sock.path or default_socket_path()
    notes = []
    # serve.socket.mode itself cannot be world-writable (the config refuses it); the socket file
    # on disk can still be, if something else made or chmod-ed it: that is checked below.
    tcp = f"; also TCP {sock.tcp_host}:{sock.tcp_port}" if sock.tcp_port is not None else ""
    fix_notes = ""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        folder = _nearest_existing(path.parent)
        if not os.access(folder, os.W_OK | os.X_OK):
            return Check("socket", WARN, f"no daemon at {path}; {me()} cannot create it ({folder} is not writable)",
                         "run the daemon as the user that owns it, or under systemd (RuntimeDirectory=listen makes /run/listen)")
        summary = f"no daemon running; `listen serve` will create {path} with mode 0o{sock.mode:o}{tcp}"
        fix_notes = _group_lockout(path, sock.mode, os.getegid(), notes)
        return Check("socket", WARN if notes else OK, "; ".join([summary, *notes]), fix_notes)
    owner = f"owner {user_name(st.st_uid)}:{group_name(st.st_gid)}, mode 0o{stat.S_IMODE(st.st_mode):o}"
    if not stat.S_ISSOCK(st.st_mode):
        return Check("socket", FAIL, f"{path} exists and is not a socket ({owner})",
                     "remove it, or set `path` under [serve.socket] to another file")
    probe = socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_STREAM)
    probe.settimeout(2.0)
    try:
        probe.connect(str(path))
    except PermissionError:
        return Check("socket", FAIL, f"{path}: {me()} may not connect ({owner})",
                     f"run as the service user (sudo -u {user_name(st.st_uid)} ...), or set mode = 0o660 under "
                     f"[serve.socket] and add {me()} to group {group_name(st.st_gid)}")
    except OSError as err:
        return Check("socket", WARN, f"{path} is a stale socket, no daemon answers ({err.strerror}; {owner})",
                     "start the daemon (it replaces a stale socket), e.g. systemctl start listen-serve")
    finally:
        probe.close()
    summary = f"a daemon is listening on {path} ({owner}){tcp}"
    if stat.S_IMODE(st.st_mode) & stat.S_IWOTH:  # connecting to a unix socket needs write permission
        notes.append(f"its mode 0o{stat.S_IMODE(st.st_mode):o} lets every local user ask, listen and mute "
                     "(the API has no authentication)")
        fix_notes = fix_notes or "restart the daemon with serve.socket.mode 0o600, or 0o660 with a group"
    if stat.S_IMODE(st.st_mode) != sock.mode:
        notes.append(f"its mode differs from serve.socket.mode 0o{sock.mode:o} (started with other settings?)")
    lockout_fix = _group_lockout(path, stat.S_IMODE(st.st_mode), st.st_gid, notes)
    fix_notes = fix_notes or lockout_fix
    return Check("socket", WARN if notes else OK, "; ".join([summary, *notes]), fix_notes or ("restart the daemon" if notes else ""))


def check_mqtt(s: ServeSettings) -> Check:
    m = s.mqtt
    if not m.url:
        return Check("mqtt", SKIP, "serve.mqtt.url is unset: no Home Assistant link")
    from edge.mqtt.broker import broker

    b = broker(m.url, m.username, m.password, m.ca_file)
    try:
        from edge.mqtt.link import probe
    except ImportError as err:
        return Check("mqtt", FAIL, f"paho-mqtt is not installed ({err})", "pip install 'listen-edge[edge]'")
    login = f"as {b.username}" if b.username else "anonymously"
    problem = probe(b)
    if problem is None:
        return Check("mqtt", OK, f"{b.describe()} accepts an MQTT 5 connection {login}")
    fix = ("check [serve.mqtt] username / password (or $LISTEN_MQTT_USERNAME / $LISTEN_MQTT_PASSWORD)"
           if problem.startswith("refused:") else "start the broker, or fix [serve.mqtt] url; under systemd, a broker on "
           "another host needs IPAddressAllow= (docs/home-assistant.md)")
    return Check("mqtt", FAIL, f"{b.describe()} {login}: {problem}", fix)


def _group_lockout(path: Path, mode: int, gid: int, notes: list[str]) -> str:
    """A note (appended to `notes`) and its fix when socket `mode` lets group `gid` connect but a
    folder on the way to `path` does not let that group through (a 0700 folder: `--socket-mode
    660` then looks right and locks the group out); "" otherwise."""
    if not mode & 0o060:
        return ""
    for folder in reversed(path.parents):
        try:
            st = os.stat(folder)
        except FileNotFoundError:
            return ""  # the daemon makes the rest, with group search when its mode grants the group
        except OSError:
            continue
        search = stat.S_IMODE(st.st_mode)
        if not (search & stat.S_IXOTH or (st.st_gid == gid and search & stat.S_IXGRP)):
            notes.append(f"mode 0o{mode:o} lets group {group_name(gid)} connect, but {folder} (mode 0o{search:o}, group "
                         f"{group_name(st.st_gid)}) does not let that group through: its members cannot reach the socket")
            return (f"chmod g+x {folder} with group {group_name(gid)} (under systemd: RuntimeDirectoryMode=0750), "
                    "or set mode = 0o600 under [serve.socket] if no group needs the socket")
    return ""


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


CHECKS: list[tuple[str, Callable[[ServeSettings], Check]]] = [
    ("system", check_system),
    ("audio", check_capture),
    ("onnxruntime", check_onnxruntime),
    ("llama.cpp", check_llama),
    ("bundle", check_bundle),
    ("socket", check_socket),
    ("mqtt", check_mqtt),
]
