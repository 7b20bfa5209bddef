"""What several benchmarks share: the default bundle they run on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ADAPTER = ROOT / "models" / "default-adapter"


def default_bundle() -> Path:
    """$LISTEN_HOME/default-bundle, exported from the committed adapter when it does not verify."""
    from core.paths import listen_home

    bundle = listen_home() / "default-bundle"
    listen = [sys.executable, "-m", "core.cli"]
    if subprocess.run(listen + ["export", "verify", str(bundle)], capture_output=True).returncode != 0:
        print(f"assembling {bundle} from {DEFAULT_ADAPTER} (about a minute) ...", file=sys.stderr, flush=True)
        for cmd in (["models"], ["export", "--checkpoint", str(DEFAULT_ADAPTER), "--out", str(bundle)]):
            proc = subprocess.run(listen + cmd, capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                raise SystemExit(f"`listen {' '.join(cmd)}` failed: {proc.stderr.strip().splitlines()[-1:]}")
    return bundle
