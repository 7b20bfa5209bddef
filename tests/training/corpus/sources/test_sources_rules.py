"""The reviewed path rules and the vocabulary's AudioSet names (no files needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.corpus.events import EVENTS, labels
from training.corpus.sources import rules
from training.corpus.sources.packages import BY_PACKAGE, EVAL_ONLY_PACKAGE
from training.corpus.sources.rules import EXCLUSIONS, RULES, Exclusion, Rule, rule_for
from training.errors import CorpusFileError

AUDIOSET_NAMES = Path(__file__).parent.parent / "audioset_display_names.txt"


def test_every_rule_names_a_vocabulary_label_a_known_package_and_a_reason():
    known = set(labels())
    for r in RULES:
        assert r.label in known, r
        assert r.package in BY_PACKAGE and r.reason, r
    assert all(x.package in BY_PACKAGE and x.reason for x in EXCLUSIONS)


@pytest.mark.parametrize("package, path, label", [
    ("0ad-data", "public/audio/actor/fauna/animal/cattle_03.ogg", "cattle"),
    ("0ad-data", "public/audio/actor/human/movement/Footsteps/Footstep_Grass_Running.ogg", "run"),
    ("0ad-data", "public/audio/actor/human/movement/Footsteps/Footstep_Grass_Walking.ogg", "footsteps"),
    ("lincity-ng-data", "usr/share/games/lincity-ng/sounds/TraficHigh2.wav", "traffic_noise"),
    ("hedgewars-data", "usr/share/games/hedgewars/Data/Sounds/voices/Pirate/Laugh.ogg", "laughter"),
    ("openttd-opensfx", "sounds/37_cow.wav", "cattle"),
    ("gcompris-qt-data", "rcc/gcompris/src/activities/instruments/resource/piano.ogg", "piano"),
    ("gcompris-qt-data", "rcc/gcompris/src/activities/memory-sound/resource/LRBark_1_LA_cut.ogg", "dog_barking"),
    ("sound-icons", "usr/share/sounds/sound-icons/cembalo-2.wav", "harpsichord"),
    ("torcs-data", "usr/share/games/torcs/data/sound/f360.wav", "car"),
    ("torcs-data", "usr/share/games/torcs/data/sound/evo7_engine.wav", "engine"),
    ("minetest-data", "usr/share/games/minetest/games/minetest_game/mods/default/sounds/default_water_footstep.1.ogg",
     "splash"),
    ("minetest-data", "usr/share/games/minetest/games/minetest_game/mods/default/sounds/default_wood_footstep.2.ogg",
     "footsteps"),
    ("scorched3d-data", "usr/share/games/scorched3d/data/globalmods/apoc/data/wav/misc/carhorn3.wav", "car_horn"),
    ("tuxpaint-stamps-default", "usr/share/tuxpaint/stamps/animals/mammals/bovines/bull.ogg", "cattle"),
    ("widelands-data", "usr/share/games/widelands/data/sound/animals/wolf_01.ogg", "howl"),
    ("megaglest-data", "usr/share/games/megaglest/tilesets/autumn/sounds/owl.ogg", "owl"),
])
def test_each_rule_matches_what_it_says(package, path, label):
    assert rule_for(package, path).label == label


@pytest.mark.parametrize("package, path", [
    ("0ad-data", "public/audio/voice/latin/civ/civ_male_attack_1.ogg"),  # fictional/ancient languages
    ("hedgewars-data", "usr/share/games/hedgewars/Data/Sounds/voices/Robot/Laugh.ogg"),  # vocoded
    ("0ad-data", "public/audio/actor/fauna/animal/elephant_attack1.ogg"),
    ("0ad-data", "public/audio/some/unmapped/file.ogg"),  # no rule: unused
    ("gcompris-qt-data", "rcc/gcompris/src/activities/instruments/resource/drum_kit.ogg"),  # licence
    ("tuxpaint-stamps-default", "usr/share/tuxpaint/stamps/animals/birds/owl_desc_fr.ogg"),  # a voice
    ("torcs-data", "usr/share/games/torcs/data/sound/porsche_engine.wav"),  # removed by the checks
])
def test_exclusions_and_unmapped_files_get_no_label(package, path):
    assert rule_for(package, path) is None


def test_exclusions_win_over_rules(monkeypatch):
    monkeypatch.setattr(rules, "RULES", (Rule("p", "a/*", "rain", "r"),))
    monkeypatch.setattr(rules, "EXCLUSIONS", (Exclusion("p", "a/x.ogg", "not rain"),))
    assert rule_for("p", "a/x.ogg") is None and rule_for("p", "a/y.ogg").label == "rain"


def test_two_rules_on_one_file_is_an_error_naming_both(monkeypatch):
    monkeypatch.setattr(rules, "RULES", (Rule("p", "a/*", "rain", "r"), Rule("p", "a/x*", "wind", "w")))
    monkeypatch.setattr(rules, "EXCLUSIONS", ())
    rules._by_package.cache_clear()  # the per-package index of the tables just replaced
    try:
        with pytest.raises(CorpusFileError, match=r"p:a/x.ogg matches 2 rules.*rain.*wind"):
            rule_for("p", "a/x.ogg")
    finally:
        monkeypatch.undo()
        rules._by_package.cache_clear()


def test_the_evaluation_package_is_marked_eval_only():
    assert BY_PACKAGE[EVAL_ONLY_PACKAGE].eval_only
    assert not any(s.eval_only for name, s in BY_PACKAGE.items() if name != EVAL_ONLY_PACKAGE)


def test_every_vocabulary_name_is_an_audioset_display_name():
    names = {line.rstrip("\n") for line in AUDIOSET_NAMES.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")}
    assert all(e.audioset in names for e in EVENTS), [e.audioset for e in EVENTS if e.audioset not in names]
    assert len({e.audioset for e in EVENTS}) == len(EVENTS)  # one label per AudioSet class
    assert len(EVENTS) >= 150
