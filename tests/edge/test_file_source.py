"""FileSource: the daemon's file replay streams the file (bounded memory) and delivers the
same blocks, mute skips and loops as a whole-file read would."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from core.audio_io import read_audio
from core.errors import AudioInputError
from edge.capture import BLOCK_SAMPLES, FileSource
from edge.errors import CaptureError


def _wav(path, seconds: float, rate: int = 16000, seed: int = 0):
    rng = np.random.default_rng(seed)
    sf.write(path, (0.3 * rng.standard_normal(int(seconds * rate))).astype(np.float32), rate, subtype="PCM_16")
    return path


def _expected_blocks(path) -> list[np.ndarray]:
    """What the old whole-file replay delivered: read_audio, int16, cut into padded blocks."""
    samples = (np.clip(read_audio(path), -1.0, 1.0) * 32767.0).astype(np.int16)
    pad = (-len(samples)) % BLOCK_SAMPLES
    return list(np.pad(samples, (0, pad)).reshape(-1, BLOCK_SAMPLES))


def _drain(source: FileSource, n: int | None = None) -> list[np.ndarray]:
    out = []
    while n is None or len(out) < n:
        block = source.read(timeout=5.0)
        if block is None:
            break
        out.append(block.samples)
    return out


@pytest.mark.parametrize("rate", [16000, 44100])
def test_streamed_replay_equals_the_whole_file(tmp_path, rate):
    # 23.3 s: several 10 s read blocks, a partial last block, and a resampled case
    path = _wav(tmp_path / "a.wav", 23.3, rate)
    source = FileSource(path, speed=1e6)
    source.open()
    got = _drain(source)
    want = _expected_blocks(path)
    assert source.n_samples == len(read_audio(path))
    assert len(got) == len(want)
    # the same resampler run in blocks vs whole gives int16 samples at most 1 LSB apart (float rounding)
    assert max(int(np.abs(g.astype(np.int32) - w).max()) for g, w in zip(got, want)) <= 1


def test_loop_restarts_and_a_late_reopen_skips_what_played_while_closed(tmp_path):
    path = _wav(tmp_path / "b.wav", 3.0)
    want = _expected_blocks(path)
    source = FileSource(path, speed=1e6, loop=True)
    source.open()
    got = _drain(source, len(want) + 3)  # past the end: the loop starts over from the first block
    assert all(np.array_equal(a, b) for a, b in zip(got, want + want[:3]))

    slow = FileSource(path, speed=100.0)
    slow.open()
    _drain(slow, 2)
    slow.close()
    slow._t0 = time.time() - 2.0 / slow.speed  # 2 s of audio have played while it was closed (muted)
    slow.open()
    block = slow.read(timeout=5.0)
    index = slow._pos // BLOCK_SAMPLES - 1
    assert (index + 1) * BLOCK_SAMPLES > 2.0 * 16000  # skipped forward (block-aligned), not resumed where it stopped
    assert np.array_equal(block.samples, want[index])


def test_replay_memory_does_not_grow_with_the_file(tmp_path):
    """A 10-minute file: the old whole-file read held about 57 MB (float32 + int16 copies)."""
    path = _wav(tmp_path / "long.wav", 600.0)
    tracemalloc.start()
    try:
        source = FileSource(path, speed=1e6)
        source.open()
        _drain(source, 200)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # one 10 s read block in float64/float32/int16 forms is about 3 MB; 16 MB leaves room and is
    # far below the ~57 MB a whole-file read of 10 minutes needs
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_bad_files_and_speeds_fail_at_construction(tmp_path):
    with pytest.raises(AudioInputError):
        FileSource(tmp_path / "missing.wav")
    bad = tmp_path / "nan.wav"
    audio = np.zeros(16000 * 25, dtype=np.float32)
    audio[16000 * 21] = np.nan  # in the third read block: found by the up-front pass, not mid-replay
    sf.write(bad, audio, 16000, subtype="FLOAT")
    with pytest.raises(AudioInputError, match="NaN"):
        FileSource(bad)
    for speed in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(CaptureError, match="speed"):
            FileSource(_wav(tmp_path / "ok.wav", 1.0), speed=speed)


@pytest.fixture(scope="module")
def looped(tmp_path_factory):
    """A 1 s file and its blocks, written once for every example of the property."""
    path = _wav(tmp_path_factory.mktemp("looped") / "loop.wav", 1.0)
    return path, _expected_blocks(path)


@settings(max_examples=40, deadline=None)
@given(laps=st.integers(1, 500), into=st.floats(0.0, 0.99), stopped_at=st.integers(0, 5))
def test_fuzz_a_looped_replay_unmuted_after_any_mute_plays_only_what_is_due_now(looped, laps, into, stopped_at):
    """`--source F --loop` after a long mute replayed the muted period at once: 9 segments dated
    inside the mute, 9 alerts in 0.6 s (issue 29). After any mute, the first block is the one
    the loop has reached now, dated now, and the ones after it follow in real time."""
    path, blocks = looped
    source = FileSource(path, speed=100.0, loop=True)
    source.open()
    _drain(source, stopped_at)
    source.close()
    length_s = source.n_samples / 16000 / source.speed  # wall seconds per lap
    source._t0 = time.time() - (laps + into) * length_s  # `laps` and a fraction went by while it was closed
    before = time.time()
    source.open()
    block = source.read(timeout=5.0)
    assert block.time >= before - BLOCK_SAMPLES / 16000 / source.speed - 1e-6  # not dated inside the mute
    index = source._pos // BLOCK_SAMPLES - 1
    assert np.array_equal(block.samples, blocks[index])
    assert abs(index * BLOCK_SAMPLES - into * source.n_samples) <= BLOCK_SAMPLES + 0.01 * source.n_samples
