"""core.audio_io: reading, downmixing and resampling audio files, and the errors for bad ones."""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from core.audio_io import read_audio, resample
from core.errors import AudioInputError, ListenError


def tone(freq: float, seconds: float, rate: int, amp: float = 0.5) -> np.ndarray:
    return (amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)).astype(np.float32)


def peak_hz(x: np.ndarray, rate: int = 16000) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spec)])


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_resample_keeps_a_tone(rate):
    x = tone(440.0, 1.0, rate)
    y = resample(x, rate, 16000)
    assert y.dtype == np.float32
    assert len(y) == round(len(x) * 16000 / rate)
    ideal = tone(440.0, len(y) / 16000, 16000)[: len(y)]
    inner = slice(400, len(y) - 400)  # the filter's edges see zeros beyond the clip
    assert np.max(np.abs(y[inner] - ideal[inner])) < 3e-3


def test_resample_removes_what_lies_above_the_new_nyquist():
    x = tone(12000.0, 1.0, 44100)  # above 8 kHz: must not alias into the 16 kHz output
    y = resample(x, 44100, 16000)
    rms = np.sqrt(np.mean(y[400:-400] ** 2))
    assert 20 * np.log10(rms / (0.5 / np.sqrt(2))) < -40.0


@pytest.mark.parametrize("fmt,ext", [("WAV", "wav"), ("FLAC", "flac"), ("OGG", "ogg")])
def test_reads_44k_stereo_as_16k_mono(tmp_path, fmt, ext):
    left, right = tone(500.0, 1.0, 44100, 0.4), tone(500.0, 1.0, 44100, 0.2)
    path = tmp_path / f"clip.{ext}"
    sf.write(path, np.stack([left, right], axis=1), 44100, format=fmt)
    audio = read_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - 16000) <= 1
    assert abs(peak_hz(audio) - 500.0) < 5.0
    amp = np.sqrt(2) * np.sqrt(np.mean(audio[1000:-1000] ** 2))
    assert amp == pytest.approx(0.3, abs=0.02)  # the mean of the two channels


def test_8k_stereo_is_downmixed_and_upsampled(tmp_path):
    """An 8 kHz stereo file with a different tone per channel: both tones survive, at half level."""
    path = tmp_path / "phone.wav"
    sf.write(path, np.stack([tone(300.0, 2.0, 8000), tone(1000.0, 2.0, 8000)], axis=1), 8000, subtype="PCM_16")
    audio = read_audio(path)
    assert len(audio) == 32000
    spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    freqs = np.fft.rfftfreq(len(audio), 1 / 16000)
    top2 = sorted(freqs[np.argsort(spec)[-2:]])
    assert top2 == pytest.approx([300.0, 1000.0], abs=2.0)
    assert np.max(np.abs(audio)) == pytest.approx(0.5, abs=0.05)  # (0.5 + 0.5) / 2 at the peaks
    assert spec[(freqs > 4100) & (freqs < 8000)].max() < 1e-3 * spec.max()  # nothing above the 8 kHz source's band


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioInputError, match="holds no samples") as err:
        read_audio(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_truncated_wav_is_refused(tmp_path):
    """libsndfile would silently read half; the header's data size gives the truncation away."""
    whole = tmp_path / "whole.wav"
    sf.write(whole, tone(440.0, 1.0, 16000), 16000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(AudioInputError, match="truncated") as err:
        read_audio(cut)
    assert str(cut) in str(err.value) and "re-copy or re-export" in str(err.value)


@pytest.mark.parametrize("fmt,ext", [("FLAC", "flac"), ("OGG", "ogg")])
def test_truncated_compressed_file_is_refused(tmp_path, fmt, ext):
    whole = tmp_path / f"whole.{ext}"
    sf.write(whole, tone(440.0, 1.0, 16000), 16000, format=fmt)
    cut = tmp_path / f"cut.{ext}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(AudioInputError, match="cannot read audio file") as err:
        read_audio(cut)
    assert str(cut) in str(err.value) and "\n" not in str(err.value)


def test_streamed_wav_with_unknown_size_is_read(tmp_path):
    """Recorders that stream to a pipe write 0xFFFFFFFF as the data size: not truncation."""
    path = tmp_path / "stream.wav"
    sf.write(path, tone(440.0, 0.5, 16000), 16000, subtype="PCM_16")
    raw = bytearray(path.read_bytes())
    pos = raw.index(b"data")
    raw[pos + 4 : pos + 8] = struct.pack("<I", 0xFFFFFFFF)
    path.write_bytes(bytes(raw))
    assert len(read_audio(path)) == 8000


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_refused(tmp_path, bad):
    x = tone(440.0, 1.0, 16000)
    x[8000] = bad
    path = tmp_path / "bad.wav"
    sf.write(path, x, 16000, subtype="FLOAT")
    with pytest.raises(AudioInputError, match=r"1 NaN/Inf samples \(first at 0.500 s\)") as err:
        read_audio(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("content", [b"", b"RIFF", b"this is not audio at all" * 10])
def test_unreadable_files(tmp_path, content):
    path = tmp_path / "notes.wav"
    path.write_bytes(content)
    with pytest.raises(AudioInputError, match="cannot read audio file") as err:
        read_audio(path)
    assert isinstance(err.value, ListenError)  # the family the CLI reports in one line


def test_missing_file(tmp_path):
    with pytest.raises(AudioInputError, match="does not exist"):
        read_audio(tmp_path / "nope.wav")


# -- reading in blocks (bounded memory for any length) ----------------------------------


@pytest.mark.parametrize("rates", [(44100, 16000), (8000, 16000), (48000, 16000), (22050, 16000), (16000, 16000)])
def test_streaming_resampler_equals_the_one_shot(rates):
    """Blocks of any size, concatenated, give `resample` of the whole signal."""
    from core.audio_io import Resampler

    rng = np.random.default_rng(1)
    x = rng.standard_normal(int(1.3 * rates[0])).astype(np.float32)
    whole = resample(x, *rates)
    r, out, pos = Resampler(*rates), [], 0
    for size in [1, 7, 0, 333, 4096, 10, 100000]:
        out.append(r.process(x[pos : pos + size]))
        pos += size
    out.append(r.process(x[pos:], final=True))
    streamed = np.concatenate(out)
    assert streamed.shape == whole.shape == (round(len(x) * rates[1] / rates[0]),)
    # libsoxr's one-shot call is one pass of the same stream state machine, and each output
    # sample is the same float32 dot product whatever the block sizes: equal to the bit here
    # (measured), allowed one fp32 rounding step of the signal's scale (~4) in case a
    # libsoxr build vectorises block edges differently
    np.testing.assert_allclose(streamed, whole, rtol=0, atol=1e-6)


def test_a_long_file_is_read_in_bounded_blocks(tmp_path):
    """iter_audio_blocks never yields more than one block's worth, and the blocks make up read_audio."""
    from core.audio_io import BLOCK_SECONDS, iter_audio_blocks

    rate = 44100
    x = tone(500.0, 3 * BLOCK_SECONDS + 1.3, rate, 0.3)
    path = tmp_path / "long.flac"
    sf.write(path, np.stack([x, x], axis=1), rate)
    blocks = list(iter_audio_blocks(path))
    assert len(blocks) >= 4
    assert max(len(b) for b in blocks) <= BLOCK_SECONDS * 16000 + 64  # + the resampler's carry-over
    joined = np.concatenate(blocks)
    whole = resample(sf.read(path, dtype="float32")[0].mean(axis=1), rate, 16000)
    np.testing.assert_allclose(joined, whole, rtol=0, atol=1e-6)  # as above: the stream equals the one-shot


def test_a_directory_is_named_as_such(tmp_path):
    with pytest.raises(AudioInputError, match="is a directory"):
        read_audio(tmp_path)


def test_nan_in_a_later_block_is_refused_with_its_time(tmp_path):
    from core.audio_io import BLOCK_SECONDS

    x = tone(440.0, BLOCK_SECONDS * 2 + 1.0, 16000)
    at = int((BLOCK_SECONDS + 0.25) * 16000)
    x[at] = np.nan
    x[-1] = np.inf
    path = tmp_path / "late.wav"
    sf.write(path, x, 16000, subtype="FLOAT")
    with pytest.raises(AudioInputError, match=rf"2 NaN/Inf samples \(first at {BLOCK_SECONDS + 0.25:.3f} s\)"):
        read_audio(path)


# -- what the file system hands over, and what a header claims (issue 29) -----------------

def _wav_claiming(path, rate: int, samples: int = 160) -> None:
    """A 16-bit mono WAV of `samples` samples whose header says `rate` Hz (byte rate to match)."""
    sf.write(path, tone(440.0, samples / 16000, 16000), 16000, subtype="PCM_16")
    raw = bytearray(path.read_bytes())
    raw[24:32] = struct.pack("<II", rate, (rate * 2) & 0xFFFFFFFF)  # fmt chunk: sample rate, byte rate
    path.write_bytes(bytes(raw))


def test_a_wav_claiming_one_hertz_is_refused(tmp_path):
    """Once a 320 KB file became 44 h of audio (still resampling after 200 s, 794 MB)."""
    path = tmp_path / "one.wav"
    _wav_claiming(path, 1)
    with pytest.raises(AudioInputError, match=r"claims 1 Hz, outside 4000\.\.384000 Hz") as err:
        read_audio(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@settings(max_examples=40, deadline=None)
@given(rate=st.one_of(st.integers(1, 3999), st.integers(4000, 384000), st.integers(384001, 2**32 - 1)))
def test_fuzz_any_header_rate_reads_in_bounded_memory_or_is_one_line(rate):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rate.wav"
        _wav_claiming(path, rate)
        try:
            audio = read_audio(path)
        except AudioInputError as err:
            assert "\n" not in str(err) and str(path) in str(err)
            assert not 4000 <= rate <= 384000  # a sane rate is read
            return
        assert 4000 <= rate <= 384000
        assert len(audio) == round(160 * 16000 / rate)  # 160 samples at `rate`, as 16 kHz


def test_a_pipe_is_named_as_such_not_missing(tmp_path):
    fifo = tmp_path / "mic.wav"
    os.mkfifo(fifo)
    with pytest.raises(AudioInputError, match=r"is a pipe \(a FIFO or a shell process substitution\), not a file"):
        read_audio(fifo)  # never opened: opening a FIFO would wait for a writer
    read_end, write_end = os.pipe()  # what bash's <(...) hands over: /dev/fd/N
    try:
        with pytest.raises(AudioInputError, match="is a pipe"):
            read_audio(f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_device_is_named_as_such_and_never_read():
    with pytest.raises(AudioInputError, match="/dev/zero is a character device, not a file"):
        read_audio("/dev/zero")
