"""The exception family of the whole project.

`ListenError` is the root that the `listen` CLI turns into a one-line message (no
traceback). Each package derives its own family from it (`TrainingError`,
`ExportError`, `BridgeError`, ...). Messages name the bad value and the fix, and chain
the cause with `raise ... from err`.
"""

from __future__ import annotations


class ListenError(Exception):
    """A user-facing error: bad input, a missing file or package, a mismatched bundle."""


class EdgeError(ListenError):
    """Errors raised by the edge runtime."""


class ModelNotFoundError(ListenError):
    """A default-model package or a model file is missing."""
