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
from math import gcd
from pathlib import Path

import numpy as np

from edge.audio_frontend import SAMPLE_RATE
from edge.errors import AudioInputError

KAISER_BETA = 5.0  # stop-band about -50 dB, the resample_poly default
ZERO_CROSSINGS = 10  # filter half-length in zero crossings of the sinc, per side
CHUNK_OUTPUTS = 1 << 16  # output samples computed per vectorised step (bounds memory)
_WAV_STREAMING_SIZES = {0, 0xFFFFFFFF, 0x7FFFFFFF}  # data sizes written by streaming recorders


def read_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read an audio file as float32 mono at `sample_rate`. Shape (n_samples,)."""
    import soundfile as sf  # edge extra; imported here so `edge` imports without it

    path = Path(path)
    if not path.is_file():
        raise AudioInputError(f"audio file {path} does not exist; pass the path of a WAV, FLAC or OGG file")
    _check_wav_not_truncated(path)
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)  # (n, channels)
    except (sf.LibsndfileError, RuntimeError, ValueError) as err:
        raise AudioInputError(
            f"cannot read audio file {path}: {err}; it is truncated, corrupt or not WAV/FLAC/OGG "
            f"(convert it with `sox {path.name} -r {sample_rate} out.wav`)"
        ) from err
    if data.shape[0] == 0:
        raise AudioInputError(f"audio file {path} holds no samples; record or export at least a fraction of a second")
    bad = ~np.isfinite(data)
    if bad.any():
        raise AudioInputError(
            f"audio file {path} holds {int(bad.sum())} NaN/Inf samples (first at {np.argmax(bad.any(axis=1)) / rate:.3f} s); "
            f"re-export it from its source as 16-bit PCM"
        )
    mono = data.mean(axis=1, dtype=np.float64).astype(np.float32)  # (n,)
    return resample(mono, rate, sample_rate)


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
    if orig_rate <= 0 or new_rate <= 0:
        raise AudioInputError(f"sample rates must be positive, got {orig_rate} -> {new_rate} Hz")
    x = np.asarray(audio, dtype=np.float64)  # (n,)
    if orig_rate == new_rate:
        return x.astype(np.float32)
    g = gcd(int(orig_rate), int(new_rate))
    up, down = int(new_rate) // g, int(orig_rate) // g
    taps = _lowpass(up, down)  # (L,), DC gain `up`
    half = (len(taps) - 1) // 2  # filter delay in upsampled samples
    n_taps_per_phase = -(-len(taps) // up)
    taps = np.pad(taps, (0, n_taps_per_phase * up - len(taps)))
    phases = taps.reshape(n_taps_per_phase, up).T  # (up, K): phase r holds taps r, r+up, r+2up, ...

    n_out = -(-len(x) * up // down)
    # y[n] = sum_k taps[r + k*up] * x[j//up - k], j = n*down + half, r = j % up
    pad_left = n_taps_per_phase  # zeros before x so j//up - k never goes negative
    xp = np.concatenate([np.zeros(pad_left), x, np.zeros(n_taps_per_phase + 1)])
    k = np.arange(n_taps_per_phase)  # (K,)
    out = np.empty(n_out, dtype=np.float32)
    for lo in range(0, n_out, CHUNK_OUTPUTS):
        n = np.arange(lo, min(lo + CHUNK_OUTPUTS, n_out))  # (C,)
        j = n * down + half
        base = j // up + pad_left  # (C,)
        frames = xp[base[:, None] - k[None, :]]  # (C, K)
        out[lo : lo + len(n)] = np.einsum("ck,ck->c", frames, phases[j % up])
    return out


def _lowpass(up: int, down: int) -> np.ndarray:
    """Kaiser-windowed sinc at the upsampled rate, cut-off at the lower Nyquist; shape (L,)."""
    max_rate = max(up, down)
    half = ZERO_CROSSINGS * max_rate
    t = np.arange(-half, half + 1) / max_rate  # (L,), in zero crossings
    h = np.sinc(t) * np.kaiser(2 * half + 1, KAISER_BETA)
    return h * (up / h.sum())  # unit DC gain after the zero-stuffing
