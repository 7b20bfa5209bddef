"""Audio files in, float32 mono at 16 kHz out; torch-free.

`read_audio(path)` reads WAV, FLAC or OGG (anything libsndfile reads) through soundfile,
downmixes to mono by averaging the channels, and resamples to `SAMPLE_RATE` with
`resample`, a polyphase windowed-sinc filter (Kaiser, beta 5, 10 zero crossings per side,
cut-off at the lower Nyquist: the same design as scipy.signal.resample_poly, written in
numpy so the edge needs no scipy).

Files that cannot be used raise `AudioInputError` with one line naming the file and the
fix: unreadable or unknown format, no samples, truncated (a WAV whose header declares more
data than the file holds; FLAC/OGG decoders fail on their own), NaN or Inf samples.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from math import gcd
from pathlib import Path

import numpy as np

from edge.audio_frontend import SAMPLE_RATE
from edge.errors import AudioInputError

KAISER_BETA = 5.0  # stop-band about -50 dB, the resample_poly default
ZERO_CROSSINGS = 10  # filter half-length in zero crossings of the sinc, per side
CHUNK_OUTPUTS = 1 << 16  # output samples computed per vectorised step (bounds memory)
BLOCK_SECONDS = 10.0  # audio read from a file per step: a few MB at any rate and channel count
_WAV_STREAMING_SIZES = {0, 0xFFFFFFFF, 0x7FFFFFFF}  # data sizes written by streaming recorders


def read_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read an audio file as float32 mono at `sample_rate`. Shape (n_samples,).

    The whole file ends up in memory; `iter_audio_blocks` reads a long file in bounded memory.
    """
    return np.concatenate(list(iter_audio_blocks(path, sample_rate)))


def iter_audio_blocks(path: str | Path, sample_rate: int = SAMPLE_RATE,
                      block_seconds: float = BLOCK_SECONDS) -> Iterator[np.ndarray]:
    """Yield the file as float32 mono blocks at `sample_rate`, shape (n,) each, none empty.

    Memory stays bounded whatever the file's length: one block of the file and the
    resampler's short history at a time. Raises AudioInputError before the first block for
    a missing, unreadable, truncated or empty file, and at the block holding NaN/Inf samples.
    """
    import soundfile as sf  # edge extra; imported here so `edge` imports without it

    path = Path(path)
    if path.is_dir():
        raise AudioInputError(f"audio path {path} is a directory; pass the path of a WAV, FLAC or OGG file in it")
    if not path.is_file():
        raise AudioInputError(f"audio file {path} does not exist; pass the path of a WAV, FLAC or OGG file")
    _check_wav_not_truncated(path)
    try:
        f = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError, ValueError) as err:
        raise _unreadable(path, sample_rate, err) from err
    with f:
        rate = f.samplerate
        resampler = Resampler(rate, sample_rate)
        frames = max(1, int(block_seconds * rate))
        pos = 0  # input frames read so far
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
                yield out
    if pos == 0:
        raise AudioInputError(f"audio file {path} holds no samples; record or export at least a fraction of a second")
    tail = resampler.process(np.zeros(0), final=True)
    if tail.size:
        yield tail


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
    """Polyphase windowed-sinc resampling of a 1-D signal; float32 out, shape (ceil(n * new / orig),)."""
    return Resampler(orig_rate, new_rate).process(audio, final=True)


class Resampler:
    """The polyphase resampler of `resample`, fed in blocks of any size.

    Output sample n needs inputs up to about (n * down + half) / up; each `process` call
    emits every output its inputs so far determine, and keeps only the filter's history
    (about 2 * ZERO_CROSSINGS input samples per side) for the next call. `final=True`
    flushes the tail against zeros, so the blocks' outputs concatenated equal `resample`
    of the whole signal: ceil(n * new / orig) samples.
    """

    def __init__(self, orig_rate: int, new_rate: int) -> None:
        if orig_rate <= 0 or new_rate <= 0:
            raise AudioInputError(f"sample rates must be positive, got {orig_rate} -> {new_rate} Hz")
        g = gcd(int(orig_rate), int(new_rate))
        self.up, self.down = int(new_rate) // g, int(orig_rate) // g
        self.identity = self.up == self.down
        taps = _lowpass(self.up, self.down)  # (L,), DC gain `up`
        self.half = (len(taps) - 1) // 2  # filter delay in upsampled samples
        k_taps = -(-len(taps) // self.up)
        taps = np.pad(taps, (0, k_taps * self.up - len(taps)))
        self.phases = taps.reshape(k_taps, self.up).T  # (up, K): phase r holds taps r, r+up, r+2up, ...
        self.k = np.arange(k_taps)  # (K,)
        self.buf = np.zeros(k_taps)  # inputs from absolute index `buf_start` on; zeros before the signal
        self.buf_start = -k_taps
        self.n_in = 0  # input samples received
        self.n_done = 0  # output samples emitted

    def process(self, block: np.ndarray, final: bool = False) -> np.ndarray:
        """Feed 1-D `block`; float32 outputs that are now determined, shape (m,)."""
        x = np.asarray(block, dtype=np.float64).reshape(-1)  # (n,)
        self.n_in += len(x)
        if self.identity:
            return x.astype(np.float32)
        K = len(self.k)
        self.buf = np.concatenate([self.buf, x] + ([np.zeros(K + 1)] if final else []))
        if final:
            n_end = -(-self.n_in * self.up // self.down)  # ceil(n * up / down) outputs in all
        else:  # output n reads inputs up to (n * down + half) // up, which must have arrived
            n_end = max(self.n_done, (self.n_in * self.up - 1 - self.half) // self.down + 1)
        out = np.empty(n_end - self.n_done, dtype=np.float32)
        # y[n] = sum_k taps[r + k*up] * x[j//up - k], j = n*down + half, r = j % up
        for lo in range(self.n_done, n_end, CHUNK_OUTPUTS):
            n = np.arange(lo, min(lo + CHUNK_OUTPUTS, n_end))  # (C,)
            j = n * self.down + self.half
            base = j // self.up - self.buf_start  # (C,), index of x[j//up] in buf
            frames = self.buf[base[:, None] - self.k[None, :]]  # (C, K)
            out[lo - self.n_done : lo - self.n_done + len(n)] = np.einsum("ck,ck->c", frames, self.phases[j % self.up])
        self.n_done = n_end
        keep_from = (self.n_done * self.down + self.half) // self.up - K + 1  # oldest input the next output reads
        drop = max(0, keep_from - self.buf_start)
        self.buf, self.buf_start = self.buf[drop:], self.buf_start + drop
        return out


def _lowpass(up: int, down: int) -> np.ndarray:
    """Kaiser-windowed sinc at the upsampled rate, cut-off at the lower Nyquist; shape (L,)."""
    max_rate = max(up, down)
    half = ZERO_CROSSINGS * max_rate
    t = np.arange(-half, half + 1) / max_rate  # (L,), in zero crossings
    h = np.sinc(t) * np.kaiser(2 * half + 1, KAISER_BETA)
    return h * (up / h.sum())  # unit DC gain after the zero-stuffing
