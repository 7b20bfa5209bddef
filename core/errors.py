"""The root of the project's exception family, and the errors the core raises itself.

`ListenError` is the root that the `listen` CLI turns into a one-line message (no
traceback). Each package derives its own family from it (`EdgeError`, `TrainingError`,
`ExportError`, `BridgeError`). The errors below are raised by core modules that
every stage shares, so they live here and derive from the root directly rather than from
one stage's family:

- `AudioInputError`: `core.audio_io` (the device and training read audio files alike);
- `BundleError`: `core.manifest` and `core.bundle` (export writes and verifies bundles,
  the edge opens them);
- `ModelNotFoundError`: `core.paths` (training, export and the edge locate the default weights);
- `ConfigError`: `core.settings` (the settings file of `listen serve`, `bridge` and `doctor`).

Messages name the bad value and the fix, and chain the cause with `raise ... from err`.
"""

from __future__ import annotations


class ListenError(Exception):
    """A user-facing error: bad input, a missing file or package, a mismatched bundle."""


class AudioInputError(ListenError):
    """An audio file that cannot be used: unreadable, empty, truncated, or holding NaN/Inf."""


class BundleError(ListenError):
    """A bundle that is missing, corrupt, or does not match its manifest."""


class ConfigError(ListenError):
    """The settings file (core.settings) cannot be read, or a key holds a value outside its allowed set."""


class ModelNotFoundError(ListenError):
    """A default-model package or a model file is missing."""
