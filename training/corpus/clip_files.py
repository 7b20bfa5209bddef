"""Write corpus clips, and read a clip's duration from its header (numpy; soundfile for non-WAV).

Corpus audio is always `SAMPLE_RATE` (from the shared front end) mono PCM16. WAV files are
written with the standard library's `wave`, so the bytes depend only on the samples (the
same seed gives byte-identical files). Reading and resampling are `core.audio_io.read_audio`
and `core.audio_io.resample`, the ones the device uses, so that training and the edge see
the same waveform for a clip at any rate.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from core.audio import SAMPLE_RATE
from training.errors import AudioReadError

PCM16_MAX = 32767  # largest PCM16 sample value


def to_pcm16(x: np.ndarray) -> np.ndarray:
    """float waveform in [-1, 1] -> int16 (clipped, rounded half to even)."""
    return np.clip(np.rint(x * PCM16_MAX), -PCM16_MAX, PCM16_MAX).astype("<i2")


def write_wav(path: Path, x: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write a mono float waveform as PCM16 WAV (atomic: a temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(to_pcm16(x).tobytes())
    tmp.replace(path)


def audio_info(path: Path) -> tuple[float, int]:
    """(duration in seconds, sample rate) from the file header, without decoding all of it."""
    path = Path(path)
    if not path.is_file():
        raise AudioReadError(f"audio file {path} does not exist; fix the path or remove its row")
    try:
        if path.suffix.lower() == ".wav":
            with wave.open(str(path), "rb") as w:
                return w.getnframes() / w.getframerate(), w.getframerate()
    except (wave.Error, EOFError):
        pass  # e.g. float WAV: let soundfile read its header
    try:
        import soundfile  # the train extra

        info = soundfile.info(str(path))
        return info.frames / info.samplerate, int(info.samplerate)
    except Exception as err:  # noqa: BLE001
        raise AudioReadError(f"cannot read the header of audio file {path}: {err}") from err
