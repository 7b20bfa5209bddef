"""Audio files in, float32 mono at 16 kHz out; torch-free.

`read_audio(path)` reads WAV, FLAC or OGG (anything libsndfile reads) through soundfile,
downmixes to mono by averaging the channels, and resamples to `SAMPLE_RATE` with soxr
(libsoxr's "HQ" quality: a linear-phase filter, pass band to 91 % of the lower Nyquist,
stop band below -120 dB). soxr is the ONE resampler of the project: training reads its
corpus with `read_audio` and `resample` too, so the device and training see the same
waveform for a clip at any rate. `resample` is the one-shot form (`soxr.resample`);
`Resampler` wraps `soxr.ResampleStream` for blocks. Both run libsoxr's same filter, and the
blocks concatenated equal the one-shot result (bit for bit in tests/core/test_audio_io.py).

Files that cannot be used raise `AudioInputError` with one line naming the file and the
fix: not a regular file (a pipe or a device has no known end), unreadable or unknown format,
a sample rate outside MIN_FILE_RATE..MAX_FILE_RATE (a damaged header), no samples,
truncated (a WAV whose header declares more data than the file holds; FLAC/OGG decoders
fail on their own), NaN or Inf samples.
"""

from __future__ import annotations

import stat
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from core.audio import MAX_FILE_RATE, MIN_FILE_RATE, SAMPLE_RATE
from core.errors import AudioInputError

QUALITY = "HQ"  # soxr's quality preset (its default): 20-bit precision, well beyond 16-bit PCM
BLOCK_SECONDS = 10.0  # audio read from a file per step: a few MB at any rate and channel count
_WAV_STREAMING_SIZES = {0, 0xFFFFFFFF, 0x7FFFFFFF}  # data sizes written by streaming recorders


def read_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read an audio file as float32 mono at `sample_rate`. Shape (n_samples,).

    The whole file ends up in memory; `iter_audio_blocks` reads a long file in bounded memory.
    """
    return np.concatenate(list(iter_audio_blocks(path, sample_rate)))  # never empty: see iter_audio_blocks


def iter_audio_blocks(path: str | Path, sample_rate: int = SAMPLE_RATE,
                      block_seconds: float = BLOCK_SECONDS) -> Iterator[np.ndarray]:
    """Yield the file as float32 mono blocks at `sample_rate`, shape (n,) each, none empty.

    Memory stays bounded whatever the file's length: one block of the file and the
    resampler's short history at a time. Raises AudioInputError before the first block for
    a missing, unreadable, truncated or empty file, at the block holding NaN/Inf samples,
    and at the end for a file too short to give one sample at `sample_rate`.
    """
    import soundfile as sf  # edge and train extras; imported here so `core` imports with numpy alone

    path = Path(path)
    _check_regular_file(path)
    _check_wav_not_truncated(path)
    try:
        f = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError, ValueError) as err:
        raise _unreadable(path, sample_rate, err) from err
    with f:
        rate = f.samplerate
        if not MIN_FILE_RATE <= rate <= MAX_FILE_RATE:  # a 1 Hz header made 320 KB into 44 h of audio
            raise AudioInputError(
                f"audio file {path} claims {rate} Hz, outside {MIN_FILE_RATE}..{MAX_FILE_RATE} Hz: its header is "
                f"damaged or wrong; re-export it (e.g. `sox {path.name} -r {sample_rate} out.wav` if the rate is known)"
            )
        resampler = Resampler(rate, sample_rate)
        frames = max(1, int(block_seconds * rate))
        pos = 0  # input frames read so far
        emitted = 0  # output samples yielded so far
        while True:
            try:
                data = f.read(frames, dtype="float32", always_2d=True)  # (n, channels)
            except (sf.LibsndfileError, RuntimeError, ValueError) as err:
                raise _unreadable(path, sample_rate, err) from err
            if data.shape[0] == 0:
                break
            bad = ~np.isfinite(data)
            if bad.any():
                first = pos + int(np.argmax(bad.any(axis=1)))
                n_bad = int(bad.sum()) + _count_non_finite(f, frames)
                raise AudioInputError(
                    f"audio file {path} holds {n_bad} NaN/Inf samples (first at {first / rate:.3f} s); "
                    f"re-export it from its source as 16-bit PCM"
                )
            pos += data.shape[0]
            out = resampler.process(data.mean(axis=1, dtype=np.float64))  # downmix: (n,)
            if out.size:
                emitted += out.size
                yield out
    if pos == 0:
        raise AudioInputError(f"audio file {path} holds no samples; record or export at least a fraction of a second")
    tail = resampler.process(np.zeros(0), final=True)
    if tail.size:
        yield tail
    elif emitted == 0:
        raise AudioInputError(f"audio file {path} holds {pos} samples at {rate} Hz, less than one at {sample_rate} Hz; "
                              "record or export at least a fraction of a second")


def _check_regular_file(path: Path) -> None:
    """Refuse anything but a regular file (after symlinks), naming what it is: a pipe, a
    process substitution or a device has no end that can be known before reading it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise AudioInputError(f"audio file {path} does not exist; pass the path of a WAV, FLAC or OGG file") from None
    except OSError as err:
        raise AudioInputError(f"cannot open audio file {path}: {err.strerror}") from None
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise AudioInputError(f"audio path {path} is a directory; pass the path of a WAV, FLAC or OGG file in it")
    what = ("a pipe (a FIFO or a shell process substitution)" if stat.S_ISFIFO(mode) else
            "a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    raise AudioInputError(f"audio path {path} is {what}, not a file; save the audio to a WAV, FLAC or OGG file "
                          "and pass that file")


def _unreadable(path: Path, sample_rate: int, err: Exception) -> AudioInputError:
    return AudioInputError(
        f"cannot read audio file {path}: {str(err).splitlines()[0] if str(err) else type(err).__name__}; "
        f"it is truncated, corrupt or not WAV/FLAC/OGG (convert it with `sox {path.name} -r {sample_rate} out.wav`)"
    )


def _count_non_finite(f, frames: int) -> int:
    """NaN/Inf samples in the rest of an open SoundFile (for the error message), read block by block."""
    n = 0
    while True:
        data = f.read(frames, dtype="float32", always_2d=True)
        if data.shape[0] == 0:
            return n
        n += int((~np.isfinite(data)).sum())


def _check_wav_not_truncated(path: Path) -> None:
    """Refuse a RIFF/WAVE file whose `data` chunk claims more bytes than the file holds.

    libsndfile silently reads what is there, which would turn a cut-off recording into a
    shorter clip without a word; other formats fail inside their decoder instead.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            chunk_id, chunk_size = struct.unpack("<4sI", f.read(8))
            if chunk_id == b"data":
                if chunk_size in _WAV_STREAMING_SIZES:
                    return
                have = size - pos - 8
                if have < chunk_size:
                    raise AudioInputError(
                        f"audio file {path} is truncated: its header declares {chunk_size} bytes of samples "
                        f"but the file holds {have}; re-copy or re-export it (or repair it with `sox {path.name} fixed.wav`)"
                    )
                return
            pos += 8 + chunk_size + (chunk_size & 1)  # chunks are word-aligned


def resample(audio: np.ndarray, orig_rate: int, new_rate: int) -> np.ndarray:
    """Resample a 1-D signal with soxr; float32 out, shape (round(n * new / orig),). Equal rates: a float32 copy."""
    if orig_rate <= 0 or new_rate <= 0:
        raise AudioInputError(f"sample rates must be positive, got {orig_rate} -> {new_rate} Hz")
    x = np.array(audio, dtype=np.float32).reshape(-1)  # (n,)
    if orig_rate == new_rate:
        return x
    import soxr  # edge and train extras; imported here so `core` imports with numpy alone

    return np.asarray(soxr.resample(x, orig_rate, new_rate, quality=QUALITY), dtype=np.float32).reshape(-1)


class Resampler:
    """`resample` fed in blocks of any size: a `soxr.ResampleStream`, mono float32.

    Each `process` call returns the outputs its inputs so far determine; soxr keeps only the
    filter's history between calls. `final=True` flushes the tail, so the blocks' outputs
    concatenated equal `resample` of the whole signal, round(n * new / orig) samples. Equal
    rates pass the samples through untouched (cast to float32).
    """

    def __init__(self, orig_rate: int, new_rate: int) -> None:
        if orig_rate <= 0 or new_rate <= 0:
            raise AudioInputError(f"sample rates must be positive, got {orig_rate} -> {new_rate} Hz")
        self.identity = orig_rate == new_rate
        self._stream = None
        if not self.identity:
            import soxr  # edge and train extras; imported here so `core` imports with numpy alone

            self._stream = soxr.ResampleStream(orig_rate, new_rate, 1, dtype="float32", quality=QUALITY)

    def process(self, block: np.ndarray, final: bool = False) -> np.ndarray:
        """Feed 1-D `block`; float32 outputs that are now determined, shape (m,)."""
        x = np.array(block, dtype=np.float32).reshape(-1)  # (n,), a copy: the caller keeps its block
        if self.identity:
            return x
        return np.asarray(self._stream.resample_chunk(x, last=final), dtype=np.float32).reshape(-1)
