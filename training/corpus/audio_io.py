"""Read, resample and write audio for the corpus (numpy; soundfile or sox for compressed files).

Corpus audio is always `SAMPLE_RATE` (from the shared front end) mono PCM16. WAV files are
written with the standard library's `wave`, so the bytes depend only on the samples (the
same seed gives byte-identical files).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

from edge.audio_frontend import SAMPLE_RATE
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


def read_audio(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode any supported file to a mono float32 waveform at `sample_rate`.

    WAV PCM goes through `wave`; other formats (ogg/oga/flac/mp3) through `soundfile`,
    else the `sox` command. Raises AudioReadError naming the file and the fix.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioReadError(f"audio file {path} does not exist; fix the path or remove its row")
    try:
        x, sr = _decode(path)
    except AudioReadError:
        raise
    except Exception as err:  # noqa: BLE001 - decoders raise many types; all mean unreadable
        raise AudioReadError(f"cannot decode audio file {path}: {err}; convert it to 16-bit WAV") from err
    if x.size == 0:
        raise AudioReadError(f"audio file {path} holds no samples; remove its row")
    return resample(x, sr, sample_rate)


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
        import soundfile

        info = soundfile.info(str(path))
        return info.frames / info.samplerate, int(info.samplerate)
    except ImportError:
        x, sr = _decode(path)
        return x.shape[0] / sr, sr
    except Exception as err:  # noqa: BLE001
        raise AudioReadError(f"cannot read the header of audio file {path}: {err}") from err


def _decode(path: Path) -> tuple[np.ndarray, int]:
    if path.suffix.lower() == ".wav":
        try:
            return _read_wav_pcm(path)
        except (wave.Error, EOFError, ValueError):
            pass  # not plain PCM (float, extensible): fall through
    try:
        import soundfile
    except ImportError:
        return _decode_with_sox(path)
    data, sr = soundfile.read(str(path), dtype="float32", always_2d=True)
    return data.mean(axis=1), int(sr)


def _read_wav_pcm(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        n_ch, width, sr = w.getnchannels(), w.getsampwidth(), w.getframerate()
        raw = w.readframes(w.getnframes())
    if width == 2:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 4:
        x = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    else:
        raise ValueError(f"{8 * width}-bit PCM")
    return x.reshape(-1, n_ch).mean(axis=1), sr


def _decode_with_sox(path: Path) -> tuple[np.ndarray, int]:
    sox = shutil.which("sox")
    if sox is None:
        raise AudioReadError(
            f"cannot decode {path}: neither the soundfile package nor the sox command is installed "
            f"(pip install soundfile, or apt-get install sox)"
        )
    out = subprocess.run(
        [sox, str(path), "-t", "wav", "-e", "signed-integer", "-b", "16", "-"],
        capture_output=True, check=False,
    )
    if out.returncode != 0:
        raise AudioReadError(f"sox cannot decode {path}: {out.stderr.decode(errors='replace').strip()}")
    with wave.open(io.BytesIO(out.stdout), "rb") as w:
        n_ch, sr = w.getnchannels(), w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return x.reshape(-1, n_ch).mean(axis=1), sr


def resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Band-limited resampling by the FFT (exact for periodic signals; fine for short events).

    The signal is zero-padded by 1/16 of its length on each side first, so that the implied
    periodicity does not wrap the end of a sound onto its start.
    """
    x = np.asarray(x, dtype=np.float32)
    if sr_in == sr_out or x.size == 0:
        return x
    pad = max(16, x.size // 16)
    xp = np.pad(x.astype(np.float64), (pad, pad))
    n_out = int(round(xp.size * sr_out / sr_in))
    spec = np.fft.rfft(xp)
    keep = n_out // 2 + 1
    if keep <= spec.size:
        spec = spec[:keep]
    else:
        spec = np.concatenate([spec, np.zeros(keep - spec.size, dtype=spec.dtype)])
    y = np.fft.irfft(spec, n=n_out) * (n_out / xp.size)  # (n_out,)
    lo = int(round(pad * sr_out / sr_in))
    n_keep = int(round(x.size * sr_out / sr_in))
    return y[lo : lo + n_keep].astype(np.float32)
