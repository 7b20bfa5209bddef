"""The recorded voices (voices.py): tiny fixture folders laid out like klettres-data,
ktuberling-data and the Asterisk prompt packages, labelled and excluded by the reviewed table;
Opus files found and decoded; one split group per speaker, shared across packages
(`SourcePackage.group_scope`); the Asterisk licences by voice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.audio import SAMPLE_RATE
from core.audio_io import read_audio
from training.corpus.sources import debian
from training.corpus.sources.debian import SourcePackage, stamp_for, wanted
from training.corpus.sources.discover import audio_files, discover_package, merge_groups
from training.corpus.sources.rules import rule_for
from training.corpus.sources.voices import AST, KL, KT, SOURCES

BY = {s.package: s for s in SOURCES}
KLE, KTU = "klettres-data", "ktuberling-data"
EN, ES, FR, IT, RU = (f"asterisk-core-sounds-{lang}-wav" for lang in ("en", "es", "fr", "it", "ru"))

# An excerpt of the Asterisk core sounds' copyright file (the same in every language package)
ASTERISK_COPYRIGHT = """\
Format: http://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: asterisk-core-sounds

Files: *
Copyright: 2003-2010, Allison Smith
License: CC-BY-SA-3.0

Files: fr-*
Copyright: 2006-2008, June Wallack
License: CC-BY-SA-3.0

Files: ru-*
Copyright: 2010, Maxim
License: CC-BY-3.0

Files: it-*
Copyright: 2012 Carlo Flora, <http://www.segreterietelefoniche.it>
License: CC-BY-3.0

Files: debian/*
License: GPL-2+
"""


def _voice(seed: int, rate: int) -> np.ndarray:
    """A vowel-like harmonic tone, distinct per seed (so that each file has its own sha256)."""
    t = np.arange(int(0.4 * rate)) / rate
    f0 = 120 + 10 * seed
    return (0.3 * sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6))).astype(np.float32)


def _write(root: Path, rel: str, seed: int) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".opus":
        sf.write(str(path), _voice(seed, 48000), 48000, format="OGG", subtype="OPUS")
    elif path.suffix == ".ogg":
        sf.write(str(path), _voice(seed, 44100), 44100, format="OGG", subtype="VORBIS")
    else:
        sf.write(str(path), _voice(seed, 8000), 8000, subtype="PCM_16")


def _package(tmp_path: Path, package: str, files: list[str], copyright: str = "", seed0: int = 0) -> Path:
    root = tmp_path / package
    doc = root / f"usr/share/doc/{package}/copyright"
    doc.parent.mkdir(parents=True)
    doc.write_text(copyright or "Format: x\n\nFiles: *\nLicense: GPL-2+\n", encoding="utf-8")
    (root / ".stamp.json").write_text('{"version": "1.0-1"}')
    for seed, rel in enumerate(files, start=seed0):
        _write(root, rel, seed)
    return root


def _by_path(recordings) -> dict:
    return {r.provenance.path: r for r in recordings}


@pytest.mark.parametrize("package, path, label", [
    (KLE, KL + "fr/alpha/a-4.ogg", "speech"),
    (KLE, KL + "ml/syllab/chaa.ogg", "speech"),
    (KTU, KT + "en/nose.ogg", "speech"),
    (KTU, KT + "nn/tux-flask.opus", "speech"),
    (KTU, KT + "fr/tv_voiture.wav", "speech"),
    (EN, AST + "en_US_f_Allison/vm-intro.wav", "female_speech"),
    (EN, AST + "en_US_f_Allison/digits/7.wav", "female_speech"),
    (ES, AST + "es_MX_f_Allison/hello.wav", "female_speech"),
    (FR, AST + "fr_CA_f_June/letters/a.wav", "female_speech"),
    (IT, AST + "it_IT_m_Carlo/goodbye.wav", "male_speech"),
    (RU, AST + "ru_RU_f_IvrvoiceRU/goodbye.wav", "female_speech"),
])
def test_each_voice_gets_what_the_survey_decided(package, path, label):
    assert rule_for(package, path).label == label


@pytest.mark.parametrize("package, path", [
    (KTU, KT + "da/tux-zzz.ogg"),  # Tux snoring: acted, not speech
    (KTU, KT + "nn/tux-laugh.opus"),
    (KTU, KT + "ca/say-wow.ogg"),
    (KTU, KT + "fr/robin_je-ris.wav"),
    (EN, AST + "en_US_f_Allison/beep.wav"),
    (EN, AST + "en_US_f_Allison/beeperr.wav"),
    (EN, AST + "en_US_f_Allison/ascending-2tone.wav"),
    (IT, AST + "it_IT_m_Carlo/silence/3.wav"),
    (FR, AST + "fr_CA_f_June/tt-monkeys.wav"),
    (RU, AST + "ru_RU_f_IvrvoiceRU/is.wav"),  # empty
    (RU, AST + "ru_RU_f_IvrvoiceRU/with.wav"),  # removed by the checks: a lone /s/ hiss
])
def test_tones_silences_and_acted_reactions_get_no_label(package, path):
    assert rule_for(package, path) is None


def test_only_the_voices_are_extracted():
    kt, kl, en = BY[KTU], BY[KLE], BY[EN]
    assert wanted(kt, KT + "nn/nose.opus") and wanted(kt, KT + "fr/nez.wav") and wanted(kt, KT + "en/nose.ogg")
    assert not wanted(kt, "usr/share/ktuberling/pics/default_theme.svg") and not wanted(kt, KT + "en.soundtheme")
    assert wanted(kl, KL + "en/alpha/A.ogg") and not wanted(kl, KL + "en/sounds.xml")
    assert wanted(en, AST + "en_US_f_Allison/hello.wav")


def test_opus_is_found_and_decoded(tmp_path):
    root = _package(tmp_path, KTU, [KT + "nn/nose.opus", KT + "en/nose.ogg"])
    assert audio_files(root) == [KT + "en/nose.ogg", KT + "nn/nose.opus"]
    x = read_audio(root / KT / "nn/nose.opus")
    assert x.dtype == np.float32 and abs(x.size - int(0.4 * SAMPLE_RATE)) <= 0.02 * SAMPLE_RATE
    found = _by_path(discover_package(BY[KTU], root))
    assert found[KT + "nn/nose.opus"].label == "speech"


def test_a_language_is_one_group_across_klettres_and_ktuberling(tmp_path):
    kl = _package(tmp_path, KLE, [KL + "fr/alpha/a.ogg", KL + "fr/syllab/ba.ogg", KL + "de/alpha/a.ogg"])
    kt = _package(tmp_path, KTU, [KT + "fr/nez.wav", KT + "sr@latin/oko.ogg", KT + "sr/oko.ogg"], seed0=10)
    found = _by_path(discover_package(BY[KLE], kl) + discover_package(BY[KTU], kt))
    fr = {found[p].group for p in (KL + "fr/alpha/a.ogg", KL + "fr/syllab/ba.ogg", KT + "fr/nez.wav")}
    assert fr == {"kde-edu-voices:fr"} and found[KL + "de/alpha/a.ogg"].group == "kde-edu-voices:de"
    assert found[KT + "sr@latin/oko.ogg"].group == found[KT + "sr/oko.ogg"].group == "kde-edu-voices:sr"
    a, ba = found[KL + "fr/alpha/a.ogg"], found[KL + "fr/syllab/ba.ogg"]
    assert a.recording_id == a.provenance.recording_id != ba.recording_id  # each file stays a recording


def test_one_voice_is_one_group_across_the_asterisk_packages(tmp_path):
    en = _package(tmp_path, EN, [AST + "en_US_f_Allison/hello.wav", AST + "en_US_f_Allison/digits/1.wav"],
                  ASTERISK_COPYRIGHT)
    es = _package(tmp_path, ES, [AST + "es_MX_f_Allison/hello.wav"], ASTERISK_COPYRIGHT, seed0=5)
    it = _package(tmp_path, IT, [AST + "it_IT_m_Carlo/hello.wav"], ASTERISK_COPYRIGHT, seed0=7)
    found = merge_groups(discover_package(BY[EN], en) + discover_package(BY[ES], es)
                         + discover_package(BY[IT], it))
    groups = {r.provenance.path: r.group for r in found}
    assert {groups[AST + "en_US_f_Allison/hello.wav"], groups[AST + "en_US_f_Allison/digits/1.wav"],
            groups[AST + "es_MX_f_Allison/hello.wav"]} == {"asterisk-voices:Allison Smith"}
    assert groups[AST + "it_IT_m_Carlo/hello.wav"] == "asterisk-voices:Carlo Flora"
    assert len({r.recording_id for r in found}) == 4


def test_asterisk_licences_follow_the_voice(tmp_path):
    licences = {}
    for pkg, rel in ((EN, AST + "en_US_f_Allison/hello.wav"), (FR, AST + "fr_CA_f_June/hello.wav"),
                     (IT, AST + "it_IT_m_Carlo/hello.wav"), (RU, AST + "ru_RU_f_IvrvoiceRU/hello.wav")):
        (r,) = discover_package(BY[pkg], _package(tmp_path, pkg, [rel], ASTERISK_COPYRIGHT))
        licences[pkg] = r.provenance.licence
    assert licences == {EN: "CC-BY-SA-3.0", FR: "CC-BY-SA-3.0", IT: "CC-BY-3.0", RU: "CC-BY-3.0"}


def test_the_group_scope_does_not_change_the_extraction_stamp(tmp_path, monkeypatch):
    monkeypatch.setattr(debian, "deb_version", lambda deb: "1.0-1")
    deb = tmp_path / "x_1.0-1_all.deb"
    deb.write_bytes(b"deb")
    plain = stamp_for(SourcePackage("x"), deb)
    scoped = stamp_for(SourcePackage("x", grouping=((".*", "all"),), group_scope="shared"), deb)
    assert plain == scoped and "group_scope" not in plain["spec"]
    assert SourcePackage("x", grouping=((r"a/(\w+)", r"\1"),), group_scope="s").group_key("a/b") == "s:b"
    assert SourcePackage("x", grouping=((r"a/(\w+)", r"\1"),)).group_key("a/b") == "x:b"
