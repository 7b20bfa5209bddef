"""The scene mixer: event placement, signal-to-noise ratio, captions, label choice."""

from __future__ import annotations

import numpy as np
import pytest

from training.corpus.dsp import SR, n_samples, tone
from training.corpus.instances import Drawn
from training.corpus.mixer import CONTEXTS, PlacedEvent, SceneConfig, caption, choose_labels, mix_scene


class OneTonePool:
    """A pool whose only sound is a steady 1 kHz tone of 1 s."""

    def labels_in(self, split):
        return ["music"]

    def draw(self, label, split, rng):
        return Drawn(label, "procedural", f"proc:{label}:1", seed=1)

    def render(self, drawn, rng, max_s):
        return (0.5 * tone(1000.0, n_samples(1.0))).astype(np.float32)


class SilentPool(OneTonePool):
    def render(self, drawn, rng, max_s):
        return np.zeros(n_samples(1.0), dtype=np.float32)


@pytest.mark.parametrize("snr", [0.0, 10.0, 20.0])
def test_event_level_over_background_is_the_requested_snr(snr):
    """The same seed with a silent event gives the background alone; the difference is the event."""
    cfg = SceneConfig(clip_s=4.0, event_count_weights=(0, 1), snr_db=(snr, snr), reverb_prob=0.0, context_prob=0.0)
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
    assert caption([], "pink", False) == "Only background noise is heard, over soft background noise."
    text = caption([_ev("doorbell", 0.0, 1.0), _ev("speech", 2.0, 4.0), _ev("dog_barking", 3.0, 5.0)], "white", True)
    assert text == ("A doorbell rings, then someone speaks while a dog barks, "
                    "over a faint hiss in a reverberant room.")
