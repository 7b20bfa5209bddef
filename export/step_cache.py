"""Skip export steps whose inputs have not changed, judged by content hashes.

A step's key is the sha256 of a JSON description of everything it reads (checkpoint file
hashes, encoder fingerprint, options). Its outputs are stored under
`$LISTEN_HOME/export-cache/<step>-<key>/` and copied back on a hit.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from core.paths import listen_home


def step_key(**inputs) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:24]


class StepCache:
    def __init__(self, root: Path | None = None, enabled: bool = True):
        self.root = Path(root) if root else listen_home() / "export-cache"
        self.enabled = enabled

    def _dir(self, step: str, key: str) -> Path:
        return self.root / f"{step}-{key}"

    def fetch(self, step: str, key: str, names: list[str], dst: Path) -> bool:
        """Copy the cached outputs into dst; False on a miss (or when disabled)."""
        src = self._dir(step, key)
        if not self.enabled or not all((src / n).is_file() for n in names + ["done"]):
            return False
        for n in names:
            shutil.copyfile(src / n, dst / n)
        return True

    def store(self, step: str, key: str, names: list[str], src: Path) -> None:
        if not self.enabled:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{step}-", dir=self.root))
        for n in names:
            shutil.copyfile(src / n, tmp / n)
        (tmp / "done").write_text("ok\n")
        final = self._dir(step, key)
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
