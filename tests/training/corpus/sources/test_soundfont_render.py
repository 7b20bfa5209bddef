"""Rendering a tiny SoundFont with the real fluidsynth: the plan, the MIDI layout, one WAV per
note/phrase/groove with sound where the plan put it, the manifest, determinism, and the whole
path through `fetch` (a tiny .deb) to `discover_package`."""

from __future__ import annotations

import json
import shutil
import struct

import numpy as np
import pytest

from tests.training.corpus.sources.deb_helpers import build_deb
from tests.training.corpus.sources.soundfont_helpers import tiny_soundfont
from training.corpus.sources import debian
from training.corpus.sources.debian import SourcePackage, fetch, read_stamp
from training.corpus.sources.discover import discover_package
from training.corpus.sources.render import MANIFEST, RENDERED, batch_midi, render_package
from training.corpus.sources.render_plan import RenderSettings, plan_soundfont
from training.corpus.sources.soundfont import SoundFont
from training.errors import SourceFetchError

needs_fluidsynth = pytest.mark.skipif(shutil.which("fluidsynth") is None,
                                      reason="fluidsynth is not installed (scripts/setup.sh installs it)")
FONT = "usr/share/sounds/sf2/tiny.sf2"


@pytest.fixture
def font_path(tmp_path):
    path = tmp_path / "pkg" / FONT
    path.parent.mkdir(parents=True)
    path.write_bytes(tiny_soundfont())
    return path


def test_plan_of_the_tiny_font(font_path):
    with SoundFont(font_path) as font:
        plan = plan_soundfont(font, RenderSettings())
        jobs = {j.id: j for j in plan.jobs}
        names = {j.id: [font.samples[s].name for s in j.samples] for j in plan.jobs}
    notes = [(j.notes[0].key, j.notes[0].vel, names[i]) for i, j in jobs.items()
             if j.kind == "note" and j.label == "piano"]
    # one note per recorded sample and velocity layer, at the zone's root key; the pair is one
    assert notes == [(57, 100, ["Low"]), (69, 31, ["High(L)", "High(R)"]), (69, 100, ["High loud"])]
    phrases = [j for j in plan.jobs if j.kind == "phrase"]
    assert len(phrases) == 4 and {j.label for j in phrases} == {"piano"}  # 3 phrases + a chord (chordal)
    assert all(3 <= len(j.notes) <= 8 and all(52 <= n.key <= 74 for n in j.notes) for j in phrases)
    chord = jobs["000-000/p03"]
    assert len({n.at for n in chord.notes}) == 1 and len(chord.notes) >= 3
    hits = sorted((j.notes[0].key, j.label) for j in plan.jobs if j.preset.is_kit and j.kind == "note")
    assert hits == [(36, "bass_drum"), (38, "snare_drum"), (42, "hi_hat")]
    grooves = [j for j in plan.jobs if j.kind == "groove"]
    assert len(grooves) == 3 and {j.label for j in grooves} == {"drum_kit"}
    assert all({n.key for n in j.notes} >= {36, 38, 42} for j in grooves)
    assert all(0.3 <= j.notes[0].dur <= 3.0 for j in plan.jobs if j.kind == "note")
    with SoundFont(font_path) as font:  # deterministic
        assert [(j.id, j.notes) for j in plan_soundfont(font, RenderSettings()).jobs] == [
            (j.id, j.notes) for j in plan.jobs]


def test_midi_slots_do_not_overlap(font_path):
    settings = RenderSettings()
    with SoundFont(font_path) as font:
        jobs = plan_soundfont(font, settings).jobs
    midi, slots = batch_midi(jobs, settings)
    assert midi[:4] == b"MThd" and struct.unpack(">HHH", midi[8:14]) == (0, 1, 1000)
    assert len(slots) == len(jobs)
    for a, b in zip(slots, slots[1:]):
        assert a.end == pytest.approx(a.start + a.job.length, abs=0.002)
        assert b.start >= a.end + settings.gap_s - 0.002  # silence between slots


def _read(path):
    import soundfile as sf

    info = sf.info(str(path))
    x, rate = sf.read(str(path), dtype="float32")
    return x, rate, info


def _peak_hz(x, rate, seconds=0.3):
    seg = x[:int(seconds * rate)] * np.hanning(int(seconds * rate))
    spec = np.abs(np.fft.rfft(seg))
    return np.fft.rfftfreq(seg.size, 1 / rate)[int(np.argmax(spec))]


@needs_fluidsynth
def test_render_writes_one_wav_per_render_with_sound_where_planned(font_path, tmp_path):
    root = font_path.parents[4]
    manifest = render_package(root, (FONT,), progress=False, workers=1)
    assert not font_path.exists()  # deleted once rendered: the manifest keeps what discovery needs
    assert json.loads((root / RENDERED / MANIFEST).read_text()) == json.loads(json.dumps(manifest))
    renders = manifest["renders"]
    assert len(renders) == 13 and manifest["soundfonts"][FONT]["silent"] == 0
    assert len(list((root / RENDERED).rglob("*.wav"))) == 13
    for r in renders:
        x, rate, info = _read(root / r["wav"])
        assert rate == 32000 and info.channels == 1 and info.subtype == "PCM_16"
        peak = np.abs(x).max()
        assert peak > 10 ** (-40 / 20), r["id"]
        assert np.abs(x[:int(0.03 * rate)]).max() > 0.1 * peak, r["id"]  # the sound starts at the slot's start
        assert x.size / rate == pytest.approx(r["seconds"], abs=0.001)
        assert all(len(s["sha256"]) == 64 and s["recording"] in manifest["soundfonts"][FONT]["recordings"]
                   for s in r["samples"])
    by_id = {r["id"]: r for r in renders}
    low, high = by_id["000-000/n000"], by_id["000-000/n002"]
    assert _peak_hz(_read(root / low["wav"])[0], 32000) == pytest.approx(220, abs=5)  # played at its root key
    assert _peak_hz(_read(root / high["wav"])[0], 32000) == pytest.approx(440, abs=5)
    assert by_id["128-000/k036-000"]["seconds"] < 0.45  # a 0.3 s kick, not looped: the silence after it is trimmed
    groove = _read(root / by_id["128-000/g00"]["wav"])[0]
    onsets = np.flatnonzero(np.abs(groove) > 0.3 * np.abs(groove).max())
    assert onsets[-1] / 32000 > 2.0  # two bars of hits, not one
    pair = by_id["000-000/n001"]["samples"]
    assert pair[0]["recording"] == pair[1]["recording"] == by_id["000-000/n001"]["principal"]

    again = tmp_path / "again"
    (again / FONT).parent.mkdir(parents=True)
    (again / FONT).write_bytes(tiny_soundfont())
    render_package(again, (FONT,), progress=False, workers=2)
    for r in renders:  # deterministic: the same bytes
        assert (again / r["wav"]).read_bytes() == (root / r["wav"]).read_bytes(), r["id"]


@needs_fluidsynth
def test_a_damaged_soundfont_is_one_line_error(tmp_path):
    (tmp_path / FONT).parent.mkdir(parents=True)
    (tmp_path / FONT).write_bytes(tiny_soundfont()[:3000])
    with pytest.raises(SourceFetchError, match="tiny.sf2: damaged SoundFont") as err:
        render_package(tmp_path, (FONT,), progress=False)
    assert "\n" not in str(err.value)
    with pytest.raises(SourceFetchError, match="has no usr/share/sounds/sf2/other.sf2"):
        render_package(tmp_path, ("usr/share/sounds/sf2/other.sf2",), progress=False)


def _deb(tmp_path, name="tinysf"):
    return build_deb(tmp_path, name, "0.1-1", {FONT: tiny_soundfont()})


@needs_fluidsynth
@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")
def test_fetch_renders_then_discover_labels_counts_and_groups(tmp_path, monkeypatch):
    monkeypatch.setenv("LISTEN_HOME", str(tmp_path / "home"))
    _deb(tmp_path)
    spec = SourcePackage("tinysf", members=(), soundfonts=(FONT,))
    out = fetch(spec, progress=False)
    assert (out / RENDERED / MANIFEST).is_file() and not (out / FONT).exists()
    assert read_stamp(out)["render"]["settings"]["rate"] == 32000

    recs = discover_package(spec, out)
    assert len(recs) == 13
    assert sorted({r.label for r in recs}) == ["bass_drum", "drum_kit", "hi_hat", "piano", "snare_drum"]
    assert all(r.is_real and r.role == "event" and r.source == "tinysf" for r in recs)
    assert all(r.provenance.licence == "CC0-1.0" and r.provenance.version == "0.1-1" for r in recs)
    assert len({r.provenance.path for r in recs}) == 13
    by_path = {r.provenance.path.split("#")[1]: r for r in recs}
    low_note, low_phrase = by_path["Test Tone/000-000/n000"], by_path["Test Tone/000-000/p02"]
    # a note and a phrase that starts on the same sample count as one recording
    assert low_note.source_id == low_phrase.source_id == low_note.recording_id
    assert low_note.source_id == "rec:" + low_note.provenance.sha256[:16]
    assert len({r.recording_id for r in recs}) == 6  # Low, the High pair, High loud, kick, snare, hat
    # groups: phrases join Low and High loud; grooves join the kit; the quiet pair stays alone
    groups = {}
    for r in recs:
        groups.setdefault(r.group, set()).add(r.provenance.path.split("/")[-1])
    kit, tone, pair = (by_path[p].group for p in ("Standard/128-000/g00", "Test Tone/000-000/n002",
                                                   "Test Tone/000-000/n001"))
    assert len(groups) == 3 and len({kit, tone, pair}) == 3
    assert by_path["Standard/128-000/k036-000"].group == kit == by_path["Standard/128-000/k042-002"].group
    assert low_note.group == tone

    calls = []
    monkeypatch.setattr(debian, "extract", lambda *a, **k: calls.append(a))
    assert fetch(spec, progress=False) == out and calls == []  # stamped: nothing to do
    monkeypatch.setattr(debian, "render_settings_stamp", lambda: {"settings": {"rate": 16000}})
    fetch(spec, progress=False)
    assert len(calls) == 1  # other render settings: extracted and rendered again


def test_render_without_fluidsynth_is_one_line_error(monkeypatch):
    from training.corpus.sources import render

    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    with pytest.raises(SourceFetchError, match="fluidsynth is not installed"):
        render.fluidsynth_version()

