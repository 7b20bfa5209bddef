"""The audio front end, once and torch-free: waveform -> Whisper log-mel spectrogram.

Training computes its encoder inputs here and the edge does the same on the device, so
the two can never drift apart. The numbers follow openai/whisper `audio.py` and
transformers' `WhisperFeatureExtractor` (numpy path): a periodic Hann window, a centred
STFT with reflect padding, the power spectrum, a Slaney mel filter bank, log10 with a
floor of 1e-10, a dynamic range of 8 (log10 units) below the maximum, then (x + 4) / 4.

Windows shorter than Whisper's 30 s are supported (whisper.cpp's `audio_ctx`): pad the
waveform to the window with `pad_or_trim`, and the encoder sees 100 frames per second.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16000  # Hz, Whisper's input rate
N_FFT = 400  # samples per STFT frame (25 ms)
HOP_LENGTH = 160  # samples between frames (10 ms)
N_MELS = 80  # mel bands of Whisper tiny..large-v2 (large-v3 uses 128)
CHUNK_SECONDS = 30  # Whisper's native window
MAX_N_MELS = 512  # mel bands a bundle may declare: 4x Whisper large-v3's; more is a damaged manifest
MIN_FILE_RATE, MAX_FILE_RATE = 4000, 384000  # Hz an audio file may be recorded at (telephone .. studio); outside: a bad header
LOG_FLOOR = 1e-10  # power floor before log10
DYNAMIC_RANGE = 8.0  # log10 units kept below the loudest bin

FRAMES_PER_SECOND = SAMPLE_RATE // HOP_LENGTH  # 100 mel frames per second
if SAMPLE_RATE % HOP_LENGTH:
    raise ValueError("SAMPLE_RATE must be a multiple of HOP_LENGTH")


def window_samples(seconds: float) -> int:
    """Samples in a window of `seconds` (rounded to whole mel frames)."""
    return window_frames(seconds) * HOP_LENGTH


def window_frames(seconds: float) -> int:
    """Mel frames in a window of `seconds`; must be even (Whisper's conv2 has stride 2)."""
    frames = int(round(seconds * FRAMES_PER_SECOND))
    if frames <= 0 or frames % 2:
        raise ValueError(f"window of {seconds} s gives {frames} mel frames; use a multiple of 0.02 s")
    return frames


def pad_or_trim(audio: np.ndarray, length: int) -> np.ndarray:
    """Zero-pad or cut the last axis of `audio` to `length` samples."""
    n = audio.shape[-1]
    if n > length:
        return audio[..., :length]
    if n < length:
        pad = [(0, 0)] * (audio.ndim - 1) + [(0, length - n)]
        return np.pad(audio, pad)
    return audio


def _hz_to_mel(freq: np.ndarray) -> np.ndarray:
    """Slaney mel scale: linear below 1 kHz, logarithmic above."""
    freq = np.asarray(freq, dtype=np.float64)
    mels = 3.0 * freq / 200.0
    log_region = freq >= 1000.0
    logstep = 27.0 / np.log(6.4)
    return np.where(log_region, 15.0 + np.log(np.maximum(freq, 1e-12) / 1000.0) * logstep, mels)


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    mels = np.asarray(mels, dtype=np.float64)
    freq = 200.0 * mels / 3.0
    logstep = np.log(6.4) / 27.0
    return np.where(mels >= 15.0, 1000.0 * np.exp(logstep * (mels - 15.0)), freq)


@lru_cache(maxsize=4)
def mel_filters(n_mels: int = N_MELS) -> np.ndarray:
    """Slaney-normalised triangular mel filters, shape (n_mels, N_FFT // 2 + 1), float64."""
    n_freqs = N_FFT // 2 + 1
    fft_freqs = np.linspace(0.0, SAMPLE_RATE / 2, n_freqs)  # (F,)
    mel_points = np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), n_mels + 2)
    hz_points = _mel_to_hz(mel_points)  # (M + 2,)
    widths = np.diff(hz_points)  # (M + 1,)
    slopes = hz_points[None, :] - fft_freqs[:, None]  # (F, M + 2)
    down = -slopes[:, :-2] / widths[:-1]  # (F, M)
    up = slopes[:, 2:] / widths[1:]  # (F, M)
    filters = np.maximum(0.0, np.minimum(down, up))  # (F, M)
    filters *= 2.0 / (hz_points[2 : n_mels + 2] - hz_points[:n_mels])  # Slaney area norm
    filters = filters.T  # (M, F)
    filters.setflags(write=False)
    return filters


@lru_cache(maxsize=1)
def _hann_window() -> np.ndarray:
    window = np.hanning(N_FFT + 1)[:-1]  # periodic, as torch.hann_window
    window.setflags(write=False)
    return window


def log_mel_spectrogram(audio: np.ndarray, n_mels: int = N_MELS) -> np.ndarray:
    """Whisper log-mel features.

    audio: (n_samples,) mono float waveform at SAMPLE_RATE, already padded to the window.
    Returns (n_mels, n_samples // HOP_LENGTH) float32, values roughly in [-1, 1.5].
    """
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim != 1:
        raise ValueError(f"expected a mono waveform of shape (n_samples,), got shape {audio.shape}")
    if audio.shape[0] < N_FFT // 2 + 1:
        raise ValueError(f"waveform of {audio.shape[0]} samples is too short for one frame")
    padded = np.pad(audio, N_FFT // 2, mode="reflect")  # centred frames
    n_frames = 1 + (padded.shape[0] - N_FFT) // HOP_LENGTH
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP_LENGTH][:n_frames]
    spectrum = np.fft.rfft(frames * _hann_window(), axis=-1)  # (T + 1, F)
    power = spectrum.real**2 + spectrum.imag**2  # (T + 1, F)
    mel = mel_filters(n_mels) @ power.T  # (M, T + 1)
    log_spec = np.log10(np.maximum(mel, LOG_FLOOR))[:, :-1]  # (M, T): Whisper drops the last frame
    log_spec = np.maximum(log_spec, log_spec.max() - DYNAMIC_RANGE)
    return ((log_spec + 4.0) / 4.0).astype(np.float32)


def features_for_window(audio: np.ndarray, window_seconds: float, n_mels: int = N_MELS) -> np.ndarray:
    """Pad/trim a mono waveform to the window, then log-mel: (n_mels, window_frames)."""
    return log_mel_spectrogram(pad_or_trim(np.asarray(audio), window_samples(window_seconds)), n_mels)
