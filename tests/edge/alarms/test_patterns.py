"""The temporal-pattern matcher on onset times: exact, jittered, and the near misses it must refuse."""

import numpy as np
import pytest

from edge.alarms.onsets import Onset
from edge.alarms.patterns import CO_PATTERN, SMOKE_PATTERN, match_ended, match_latest


def cycles(spacing: float, count: int, cycle: float, n: int, start: float = 1.0) -> list[float]:
    return [start + c * cycle + k * spacing for c in range(n) for k in range(count)]


T3 = cycles(1.0, 3, 4.0, 3)  # ISO 8201: 0.5 on / 0.5 off x3, then 1.5 s off
T3_QUICK = cycles(0.5, 3, 2.75, 3)  # the 0.25 s variant an alarm of the issue used
T4 = cycles(0.2, 4, 5.7, 2)  # four 0.1 s beeps, 0.1 s apart, then 5 s off


def matches(times, pattern, freq=3100.0, jitter_s=0.0, seed=0, durations=None):
    """The matches as each onset arrives; each beep lasts 0.09 s (CO) or 0.2 s (+-10 %) unless `durations` says."""
    rng = np.random.default_rng(seed)
    onsets, found = [], []
    for i, t in enumerate(times):
        duration = durations[i] if durations is not None else (0.09 if pattern is CO_PATTERN else 0.2) * rng.uniform(0.9, 1.1)
        t += rng.uniform(-jitter_s, jitter_s)
        # a piezo's onsets hold their pitch within +-0.3 % (9 Hz: 90 % of the bench matrix's groups in
        # rooms and beds stay within 8 Hz of their median)
        onsets.append(Onset(t, freq * rng.uniform(0.997, 1.003), "piezo", duration, silent_from_s=duration and t + duration))
        m = match_latest(onsets, pattern)
        if m:
            found.append(m)
    return found


@pytest.mark.parametrize("times, pattern, first_at", [
    (T3, SMOKE_PATTERN, 5.0),  # confirmed by the next group's first beep, 4 s after the first
    (T3_QUICK, SMOKE_PATTERN, 3.75),
    (T4, CO_PATTERN, 6.7),
])
def test_each_cycle_after_the_first_confirms_the_pattern(times, pattern, first_at):
    found = matches(times, pattern)
    assert [round(m.at_s, 3) for m in found][0] == pytest.approx(first_at)
    assert found[0].first_onset_s == pytest.approx(1.0) and found[0].pattern is pattern
    assert len(found) == len(times) // pattern.count - 1  # every later group, once


@pytest.mark.parametrize("times, pattern", [(T3, SMOKE_PATTERN), (T3_QUICK, SMOKE_PATTERN), (T4, CO_PATTERN)])
@pytest.mark.parametrize("seed", range(5))
def test_timing_jitter_within_the_tolerance_still_matches(times, pattern, seed):
    # onsets are found on a 10 ms grid: +-12 ms on each onset, up to 24 ms on a spacing (the
    # tolerance is 10 % of it, never under 40 ms)
    assert matches(times, pattern, jitter_s=0.012, seed=seed)


def test_jitter_beyond_the_tolerance_is_refused():
    times = [1.0, 1.2, 1.4 + 0.05, 1.6, 6.7]  # one temporal-four beep 50 ms late
    assert not matches(times, CO_PATTERN)


@pytest.mark.parametrize("times, pattern, why", [
    (T3, CO_PATTERN, "a temporal-three is never carbon monoxide"),
    (T4, SMOKE_PATTERN, "a temporal-four is never smoke"),
    ([t for i, t in enumerate(T4) if i % 4], SMOKE_PATTERN, "a temporal-four that lost its first beeps is not smoke"),
    (cycles(1.0, 3, 4.0, 1), SMOKE_PATTERN, "one group of three (a microwave that is done)"),
    ([1.0 + k for k in range(12)], SMOKE_PATTERN, "a steady beeper (a reversing truck)"),
    (cycles(0.15, 4, 1.0, 6), CO_PATTERN, "an alarm clock: four quick beeps every second"),
    (cycles(1.0, 3, 30.0, 2), SMOKE_PATTERN, "three beeps every 30 s (an appliance reminder)"),
    (cycles(1.0, 4, 5.0, 3), SMOKE_PATTERN, "groups of four at the smoke spacing"),
    ([1.0, 2.0, 3.25, 5.0, 6.0, 7.25, 9.0], SMOKE_PATTERN, "spacing 25 % off"),
])
def test_near_misses_never_match(times, pattern, why):
    assert not matches(times, pattern), why


def test_beeps_of_unlike_lengths_are_not_one_sounder():
    """Birdsong or speech can fall into the rhythm by chance; its "beeps" do not last alike."""
    assert not matches(T3, SMOKE_PATTERN, durations=[0.05, 0.3, 0.12] * 3)
    assert matches(T3, SMOKE_PATTERN, durations=[0.5, 0.45, 0.55] * 3)
    assert not matches(T3, SMOKE_PATTERN, durations=[None] * 9)  # a beep still sounding: not yet


def test_onsets_of_another_tone_do_not_join_the_group():
    onsets = [Onset(t, 3100.0, "piezo", 0.5, silent_from_s=t + 0.5) for t in T3[:3]] + [Onset(4.0, 3600.0, "piezo", 0.5)]
    assert match_latest(onsets, SMOKE_PATTERN) is None  # the confirming beep is another sounder
    onsets.append(Onset(T3[3], 3100.0, "piezo"))
    assert match_latest(onsets, SMOKE_PATTERN) is not None  # the other tone is ignored


def onsets_of(rows) -> list[Onset]:
    """(time, after_gap) rows, 3.1 kHz beeps of 0.1 s."""
    return [Onset(t, 3100.0, "piezo", 0.1, after_gap=gap, silent_from_s=t + 0.1) for t, gap in rows]


def test_a_reverberant_temporal_four_with_its_tails_rising_is_still_carbon_monoxide():
    """RT60 1 s: each beep's end rises like an onset (the tail rings on at the room's modes), and
    the last beep's tail rises once more in the pause. All inside a sounding tone."""
    group = [(1.0, True), (1.1, False), (1.2, False), (1.3, False), (1.4, False), (1.5, False), (1.6, False),
             (1.7, False), (1.83, False)]
    onsets = onsets_of(group + [(6.7, True)])
    m = match_latest(onsets, CO_PATTERN)
    assert m is not None and m.first_onset_s in (pytest.approx(1.0), pytest.approx(1.1))  # the onsets or the ends
    assert match_latest(onsets, SMOKE_PATTERN) is None  # every other beep, 0.4 s apart: under the smoke spacings


def test_extras_of_a_beep_out_of_silence_must_recur_every_beep():
    t3 = [(1.0, True), (2.0, True), (3.0, True)]
    lone = onsets_of(t3 + [(2.3, True), (5.0, True)])  # a separate beep inside the group: another sounder
    assert match_latest(lone, SMOKE_PATTERN) is None
    every = onsets_of([(1.0, True), (1.5, True), (2.0, True), (2.5, True), (3.0, True), (3.5, True), (5.0, True)])
    assert match_latest(every, SMOKE_PATTERN) is not None  # each beep's end rises alike (a notch at the tone)


@pytest.mark.parametrize("extra, why", [
    ((4.2, True), "a beep out of silence in the pause"),
    ((4.6, False), "a rise long after the last beep's tail has rung out"),
    ((4.0, True), "the grid goes on after the group: a steady beeper"),
])
def test_the_pause_must_be_clean(extra, why):
    onsets = onsets_of(sorted([(1.0, True), (2.0, True), (3.0, True), extra]) + [(5.0, True)])
    assert match_latest(onsets, SMOKE_PATTERN) is None, why


def test_the_next_group_must_start_out_of_silence():
    onsets = onsets_of([(1.0, True), (2.0, True), (3.0, True), (5.0, False)])
    assert match_latest(onsets, SMOKE_PATTERN) is None
    onsets[-1].after_gap = True
    assert match_latest(onsets, SMOKE_PATTERN) is not None


def test_a_520_hz_alarm_may_wander_by_a_bin():
    """At 520 Hz one FFT bin (31.25 Hz) is 6 % of the tone, more than the 1 % spread of piezo tones."""
    freqs = [520.0, 551.0, 505.0, 530.0]
    onsets = [Onset(t, f, "520 Hz", 0.5, silent_from_s=t + 0.5) for t, f in zip([1.0, 2.0, 3.0, 5.0], freqs)]
    assert match_latest(onsets, SMOKE_PATTERN) is not None
    onsets[1] = Onset(2.0, 600.0, "520 Hz", 0.5, silent_from_s=2.5)  # 15 %: another sounder
    assert match_latest(onsets, SMOKE_PATTERN) is None


def test_a_group_starts_out_of_silence_and_dips_between_its_beeps():
    base = [(1.0, True), (2.0, True), (3.0, True), (5.0, True)]
    assert match_latest(onsets_of(base), SMOKE_PATTERN) is not None
    inside = onsets_of([(1.0, False)] + base[1:])  # the group's first beep rose inside a sounding tone
    assert match_latest(inside, SMOKE_PATTERN) is None
    held = onsets_of(base)
    held[1].dip_db = held[2].dip_db = 4.0  # a held note whose vibrato rises every second
    assert match_latest(held, SMOKE_PATTERN) is None
    held[1].dip_db = 12.0
    held[2].dip_db = 12.0
    assert match_latest(held, SMOKE_PATTERN) is not None


def test_a_tremolo_is_not_a_group_with_tails():
    """13 pulses 0.11 s apart (a cello's tremolo), then silence: any 4 of them at 0.33 s would do,
    but no alarm has that many onsets in one burst."""
    pulses = [(1.0, True)] + [(1.0 + 0.11 * k, False) for k in range(1, 13)]
    onsets = onsets_of(pulses + [(8.0, True)])
    for o in onsets[1:-1]:
        o.dip_db = 8.0
    assert match_latest(onsets, CO_PATTERN) is None


def test_beeps_at_unlike_levels_are_not_one_sounder():
    onsets = onsets_of([(1.0, True), (2.0, True), (3.0, True), (5.0, True)])
    for o, level in zip(onsets, (10.0, 12.0, 14.0, 10.0)):
        o.level_db = level
    assert match_latest(onsets, SMOKE_PATTERN) is not None
    onsets[1].level_db = 30.0  # one note of a melody far louder than its neighbours
    assert match_latest(onsets, SMOKE_PATTERN) is None


def test_a_group_is_matched_by_its_pause_and_the_beep_before_it():
    """match_ended: no next group yet. A broken group (its 2nd beep lost), a 5 s pause, a whole
    temporal-four: heard once its own pause has lasted `end_silence_s`, and only with a beep of
    the tone a pause before it."""
    broken = [(1.0, True), (1.4, True), (1.6, True)]
    group = [(6.7, True), (6.9, True), (7.1, True), (7.3, True)]
    onsets = onsets_of(broken + group)
    assert match_latest(onsets, CO_PATTERN) is None
    assert match_ended(onsets, CO_PATTERN, 7.3 + CO_PATTERN.end_silence_s - 0.1) is None  # its pause too short yet
    m = match_ended(onsets, CO_PATTERN, 7.3 + CO_PATTERN.end_silence_s)
    assert m is not None and m.first_onset_s == pytest.approx(6.7) and m.pattern is CO_PATTERN
    assert match_ended(onsets_of(group), CO_PATTERN, 9.0) is None  # nothing before it: a lone burst of four
    assert match_ended(onsets_of([(5.0, True)] + group), CO_PATTERN, 9.0) is None  # 1.7 s before: no pause of a CO alarm
