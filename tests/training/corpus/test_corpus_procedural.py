"""Procedural synthesizers: valid audio, reproducible per seed, distinct across seeds, and
the alarm patterns of the real devices."""

from __future__ import annotations

import numpy as np
import pytest

from training.corpus.dsp import SR
from training.corpus.events import labels
from training.corpus.procedural import SYNTHS, synthesize


def test_every_synthesizer_has_a_library_label():
    assert set(SYNTHS) <= set(labels())
    assert "speech" not in SYNTHS  # espeak-ng speaks


@pytest.mark.parametrize("label", sorted(SYNTHS))
def test_synth_output_is_valid_reproducible_and_varied(label):
    a = synthesize(label, 11, 10.0)
    assert a.dtype == np.float32 and a.ndim == 1
    assert np.isfinite(a).all()
    assert 0 < a.size <= 10 * SR
    assert np.max(np.abs(a)) == pytest.approx(0.5, abs=1e-3)
    assert np.array_equal(a, synthesize(label, 11, 10.0))
    b = synthesize(label, 12, 10.0)
    assert a.size != b.size or not np.allclose(a, b)


@pytest.mark.parametrize("label", sorted(SYNTHS))
def test_synth_respects_max_duration(label):
    assert synthesize(label, 3, 1.5).size <= int(1.5 * SR)


def _bursts(x: np.ndarray) -> list[tuple[float, float]]:
    """(start, duration) in seconds of the runs of 10 ms frames above 10 % of the peak level."""
    frame = SR // 100
    rms = np.sqrt(np.mean(x[: x.size // frame * frame].reshape(-1, frame) ** 2, axis=1))
    on = rms > 0.1 * rms.max()
    edges = np.diff(np.concatenate([[0], on.astype(int), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [(s / 100, (e - s) / 100) for s, e in zip(starts, ends)]


@pytest.mark.parametrize("seed", range(5))
def test_smoke_alarm_is_temporal_three(seed):
    bursts = _bursts(synthesize("smoke_alarm", seed, 10.0))
    assert len(bursts) % 3 == 0 and bursts
    assert all(0.4 <= d <= 0.6 for _, d in bursts)
    for k in range(0, len(bursts), 3):  # 0.5 s gaps inside a group of three
        group = bursts[k : k + 3]
        assert all(0.85 <= b[0] - a[0] <= 1.15 for a, b in zip(group, group[1:]))
    for a, b in zip(bursts[2::3], bursts[3::3]):  # then a 1.5 s pause
        assert 1.3 <= b[0] - a[0] - a[1] <= 1.7


@pytest.mark.parametrize("seed", range(5))
def test_co_alarm_is_temporal_four(seed):
    bursts = _bursts(synthesize("co_alarm", seed, 10.0))
    assert len(bursts) in (4, 8)
    assert all(0.06 <= d <= 0.15 for _, d in bursts)
    if len(bursts) == 8:
        assert 4.3 <= bursts[4][0] - bursts[3][0] - bursts[3][1] <= 5.8


def test_smoke_alarm_pitch_is_near_three_kilohertz():
    x = synthesize("smoke_alarm", 1, 10.0)
    spec = np.abs(np.fft.rfft(x))
    peak = np.fft.rfftfreq(x.size, 1 / SR)[np.argmax(spec)]
    assert 2800 <= peak <= 3600
