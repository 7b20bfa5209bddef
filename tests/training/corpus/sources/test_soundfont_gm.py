"""The reviewed General MIDI tables: vocabulary labels only, every program and drum key decided."""

from __future__ import annotations

from training.corpus.events import EVENTS
from training.corpus.sources import gm

VOCABULARY = {e.label for e in EVENTS}


def _all_instruments() -> list[gm.Instrument]:
    return [*gm.GM_PROGRAMS.values(), *gm.VARIATIONS.values(), *gm.SOUNDFONT_OVERRIDES.values(),
            *gm.GM_PERCUSSION.values(), *gm.ORCHESTRA_KIT.values(), *gm.SFX_KIT.values()]


def test_every_label_is_in_the_vocabulary():
    assert gm.labels_used() - VOCABULARY == set()
    for kit in gm.KITS.values():
        assert kit.label is None or kit.label in VOCABULARY
        assert kit.groove is None or kit.groove in VOCABULARY


def test_every_entry_has_a_reason_and_a_style():
    for inst in _all_instruments():
        assert inst.reason.strip() and inst.style in gm.STYLES, inst
    assert all(k.reason.strip() for k in gm.KITS.values())


def test_every_gm_program_is_labelled_or_excluded():
    assert sorted(gm.GM_PROGRAMS) == list(range(128))
    excluded = {p for p, i in gm.GM_PROGRAMS.items() if i.label is None}
    assert set(range(96, 104)) <= excluded  # synth effects
    assert 120 in excluded  # guitar fret noise
    assert gm.GM_PROGRAMS[0].label == "piano" and gm.GM_PROGRAMS[40].label == "violin"
    assert gm.GM_PROGRAMS[122].style == "sfx" and gm.GM_PROGRAMS[127].label == "gunshot"


def test_every_gm_drum_key_is_labelled_or_excluded():
    assert set(range(35, 82)) <= set(gm.GM_PERCUSSION)
    assert gm.GM_PERCUSSION[36].label == "bass_drum" and gm.GM_PERCUSSION[38].label == "snare_drum"
    assert gm.GM_PERCUSSION[42].label == gm.GM_PERCUSSION[46].label == "hi_hat"
    assert {gm.GM_PERCUSSION[k].label for k in (41, 43, 45, 47, 48, 50, 60, 61, 62, 63, 64, 65, 66)} == {"drum"}
    assert gm.ORCHESTRA_KIT[45].label == "timpani"


def test_lookups():
    assert gm.melodic_instrument("x.sf2", 0, 24, "Nylon String Guitar").label == "acoustic_guitar"
    assert gm.melodic_instrument("x.sf2", 8, 24, "Ukulele").label == "ukulele"
    assert gm.melodic_instrument("x.sf2", 8, 24, "Not a GS name") is None  # unreviewed: not rendered
    assert gm.melodic_instrument("x.sf2", 17, 40, "Violin Expr.").label is None
    assert gm.melodic_instrument("TimGM6mb.sf2", 0, 121, "Breath Noise").label is None
    assert gm.melodic_instrument("x.sf2", 40, 45, "Celli Pizzicato").label == "pizzicato"
    assert gm.kit_name("Standard 3") == "standard" and gm.kit_name("TR 808") == gm.kit_name("TR-808") == "tr808"
    assert gm.KITS["tr808"].electronic and gm.KITS["standard"].groove == "drum_kit"
    assert gm.KITS["marchingsnare"].instrument(60).label == "snare_drum"
    assert gm.KITS["standard"].instrument(90).label is None
