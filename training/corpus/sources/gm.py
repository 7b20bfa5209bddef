"""The reviewed General MIDI tables: which vocabulary label each SoundFont preset and drum key
is rendered under, or why it is left out. Data only: no guessing at run time.

- `GM_PROGRAMS`: GM program 0-127 (bank 0) -> an `Instrument` (label or exclusion + reason);
- `VARIATIONS`: the presets of other melodic banks (GS variations, MuseScore's section strings)
  by (bank, program, preset name), each reviewed, as the four Debian SoundFonts name them; a
  preset of another bank that is not listed is not rendered (a log line says so);
- `SOUNDFONT_OVERRIDES`: where one SoundFont builds a GM program from other samples
  (TimGM6mb's Breath Noise is pan flutes);
- `GM_PERCUSSION`: drum keys 27-88 (GM keys 35-81, and the GS extension around them) -> label;
- `KITS`: the drum kits of bank 128 by name: which key map, whether it is a drum machine, and
  the label of its grooves;
- `SOUNDFONT_KITS`: drum kits a SoundFont keeps in a melodic bank (the AVL Drumkits: one kit,
  bank 0 program 0), by (file name, bank, program), with their own key map.

Labels are ids of `training.corpus.events` (a test checks each). An instrument without a label
of its own takes its AudioSet family (viola -> bowed_string, tuba -> brass_instrument, agogo ->
percussion); one that fits no label, or is no recording of a real instrument or event
(synthetic FX, noise bursts, test tones, metronome clicks), is excluded with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# how a preset is played: "melodic" notes and phrases; "chordal" adds chords (keyboards,
# plucked strings); "sfx" a recorded event: notes at its root key only, no phrases
STYLES = ("melodic", "chordal", "sfx")


@dataclass(frozen=True)
class Instrument:
    label: str | None  # vocabulary label; None = excluded
    reason: str
    style: str = "melodic"  # one of STYLES


def _i(label: str | None, reason: str, style: str = "melodic") -> Instrument:
    return Instrument(label, reason, style)


_SYNTH = "a synthesizer patch"
_FX = "GM synth effect: a synthetic texture, not a recording of an instrument or event"

GM_PROGRAMS: dict[int, Instrument] = {
    # pianos and keyboards
    0: _i("piano", "acoustic grand piano", "chordal"),
    1: _i("piano", "bright acoustic piano", "chordal"),
    2: _i("keyboard_instrument", "electric grand (CP-70: strings with pickups): neither a plain piano nor an "
                                 "electric piano, so its family", "chordal"),
    3: _i("piano", "honky-tonk (detuned upright) piano", "chordal"),
    4: _i("electric_piano", "Rhodes-type tine electric piano", "chordal"),
    5: _i("electric_piano", "FM (DX7-type) electric piano", "chordal"),
    6: _i("harpsichord", "harpsichord", "chordal"),
    7: _i("electric_piano", "clavinet: AudioSet files it under electric piano", "chordal"),
    # chromatic percussion
    8: _i("keyboard_instrument", "celesta: struck plates played from a keyboard; no label of its own", "chordal"),
    9: _i("glockenspiel", "glockenspiel"),
    10: _i("musical_instrument", "music box (a plucked steel comb): no label of its own, its parent, as "
                                 "docs/corpus.md section 8 does for such instruments"),
    11: _i("vibraphone", "vibraphone"),
    12: _i("xylophone", "marimba: AudioSet's 'Marimba, xylophone'"),
    13: _i("xylophone", "xylophone"),
    14: _i("tubular_bells", "tubular bells"),
    15: _i("zither", "hammered dulcimer: a struck zither", "chordal"),
    # organs, accordions
    16: _i("organ", "drawbar (Hammond-type) organ", "chordal"),
    17: _i("organ", "percussive organ", "chordal"),
    18: _i("organ", "rock organ", "chordal"),
    19: _i("organ", "church (pipe) organ", "chordal"),
    20: _i("organ", "reed organ (harmonium)", "chordal"),
    21: _i("accordion", "accordion", "chordal"),
    22: _i("harmonica", "harmonica"),
    23: _i("accordion", "tango accordion (bandoneon)", "chordal"),
    # guitars and basses
    24: _i("acoustic_guitar", "nylon-string acoustic guitar", "chordal"),
    25: _i("acoustic_guitar", "steel-string acoustic guitar", "chordal"),
    26: _i("electric_guitar", "jazz electric guitar", "chordal"),
    27: _i("electric_guitar", "clean electric guitar", "chordal"),
    28: _i("electric_guitar", "palm-muted electric guitar", "chordal"),
    29: _i("electric_guitar", "overdriven electric guitar", "chordal"),
    30: _i("electric_guitar", "distortion electric guitar", "chordal"),
    31: _i("guitar", "guitar harmonics: acoustic or electric depending on the bank, so the family"),
    32: _i("double_bass", "GM's acoustic bass is the plucked upright (double) bass"),
    33: _i("bass_guitar", "electric bass, fingered"),
    34: _i("bass_guitar", "electric bass, picked"),
    35: _i("bass_guitar", "fretless electric bass"),
    36: _i("bass_guitar", "slap bass"),
    37: _i("bass_guitar", "slap (pop) bass"),
    38: _i("synthesizer", "synth bass: " + _SYNTH),
    39: _i("synthesizer", "synth bass: " + _SYNTH),
    # strings, ensembles
    40: _i("violin", "violin"),
    41: _i("bowed_string", "viola: no label of its own, its family"),
    42: _i("cello", "cello"),
    43: _i("double_bass", "contrabass, bowed"),
    44: _i("string_section", "tremolo string section"),
    45: _i("pizzicato", "pizzicato string section"),
    46: _i("harp", "orchestral harp", "chordal"),
    47: _i("timpani", "timpani"),
    48: _i("string_section", "string ensemble"),
    49: _i("string_section", "slow string ensemble"),
    50: _i("synthesizer", "synth strings: " + _SYNTH),
    51: _i("synthesizer", "synth strings: " + _SYNTH),
    52: _i("choir", "choir singing 'aah'"),
    53: _i("choir", "voices singing 'ooh' together"),
    54: _i("synthesizer", "synth voice: " + _SYNTH),
    55: _i("orchestra", "orchestra hit: one sampled chord of a full orchestra", "sfx"),
    # brass
    56: _i("trumpet", "trumpet"),
    57: _i("trombone", "trombone"),
    58: _i("brass_instrument", "tuba: no label of its own, its family"),
    59: _i("trumpet", "muted trumpet"),
    60: _i("french_horn", "French horns"),
    61: _i("brass_instrument", "brass section"),
    62: _i("synthesizer", "synth brass: " + _SYNTH),
    63: _i("synthesizer", "synth brass: " + _SYNTH),
    # reeds and pipes
    64: _i("saxophone", "soprano saxophone"),
    65: _i("saxophone", "alto saxophone"),
    66: _i("saxophone", "tenor saxophone"),
    67: _i("saxophone", "baritone saxophone"),
    68: _i("oboe", "oboe"),
    69: _i("woodwind_instrument", "English horn (cor anglais): no label of its own, its family"),
    70: _i("bassoon", "bassoon"),
    71: _i("clarinet", "clarinet"),
    72: _i("flute", "piccolo: a small flute"),
    73: _i("flute", "flute"),
    74: _i("flute", "recorder: a fipple flute"),
    75: _i("flute", "pan flute (pan pipes)"),
    76: _i(None, "blown bottle: air across a bottle's neck; no label fits"),
    77: _i("flute", "shakuhachi: an end-blown bamboo flute"),
    78: _i(None, "GM's Whistle is a whistled melody (human whistling, not in the vocabulary); the "
                 "vocabulary's whistle is a blown referee or police whistle"),
    79: _i("flute", "ocarina: a vessel flute"),
    # synth leads, pads, effects
    **{p: _i("synthesizer", f"synth lead: {_SYNTH}") for p in range(80, 88)},
    **{p: _i("synthesizer", f"synth pad: {_SYNTH}") for p in range(88, 96)},
    **{p: _i(None, _FX) for p in range(96, 104)},
    # ethnic
    104: _i("sitar", "sitar"),
    105: _i("banjo", "banjo", "chordal"),
    106: _i("plucked_string", "shamisen: no label of its own, its family"),
    107: _i("zither", "koto: a Japanese zither", "chordal"),
    108: _i("musical_instrument", "kalimba (a thumb piano): no label of its own, its parent"),
    109: _i("bagpipes", "bagpipe"),
    110: _i("violin", "fiddle"),
    111: _i("woodwind_instrument", "shehnai (a double-reed pipe): no label of its own, its family"),
    # percussive
    112: _i(None, "tinkle bell: a small bell pitched across the keyboard; not jingle bells, no label fits"),
    113: _i("percussion", "agogo bells: no label of their own, their family", "sfx"),
    114: _i("steelpan", "steel drums"),
    115: _i("wood_block", "woodblock", "sfx"),
    116: _i("drum", "taiko drum", "sfx"),
    117: _i("drum", "melodic tom"),
    118: _i("drum_machine", "synth drum (electronic tom, sine sweeps): AudioSet files electronic drums under "
                            "drum machine"),
    119: _i(None, "reverse cymbal: a cymbal played backwards or swelled by an envelope; an effect"),
    # sound effects
    120: _i(None, "guitar fret noise: a squeak of fingers on strings, no label fits"),
    121: _i("breathing", "breath noise: a wind player's breath", "sfx"),
    122: _i("waves", "seashore: surf on a beach", "sfx"),
    123: _i("bird", "bird tweet", "sfx"),
    124: _i("phone_ringing", "telephone ringing", "sfx"),
    125: _i("helicopter", "helicopter", "sfx"),
    126: _i("applause", "applause", "sfx"),
    127: _i("gunshot", "gun shot", "sfx"),
}

_EXPR = "MuseScore's 'Expr.' copy of a preset (the same samples under the expression controller): rendered once"
# MuseScore_General's section strings (VSCO 2 recordings): bank -> (name prefix, who plays)
_SECTIONS = {20: ("Violins", "violins"), 25: ("Violins2", "second violins"), 30: ("Violas", "violas"),
             40: ("Celli", "celli"), 50: ("Basses", "double basses")}
# program -> (name suffix, label, how they play)
_ARTICULATIONS = {44: ("Tremolo", "string_section", "tremolo"), 45: ("Pizzicato", "pizzicato", "pizzicato"),
                  48: ("Fast", "string_section", "fast bowing"), 49: ("Slow", "string_section", "slow bowing")}


def _norm(name: str) -> str:
    """A preset name as the tables key it: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _v(bank: int, program: int, names: str, inst: Instrument) -> dict[tuple[int, int, str], Instrument]:
    return {(bank, program, _norm(n)): inst for n in names.split("|")}


VARIATIONS: dict[tuple[int, int, str], Instrument] = {
    # GS variations in FluidR3_GM and MuseScore_General (bank 8, 16, ...)
    **_v(1, 115, "Temple Blocks", _i("wood_block", "temple blocks: carved wooden blocks", "sfx")),
    **_v(8, 0, "Mellow Grand Piano", _i("piano", "mellow grand piano", "chordal")),
    **_v(8, 4, "Detuned EP 1|Detuned Tine EP", _i("electric_piano", "detuned tine electric piano", "chordal")),
    **_v(8, 5, "Detuned EP 2|Detuned FM EP", _i("electric_piano", "detuned FM electric piano", "chordal")),
    **_v(8, 6, "Coupled Harpsichord", _i("harpsichord", "coupled harpsichord", "chordal")),
    **_v(8, 14, "Church Bell", _i("church_bell", "church bell", "sfx")),
    **_v(8, 16, "Detuned Organ 1", _i("organ", "detuned drawbar organ", "chordal")),
    **_v(8, 17, "Detuned Organ 2", _i("organ", "detuned percussive organ", "chordal")),
    **_v(8, 19, "Church Organ 2", _i("organ", "church organ", "chordal")),
    **_v(8, 21, "Italian Accordion", _i("accordion", "Italian accordion", "chordal")),
    **_v(8, 24, "Ukulele", _i("ukulele", "ukulele", "chordal")),
    **_v(8, 25, "12 String Guitar|12-String Guitar", _i("acoustic_guitar", "12-string acoustic guitar", "chordal")),
    **_v(8, 26, "Hawaiian Guitar", _i("guitar", "Hawaiian (lap steel) guitar: the family")),
    **_v(8, 28, "Funk Guitar", _i("electric_guitar", "funk electric guitar", "chordal")),
    **_v(8, 30, "Feedback Guitar", _i("electric_guitar", "distorted electric guitar with feedback")),
    **_v(8, 31, "Guitar Feedback", _i(None, "a guitar's feedback howl alone, not a played note")),
    **_v(8, 38, "Synth Bass 3", _i("synthesizer", "synth bass: " + _SYNTH)),
    **_v(8, 39, "Synth Bass 4", _i("synthesizer", "synth bass: " + _SYNTH)),
    **_v(8, 40, "Slow Violin", _i("violin", "violin, slow attack")),
    **_v(8, 48, "Orchestral Pad", _i("orchestra", "orchestra: strings and winds together")),
    **_v(8, 50, "Synth Strings 3", _i("synthesizer", "synth strings: " + _SYNTH)),
    **_v(8, 61, "Brass 2", _i("brass_instrument", "brass section")),
    **_v(8, 62, "Synth Brass 3", _i("synthesizer", "synth brass: " + _SYNTH)),
    **_v(8, 63, "Synth Brass 4", _i("synthesizer", "synth brass: " + _SYNTH)),
    **_v(8, 80, "Sine Wave", _i(None, "a pure sine tone: a test signal, not an instrument")),
    **_v(8, 107, "Taisho Koto", _i("zither", "taishogoto: a keyed Japanese zither", "chordal")),
    **_v(8, 115, "Castanets", _i("percussion", "castanets: no label of their own, their family", "sfx")),
    **_v(8, 116, "Concert Bass Drum", _i("bass_drum", "concert bass drum", "sfx")),
    **_v(8, 117, "Melo Tom 2", _i("drum", "melodic tom (with a snare layer)")),
    **_v(8, 118, "808 Tom", _i("drum_machine", "TR-808 tom", "sfx")),
    **_v(9, 125, "Burst Noise", _i(None, "synthetic noise bursts (built from harpsichord samples in FluidR3)")),
    **_v(10, 115, "Metronome", _i(None, "metronome clicks and beeps: no label fits")),
    **_v(16, 25, "Mandolin", _i("mandolin", "mandolin", "chordal")),
    **{k: v for bank, (prefix, who) in _SECTIONS.items() for prog, (suffix, label, how) in _ARTICULATIONS.items()
       for k, v in _v(bank, prog, f"{prefix} {suffix}", _i(label, f"a section of {who}, {how}")).items()},
    **_v(20, 81, "Detuned Saw", _i("synthesizer", "synth lead: " + _SYNTH)),
    # FluidR3_GS: the GS sound-effect variations of programs 120-127 (real recordings, except
    # the ones built from a noise sample)
    **_v(1, 120, "Gtr. Cut Noise", _i(None, "a guitar's cutting noise (a muted strum): no label fits")),
    **_v(1, 121, "Fl. Key Click", _i(None, "a flute's key click: no label fits")),
    **_v(1, 122, "Rain", _i("rain", "rain", "sfx")),
    **_v(1, 123, "Dog", _i("dog_barking", "a dog barking", "sfx")),
    **_v(1, 124, "Telephone 2", _i("phone_ringing", "a telephone ringing", "sfx")),
    **_v(1, 125, "Car-Engine", _i("engine_starting", "a car engine starting (its sample is 'Car Start')", "sfx")),
    **_v(1, 126, "Laughs", _i("laughter", "laughter", "sfx")),
    **_v(1, 127, "Machine Gun", _i("machine_gun", "a machine gun", "sfx")),
    **_v(2, 120, "String Slap", _i(None, "a double bass string slapped: a click, no label fits")),
    **_v(2, 122, "Thunder", _i("thunder", "thunder", "sfx")),
    **_v(2, 123, "Horse Gallop", _i("clip_clop", "a horse's hooves galloping", "sfx")),
    **_v(2, 124, "Door Creaking", _i("creak", "a door creaking", "sfx")),
    **_v(2, 125, "Car-Stop", _i("skidding", "a car braking to a stop, tyres squealing", "sfx")),
    **_v(2, 126, "Screaming", _i("screaming", "a scream", "sfx")),
    **_v(2, 127, "Lazergun", _i(None, "a science-fiction laser: synthetic")),
    **_v(3, 122, "Wind", _i(None, "built from the kit's 'Noise' sample: synthetic wind")),
    **_v(3, 123, "Bird 2", _i("bird", "birds", "sfx")),
    **_v(3, 124, "Door Slam", _i("door", "a door slamming", "sfx")),
    **_v(3, 125, "Car-Pass", _i("car_passing_by", "a car passing by", "sfx")),
    **_v(3, 126, "Punch", _i("whack", "a punch: a thwack", "sfx")),
    **_v(3, 127, "Explosion", _i("explosion", "an explosion", "sfx")),
    **_v(4, 122, "Stream/River", _i("stream", "a river (with a bubbling layer)", "sfx")),
    **_v(4, 124, "Scratch", _i("scratching", "a record scratch", "sfx")),
    **_v(4, 125, "Car-Crash", _i("smash", "a car crash", "sfx")),
    **_v(4, 126, "Heart Beat", _i("heartbeat", "a heartbeat", "sfx")),
    **_v(5, 122, "Bubble", _i(None, "bubbling water: no label fits (plop is a single drop)")),
    **_v(5, 124, "Wind Chimes", _i("wind_chime", "wind chimes", "sfx")),
    **_v(5, 125, "Siren", _i("siren", "a siren", "sfx")),
    **_v(5, 126, "Footsteps", _i("footsteps", "footsteps", "sfx")),
    **_v(6, 125, "Train", _i("train", "a train", "sfx")),
    **_v(7, 125, "Jet Plane", _i(None, "built from the kit's 'Noise' sample: a synthetic jet")),
    **_v(8, 125, "StarShip", _i(None, "a science-fiction starship: synthetic")),
}

# labels of patches that GM SoundFonts layer from other presets' samples (pads, an orchestra
# from strings and brass): a sample such a preset shares keeps the other preset's label (render.py)
LAYERED_LABELS = frozenset({"synthesizer", "orchestra"})

EXPRESSION_SUFFIX = "expr"  # MuseScore's expression-controlled copies ("Violin Expr."): see _EXPR

# (SoundFont file name, bank, program) -> the instrument, where that file builds the program otherwise
SOUNDFONT_OVERRIDES: dict[tuple[str, int, int], Instrument] = {
    ("TimGM6mb.sf2", 0, 121): _i(None, "TimGM6mb's Breath Noise is built from pan flute and bottle samples"),
    ("TimGM6mb.sf2", 0, 53): _i(None, "TimGM6mb's Voice Oohs mixes 'Doo' voices with a synth vox sample"),
    ("MuseScore_General_Full.sf3", 0, 10): _i(None, "MuseScore's Music Box is built from its celesta samples "
                                                    "(rendered under Celesta)"),
    ("MuseScore_General_Full.sf3", 16, 25): _i(None, "MuseScore's Mandolin is FluidR3's steel-string guitar samples "
                                                     "pitched up"),
    # FreePats (freepats.py): a patch file stands for the SoundFont
    ("038_Synth_Bass_1.pat", 0, 38): _i("bass_guitar", "FreePats' Synth Bass 1 is one fingered electric bass sample "
                                                       "('fngrbas'): a plucked bass, no synthesizer"),
    ("053_Voice_Oohs.pat", 0, 53): _i(None, "FreePats' Voice Oohs are 'Doo' samples: one singer or a choir, cannot "
                                            "tell (as TimGM6mb's)"),
    ("084_Charang.pat", 0, 84): _i(None, "FreePats' Charang is samples named 'Overdrive Guitar' played as a synth "
                                         "lead: a guitar or a synthesizer, cannot tell"),
}

# -- drum kits --------------------------------------------------------------------------
GM_PERCUSSION: dict[int, Instrument] = {
    # GS extension below the GM map
    27: _i(None, "High Q: a synthetic blip"),
    28: _i("whack", "a slap"),
    29: _i("scratching", "record scratch, push"),
    30: _i("scratching", "record scratch, pull"),
    31: _i("percussion", "drumsticks clicked together: no label of their own, their family"),
    32: _i(None, "square click: a synthetic click"),
    33: _i(None, "metronome click: no label fits"),
    34: _i(None, "metronome bell: no label fits"),
    # General MIDI percussion map, keys 35-81
    35: _i("bass_drum", "acoustic bass drum"),
    36: _i("bass_drum", "bass drum 1"),
    37: _i("rimshot", "side stick (cross-stick): AudioSet's rimshot"),
    38: _i("snare_drum", "acoustic snare"),
    39: _i("clapping", "hand clap"),
    40: _i("snare_drum", "electric snare"),
    41: _i("drum", "low floor tom"),
    42: _i("hi_hat", "closed hi-hat"),
    43: _i("drum", "high floor tom"),
    44: _i("hi_hat", "pedal hi-hat"),
    45: _i("drum", "low tom"),
    46: _i("hi_hat", "open hi-hat"),
    47: _i("drum", "low-mid tom"),
    48: _i("drum", "hi-mid tom"),
    49: _i("cymbal", "crash cymbal 1"),
    50: _i("drum", "high tom"),
    51: _i("cymbal", "ride cymbal 1"),
    52: _i("cymbal", "Chinese cymbal"),
    53: _i("cymbal", "ride bell"),
    54: _i("tambourine", "tambourine"),
    55: _i("cymbal", "splash cymbal"),
    56: _i("cowbell", "cowbell"),
    57: _i("cymbal", "crash cymbal 2"),
    58: _i("rattle_instrument", "vibraslap: a rattle"),
    59: _i("cymbal", "ride cymbal 2"),
    60: _i("drum", "high bongo"),
    61: _i("drum", "low bongo"),
    62: _i("drum", "muted high conga"),
    63: _i("drum", "open high conga"),
    64: _i("drum", "low conga"),
    65: _i("drum", "high timbale"),
    66: _i("drum", "low timbale"),
    67: _i("percussion", "high agogo: no label of its own, its family"),
    68: _i("percussion", "low agogo: no label of its own, its family"),
    69: _i("rattle_instrument", "cabasa: a shaker"),
    70: _i("maraca", "maracas"),
    71: _i("whistle", "short (samba) whistle"),
    72: _i("whistle", "long (samba) whistle"),
    73: _i("percussion", "short guiro (scraped): no label of its own, its family"),
    74: _i("percussion", "long guiro (scraped): no label of its own, its family"),
    75: _i("percussion", "claves: no label of their own, their family"),
    76: _i("wood_block", "high wood block"),
    77: _i("wood_block", "low wood block"),
    78: _i("drum", "muted cuica (a friction drum)"),
    79: _i("drum", "open cuica (a friction drum)"),
    80: _i("percussion", "muted triangle: no label of its own, its family"),
    81: _i("percussion", "open triangle: no label of its own, its family"),
    # GS extension above the GM map
    82: _i("rattle_instrument", "shaker"),
    83: _i("jingle_bell", "jingle bell"),
    84: _i("percussion", "bell tree: no label of its own, its family"),
    85: _i("percussion", "castanets: no label of their own, their family"),
    86: _i("drum", "muted surdo"),
    87: _i("drum", "open surdo"),
}

# the GS orchestra kit: concert percussion where the standard kit has toms and hi-hats
ORCHESTRA_KIT: dict[int, Instrument] = {
    **GM_PERCUSSION,
    27: _i("hi_hat", "closed hi-hat"), 28: _i("hi_hat", "pedal hi-hat"), 29: _i("hi_hat", "open hi-hat"),
    30: _i("cymbal", "ride cymbal"), 39: _i("percussion", "castanets: no label of their own, their family"),
    **{k: _i("timpani", "timpani, one key per pitch") for k in range(41, 54)},
    88: _i("applause", "applause"),
}

# the GS SFX kit (FluidR3_GS's "SFX", keys 39-84): one sound effect per key
SFX_KIT: dict[int, Instrument] = {
    39: _i(None, "High Q: a synthetic blip"), 40: _i("whack", "a slap"),
    41: _i("scratching", "record scratch, push"), 42: _i("scratching", "record scratch, pull"),
    43: _i("percussion", "drumsticks clicked together"), 44: _i(None, "square click: synthetic"),
    45: _i(None, "metronome click: no label fits"), 46: _i(None, "metronome bell: no label fits"),
    47: _i(None, "guitar fret noise: no label fits"), 48: _i(None, "guitar cutting noise: no label fits"),
    49: _i(None, "guitar cutting noise: no label fits"), 50: _i(None, "a double bass string slap: no label fits"),
    51: _i(None, "a flute's key click: no label fits"), 52: _i("laughter", "laughing"),
    53: _i("screaming", "a scream"), 54: _i("whack", "a punch"), 55: _i("heartbeat", "a heartbeat"),
    56: _i("footsteps", "footsteps"), 57: _i("footsteps", "footsteps"), 58: _i("applause", "applause"),
    59: _i("creak", "a door creaking"), 60: _i("door", "a door"), 61: _i("scratching", "a record scratch"),
    62: _i("wind_chime", "wind chimes"), 63: _i("engine_starting", "a car engine starting"),
    64: _i("skidding", "a car braking, tyres squealing"), 65: _i("car_passing_by", "a car passing"),
    66: _i("smash", "a car crash"), 67: _i("siren", "a siren"), 68: _i("train", "a train"),
    69: _i(None, "jet plane built from a noise sample: synthetic"), 70: _i("helicopter", "a helicopter"),
    71: _i(None, "a science-fiction starship: synthetic"), 72: _i("gunshot", "a gun shot"),
    73: _i("machine_gun", "a machine gun"), 74: _i(None, "a laser gun: synthetic"),
    75: _i("explosion", "an explosion"), 76: _i("dog_barking", "a dog barking"),
    77: _i("clip_clop", "a horse galloping"), 78: _i("bird", "birds"), 79: _i("rain", "rain"),
    80: _i("thunder", "thunder"), 81: _i(None, "wind built from a noise sample: synthetic"),
    82: _i("waves", "seashore"), 83: _i("stream", "a stream"),
    84: _i(None, "bubbling water: no label fits"),
}


@dataclass(frozen=True)
class Kit:
    reason: str
    keys: dict[int, Instrument] | None = None  # key -> instrument; None: every key is `label`
    label: str | None = None  # the whole kit's label when `keys` is None (None: excluded)
    groove: str | None = None  # label of its grooves (bass drum + snare + hi-hat); None: no grooves
    electronic: bool = False  # a drum machine: keys whose samples differ from the standard kit's are drum_machine

    def instrument(self, key: int) -> Instrument:
        if self.keys is None:
            return _i(self.label, self.reason, "sfx")
        return self.keys.get(key, _i(None, "a key outside the kit's reviewed map"))


_GROOVE_KIT = "standard-layout kit: single hits by the GM map, grooves as a drum kit"
KITS: dict[str, Kit] = {
    "standard": Kit(_GROOVE_KIT, GM_PERCUSSION, groove="drum_kit"),
    "room": Kit("room kit: " + _GROOVE_KIT, GM_PERCUSSION, groove="drum_kit"),
    "power": Kit("power kit: " + _GROOVE_KIT, GM_PERCUSSION, groove="drum_kit"),
    "jazz": Kit("jazz kit: " + _GROOVE_KIT, GM_PERCUSSION, groove="drum_kit"),
    "brush": Kit("brush kit (snare played with brushes): " + _GROOVE_KIT, GM_PERCUSSION, groove="drum_kit"),
    "electronic": Kit("electronic kit: electronic drums on some keys, the standard kit's samples elsewhere",
                      GM_PERCUSSION, groove="drum_machine", electronic=True),
    "tr808": Kit("Roland TR-808 drum machine kit", GM_PERCUSSION, groove="drum_machine", electronic=True),
    "orchestra": Kit("orchestra kit: concert percussion, timpani on keys 41-53; no grooves", ORCHESTRA_KIT),
    "orchestrakit": Kit("orchestra kit: concert percussion, timpani on keys 41-53; no grooves", ORCHESTRA_KIT),
    "sfx": Kit("GS sound-effect kit: one effect per key; no grooves", SFX_KIT),
    "metronome": Kit("metronome clicks and beeps: no label fits", label=None),
    "marchingsnare": Kit("marching snare drum, one articulation per key", label="snare_drum"),
    "marchingbass": Kit("marching bass drums, one drum or articulation per key", label="bass_drum"),
    "oldmarchingbass": Kit("marching bass drums (older set)", label="bass_drum"),
    "marchingcymbals": Kit("marching (clash) cymbals", label="cymbal"),
    "marchingtenor": Kit("marching tenor drums (quads)", label="drum"),
    "oldmarchingtenor": Kit("marching tenor drums (older set)", label="drum"),
}

# the AVL Drumkits (avldrums.lv2-soundfont; Glen MacArthur, 2015): two acoustic kits, 5 velocity
# layers per articulation, keys as the plugin's MIDNAM names them. The hi-hats, hand clap,
# tambourine, splash and maracas of both kits are the same recordings as hydrogen-drumkits'
# "The Black Pearl 1.0" and "Gimme A Hand 1.0" (the same author; byte-identical PCM or matching
# fingerprints): left out here, so each is one recording, kept with its Hydrogen kit. The kick,
# snare, toms, crashes, rides and cowbell are their own recordings (no match).
_AVL_DUP = "the same recording as hydrogen-drumkits' {} (kept there)"
AVL_KIT: dict[int, Instrument] = {
    36: _i("bass_drum", "kick drum (Pearl 22\", Ludwig 26\")"),
    37: _i("rimshot", "snare side-stick"),
    38: _i("snare_drum", "snare, struck in the centre"),
    39: _i(None, _AVL_DUP.format("Gimme A Hand and Black Pearl hand clap")),
    40: _i("snare_drum", "snare, struck at the edge"),
    41: _i("drum", "floor tom, centre"),
    42: _i(None, _AVL_DUP.format("Black Pearl Sabian hi-hat (closed)")),
    43: _i("drum", "floor tom, edge"),
    44: _i(None, _AVL_DUP.format("Black Pearl Sabian hi-hat (pedal)")),
    45: _i("drum", "rack tom, centre"),
    46: _i(None, _AVL_DUP.format("Black Pearl Sabian hi-hat (semi-open)")),
    47: _i("drum", "rack tom, edge"),
    48: _i(None, _AVL_DUP.format("Black Pearl Sabian hi-hat (swish)")),
    49: _i("cymbal", "crash cymbal 1"),
    50: _i("cymbal", "crash cymbal 1, choked"),
    51: _i("cymbal", "ride cymbal, tip"),
    52: _i("cymbal", "ride cymbal, choked"),
    53: _i("cymbal", "ride cymbal, bell"),
    54: _i(None, _AVL_DUP.format("Gimme A Hand tambourine")),
    55: _i(None, _AVL_DUP.format("Black Pearl Zildjian splash")),
    56: _i("cowbell", "cowbell"),
    57: _i("cymbal", "crash cymbal 2"),
    58: _i("cymbal", "crash cymbal 2, choked"),
    59: _i("cymbal", "ride cymbal, shank"),
    60: _i("cymbal", "crash cymbal 3 (Paiste 2002 22\")"),
    61: _i(None, _AVL_DUP.format("Gimme A Hand maracas")),
}
_AVL = ("an AVL drum kit in bank 0: single hits by its own key map; no grooves (their hi-hats are "
        "hydrogen-drumkits' recordings)")
SOUNDFONT_KITS: dict[tuple[str, int, int], Kit] = {
    ("Black_Pearl_4_LV2.sf2", 0, 0): Kit("Black Pearl 4pc: " + _AVL, AVL_KIT),
    ("Red_Zeppelin_4_LV2.sf2", 0, 0): Kit("Red Zeppelin 4pc: " + _AVL, AVL_KIT),
}

GROOVE_KEYS = {"kick": (36, 35), "snare": (38, 40), "closed": (42, 44), "open": (46,)}  # first present wins
STANDARD_KIT_PROGRAM = 0  # what an electronic kit is compared with


def kit_name(preset_name: str) -> str:
    """A kit's table key: 'Standard 3' -> 'standard', 'TR-808' -> 'tr808'."""
    return _norm(re.sub(r"\s\d$", "", preset_name.strip()))


def soundfont_kit(soundfont: str, bank: int, program: int) -> Kit | None:
    """The reviewed kit of a preset a SoundFont keeps outside bank 128; None for the others."""
    return SOUNDFONT_KITS.get((soundfont, bank, program))


def melodic_instrument(soundfont: str, bank: int, program: int, name: str) -> Instrument | None:
    """The reviewed instrument of a melodic preset; None when the tables do not list it."""
    if (soundfont, bank, program) in SOUNDFONT_OVERRIDES:
        return SOUNDFONT_OVERRIDES[(soundfont, bank, program)]
    if _norm(name).endswith(EXPRESSION_SUFFIX) and bank != 0:
        return _i(None, _EXPR)
    if bank == 0:
        return GM_PROGRAMS.get(program)
    return VARIATIONS.get((bank, program, _norm(name)))


def labels_used() -> set[str]:
    """Every label the tables can give (for the vocabulary test)."""
    insts = [*GM_PROGRAMS.values(), *VARIATIONS.values(), *SOUNDFONT_OVERRIDES.values(), *GM_PERCUSSION.values(),
             *ORCHESTRA_KIT.values(), *SFX_KIT.values(), *AVL_KIT.values()]
    out = {i.label for i in insts if i.label}
    out |= {k.label for k in KITS.values() if k.label} | {k.groove for k in KITS.values() if k.groove}
    return out | {"drum_machine"}
