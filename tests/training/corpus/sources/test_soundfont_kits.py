"""Drum kits a SoundFont keeps in a melodic bank (gm.SOUNDFONT_KITS: the AVL Drumkits): planned
as kits by their own key map, played on a melodic channel (bank 0 selects them), and rendered by
fluidsynth; the AVL table decides every key of the plugin's map."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.training.corpus.sources.soundfont_helpers import (INSTRUMENT, KEY_RANGE, SAMPLE_ID, Builder, Sample,
                                                             build, burst, rng_)
from training.corpus.events import EVENTS
from training.corpus.sources import gm
from training.corpus.sources.render import MANIFEST, RENDERED, batch_midi, render_package
from training.corpus.sources.render_plan import MELODIC_CHANNEL, RenderSettings, plan_soundfont
from training.corpus.sources.soundfont import SoundFont

FONT = "usr/share/sounds/sf2/kit0.sf2"


def _kit_font() -> bytes:
    """One preset, bank 0 program 0, that is a drum kit: a kick (36), a hi-hat (42), a crash (49)."""
    samples = [Sample("36-Kick-1", burst(1, decay=0.08), 36), Sample("42-Hat-1", burst(2, decay=0.02), 42),
               Sample("49-Crash-1", burst(3, seconds=0.5, decay=0.2), 49)]
    zones = [[(KEY_RANGE, rng_(k, k)), (SAMPLE_ID, s)] for k, s in ((36, 0), (42, 1), (49, 2))]
    return build(Builder(samples, [("Kit", zones)], [("Kit0", 0, 0, [[(INSTRUMENT, 0)]])]))


@pytest.fixture
def kit_font(tmp_path, monkeypatch):
    keys = {36: gm._i("bass_drum", "kick"), 42: gm._i(None, "kept in another package"), 49: gm._i("cymbal", "crash")}
    monkeypatch.setitem(gm.SOUNDFONT_KITS, ("kit0.sf2", 0, 0), gm.Kit("a test kit in bank 0", keys))
    path = tmp_path / FONT
    path.parent.mkdir(parents=True)
    path.write_bytes(_kit_font())
    return path


def test_a_bank0_kit_is_planned_by_its_own_key_map(kit_font):
    with SoundFont(kit_font) as font:
        assert not font.presets[0].is_kit
        plan = plan_soundfont(font, RenderSettings())
    hits = [(j.notes[0].key, j.label, j.kind) for j in plan.jobs]
    assert hits == [(36, "bass_drum", "note"), (49, "cymbal", "note")]  # the excluded hat is not played
    assert all(j.channel == MELODIC_CHANNEL for j in plan.jobs)  # bank 0 program 0 selects the kit
    midi, _slots = batch_midi(plan.jobs, RenderSettings())
    assert bytes([0xB0, 0, 0]) in midi and bytes([0xC0, 0]) in midi  # bank select 0, program 0 on channel 1


def test_without_the_table_entry_it_would_be_a_piano(kit_font, monkeypatch):
    monkeypatch.delitem(gm.SOUNDFONT_KITS, ("kit0.sf2", 0, 0))
    with SoundFont(kit_font) as font:
        assert {j.label for j in plan_soundfont(font, RenderSettings()).jobs} == {"piano"}


@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth is not installed")
def test_a_bank0_kit_renders_its_hits(kit_font):
    import soundfile as sf

    root = kit_font.parents[4]
    manifest = render_package(root, (FONT,), progress=False, workers=1)
    assert (root / RENDERED / MANIFEST).is_file()
    assert [(r["label"], r["key"]) for r in manifest["renders"]] == [("bass_drum", 36), ("cymbal", 49)]
    for r in manifest["renders"]:
        x, _rate = sf.read(str(root / r["wav"]))
        assert np.abs(x).max() > 0.1, r["id"]


def test_the_avl_table_decides_every_key_of_the_plugin():
    vocabulary = {e.label for e in EVENTS}
    assert sorted(gm.AVL_KIT) == list(range(36, 62))
    assert {i.label for i in gm.AVL_KIT.values()} - {None} <= vocabulary & gm.labels_used()
    assert all(i.reason.strip() for i in gm.AVL_KIT.values())
    # the recordings hydrogen-drumkits already has (hi-hats, clap, tambourine, splash, maracas) are left out
    assert [k for k, i in gm.AVL_KIT.items() if i.label is None] == [39, 42, 44, 46, 48, 54, 55, 61]
    for font in ("Black_Pearl_4_LV2.sf2", "Red_Zeppelin_4_LV2.sf2"):
        kit = gm.soundfont_kit(font, 0, 0)
        assert kit is not None and kit.groove is None and kit.instrument(36).label == "bass_drum"
    assert gm.soundfont_kit("FluidR3_GM.sf2", 0, 0) is None
