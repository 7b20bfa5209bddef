"""edge.activity: frames classified by webrtcvad + energy/spectral gates, and the segmenter's timing.

Every signal is generated here: espeak-ng speech, numpy tones and noise, digital silence.
Times are checked against where the test put the sounds, with the segmenter's pre-roll
(0.3 s) and hangover (0.5 s), to within a few 30 ms frames.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from core.audio_io import read_audio
from edge.activity import FRAME_SAMPLES, ActivityConfig, ActivityDetector, Segmenter, SegmenterConfig
from tests.edge.alarms.signals import T3, beeping, in_noise

SR = 16000
FRAME = FRAME_SAMPLES / SR  # 0.03 s
PRE, HANG = 0.3, 0.5  # SegmenterConfig defaults


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng)")
    path = tmp_path_factory.mktemp("espeak") / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "Please check the kitchen window"], check=True, timeout=30)
    return read_audio(path)  # 22.05 kHz -> 16 kHz mono


def noise(seconds: float, dbfs: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(int(seconds * SR)) * 10 ** (dbfs / 20)


def tone(freq: float, seconds: float, amp: float) -> np.ndarray:
    return amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * SR)) / SR)


def int16(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, -1, 1) * 32767).astype(np.int16)


def segment(x: np.ndarray, block: int = FRAME_SAMPLES, config: SegmenterConfig = SegmenterConfig()):
    """Push `x` in blocks of `block` samples with the clock at 0 s for the first sample."""
    seg = Segmenter(config)
    samples = int16(x)
    out = []
    for i in range(0, len(samples), block):
        out += seg.push(samples[i : i + block], i / SR)
    return out + seg.flush()


def extent(x: np.ndarray, thresh: float = 0.01) -> tuple[float, float]:
    """First and last sample above `thresh`, in seconds."""
    idx = np.flatnonzero(np.abs(x) > thresh)
    return idx[0] / SR, (idx[-1] + 1) / SR


@pytest.mark.parametrize("room_dbfs", [-70.0, -35.0])
def test_tone_then_speech_give_two_segments_at_the_right_times(speech, room_dbfs):
    """1 s room, 0.8 s of 1 kHz tone, 2 s room, espeak speech, 2 s room."""
    on, off = extent(speech)
    speech_at = 3.8
    x = np.concatenate([np.zeros(SR), tone(1000, 0.8, 0.25), np.zeros(2 * SR), 0.5 * speech, np.zeros(2 * SR)])
    x += noise(len(x) / SR, room_dbfs)
    segs = segment(x)
    assert len(segs) == 2, [(s.start, s.end, s.kind) for s in segs]
    beep, talk = segs
    assert beep.kind == "sound"
    assert beep.start == pytest.approx(1.0 - PRE, abs=2 * FRAME)
    assert beep.end == pytest.approx(1.8 + HANG, abs=3 * FRAME)
    assert talk.kind == "speech"
    assert talk.start == pytest.approx(speech_at + on - PRE, abs=4 * FRAME)
    assert talk.end == pytest.approx(speech_at + off + HANG, abs=5 * FRAME)
    assert len(talk.audio) == pytest.approx((talk.end - talk.start) * SR)


def test_block_size_does_not_change_the_segments(speech):
    x = np.concatenate([np.zeros(SR), 0.5 * speech, np.zeros(SR), tone(700, 0.5, 0.3), np.zeros(SR)])
    x += noise(len(x) / SR, -60.0)
    a = [(round(s.start, 6), round(s.end, 6), s.kind) for s in segment(x, block=FRAME_SAMPLES)]
    b = [(round(s.start, 6), round(s.end, 6), s.kind) for s in segment(x, block=1000)]
    assert a == b and len(a) == 2


def test_long_activity_is_cut_at_the_maximum_length():
    x = np.concatenate([np.zeros(SR), tone(500, 7.0, 0.3), np.zeros(SR)]) + noise(9.0, -65.0)
    segs = segment(x, config=SegmenterConfig(max_length_s=3.0))
    assert [round(s.duration, 2) for s in segs[:2]] == [3.0, 3.0]
    assert segs[0].start == pytest.approx(1.0 - PRE, abs=2 * FRAME)
    for a, b in zip(segs, segs[1:]):  # back to back: nothing lost between the pieces
        assert b.start == pytest.approx(a.end, abs=1e-6)
    assert segs[-1].end == pytest.approx(8.0 + HANG, abs=3 * FRAME)


def test_a_click_is_too_short_to_be_a_segment():
    x = np.zeros(2 * SR)
    x[SR : SR + 40] = 0.8  # 2.5 ms
    assert segment(x + noise(2.0, -65.0)) == []


def test_steady_noise_alone_is_not_activity():
    """webrtcvad fires on noise; the noise floor keeps it from making segments."""
    assert segment(noise(6.0, -30.0)) == []


def test_a_beep_under_broadband_noise_is_found_by_the_spectral_gate():
    """A 3 kHz beep 9 dB below -25 dBFS noise barely moves the level, but stands out in its bins."""
    room = noise(5.5, -25.0, seed=3)
    beep = np.concatenate([np.zeros(3 * SR), tone(3000, 0.5, 0.05), np.zeros(2 * SR)])
    x = room + beep
    frames = int16(x)[: len(x) // FRAME_SAMPLES * FRAME_SAMPLES].reshape(-1, FRAME_SAMPLES)
    det = ActivityDetector()
    acts = [det.frame(f) for f in frames]
    during = [a for a, t in zip(acts, np.arange(len(acts)) * FRAME) if 3.05 < t < 3.45]
    rise = np.mean([a.level_dbfs for a in during]) - np.mean([a.floor_dbfs for a in during])
    assert rise < ActivityConfig().energy_margin_db  # the energy gate alone would miss it
    segs = segment(x)
    assert len(segs) == 1 and segs[0].kind == "sound"
    assert segs[0].start == pytest.approx(3.0 - PRE, abs=3 * FRAME)


def test_detector_rejects_wrong_frames():
    det = ActivityDetector()
    with pytest.raises(ValueError):
        det.frame(np.zeros(FRAME_SAMPLES, np.float32))
    with pytest.raises(ValueError):
        det.frame(np.zeros(320, np.int16))
    with pytest.raises(ValueError):
        Segmenter().push(np.zeros(480, np.float32), 0.0)


def test_reset_drops_the_open_segment():
    seg = Segmenter()
    x = int16(np.concatenate([np.zeros(SR), tone(1000, 1.0, 0.3)]))
    assert seg.push(x, 0.0) == []  # the tone is still going: its segment is open
    seg.reset()
    assert seg.flush() == []


def speech_like(seconds: float) -> np.ndarray:
    """Bursts (2 a second) of a gliding 130 Hz harmonic series shaped by three formants: webrtcvad calls it speech."""
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(120 + 20 * np.sin(2 * np.pi * 0.7 * t)) / SR
    formants = lambda f: (np.exp(-(((f - 500) / 200) ** 2)) + 0.7 * np.exp(-(((f - 1500) / 300) ** 2))  # noqa: E731
                          + 0.4 * np.exp(-(((f - 2500) / 400) ** 2)))
    x = sum(formants(k * 130) * np.sin(k * phase) for k in range(1, 30))
    return 0.1 * x * np.clip(np.sin(2 * np.pi * 2 * t), 0, None)


BATCH_SIGNALS = {
    "silence": lambda: np.zeros(4 * SR),
    "room -70 dBFS": lambda: noise(6.0, -70.0),
    "room -45 dBFS": lambda: noise(6.0, -45.0, seed=1),
    "room -25 dBFS": lambda: noise(6.0, -25.0, seed=2),
    "speech-like bursts": lambda: np.concatenate([np.zeros(SR), speech_like(3.0), np.zeros(SR)]) + noise(5.0, -50.0),
    "tone": lambda: np.concatenate([np.zeros(SR), tone(1000, 0.8, 0.25), np.zeros(2 * SR)]) + noise(3.8, -60.0),
    "beep under noise": lambda: noise(5.5, -25.0, seed=3) + np.concatenate(
        [np.zeros(3 * SR), tone(3000, 0.5, 0.05), np.zeros(2 * SR)]),
    "temporal-three in noise": lambda: in_noise(beeping(T3, seconds=6.0), 10.0),
}


def as_frames(x: np.ndarray) -> np.ndarray:
    """float samples -> int16 frames (n, FRAME_SAMPLES), dropping the partial last frame."""
    samples = int16(x)
    return samples[: len(samples) // FRAME_SAMPLES * FRAME_SAMPLES].reshape(-1, FRAME_SAMPLES)


def assert_batches_match_frames(x: np.ndarray) -> None:
    """`frames()` in blocks of 1, 4 and 7 frames, and `push` in blocks of 4 and 7 frames, give what
    `frame()` one frame at a time (and `push` one frame at a time) give.

    Levels and floors are compared to 1e-9 dB: they do not go through the FFT, and the only way
    batching could move them is a different summation order in the per-frame mean square (480
    terms, a relative error of at most ~480 * 2.2e-16 ~ 1e-13, i.e. ~5e-13 dB). The batched
    (n, 512) rfft may differ from the one-frame rfft in the last bits; that only reaches the
    booleans through comparisons with 12 dB margins, so they must be equal on these signals.
    Segments must be equal outright: their times come from the push clock, their audio is the
    pushed samples.
    """
    frames = as_frames(x)  # (n, 480)
    det = ActivityDetector()
    ref = [det.frame(f) for f in frames]
    for k in (1, 4, 7):
        det = ActivityDetector()
        got = [a for i in range(0, len(frames), k) for a in det.frames(frames[i : i + k])]
        assert [(a.speech, a.sound) for a in got] == [(a.speech, a.sound) for a in ref], k
        np.testing.assert_allclose([a.level_dbfs for a in got], [a.level_dbfs for a in ref], rtol=0, atol=1e-9)
        np.testing.assert_allclose([a.floor_dbfs for a in got], [a.floor_dbfs for a in ref], rtol=0, atol=1e-9)

    def segs(block: int):
        return [(s.start, s.end, s.kind, s.audio) for s in segment(x, block=block)]

    one = segs(FRAME_SAMPLES)
    for k in (4, 7):
        got = segs(k * FRAME_SAMPLES)
        assert [s[:3] for s in got] == [s[:3] for s in one], k
        for a, b in zip(got, one):
            np.testing.assert_array_equal(a[3], b[3])


@pytest.mark.parametrize("name", BATCH_SIGNALS)
def test_frames_in_blocks_give_what_frame_gives(name):
    assert_batches_match_frames(BATCH_SIGNALS[name]())


def test_frames_in_blocks_give_what_frame_gives_on_speech(speech):
    x = np.concatenate([np.zeros(SR), 0.5 * speech, np.zeros(SR), tone(700, 0.5, 0.3), np.zeros(SR)])
    assert_batches_match_frames(x + noise(len(x) / SR, -60.0))


def test_the_batch_signals_reach_every_gate():
    """The signals above are only a check if they exercise speech, sound and quiet frames."""
    det = ActivityDetector()
    acts = [det.frame(f) for f in as_frames(BATCH_SIGNALS["speech-like bursts"]())]
    assert sum(a.speech for a in acts) > 20 and sum(not a.active for a in acts) > 20
    det = ActivityDetector()
    acts = [det.frame(f) for f in as_frames(BATCH_SIGNALS["beep under noise"]())]
    assert any(a.sound for a in acts)


def test_frames_rejects_wrong_shapes():
    det = ActivityDetector()
    assert det.frames(np.zeros((0, FRAME_SAMPLES), np.int16)) == []
    with pytest.raises(ValueError):
        det.frames(np.zeros(FRAME_SAMPLES, np.int16))
    with pytest.raises(ValueError):
        det.frames(np.zeros((2, 320), np.int16))
    with pytest.raises(ValueError):
        det.frames(np.zeros((2, FRAME_SAMPLES), np.float32))
