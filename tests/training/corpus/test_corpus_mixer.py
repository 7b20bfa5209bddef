"""The scene mixer: event placement, SNR over the bed, rooms, the microphone, exact labels,
captions, label choice."""

from __future__ import annotations

import numpy as np
import pytest

from training.corpus.clip_files import write_wav
from training.corpus.beds import NOISE_KINDS, loop_to
from training.corpus.dsp import SR, active_rms, colored_noise, n_samples, tone
from training.corpus.instances import Drawn
from training.corpus.microphone import MicConfig
from training.corpus.mixer import CONTEXTS, PlacedEvent, SceneConfig, caption, choose_labels, event_start, mix_scene
from training.corpus.recordings import Recording
from tests.training.corpus.corpus_helpers import SMALL_ROOMS

QUIET_MIC = MicConfig(colour_prob=0.0, noise_dbfs=(-160.0, -160.0), hum_prob=0.0)  # an ideal microphone


class OneTonePool:
    """A pool whose only sound is a steady tone (1 kHz, 1 s), over the given ambience beds."""

    def __init__(self, freq: float = 1000.0, seconds: float = 1.0, beds: tuple[Recording, ...] = ()):
        self.freq, self.seconds, self._beds = freq, seconds, list(beds)

    def labels_in(self, split):
        return ["music"]

    def beds(self, split):
        return self._beds

    def draw(self, label, split, rng):
        return Drawn(label, "procedural", f"proc:{label}:1", seed=1)

    def render(self, drawn, rng, max_s):
        return (0.5 * tone(self.freq, n_samples(self.seconds))).astype(np.float32)


class SilentPool(OneTonePool):  # the same draws as OneTonePool, so the same seed gives the bed alone
    def render(self, drawn, rng, max_s):
        return np.zeros(n_samples(1.0), dtype=np.float32)


@pytest.mark.parametrize("snr", [0.0, 10.0, 20.0])
def test_event_level_over_background_is_the_requested_snr(snr):
    """The same seed with a silent event gives the background alone; the difference is the event."""
    cfg = SceneConfig(clip_s=4.0, event_count_weights=(0, 1), snr_db=(snr, snr), reverb_prob=0.0, context_prob=0.0,
                      edge_prob=0.0, mic=QUIET_MIC)
    for seed in range(4):
        scene = mix_scene(np.random.default_rng(seed), "train", OneTonePool(), cfg)
        background = mix_scene(np.random.default_rng(seed), "train", SilentPool(), cfg).audio.astype(np.float64)
        (ev,) = scene.events
        assert ev.snr_db == snr and ev.offset_s - ev.onset_s == pytest.approx(1.0, abs=0.0015)
        event = scene.audio.astype(np.float64) - background
        sounding = np.nonzero(np.abs(event) > 1e-5)[0]
        a, b = sounding[0], sounding[-1] + 1
        assert abs(a / SR - ev.onset_s) <= 0.001 and abs(b / SR - ev.offset_s) <= 0.001
        measured = 10 * np.log10(np.mean(event[a:b] ** 2) / np.mean(background**2))
        assert measured == pytest.approx(snr, abs=0.2)


def test_scene_is_a_function_of_its_rng():
    cfg = SceneConfig(clip_s=3.0)
    a = mix_scene(np.random.default_rng(5), "train", OneTonePool(), cfg)
    b = mix_scene(np.random.default_rng(5), "train", OneTonePool(), cfg)
    assert np.array_equal(a.audio, b.audio) and a.events == b.events and a.caption == b.caption
    assert a.audio.size == 3 * SR and np.max(np.abs(a.audio)) <= cfg.peak + 1e-6


def test_choose_labels_is_distinct_and_within_the_available():
    cfg = SceneConfig()
    available = sorted({lab for labs in CONTEXTS.values() for lab in labs})
    counts = {}
    for seed in range(400):
        labs = choose_labels(np.random.default_rng(seed), available, cfg)
        assert len(labs) == len(set(labs)) <= cfg.max_events and set(labs) <= set(available)
        counts[len(labs)] = counts.get(len(labs), 0) + 1
    assert set(counts) == {0, 1, 2, 3}
    assert choose_labels(np.random.default_rng(0), ["music"], SceneConfig(event_count_weights=(0, 0, 0, 1))) == ["music"]


def _ev(label, on, off):
    return PlacedEvent(label, on, off, "procedural", f"proc:{label}:0", 5.0)


def test_caption_orders_events_and_says_while_for_overlaps():
    assert caption([], NOISE_KINDS["pink"][1], False) == "Only background noise is heard, over soft background noise."
    text = caption([_ev("doorbell", 0.0, 1.0), _ev("speech", 2.0, 4.0), _ev("dog_barking", 3.0, 5.0)],
                   NOISE_KINDS["white"][1], True)
    assert text == ("A doorbell rings, then someone speaks while a dog barks, "
                    "over a faint hiss in a reverberant room.")


@pytest.fixture(scope="module")
def rain_bed(tmp_path_factory) -> Recording:
    """A 3 s ambience recording (slowly swelling pink noise): shorter than a 4 s clip, so it loops."""
    path = tmp_path_factory.mktemp("beds") / "rain.wav"
    rng = np.random.default_rng(0)
    x = colored_noise(rng, 3 * SR, 1.0) * (1 + 0.3 * np.sin(np.arange(3 * SR) * 2 * np.pi / SR))
    write_wav(path, 0.1 * x / np.max(np.abs(x)))
    return Recording(path=path, label="rain", source="test", group="rec:rain", is_real=True, role="ambience")


@pytest.fixture(scope="module")
def small_rooms(tmp_path_factory):
    from training.corpus.rooms import rir_bank

    return rir_bank(SMALL_ROOMS, seed=0, cache_dir=tmp_path_factory.mktemp("rirs"))


def test_snr_over_a_recorded_bed_in_a_room_stays_in_range(rain_bed, small_rooms):
    """Random SNRs from -5 to +20 dB, measured on the active parts of the mixed event (with its
    reverberation) and of the bed; every event is still heard, and so labelled."""
    cfg = SceneConfig(clip_s=4.0, event_count_weights=(0, 1), reverb_prob=1.0, bed_recording_prob=1.0,
                      edge_prob=0.0, context_prob=0.0, mic=QUIET_MIC)
    measured = []
    for seed in range(24):
        scene = mix_scene(np.random.default_rng(seed), "train", OneTonePool(beds=(rain_bed,)), cfg, small_rooms)
        bed = mix_scene(np.random.default_rng(seed), "train", SilentPool(beds=(rain_bed,)), cfg, small_rooms)
        ev = next(e for e in scene.events if e.role == "event")
        assert scene.labels == ["music", "rain"] and bed.labels == ["rain"]
        if ev.offset_s + SMALL_ROOMS.max_ir_s > cfg.clip_s:
            continue  # the clip's end cut the reverberant tail: the SNR was set on the whole sound
        event = scene.audio.astype(np.float64) - bed.audio
        snr = 20 * np.log10(active_rms(event) / active_rms(bed.audio.astype(np.float64)))
        assert snr == pytest.approx(ev.snr_db, abs=0.5)
        measured.append(snr)
    assert len(measured) >= 6 and -5.5 <= min(measured) and max(measured) <= 20.5 and max(measured) - min(measured) > 10


def test_recorded_bed_is_labelled_and_loops_to_the_clip(rain_bed):
    cfg = SceneConfig(clip_s=4.0, event_count_weights=(1,), bed_recording_prob=1.0, reverb_prob=0.0)
    scene = mix_scene(np.random.default_rng(0), "train", OneTonePool(beds=(rain_bed,)), cfg)
    (bed,) = scene.events
    assert (bed.label, bed.role, bed.onset_s, bed.offset_s, bed.snr_db) == ("rain", "ambience", 0.0, 4.0, None)
    assert bed.group == "rec:rain" and scene.labels == ["rain"]
    assert scene.caption == "Only background noise is heard, over the sound of rain."
    assert "ambience test:rain.wav" in scene.background


def test_loop_to_crops_long_sounds_and_crossfades_short_ones():
    rng = np.random.default_rng(0)
    long = np.arange(10_000, dtype=np.float64)
    crop = loop_to(long, 4000, rng)
    assert crop.size == 4000 and np.array_equal(crop, long[int(crop[0]) : int(crop[0]) + 4000])
    looped = loop_to(np.full(3000, 0.5), 20_000, rng)
    assert looped.size == 20_000 and np.allclose(looped, 0.5)  # the seams neither dip nor bump


def test_reverb_adds_a_decaying_tail(small_rooms):
    """A 20 ms click in a simulated room rings on after it ends; dry, it stops."""

    class ClickPool(OneTonePool):
        def render(self, drawn, rng, max_s):
            return (0.5 * np.random.default_rng(1).standard_normal(n_samples(0.02))).astype(np.float32)

    tails = {}
    for reverb in (0.0, 1.0):
        cfg = SceneConfig(clip_s=3.0, event_count_weights=(0, 1), reverb_prob=reverb, edge_prob=0.0,
                          snr_db=(10.0, 10.0), context_prob=0.0, mic=QUIET_MIC)  # no peak limiting
        ratios = []
        for seed in range(4):
            rng = np.random.default_rng(seed)
            scene = mix_scene(rng, "train", ClickPool(), cfg, small_rooms)
            bed = mix_scene(np.random.default_rng(seed), "train", SilentPool(), cfg, small_rooms)
            (ev,) = scene.events
            x = scene.audio.astype(np.float64) - bed.audio
            on, off = int(ev.onset_s * SR), int(ev.offset_s * SR)
            tail = x[off + n_samples(0.01) : off + n_samples(0.15)]
            if tail.size < n_samples(0.1):
                continue  # the click sat at the very end of the clip
            ratios.append(10 * np.log10(np.sum(tail**2) / np.sum(x[on:off] ** 2) + 1e-30))
        tails[reverb] = ratios
    assert tails[0.0] and all(r < -100 for r in tails[0.0])
    assert tails[1.0] and all(r > -20 for r in tails[1.0])


def test_room_bank_reverberates_as_simulated_and_is_cached(tmp_path):
    from training.corpus.rooms import rir_bank

    bank = rir_bank(SMALL_ROOMS, seed=3, cache_dir=tmp_path)
    assert len(bank.rooms) == SMALL_ROOMS.rooms and len(list(tmp_path.glob("*.npz"))) == 1
    for room in bank.rooms:
        assert room.rirs.shape == (SMALL_ROOMS.sources, n_samples(SMALL_ROOMS.max_ir_s))
        for h in room.rirs:
            assert 0.6 * room.rt60_s <= _t20(h) <= 2.0 * room.rt60_s  # image sources vs Sabine's target
    again = rir_bank(SMALL_ROOMS, seed=3, cache_dir=tmp_path)
    assert all(np.array_equal(a.rirs, b.rirs) and a.dims_m == b.dims_m for a, b in zip(bank.rooms, again.rooms))


def _t20(h: np.ndarray) -> float:
    """Reverberation time from the Schroeder decay between -5 and -25 dB, extrapolated to -60 dB."""
    energy = np.cumsum((h.astype(np.float64) ** 2)[::-1])[::-1]
    db = 10 * np.log10(energy / energy[0] + 1e-30)
    return 3.0 * (int(np.argmax(db <= -25)) - int(np.argmax(db <= -5))) / SR


def test_an_event_the_microphone_cannot_hear_is_removed_with_its_label():
    """A 6 kHz beep through a microphone band-limited below 3.6 kHz: not heard, so neither in
    the labels nor in the audio; the same beep through a plain microphone is labelled."""
    band_limited = MicConfig(colour_prob=1.0, band_limit_prob=1.0, lowpass_hz=(3500.0, 3600.0), hum_prob=0.0)
    cfg = SceneConfig(clip_s=3.0, event_count_weights=(0, 1), reverb_prob=0.0, context_prob=0.0, mic=band_limited)
    for seed in range(3):
        beep = mix_scene(np.random.default_rng(seed), "train", OneTonePool(freq=6000.0), cfg)
        silent = mix_scene(np.random.default_rng(seed), "train", SilentPool(), cfg)
        assert beep.labels == [] and beep.dropped == 1 and "Only background noise" in beep.caption
        assert np.array_equal(beep.audio, silent.audio)
        plain = SceneConfig(clip_s=3.0, event_count_weights=(0, 1), reverb_prob=0.0, context_prob=0.0, mic=QUIET_MIC)
        assert mix_scene(np.random.default_rng(seed), "train", OneTonePool(freq=6000.0), plain).labels == ["music"]


def test_events_across_a_clip_edge_are_cut_to_the_clip():
    cfg = SceneConfig(clip_s=3.0, event_count_weights=(0, 1), reverb_prob=0.0, context_prob=0.0, edge_prob=1.0,
                      mic=QUIET_MIC)
    edges = set()
    for seed in range(12):
        scene = mix_scene(np.random.default_rng(seed), "train", OneTonePool(), cfg)
        for ev in scene.events:
            assert 0.0 <= ev.onset_s < ev.offset_s <= 3.0 and ev.offset_s - ev.onset_s < 1.0
            edges.add("start" if ev.onset_s == 0.0 else "end" if ev.offset_s == 3.0 else "inside")
    assert edges == {"start", "end"}
    starts = [event_start(np.random.default_rng(s), 100, 1000, 1.0) for s in range(200)]
    assert all(-100 < s < 0 or 900 < s < 1000 for s in starts)
