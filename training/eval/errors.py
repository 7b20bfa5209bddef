"""The exception family of `training.eval` (one-line messages naming the file, row and fix)."""

from __future__ import annotations

from training.errors import TrainingError


class EvalError(TrainingError):
    """A benchmark or predictions file, or an evaluation option, that cannot be used."""
