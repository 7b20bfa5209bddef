"""The speaker's budget: what an always-on `listen serve` costs, busy and quiet.

A real `listen serve --source FILE --loop` process (default settings, default bundle) replays
audio in real time, as a microphone would deliver it:
  busy   real recordings back to back at their own levels (the corpus's household, speech,
         music and appliance recordings; no smoke or CO alarm), shuffled with a fixed seed
  quiet  a quiet room: band-limited noise at -65 dBFS (a MEMS microphone's self-noise)
After the daemon answers on its socket and WARMUP_S, its CPU time (user + system, all
threads) is read over MEASURE_S of wall time: CPU % of one core per second of audio. RSS is
the process's VmRSS at the end, peak its VmHWM. Per audio, three runs:
  --no-model       capture, activity and events only: the baseline every ratio is against
  default          the assistant: each segment encoded as it arrives, states kept
  + smoke watch    `--watch "Is there a smoke alarm?"`: the watch checks and the alarm
                   pattern detector on every block
and one busy run replayed at FULL_SPEED x, so that the 5-minute buffer and its kept states
are full when RSS is read (its CPU is per audio second, like the others).

The issue's goal, in % of one x86 core: at most 2 % on busy audio, RSS at most 256 MiB.

    python bench/bench_always_on.py                 # 7 runs, about 12 minutes
    python bench/bench_always_on.py --measure 30 --only busy
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_alarms import ALARM_LABELS, real_recordings  # noqa: E402  (no alarm in the busy audio)
from bench.common import default_bundle  # noqa: E402
from core.audio import SAMPLE_RATE as SR  # noqa: E402

WARMUP_S = 15.0
MEASURE_S = 75.0
FULL_SPEED = 6.0  # 75 s of wall time replay 450 s of audio: more than the 300 s buffer
BUSY_S = 600.0  # distinct busy audio (looped after)
SEED = 20261208
WATCH = "Is there a smoke alarm?"


def busy_audio(seconds: float) -> np.ndarray:
    """Real recordings back to back at their own levels, to `seconds`."""
    from core.audio_io import read_audio

    recs = real_recordings(None, ALARM_LABELS)
    if not recs:
        raise SystemExit("no real recordings here: run `listen corpus sources` first")
    rng = np.random.default_rng(SEED)
    parts, total = [], 0
    for i in rng.permutation(len(recs)):
        x = read_audio(recs[int(i)].path)[: int(60 * SR)]  # at most a minute of each
        parts.append(x)
        total += len(x)
        if total >= seconds * SR:
            break
    return np.concatenate(parts)[: int(seconds * SR)]


def quiet_audio(seconds: float) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(SEED)
    x = rng.standard_normal(int(seconds * SR))
    y = sosfilt(butter(4, [50, 7000], btype="bandpass", fs=SR, output="sos"), x)
    return (y / np.sqrt(np.mean(y**2)) * 10 ** (-65 / 20)).astype(np.float32)


def write_wav(path: Path, x: np.ndarray) -> Path:
    import soundfile as sf

    sf.write(path, np.clip(x, -1, 1), SR, subtype="PCM_16")
    return path


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def memory_mib(pid: int) -> dict[str, float]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {k: int(status[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def wait_socket(path: Path, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Until the daemon answers `status` on `path` (edge.client's client, not the protocol again)."""
    from edge.client.requests import DaemonClient

    client = DaemonClient(path, timeout_s=10, connect=False)
    t_end = time.monotonic() + timeout
    try:
        while time.monotonic() < t_end:
            if proc.poll() is not None:
                raise SystemExit(f"listen serve exited ({proc.returncode}); see its log")
            try:
                client.status()
                return
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.2)
    finally:
        client.close()
    raise SystemExit(f"no daemon on {path} after {timeout:.0f} s")


def run_serve(wav: Path, extra: list[str], measure_s: float, tmp: Path, speed: float = 1.0) -> dict:
    sock = tmp / f"serve-{time.monotonic_ns()}.sock"
    cmd = [sys.executable, "-m", "core.cli", "serve", "--source", str(wav), "--loop", "--speed", str(speed),
           "--socket", str(sock), "--state-dir", str(tmp / "state"), *extra]
    log_path = tmp / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, text=True)
        try:
            t_start = time.monotonic()
            wait_socket(sock, proc)
            load_s = time.monotonic() - t_start
            time.sleep(WARMUP_S)
            c0, t0 = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(measure_s)
            c1, t1 = cpu_seconds(proc.pid), time.monotonic()
            mem = memory_mib(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    text = log_path.read_text()
    return {"cpu_pct": 100 * (c1 - c0) / ((t1 - t0) * speed), "rss_mib": mem["VmRSS"], "peak_rss_mib": mem["VmHWM"],
            "load_s": load_s, "segments": text.count("segment "), "dropped": text.count("queue full")}


RUNS = (("no model (baseline)", ["--no-model"]), ("default", []), ("+ smoke watch", ["--watch", WATCH]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measure", type=float, default=MEASURE_S, help="seconds of wall time measured per run")
    ap.add_argument("--only", choices=("busy", "quiet"), help="run one audio condition")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    default_bundle()
    results = []
    with tempfile.TemporaryDirectory(prefix="always-on-") as d:
        tmp = Path(d)
        audio = {"busy": lambda: busy_audio(BUSY_S), "quiet": lambda: quiet_audio(60.0)}
        plan = [(name, label, extra, 1.0) for name in ("busy", "quiet") for label, extra in RUNS]
        plan.append(("busy", f"default, buffer full ({FULL_SPEED:g}x replay)", [], FULL_SPEED))
        wavs: dict[str, Path] = {}
        for name, label, extra, speed in plan:
            if args.only and name != args.only:
                continue
            if name not in wavs:
                wavs[name] = write_wav(tmp / f"{name}.wav", audio[name]())
            r = run_serve(wavs[name], extra, args.measure, tmp, speed) | {"audio": name, "run": label}
            results.append(r)
            print(f"{name:5s} {label:34s} CPU {r['cpu_pct']:5.2f} %  RSS {r['rss_mib']:4.0f} MiB (peak "
                  f"{r['peak_rss_mib']:.0f})  segments {r['segments']}  dropped {r['dropped']}", file=sys.stderr, flush=True)
    base = {r["audio"]: r for r in results if r["run"].startswith("no model")}
    print(f"## Always-on `listen serve` (default bundle, default settings, {args.measure:g} s per run)\n")
    print("| audio | run | CPU % of one core | x no model | RSS MiB | peak RSS MiB | segments |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        ratio = r["cpu_pct"] / base[r["audio"]]["cpu_pct"] if r["audio"] in base else float("nan")
        print(f"| {r['audio']} | {r['run']} | {r['cpu_pct']:.2f} | {ratio:.1f}x | {r['rss_mib']:.0f} | "
              f"{r['peak_rss_mib']:.0f} | {r['segments']} |")
    print("\nCPU: the process's user + system time over the wall time, per second of audio (real time "
          "but the last run). Busy: real recordings at their own levels; quiet: noise at -65 dBFS. "
          "Goal (issue 29): <= 2 % busy, RSS <= 256 MiB.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
