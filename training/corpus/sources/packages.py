"""The Debian packages the corpus takes recorded sounds from, and how to extract them.

Versions are whatever `apt-get download` gives (Debian 12 "bookworm" when this table was
written); the version actually used is recorded in each package's stamp and in every
recording's provenance. Packages surveyed and left out: `neverball-data` (its sounds are
not in this package: it ships maps and screenshots only, in Debian 12); `teeworlds-data`
(no sound files); `xmoto-data` (music only); `openclonk-data` (sounds packed in OpenClonk's
own scrambled c4group format: no small reader); `trigger-rally-data` and `freedroidrpg-data`
(car, crash and robot sounds that add no label the other packages lack). SoundFonts left out:
`csound-soundfont` (sf_GMbank.sf2, "GM GS Bank" for the EMU8000: 488 samples of 48 ms median,
45 s of audio in all, most of them loops of a few cycles and plain waveforms; its notes are loops,
not recordings of the instruments, and the file says no more of its origin than "Public Domain");
`opl3-soundfont` (synthetic); `fluidr3mono-gm-soundfont`, `musescore-general-soundfont-small` and
`-lossless` (the samples of SoundFonts already here).
"""

from __future__ import annotations

from training.corpus.sources import libraries, more_games, voices
from training.corpus.sources.debian import InnerArchive, SourcePackage

# GCompris's activities whose Qt resource files hold recorded sounds (the others: UI cues, voices)
GCOMPRIS_RCC = ("instruments", "explore_farm_animals", "memory-sound", "melody", "railroad", "traffic", "money",
                "target", "watercycle", "scalesboard")
EVAL_ONLY_PACKAGE = "openttd-opensfx"  # reserved for evaluation (issue 16): never a training source
# SoundFonts: rendered note by note with fluidsynth (render.py), labelled by gm.py. The Fluid
# copyright files are not DEP-5: their licence is read by hand ("I hereby release Fluid under
# the MIT license"; MuseScore_General: MIT, its added parts CC0 or public domain).
SF2, SF3 = "usr/share/sounds/sf2/", "usr/share/sounds/sf3/"

FREEPATS = "usr/share/midi/freepats/"  # Tone_000/NNN_*.pat (GM program NNN), Drum_000/KKK_*.pat (drum key KKK)
AVL_KITS = (SF2 + "Black_Pearl_4_LV2.sf2", SF2 + "Red_Zeppelin_4_LV2.sf2")  # one kit preset each: gm.SOUNDFONT_KITS

SOURCES: tuple[SourcePackage, ...] = (
    SourcePackage("0ad-data", archives=(
        InnerArchive("usr/share/games/0ad/mods/public/public.zip", ("audio/*",), "public"),)),
    SourcePackage("avldrums.lv2-soundfont", members=(), soundfonts=AVL_KITS),  # DEP-5: sf2/* CC-BY-SA-3.0
    SourcePackage("extremetuxracer-data"),
    SourcePackage("flightgear-data-base"),
    SourcePackage("fluid-soundfont-gm", members=(), soundfonts=(SF2 + "FluidR3_GM.sf2",), licence="MIT"),
    SourcePackage("fluid-soundfont-gs", members=(), soundfonts=(SF2 + "FluidR3_GS.sf2",), licence="MIT"),
    SourcePackage("freeciv-data"),
    # GUS patches, written out sample by sample (freepats.py); the copyright file is not DEP-5: "GPL
    # version 2 or later" with an exception for compositions that use the patches
    SourcePackage("freepats", members=(FREEPATS + "*.pat",), patches=(FREEPATS,), licence="GPL-2+"),
    SourcePackage("frozen-bubble-data"),
    SourcePackage("gcompris-qt-data", members=(), archives=tuple(
        InnerArchive(f"usr/share/gcompris-qt/rcc/{name}.rcc", ("*.ogg", "*.wav"), "rcc", format="rcc")
        for name in GCOMPRIS_RCC)),
    SourcePackage("hedgewars-data"),
    SourcePackage("lincity-ng-data"),
    SourcePackage("megaglest-data"),
    SourcePackage("minetest-data"),
    SourcePackage("musescore-general-soundfont", members=(), soundfonts=(SF3 + "MuseScore_General_Full.sf3",),
                  licence="MIT, parts CC0-1.0"),
    SourcePackage("pingus-data"),
    SourcePackage("redeclipse-data"),
    SourcePackage("scorched3d-data"),
    SourcePackage("sound-icons"),
    SourcePackage("supertux-data"),
    SourcePackage("supertuxkart-data"),
    SourcePackage("timgm6mb-soundfont", members=(), soundfonts=(SF2 + "TimGM6mb.sf2",)),  # DEP-5: GPL-2
    SourcePackage("torcs-data"),
    SourcePackage("tuxpaint-stamps-default"),
    SourcePackage("unknown-horizons"),
    SourcePackage("warzone2100-data", archives=(
        InnerArchive("usr/share/games/warzone2100/base.wz", ("*.ogg", "*.wav"), "base"),)),  # mp.wz holds no sound
    SourcePackage("widelands-data"),
    SourcePackage(EVAL_ONLY_PACKAGE, members=(),
                  containers=("usr/share/games/openttd/baseset/opensfx/opensfx.cat",), eval_only=True),
)

SOURCES = SOURCES + libraries.SOURCES + more_games.SOURCES + voices.SOURCES
BY_PACKAGE = {s.package: s for s in SOURCES}
