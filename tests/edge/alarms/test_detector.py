"""The streaming alarm detector on generated audio: patterns in noise, block boundaries, hard negatives."""

import numpy as np
import pytest

from core.audio import SAMPLE_RATE as SR
from edge.alarms import AlarmDetector
from edge.alarms.detector import HISTORY_S
from tests.edge.alarms.signals import T3, T3_QUICK, T4, beeping, in_noise, in_room


def run(x: np.ndarray, block: int = 1600, groups: int = 1):
    d = AlarmDetector(groups=groups)
    return [m for i in range(0, len(x), block) for m in d.feed(x[i:i + block])]


@pytest.mark.parametrize("snr_db", [20, 0, -5])
def test_a_temporal_three_is_smoke_within_one_cycle(snr_db):
    found = run(in_noise(beeping(T3), snr_db))
    assert found and {m.alarm for m in found} == {"smoke"} and found[0].pattern == "temporal-three"
    first = found[0]
    assert first.first_beep_s == pytest.approx(1.0, abs=0.03) and first.at_s - 1.0 < 4.5  # the issue: median <= 4.5 s
    assert first.tone_hz == pytest.approx(3100, rel=0.01) and first.band == "piezo"


@pytest.mark.parametrize("snr_db", [20, 0, -5])
def test_a_temporal_four_is_carbon_monoxide_never_smoke(snr_db):
    found = run(in_noise(beeping(T4), snr_db))
    assert found and {m.alarm for m in found} == {"carbon monoxide"}
    assert found[0].at_s - found[0].first_beep_s < 10.0


def test_the_quick_temporal_three_the_learned_model_missed():
    """0.25 s on and off, three, then a pause: "No, I don't hear a smoke alarm." (P = 0.36) before."""
    found = run(in_noise(beeping(T3_QUICK), 0))
    assert found and found[0].alarm == "smoke" and found[0].at_s - 1.0 < 3.0


def test_a_low_frequency_alarm_is_its_520_hz_square_wave():
    found = run(in_noise(beeping(T3, freq=520.0, square=True), 0))
    assert any(m.band == "520 Hz" and m.alarm == "smoke" for m in found)
    assert not run(in_noise(beeping(T3, freq=520.0), 0))  # a 520 Hz sine (a hum, a voice) lacks the harmonics


@pytest.mark.parametrize("block", [37, 160, 999, 16000, 10**7])
def test_the_matches_do_not_depend_on_how_the_audio_is_cut(block):
    x = in_noise(beeping(T3), 0)
    assert run(x, block) == run(x, 1600)


@pytest.mark.parametrize("what, audio", [
    ("a steady beeper (a reversing truck, a parking sensor)", beeping([(0.5, 0.5)])),
    ("a microwave that is done: three beeps once", beeping(T3, repeat=False)),
    ("an alarm clock: four quick beeps every second", beeping([(0.07, 0.08)] * 3 + [(0.07, 0.63)], freq=3300.0)),
    ("a continuous tone", beeping([(11.0, 0.0)])),
    ("white noise", in_noise(np.full(12 * SR, 1e-3, np.float32), -20)),
    ("silence", np.zeros(12 * SR, np.float32)),
])
def test_hard_negatives_never_match(what, audio):
    assert not run(in_noise(audio, 10) if audio.any() else audio), what


def test_memory_stays_bounded_on_a_long_alarm():
    d = AlarmDetector()
    x = beeping(T3, seconds=60.0)
    for i in range(0, len(x), 4000):
        d.feed(x[i:i + 4000])
    assert all(h[-1].time_s - h[0].time_s <= HISTORY_S for h in d._onsets if h)
    assert len(d.analyzer._tail) < 512


def test_other_sample_rates_are_refused_with_the_fix():
    from edge.alarms.tones import ToneAnalyzer

    with pytest.raises(ValueError, match="16000 Hz audio, not 44100 Hz; resample first"):
        ToneAnalyzer(sample_rate=44100)


def test_two_groups_in_a_row_confirm_a_cycle_later():
    x = in_noise(beeping(T3, seconds=14.0), 0)
    one, two = run(x), run(x, groups=2)
    assert one[0].at_s == pytest.approx(5.0, abs=0.05) and two[0].at_s == pytest.approx(9.0, abs=0.05)
    assert not [m for m in two if m.at_s < 8.5]
    with pytest.raises(ValueError, match="groups = 0"):
        AlarmDetector(groups=0)


@pytest.mark.parametrize("pattern, alarm, freq, square, rt60, distance", [
    (T3, "smoke", 3100.0, False, 0.5, 3.0), (T3, "smoke", 3100.0, False, 1.0, 6.0),
    (T4, "carbon monoxide", 3100.0, False, 0.5, 3.0), (T4, "carbon monoxide", 3100.0, False, 1.0, 6.0),
    (T3, "smoke", 520.0, True, 1.0, 6.0), (T4, "carbon monoxide", 520.0, True, 0.5, 3.0),
])
def test_alarms_across_a_reverberant_room(pattern, alarm, freq, square, rt60, distance):
    """A pure tone in a room sits in a notch of its response: the beep's end and middle rise like
    onsets. The pattern is still found, and a temporal-four is never read as smoke."""
    x = in_noise(in_room(beeping(pattern, freq, seconds=14.0, start=1.5, square=square), rt60, distance), 10)
    found = run(x)
    assert found and {m.alarm for m in found} == {alarm}
    assert found[0].at_s - 1.5 <= 10.0


def test_a_520_hz_alarm_under_a_bed_loud_in_the_lows():
    """Household beds are far louder at 500 Hz than at 3 kHz: the tone's floor is its own neighbourhood's."""
    from scipy.signal import lfilter

    x = beeping(T3, 520.0, seconds=14.0, square=True)
    bed = lfilter([1.0], [1.0, -0.95], np.random.default_rng(3).standard_normal(len(x))).astype(np.float32)
    bed *= np.sqrt(np.mean(x[x != 0] ** 2) / np.mean(bed**2)) * 10 ** (0 / 20)  # 0 dB broadband
    assert any(m.band == "520 Hz" and m.alarm == "smoke" for m in run(x + bed))


def test_a_520_hz_tone_with_even_harmonics_is_no_low_frequency_alarm():
    """A voice or an instrument at 520 Hz has a strong 2nd harmonic; a square wave has none."""
    square = beeping(T3, 520.0, seconds=14.0, square=True)
    assert any(m.band == "520 Hz" for m in run(in_noise(square, 10)))
    voiced = square + 0.5 * beeping(T3, 1040.0, seconds=14.0)
    assert not [m for m in run(in_noise(voiced, 10)) if m.band == "520 Hz"]  # (its 5th harmonic is a piezo's T3)


def test_a_note_whose_harmonic_stands_in_the_piezo_band_is_no_alarm():
    """A 370 Hz note (a sawtooth's 1/k harmonics) played in the temporal-three rhythm: its 7th to
    10th harmonics stand in 2.5-4 kHz, with nothing at f/2 or f/3, but its lower harmonics lie on
    the grid of f/n below them."""
    note = sum(beeping(T3, 370.0 * k, seconds=14.0) / k for k in range(1, 11))
    alarm = beeping(T3, 2960.0, seconds=14.0)
    assert not run(in_noise(note, 20))
    assert {m.alarm for m in run(in_noise(alarm + 0.3 * note, 20))} == {"smoke"}  # an alarm over music still is


def test_another_tone_in_the_band_does_not_fill_an_alarms_gaps():
    """A steady whistle at 3.6 kHz, 10 dB under a 2.7 kHz alarm: the band always holds a tone, but
    the alarm's own pitch falls silent between its beeps."""
    x = beeping(T3, 2700.0, seconds=14.0)
    whistle = 0.5 * 10 ** (-10 / 20) * np.sin(2 * np.pi * 3600.0 * np.arange(len(x)) / SR).astype(np.float32)
    assert {m.alarm for m in run(in_noise(x, 20) + whistle)} == {"smoke"}


def test_a_temporal_four_is_heard_by_its_second_group_when_its_first_is_broken():
    """The first group loses its second beep (a door slams over it): the next group's first beep
    cannot confirm it, but the second group, its pause heard, and the first group's last beep do,
    within 10 s of the first beep (the third group comes 11.4 s after it)."""
    x = beeping(T4, seconds=14.0, start=1.0)
    x[int(1.2 * SR):int(1.3 * SR)] = 0.0
    found = run(in_noise(x, 10))
    assert found and {m.alarm for m in found} == {"carbon monoxide"}
    assert found[0].first_beep_s == pytest.approx(6.7, abs=0.03) and found[0].at_s - 1.0 < 10.0
