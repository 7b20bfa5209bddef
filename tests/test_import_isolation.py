"""The edge and the bridge must run where torch and transformers are not installed, and
the core needs numpy alone to import (tests/test_architecture.py checks the same statically)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, pkgutil, sys
    BLOCKED = {"torch", "transformers", "training", "export", "accelerate", "onnxscript"} | {extra}

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"blocked import of {name} (the edge must not need it)")
            return None

    sys.meta_path.insert(0, Block())
    import {pkg}
    names = [m.name for m in pkgutil.walk_packages({pkg}.__path__, "{pkg}.")]
    for n in names:
        if n.endswith("__main__"):
            continue
        importlib.import_module(n)
    print("imported", len(names) + 1, "modules")
    """
)


CORE_BLOCKED = {"edge", "firmware_bridge", "soxr", "soundfile", "onnxruntime", "llama_cpp", "serial"}


@pytest.mark.parametrize("pkg,extra", [("edge", set()), ("firmware_bridge", set()), ("core", CORE_BLOCKED)])
def test_package_imports_without_torch(pkg, extra):
    code = BLOCKER.replace("{pkg}", pkg).replace("{extra}", repr(extra))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "imported" in proc.stdout


def test_blocker_really_blocks():
    """The harness itself must fail on a forbidden import, or the test above proves nothing."""
    code = BLOCKER.replace("{pkg}", "edge").replace("{extra}", "set()") + "\nimport torch\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "blocked import of torch" in proc.stderr
