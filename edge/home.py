"""Where LISTEN-Edge keeps what it derives from the installed weights.

`$LISTEN_HOME` (default `~/.cache/listen`) holds converted models and built bundles, so
that a conversion runs once per machine. Torch-free: the edge uses it too.
"""

from __future__ import annotations

import os
from pathlib import Path

LISTEN_HOME_ENV = "LISTEN_HOME"
DEFAULT_LISTEN_HOME = Path("~/.cache/listen")


def listen_home() -> Path:
    """The cache root: `$LISTEN_HOME`, else `~/.cache/listen` (not created here)."""
    raw = os.environ.get(LISTEN_HOME_ENV)
    return Path(raw).expanduser() if raw else DEFAULT_LISTEN_HOME.expanduser()


def models_dir() -> Path:
    """Converted default models, e.g. `<home>/models/whisper-tiny.en`."""
    return listen_home() / "models"
