"""The exception family of `training/`: every error training raises is defined here.

Every user-facing failure in training (a bad clip index row, a missing audio file, an
unusable backend, a checkpoint that does not fit) is a `TrainingError`, so the `listen`
CLI prints it as one line. The classes follow training's layers (tests/test_architecture.py),
lowest first; tests/test_architecture.py refuses an exception class defined anywhere else
under `training/`.
"""

from __future__ import annotations

from core.errors import ListenError


class TrainingError(ListenError):
    """Root of the errors raised by `training/`."""


class TrainConfigError(TrainingError):
    """A training config file or override with an unknown key or a value of the wrong type.

    Not `core.errors.ConfigError`, which is about the `listen` settings file (listen.toml).
    """


# ---- backbones ----------------------------------------------------------------------------
class BackboneError(TrainingError):
    """A backbone spec that cannot be resolved or loaded."""


class CT2FormatError(BackboneError):
    """A CTranslate2 model.bin that cannot be parsed."""


# ---- corpus ---------------------------------------------------------------------------------
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


# ---- synth ----------------------------------------------------------------------------------
class SynthError(TrainingError):
    """LISTEN data synthesis cannot run (bad options, an unusable backend, a broken output file)."""


# ---- model ----------------------------------------------------------------------------------
class EncoderConfigError(TrainingError):
    """Tapped layers or a window that the loaded Whisper cannot provide."""


class AdapterConfigError(TrainingError):
    """An adapter configuration that cannot be built (e.g. heads not dividing the width)."""


class PromptError(TrainingError):
    """A chat template or a saved prompt.json that cannot be used."""


class CheckpointError(TrainingError):
    """A checkpoint folder that is incomplete or from an incompatible version."""


# ---- data -----------------------------------------------------------------------------------
class FeatureCacheError(TrainingError):
    """A cache entry that cannot be read or written."""


# ---- eval -----------------------------------------------------------------------------------
class EvalError(TrainingError):
    """A benchmark or predictions file, or an evaluation option, that cannot be used.

    One line naming the file, the row and the fix.
    """


# ---- train ----------------------------------------------------------------------------------
class ResumeError(TrainingError):
    """A checkpoint that does not fit the run being resumed."""


# ---- presence -------------------------------------------------------------------------------
class PresenceDataError(TrainingError):
    """Features or phrases that cannot be built or read."""
