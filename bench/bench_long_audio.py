"""Peak memory of `listen ask` against the length of the audio, on the default bundle.

One yes/no question about a 16 kHz mono WAV of 1, 10 and 60 minutes (noise with a beep
every few seconds, written block by block into a temporary folder). Each run is its own
`listen ask` process, which records its own peak RSS (VmHWM from /proc/self/status) at the
end: a child's rusage would start at this script's RSS. The file is read in blocks and the
windows are encoded CHUNK_WINDOWS at a time, so the peak should not depend on the length.

The bundle is $LISTEN_HOME/default-bundle, assembled from models/default-adapter the way
scripts/demo.sh does it (`listen export`, about a minute) when it is missing. `--code`
runs another checkout's `edge` (e.g. a worktree of an older commit) for comparison.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import default_bundle  # noqa: E402

THREADS = 2
MINUTES = (1, 10, 60)
MAX_NEW = 16  # answer tokens; memory does not depend on them
QUESTION = "Is there a sound of a smoke alarm in the audio?"
SR = 16000
BLOCK_S = 10  # seconds written per block

# `listen ask ARGS`, then its own VmHWM (kB) into the file named by argv[1]
ASK_WITH_PEAK = (
    "import sys\nfrom core.cli import main\nrc = main(sys.argv[2:])\n"
    "hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
    "open(sys.argv[1], 'w').write(hwm.split()[1])\nsys.exit(rc)\n"
)


def write_wav(path: Path, seconds: int) -> None:
    """Noise at -26 dBFS with a 3.1 kHz beep of 0.5 s every 7 s, written in blocks (bounded memory)."""
    import soundfile as sf

    rng = np.random.default_rng(seconds)
    with sf.SoundFile(path, "w", SR, 1, "PCM_16") as f:
        for lo in range(0, seconds * SR, BLOCK_S * SR):
            t = np.arange(lo, min(lo + BLOCK_S * SR, seconds * SR)) / SR
            beep = np.sin(2 * np.pi * 3100 * t) * ((t % 7.0) < 0.5)
            f.write((0.3 * beep + 0.05 * rng.standard_normal(t.size)).astype(np.float32))


def run_ask(code: Path, bundle: Path, wav: Path, peak_file: Path) -> dict:
    """One `listen ask` process with `code`'s edge: peak RSS (MiB), wall time (s), windows answered."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", ASK_WITH_PEAK, str(peak_file), "ask", "--bundle", str(bundle), "--audio", str(wav),
         "--json", "--no-verify", "--threads", str(THREADS), "--max-tokens", str(MAX_NEW), QUESTION],
        capture_output=True, text=True, cwd=code,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not peak_file.exists():
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"exit {proc.returncode}: {tail[:200]}", "wall_s": wall}

    row = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"rss_mib": int(peak_file.read_text()) / 1024, "wall_s": wall, "windows": len(row["windows"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", type=Path, help="bundle folder (default: $LISTEN_HOME/default-bundle, made if missing)")
    ap.add_argument("--minutes", type=int, nargs="+", default=list(MINUTES), help="audio lengths (default: 1 10 60)")
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose `edge` runs (default: this one)")
    args = ap.parse_args()
    bundle = args.bundle or default_bundle()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in args.minutes:
            wav = Path(tmp) / f"{minutes}min.wav"
            write_wav(wav, minutes * 60)
            print(f"listen ask on {minutes} min ...", file=sys.stderr, flush=True)
            rows.append((minutes, run_ask(args.code.resolve(), bundle, wav, Path(tmp) / f"{minutes}.peak")))
            wav.unlink()
    print(f"## Peak memory of `listen ask` against audio length (default bundle, {THREADS} threads)\n")
    print("| audio (min) | windows | peak RSS (MiB) | wall time (s) |")
    print("|---:|---:|---:|---:|")
    for minutes, r in rows:
        if "error" in r:
            print(f"| {minutes} | - | failed: {r['error']} | {r['wall_s']:.0f} |")
        else:
            print(f"| {minutes} | {r['windows']} | {r['rss_mib']:.0f} | {r['wall_s']:.0f} |")
    ok = [r["rss_mib"] for _, r in rows if "error" not in r]
    spread = max(ok) - min(ok) if ok else math.nan
    print(f"\nOne yes/no question, at most {MAX_NEW} answer tokens, one process per length; peak RSS is the "
          f"process's own VmHWM. Spread between lengths: {spread:.0f} MiB.")


if __name__ == "__main__":
    main()
