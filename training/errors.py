"""The exception family of `training/`.

Every user-facing failure in training (a bad clip index row, a missing audio file, an
unusable backend) is a `TrainingError`, so the `listen` CLI prints it as one line. Other
stages of training add their own subclasses here.
"""

from __future__ import annotations

from core.errors import ListenError


class TrainingError(ListenError):
    """Root of the errors raised by `training/`."""


class CorpusError(TrainingError):
    """A corpus cannot be built, read or imported (bad options, an empty corpus)."""


class CorpusFileError(CorpusError):
    """A corpus file (the clip index, labels.json, stats.json, a dataset's metadata), or one row of it, is malformed."""


class AudioReadError(CorpusError):
    """An audio file is missing or cannot be decoded."""


class SourceFetchError(CorpusError):
    """A source package cannot be downloaded, verified or extracted (apt-get, the network, a corrupt .deb)."""


class EvalOnlyError(CorpusError):
    """An evaluation-only recording (openttd-opensfx) was asked for a training or validation split."""


class SynthError(TrainingError):
    """LISTEN data synthesis cannot run (bad options, an unusable backend, a broken output file)."""
