"""The sample libraries (libraries.py): tiny fixture folders laid out like hydrogen-drumkits,
sonic-pi-samples and lmms-common, labelled, excluded and grouped by the reviewed tables; AIFF
decoding; the per-package split grouping (layers of one drum share a group, each file stays
its own recording)."""

from __future__ import annotations

import fnmatch
import os
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.audio import SAMPLE_RATE
from core.audio_io import read_audio
from training.corpus.events import labels
from training.corpus.sources import debian
from training.corpus.sources.debian import SourcePackage, stamp_for, wanted
from training.corpus.sources.discover import audio_files, discover_package, merge_groups
from training.corpus.sources.libraries import EXCLUSIONS, H, LM, RULES, SOURCES, SP
from training.corpus.sources.rules import exclusion_for, rule_for

BY = {s.package: s for s in SOURCES}
HD, HE, SPI, LMS = "hydrogen-drumkits", "hydrogen-drumkits-effects", "sonic-pi-samples", "lmms-common"

# An excerpt of hydrogen-drumkits' copyright file: its stanzas name the kit archives, not the folders
HYDROGEN_COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: hydrogen-drumkits

Files: drumkits/circAfrique.h2drumkit
Copyright: Jim Harney
License: CC-BY-SA-3.0

Files: drumkits/BJA_Pacific.h2drumkit
Copyright: Luc Tunguay
License: CC-BY-SA-3.0-us

Files:
 drumkits/Gimme?A?Hand?1.0.h2drumkit
 drumkits/The?Black?Pearl?1.0.h2drumkit
Copyright: Glen MacArthur
License: GPL-2

Files: drumkits.json
License: GPL-2+

Files: debian/*
License: GPL-2+
"""

DRUMKIT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<drumkit_info xmlns="http://www.hydrogen-music.org/drumkit">
 <name>BJA_Pacific</name>
 <instrumentList>
  <instrument><id>0</id><name>BassDrum</name>
   <layer><filename>BD_02.aiff</filename></layer><layer><filename>BD_01.aiff</filename></layer>
  </instrument>
  <instrument><id>1</id><name>Snare Roll</name><layer><filename>SN3_01.aiff</filename></layer></instrument>
 </instrumentList>
</drumkit_info>
"""


def _tone(seed: int, seconds: float = 0.2, rate: int = 44100) -> np.ndarray:
    """A decaying noise burst, distinct per seed (so that each file has its own sha256)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    return (0.5 * rng.standard_normal(n) * np.exp(-np.arange(n) / (0.05 * rate))).astype(np.float32)


def _write(root: Path, rel: str, seed: int) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = {".wav": "WAV", ".flac": "FLAC", ".aiff": "AIFF", ".aif": "AIFF", ".ogg": "OGG"}[path.suffix]
    sf.write(str(path), _tone(seed), 44100, format=fmt, subtype="VORBIS" if fmt == "OGG" else "PCM_16")


def _package(tmp_path: Path, package: str, files: list[str], copyright: str = "") -> Path:
    root = tmp_path / package
    doc = root / f"usr/share/doc/{package}/copyright"
    doc.parent.mkdir(parents=True)
    doc.write_text(copyright or "Format: x\n\nFiles: *\nLicense: GPL-2+\n", encoding="utf-8")
    (root / ".stamp.json").write_text('{"version": "1.0-1"}')
    for seed, rel in enumerate(files):
        _write(root, rel, seed)
    return root


def _by_path(recordings) -> dict:
    return {r.provenance.path: r for r in recordings}


# -- the tables --------------------------------------------------------------------------------
def test_every_rule_has_a_vocabulary_label_a_known_package_and_a_reason():
    known, packages = set(labels()), set(BY)
    for r in RULES:
        assert r.label in known and r.package in packages and r.reason.strip(), r
    for x in EXCLUSIONS:
        assert x.package in packages and x.reason.strip(), x


# real paths of the packages, chosen where two wildcards of one kit come close
NEIGHBOURS = [
    (HD, H + "ForzeeStereo/Snare-0.wav", "snare_drum"),
    (HD, H + "ForzeeStereo/SnareOff-3.wav", "snare_drum"),
    (HD, H + "ForzeeStereo/SnareRim-1.wav", "rimshot"),
    (HD, H + "ForzeeStereo/SnareOffRim-4.wav", "rimshot"),
    (HD, H + "ForzeeStereo/TomLow-2.wav", "drum"),
    (HD, H + "ForzeeStereo/TambourineFoot-2.wav", "tambourine"),
    (HD, H + "ForzeeStereo/CrashRide18Bell-0.wav", "cymbal"),
    (HD, H + "ForzeeStereo/RideBow-1.wav", "cymbal"),
    (HD, H + "ForzeeStereo/AgogoLow-0.wav", "percussion"),
    (HD, H + "ForzeeStereo/Stick-2.wav", None),
    (HD, H + "The Black Pearl 1.0/PearlSnare-Soft.wav", "snare_drum"),
    (HD, H + "The Black Pearl 1.0/PearlSnareRimshot-Soft.wav", "rimshot"),
    (HD, H + "The Black Pearl 1.0/PearlSideStick-Hard.wav", "rimshot"),
    (HD, H + "The Black Pearl 1.0/SabianHatSwish-Med.wav", "hi_hat"),
    (HD, H + "The Black Pearl 1.0/SabianCrashFlink-Med.wav", "cymbal"),
    (HD, H + "BJA_Pacific/HH_01.aiff", "hi_hat"),
    (HD, H + "BJA_Pacific/HH2_01.aiff", "hi_hat"),
    (HD, H + "BJA_Pacific/SN_01.aiff", "snare_drum"),
    (HD, H + "BJA_Pacific/SN3_02.aiff", "drum_roll"),
    (HD, H + "BJA_Pacific/CB2_01.aiff", "cymbal"),
    (HD, H + "ColomboAcousticDrumkit/snare-opaque-normal-mic-rimshot7.flac", "rimshot"),
    (HD, H + "ColomboAcousticDrumkit/snare-opaque-normal-mic-normal_shot2.flac", "snare_drum"),
    (HD, H + "ColomboAcousticDrumkit/snare-opaque-2mics_normal-shot1.flac", "snare_drum"),
    (HD, H + "ColomboAcousticDrumkit/crash20i__ride-cup1.flac", "cymbal"),
    (HD, H + "Millo_MultiLayered2/tom_01.flac", "drum"),
    (HD, H + "Millo_MultiLayered2/floortom_01.flac", "drum"),
    (HD, H + "Millo_MultiLayered2/hhpedal_02.flac", "hi_hat"),
    (HD, H + "Millo_MultiLayered3/hh_p.flac", "hi_hat"),
    (HD, H + "Millo_MultiLayered3/sr_01.flac", "drum_roll"),
    (HD, H + "Millo-Drums_v.1/emptySample.flac", None),
    (HD, H + "HardElectro1/FX_Chh_01.flac", "drum_machine"),
    (HD, H + "HardElectro1/xFX_6.flac", None),
    (HD, H + "ElectricEmpireKit/EE_Kick_Nz.flac", "drum_machine"),
    (HD, H + "ElectricEmpireKit/EE_Whistle.flac", None),
    (HD, H + "circAfrique v4/Djembe1 Bass.wav", "drum"),
    (HD, H + "circAfrique v4/Dununba1 Head Hit.wav", "drum"),
    (HD, H + "circAfrique v4/Dununba1 Bell Mute.wav", "percussion"),
    (HD, H + "Gimme A Hand 1.0/WaterglassHi-Med.wav", None),
    (HD, H + "Gimme A Hand 1.0/Fingersnap-Soft.wav", "finger_snapping"),
    (HD, H + "rumpf_kit_z01_h2/beats_06-38.flac", None),
    (HE, H + "belofilms_GuitarStrums/Dsharp minor7b5_DOWN_02wav.flac", "guitar"),
    (SPI, SP + "drum_cymbal_open.flac", "hi_hat"),
    (SPI, SP + "drum_cymbal_hard.flac", "cymbal"),
    (SPI, SP + "elec_snare.flac", "drum_machine"),
    (SPI, SP + "elec_filt_snare.flac", "drum_machine"),
    (SPI, SP + "elec_blip2.flac", None),
    (SPI, SP + "elec_chime.flac", "synthesizer"),
    (SPI, SP + "loop_amen_full.flac", "drum_kit"),
    (SPI, SP + "loop_tabla.flac", "tabla"),
    (SPI, SP + "loop_perc2.flac", None),
    (SPI, SP + "bass_voxy_c.flac", "synthesizer"),
    (SPI, SP + "bass_voxy_hit_c.flac", None),
    (SPI, SP + "vinyl_hiss.flac", "static"),
    (SPI, SP + "perc_snap2.flac", "finger_snapping"),
    (SPI, SP + "ambi_piano.flac", "piano"),
    (SPI, SP + "ambi_choir.flac", None),
    (LMS, LM + "drums/kick02.ogg", "bass_drum"),
    (LMS, LM + "drums/kick04.ogg", None),  # a WAV named .ogg the decoder rejects
    (LMS, LM + "drums/kick_hardcore01.ogg", "bass_drum"),
    (LMS, LM + "drums/snare_rim01.ogg", "rimshot"),
    (LMS, LM + "drums/snare_electro01.ogg", "drum_machine"),
    (LMS, LM + "drums/tom_hi01.ogg", "drum"),
    (LMS, LM + "drums/nasty_snare01.ogg", None),
    (LMS, LM + "instruments/violin_pizzicato01.ogg", "pizzicato"),
    (LMS, LM + "instruments/steel_guitar01.ogg", "guitar"),
    (LMS, LM + "instruments/steel_guitar_heavy_distorted01.ogg", None),
    (LMS, LM + "stringsnpads/space_strings02.ogg", "synthesizer"),
    (LMS, LM + "stringsnpads/strings01.ogg", None),
    (LMS, LM + "bassloops/techno_synth03.ogg", None),
    (LMS, LM + "shapes/moog.wav", None),
    (LMS, LM + "waveforms/10saw.flac", None),
    (LMS, LM + "effects/explode01.ogg", None),
]


@pytest.mark.parametrize("package, path, label", NEIGHBOURS)
def test_each_real_file_gets_what_the_survey_decided(package, path, label):
    rule = rule_for(package, path)  # raises if two rules match
    assert (rule.label if rule else None) == label


def test_no_two_rules_of_a_package_match_one_real_file():
    for a, b in combinations(RULES, 2):
        if a.package != b.package:
            continue
        both = [p for pkg, p, _ in NEIGHBOURS if pkg == a.package
                and fnmatch.fnmatchcase(p, a.pattern) and fnmatch.fnmatchcase(p, b.pattern)]
        assert not both, (a.pattern, b.pattern, both)


REAL_SOURCES = os.environ.get("LISTEN_REAL_SOURCES")  # e.g. ~/.cache/listen/sources/extracted


@pytest.mark.skipif(not REAL_SOURCES, reason="set LISTEN_REAL_SOURCES to the extracted/ folder to check real files")
def test_every_real_file_is_decided_once():
    """Opt-in: over the real extracted packages, each audio file is labelled by one rule or
    excluded (rule_for raises on two rules), and nothing is left unmatched."""
    for spec in SOURCES:
        root = Path(REAL_SOURCES) / spec.package
        if not root.is_dir():
            continue
        for rel in audio_files(root):
            assert rule_for(spec.package, rel) or exclusion_for(spec.package, rel), f"{spec.package}:{rel} unmatched"


# -- extraction, AIFF --------------------------------------------------------------------------
def test_only_the_sounds_of_each_library_are_extracted():
    hd, sp, lm = BY[HD], BY[SPI], BY[LMS]
    assert wanted(hd, H + "BJA_Pacific/BD_01.aiff") and wanted(hd, H + "BJA_Pacific/drumkit.xml")
    assert wanted(hd, "usr/share/doc/hydrogen-drumkits/copyright")
    assert not wanted(hd, "usr/share/hydrogen/data/drumkits.json")
    assert wanted(sp, SP + "bd_808.flac") and not wanted(sp, "usr/share/sonic-pi/buffers/rand-stream.wav")
    assert wanted(lm, LM + "drums/snare01.ogg")
    assert not wanted(lm, "usr/share/lmms/presets/TripleOscillator/Bell.xpf")
    assert not wanted(lm, LM + "drumsynth/misc/Bell.ds")
    assert not wanted(lm, "usr/share/lmms/projects/demos/song.mmpz")


def test_aiff_is_found_and_decoded(tmp_path):
    root = _package(tmp_path, HD, [H + "BJA_Pacific/BD_01.aiff", H + "BJA_Pacific/BD_02.aif"])
    assert audio_files(root) == [H + "BJA_Pacific/BD_01.aiff", H + "BJA_Pacific/BD_02.aif"]
    x = read_audio(root / H / "BJA_Pacific/BD_01.aiff")
    assert x.dtype == np.float32 and abs(x.size - int(0.2 * SAMPLE_RATE)) <= 1
    ref = read_audio(_wav_copy(tmp_path, _tone(0)))
    assert np.allclose(x, ref, atol=2e-4)  # the same samples as a WAV of them (16-bit both)


def _wav_copy(tmp_path: Path, x: np.ndarray) -> Path:
    path = tmp_path / "ref.wav"
    sf.write(str(path), x, 44100, subtype="PCM_16")
    return path


def test_the_grouping_fields_do_not_change_the_extraction_stamp(tmp_path, monkeypatch):
    monkeypatch.setattr(debian, "deb_version", lambda deb: "1.0-1")
    deb = tmp_path / "x_1.0-1_all.deb"
    deb.write_bytes(b"deb")
    plain = stamp_for(SourcePackage("x"), deb)
    grouped = stamp_for(SourcePackage("x", grouping=((".*", "all"),), licence_paths=(("*", "y"),)), deb)
    assert plain == grouped and "grouping" not in plain["spec"]


# -- hydrogen: labels, licences, groups --------------------------------------------------------
HYDROGEN_FILES = [
    H + "BJA_Pacific/BD_01.aiff", H + "BJA_Pacific/BD_02.aiff",  # two velocity layers of one kick
    H + "BJA_Pacific/SN3_01.aiff",
    H + "The Black Pearl 1.0/PearlKick-Softest.wav", H + "The Black Pearl 1.0/PearlKick-Hard.wav",
    H + "The Black Pearl 1.0/PearlSnareRimshot-Med.wav",
    H + "circAfrique v4/Djembe1 Slap.wav", H + "circAfrique v4/Kenkeni1 Bell Hit.wav",
    H + "Millo_MultiLayered2/bd_01.flac", H + "Millo_MultiLayered3/bd_02.flac",  # one Ludwig kick, two kits
    H + "Millo-Drums_v.1/emptySample.flac",  # excluded
    H + "rumpf_kit_z01_h2/beats_01-10.flac",  # excluded
    H + "Gimme A Hand 1.0/Cowbell-Med.wav",
]


def test_hydrogen_kits_are_labelled_and_excluded_by_the_table(tmp_path):
    root = _package(tmp_path, HD, HYDROGEN_FILES, HYDROGEN_COPYRIGHT)
    (root / H / "BJA_Pacific/drumkit.xml").write_text(DRUMKIT_XML, encoding="utf-8")
    found = _by_path(discover_package(BY[HD], root))
    assert {p: r.label for p, r in found.items()} == {
        H + "BJA_Pacific/BD_01.aiff": "bass_drum", H + "BJA_Pacific/BD_02.aiff": "bass_drum",
        H + "BJA_Pacific/SN3_01.aiff": "drum_roll",
        H + "The Black Pearl 1.0/PearlKick-Softest.wav": "bass_drum",
        H + "The Black Pearl 1.0/PearlKick-Hard.wav": "bass_drum",
        H + "The Black Pearl 1.0/PearlSnareRimshot-Med.wav": "rimshot",
        H + "circAfrique v4/Djembe1 Slap.wav": "drum", H + "circAfrique v4/Kenkeni1 Bell Hit.wav": "percussion",
        H + "Millo_MultiLayered2/bd_01.flac": "bass_drum", H + "Millo_MultiLayered3/bd_02.flac": "bass_drum",
        H + "Gimme A Hand 1.0/Cowbell-Med.wav": "cowbell",
    }
    # the copyright file names the kit archives: the licence of each kit, not "unparsed"
    assert found[H + "BJA_Pacific/BD_01.aiff"].provenance.licence == "CC-BY-SA-3.0-us"
    assert found[H + "circAfrique v4/Djembe1 Slap.wav"].provenance.licence == "CC-BY-SA-3.0"
    assert found[H + "The Black Pearl 1.0/PearlKick-Hard.wav"].provenance.licence == "GPL-2"


def test_the_layers_of_one_drum_share_a_group_and_each_is_a_recording(tmp_path):
    root = _package(tmp_path, HD, HYDROGEN_FILES, HYDROGEN_COPYRIGHT)
    found = _by_path(discover_package(BY[HD], root))
    bd1, bd2 = found[H + "BJA_Pacific/BD_01.aiff"], found[H + "BJA_Pacific/BD_02.aiff"]
    assert bd1.group == bd2.group == "hydrogen-drumkits:BJA_Pacific/BD"
    assert bd1.source_id == bd1.provenance.recording_id != bd2.source_id == bd2.provenance.recording_id
    assert bd1.recording_id != bd2.recording_id  # two distinct recordings in the report
    pearl = H + "The Black Pearl 1.0/"
    soft, hard = found[pearl + "PearlKick-Softest.wav"], found[pearl + "PearlKick-Hard.wav"]
    assert soft.group == hard.group == "hydrogen-drumkits:The Black Pearl 1.0/PearlKick"
    assert found[H + "BJA_Pacific/SN3_01.aiff"].group == "hydrogen-drumkits:BJA_Pacific/SN3" != bd1.group
    assert (found[H + "Millo_MultiLayered2/bd_01.flac"].group == found[H + "Millo_MultiLayered3/bd_02.flac"].group
            == "hydrogen-drumkits:Millo Ludwig/bass drum")
    assert found[H + "circAfrique v4/Djembe1 Slap.wav"].group == "hydrogen-drumkits:circAfrique v4/Djembe1 Slap"


def test_identical_files_in_two_groups_join_them(tmp_path):
    root = _package(tmp_path, HD, [H + "ForzeeStereo/Kick-0.wav", H + "ForzeeStereo/Kick-1.wav",
                                   H + "ForzeeStereo/TomLow-0.wav"])
    (root / H / "ForzeeStereo/TomLow-0.wav").write_bytes((root / H / "ForzeeStereo/Kick-1.wav").read_bytes())
    found = _by_path(discover_package(BY[HD], root))
    kick0, kick1, tom = (found[H + f"ForzeeStereo/{n}.wav"] for n in ("Kick-0", "Kick-1", "TomLow-0"))
    assert kick1.recording_id == tom.recording_id  # the same bytes: one recording
    assert kick0.group == kick1.group == tom.group  # so one split for both groups


def test_merge_groups_keeps_ungrouped_recordings_as_they_were(tmp_path):
    from training.corpus.recordings import Recording

    a = Recording(path=tmp_path / "a", label="rain", source="x", group="rec:1")
    b = Recording(path=tmp_path / "b", label="rain", source="y", group="g:kit/kick", source_id="rec:1")
    c = Recording(path=tmp_path / "c", label="rain", source="x", group="rec:2")
    out = merge_groups([a, b, c])
    assert out[2] is c and out[0].group == out[1].group
    assert [r.recording_id for r in out] == ["rec:1", "rec:1", "rec:2"]  # the ids do not move with the group


def test_guitar_strum_takes_share_a_group(tmp_path):
    files = [H + "belofilms_GuitarStrums/Amajor_00.flac", H + "belofilms_GuitarStrums/Amajor_03.flac",
             H + "belofilms_GuitarStrums/Amajor_UP_01.flac"]
    found = _by_path(discover_package(BY[HE], _package(tmp_path, HE, files, HYDROGEN_COPYRIGHT)))
    assert {r.label for r in found.values()} == {"guitar"}
    assert found[files[0]].group == found[files[1]].group != found[files[2]].group


# -- sonic-pi and lmms -------------------------------------------------------------------------
def test_sonic_pi_samples(tmp_path):
    files = [SP + n for n in ("tabla_ghe1.flac", "tabla_na.flac", "vinyl_scratch.flac", "glitch_perc1.flac",
                              "bd_haus.flac", "drum_snare_hard.flac", "drum_snare_soft.flac", "loop_amen.flac",
                              "loop_amen_full.flac", "mehackit_robot1.flac", "elec_hollow_kick.flac")]
    found = _by_path(discover_package(BY[SPI], _package(tmp_path, SPI, files)))
    assert {p.removeprefix(SP): r.label for p, r in found.items()} == {
        "tabla_ghe1.flac": "tabla", "tabla_na.flac": "tabla", "vinyl_scratch.flac": "scratching",
        "bd_haus.flac": "bass_drum", "drum_snare_hard.flac": "snare_drum", "drum_snare_soft.flac": "snare_drum",
        "loop_amen.flac": "drum_kit", "loop_amen_full.flac": "drum_kit", "elec_hollow_kick.flac": "drum_machine"}
    g = {p.removeprefix(SP): r.group for p, r in found.items()}
    assert g["tabla_ghe1.flac"] == g["tabla_na.flac"]  # one tabla
    assert g["drum_snare_hard.flac"] == g["drum_snare_soft.flac"] == "sonic-pi-samples:menegass/snare"
    assert g["loop_amen.flac"] == g["loop_amen_full.flac"]  # one break
    haus = found[SP + "bd_haus.flac"]
    assert haus.group == haus.recording_id == haus.provenance.recording_id and haus.source_id == ""


def test_lmms_samples_only_recorded_ones(tmp_path):
    files = [LM + n for n in ("drums/snare01.ogg", "drums/snare02.ogg", "instruments/church_organ01.ogg",
                              "instruments/church_organ02.ogg", "instruments/violin_fingered01.ogg",
                              "instruments/violin_pizzicato01.ogg", "shapes/moog.wav", "waveforms/10saw.flac",
                              "beats/909beat01.ogg")]
    found = _by_path(discover_package(BY[LMS], _package(tmp_path, LMS, files)))
    assert {p.removeprefix(LM): r.label for p, r in found.items()} == {
        "drums/snare01.ogg": "snare_drum", "drums/snare02.ogg": "snare_drum",
        "instruments/church_organ01.ogg": "organ", "instruments/church_organ02.ogg": "organ",
        "instruments/violin_fingered01.ogg": "violin", "instruments/violin_pizzicato01.ogg": "pizzicato",
        "beats/909beat01.ogg": "drum_machine"}
    g = {p.removeprefix(LM): r.group for p, r in found.items()}
    organ = "lmms-common:instruments/church_organ"
    assert g["instruments/church_organ01.ogg"] == g["instruments/church_organ02.ogg"] == organ
    assert g["instruments/violin_fingered01.ogg"] == g["instruments/violin_pizzicato01.ogg"]
    assert g["drums/snare01.ogg"] == g["drums/snare02.ogg"] != g["beats/909beat01.ogg"]
    assert all(r.provenance.licence == "GPL-2+" for r in found.values())


@pytest.mark.parametrize("path, key", [
    (H + "BJA_Pacific/TM2_08.aiff", "BJA_Pacific/TM2"),
    (H + "ColomboAcousticDrumkit/hihat-semi-open-2.flac", "ColomboAcousticDrumkit/hihat-semi-open"),
    (H + "ColomboAcousticDrumkit/snare-opaque-normal-mic-rimshot7.flac",
     "ColomboAcousticDrumkit/snare-opaque-normal-mic-rimshot"),
    (H + "VariBreaks/VP Kick 2.flac", "VariBreaks/VP Kick"),
    (H + "Gimme A Hand 1.0/CajonThumps-Hardest.wav", "Gimme A Hand 1.0/CajonThumps"),
    (H + "Gimme A Hand 1.0/HandClap-Soft.wav", "Glen MacArthur/HandClap"),
    (H + "The Black Pearl 1.0/HandClap.wav", "Glen MacArthur/HandClap"),
    (H + "Millo-Drums_v.1/openhat2.flac", "Millo Ludwig/hi-hat"),
    (H + "Millo_MultiLayered3/sr_01.flac", "Millo Ludwig/snare"),
    (H + "belofilms_GuitarStrums/Dsharp minor7b5_DOWN_02wav.flac", "belofilms_GuitarStrums/Dsharp minor7b5_DOWN"),
])
def test_hydrogen_group_keys(path, key):
    assert BY[HD].group_key(path) == f"{HD}:{key}"


def test_a_package_without_grouping_keeps_one_group_per_recording():
    assert SourcePackage("0ad-data").group_key("public/audio/x.ogg") is None
    assert BY[SPI].group_key(SP + "vinyl_hiss.flac") is None
