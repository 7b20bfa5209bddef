"""Sample libraries (issue 27): hydrogen-drumkits, hydrogen-drumkits-effects, sonic-pi-samples,
lmms-common. Their packages, and their reviewed rules and exclusions (gathered by rules.py).

Written from a survey of every extracted file: its name, the kit's drumkit.xml (which names
each Hydrogen instrument and its layer files), its duration, and a log-mel spectrogram of the
doubtful ones. Instruments are labelled by the vocabulary's instrument labels; a kit its
author documents as synthesised (ArtemioLabs' ElectricEmpireKit and HardElectro1, VariBreaks)
is `drum_machine`; sonic-pi's and LMMS's kicks of unknown origin are `bass_drum` (AudioSet's
"Bass drum" takes the electronic kick too). Synthesised effects, pads of unclear source, pure
waveforms and presets are excluded with their reason; so is a kit whose instrument names the
spectrograms do not bear out (rumpf_kit_z01_h2).

Split groups (`SourcePackage.grouping`): the velocity layers and round-robin takes of one drum
of one kit share a split (the three Millo kits are one Ludwig set recorded three times: one
group per drum across them); each file stays its own distinct recording.
"""

from __future__ import annotations

import re

from training.corpus.sources.debian import AUDIO_PATTERNS, SourcePackage
from training.corpus.sources.table import Exclusion, Rule

_HD, _HE, _SP, _LM = "hydrogen-drumkits", "hydrogen-drumkits-effects", "sonic-pi-samples", "lmms-common"
H = "usr/share/hydrogen/data/drumkits/"
SP = "usr/share/sonic-pi/samples/"
LM = "usr/share/lmms/samples/"
_H, _SPR, _LMR = re.escape(H), re.escape(SP), re.escape(LM)

# hydrogen-drumkits' copyright file names each kit by its archive, drumkits/KIT.h2drumkit
HYDROGEN_KITS = ("Audiophob", "BJA_Pacific", "ColomboAcousticDrumkit", "ElectricEmpireKit", "ForzeeStereo",
                 "Gimme A Hand 1.0", "HardElectro1", "Millo-Drums_v.1", "Millo_MultiLayered2", "Millo_MultiLayered3",
                 "The Black Pearl 1.0", "VariBreaks", "rumpf_kit_z01_h2", "belofilms_GuitarStrums")
HYDROGEN_LICENCE_PATHS = tuple((f"{H}{kit}/*", f"drumkits/{kit}.h2drumkit") for kit in HYDROGEN_KITS) + (
    (f"{H}circAfrique v4/*", "drumkits/circAfrique.h2drumkit"),)  # the folder carries the version, the archive not

_MILLO = _H + r"Millo[^/]*/"  # Millo-Drums_v.1, Millo_MultiLayered2 and 3: one Ludwig set, three recordings
HYDROGEN_GROUPING: tuple[tuple[str, str], ...] = (
    (_MILLO + r"bd[^/]*", "Millo Ludwig/bass drum"),
    (_MILLO + r"(?:snare|jsnare|rsnare|sd|sr)[^/]*", "Millo Ludwig/snare"),
    (_MILLO + r"(?:tom|floortom|ft|t1|t2)[^/]*", "Millo Ludwig/toms"),
    (_MILLO + r"(?:closehihat|openhat|pedalhihat|hh)[^/]*", "Millo Ludwig/hi-hat"),
    (_MILLO + r"(?:cra|crash|cc|ride|rc)[^/]*", "Millo Ludwig/cymbals"),
    # Glen MacArthur's two kits may share the cowbell and the clap
    (_H + r"(?:The Black Pearl 1\.0|Gimme A Hand 1\.0)/(Cowbell|HandClap)[^/]*", r"Glen MacArthur/\1"),
    # any other kit file: its kit folder and its name without the velocity or take suffix
    # ("PearlKick-Softest.wav" -> "The Black Pearl 1.0/PearlKick", "BD_08.aiff" -> "BJA_Pacific/BD")
    (_H + r"([^/]+)/(.+?)(?:[-_ ]?\d+(?:wav)?|[-_ ](?:Softest|Soft|Med|Hardest|Hard))?\.\w+", r"\1/\2"),
)
SONIC_PI_GROUPING: tuple[tuple[str, str], ...] = (
    (_SPR + r"tabla_.*", "dio_333's tabla"),  # 26 strokes of one tabla
    (_SPR + r"(?:bd_gas|drum_bass_(?:hard|soft))\.flac", "menegass/bass drum"),
    (_SPR + r"drum_(snare|splash|tom_hi|tom_lo|tom_mid)_(?:hard|soft)\.flac", r"menegass/\1"),
    (_SPR + r"drum_cymbal_(?:closed|open|pedal)\.flac", "menegass/hi-hat"),
    (_SPR + r"drum_cymbal_(?:hard|soft)\.flac", "menegass/cymbal"),
    (_SPR + r"loop_amen(?:_full)?\.flac", "the Amen break"),  # two cuts of one record
    (_SPR + r"guit_(?:e_fifths|em9)\.flac", "Sub-d's guitar"),
    (_SPR + r"sn_(?:dolf|zome)\.flac", "Dolfeus/snare"),
    (_SPR + r"bd_(?:808|pure)\.flac", "EKVelika/kick"),
    (_SPR + r"elec_(?:hi_|lo_|mid_|filt_)?snare\.flac", "looppool/snare"),
    (_SPR + r"elec_(?:hollow|soft)_kick\.flac", "looppool/kick"),
)
LMMS_GROUPING: tuple[tuple[str, str], ...] = (
    (_LMR + r"instruments/violin_.*", "instruments/violin"),
    # numbered takes of one name ("church_organ01".."04", "snare01".."07") share a split
    (_LMR + r"(\w+)/(.+?)_?\d*\.\w+", r"\1/\2"),
)

SOURCES: tuple[SourcePackage, ...] = (
    SourcePackage(_HD, members=tuple(H + p for p in AUDIO_PATTERNS) + (H + "*/drumkit.xml",),
                  grouping=HYDROGEN_GROUPING, licence_paths=HYDROGEN_LICENCE_PATHS),
    SourcePackage(_HE, members=tuple(H + p for p in AUDIO_PATTERNS) + (H + "*/drumkit.xml",),
                  grouping=HYDROGEN_GROUPING, licence_paths=HYDROGEN_LICENCE_PATHS),
    SourcePackage(_SP, members=(SP + "*.flac",), grouping=SONIC_PI_GROUPING),  # not buffers/rand-stream.wav
    SourcePackage(_LM, members=tuple(LM + p for p in AUDIO_PATTERNS), grouping=LMMS_GROUPING),  # samples/ only
)


def _kit(kit: str, *rules: tuple[str, str, str], package: str = _HD) -> tuple[Rule, ...]:
    return tuple(Rule(package, f"{H}{kit}/{pattern}", label, reason) for pattern, label, reason in rules)


def _in(package: str, root: str, *rules: tuple[str, str, str]) -> tuple[Rule, ...]:
    return tuple(Rule(package, root + pattern, label, reason) for pattern, label, reason in rules)


_NO_LABEL = " (no vocabulary label of its own)"

RULES: tuple[Rule, ...] = (
    # ---- hydrogen-drumkits: one folder per kit, its drumkit.xml names the instruments
    *_kit("Audiophob",  # freesound samples, CC0
          ("101450__menegass__tomh.wav", "drum_machine", "a synthesised tom (a sine drop and a click)"),
          ("*__menegass__noise-tom*.wav", "drum_machine", "synthesised toms (menegass's noise toms)"),
          ("*__minorr__hhat-paiste*.wav", "hi_hat", "an open Paiste hi-hat"),
          ("*__cbeeching__hat-light.wav", "hi_hat", "a closed hi-hat"),
          ("*__connersaw8__crash.wav", "cymbal", "a crash cymbal"),
          ("*__lewis__sabmute.wav", "cymbal", "a muted Sabian cymbal (the kit's ride)"),
          ("*__dayvonjersen__fxshake5.wav", "rattle_instrument", "a shaker"),
          ("*__walter-odington__garage-city-snare-snappy.wav", "snare_drum", "a snare drum"),
          ("*__zgump__tom-0105.wav", "drum", "a tom (the kit's kick)")),
    *_kit("BJA_Pacific",  # a Pacific drum set sampled by Bransin James Anderson, 44.1 kHz AIFF
          ("BD_*.aiff", "bass_drum", "the kick, 8 velocity layers"),
          ("SN_*.aiff", "snare_drum", "the snare, 8 velocity layers"),
          ("SN4_*.aiff", "snare_drum", "the snare struck dry, 8 velocity layers"),
          ("SN3_*.aiff", "drum_roll", "a snare roll (the kit's 'Snare Roll': rapid strokes)"),
          ("HH_*.aiff", "hi_hat", "the hi-hat closed"),
          ("HH2_*.aiff", "hi_hat", "the hi-hat open"),
          ("HH3_*.aiff", "hi_hat", "the hi-hat let ring ('Hi Hat Free')"),
          ("TM_*.aiff", "drum", "a tom"),
          ("TM2_*.aiff", "drum", "the floor tom"),
          ("CB_*.aiff", "cymbal", "a crash cymbal (left)"),
          ("CB2_*.aiff", "cymbal", "a crash cymbal (right)"),
          ("RD_*.aiff", "cymbal", "a ride cymbal"),
          ("RD2_*.aiff", "cymbal", "a second ride cymbal"),
          ("BL_*.aiff", "cymbal", "the ride cymbal's bell")),
    *_kit("ColomboAcousticDrumkit",  # wooden toms, snare and bass drum, crash and ride cymbals
          ("bassdrum-*.flac", "bass_drum", "the bass drum (21x14)"),
          ("snare-opaque-*normal[-_]shot*.flac", "snare_drum", "the piccolo snare"),
          ("snare-opaque-*-rimshot*.flac", "rimshot", "rimshots on the piccolo snare"),
          ("stick-rim-*.flac", "rimshot", "a stick on the snare's rim (the kit's 'Stick')"),
          ("hihat-*.flac", "hi_hat", "the hi-hat, closed, semi-open and open"),
          ("tom-*.flac", "drum", "a tom (12x8, 13x9, 16x16)"),
          ("crash*i__*.flac", "cymbal", "16 and 20 inch cymbals: crash, ride and ride cup")),
    *_kit("ElectricEmpireKit",
          ("EE_*.flac", "drum_machine", "synthesised drums ('synthesised from noise and sine waves': kicks, "
                                        "snares, claps, hats, congas)")),
    *_kit("ForzeeStereo",  # TAMA Superstar, Pearl snare, tambourine and agogo, Paiste cymbals
          ("Kick-*.wav", "bass_drum", "a TAMA Superstar 22\" kick, 5 velocity layers"),
          ("Tom*-*.wav", "drum", "TAMA Superstar toms (16\", 13\", 12\")"),
          ("Snare-*.wav", "snare_drum", "a Pearl maple snare"),
          ("SnareOff-*.wav", "snare_drum", "the Pearl snare with its snares off"),
          ("SnareRim-*.wav", "rimshot", "rimshots on the Pearl snare"),
          ("SnareOffRim-*.wav", "rimshot", "rimshots on the Pearl snare, snares off"),
          ("RimClick-*.wav", "rimshot", "a rim click on the Pearl snare"),
          ("HiHat*-*.wav", "hi_hat", "a Paiste hi-hat: closed, open, semi-open, pedal"),
          ("Ride*-*.wav", "cymbal", "a 22\" ride cymbal: ride, bell, bow"),
          ("Crash*-*.wav", "cymbal", "Paiste 18\" crash and crash/ride cymbals"),
          ("China-*.wav", "cymbal", "a Paiste 18\" china cymbal"),
          ("Splash10-*.wav", "cymbal", "a Paiste 10\" splash cymbal"),
          ("Tambourine*-*.wav", "tambourine", "a Pearl tambourine, by hand and by pedal"),
          ("Agogo*-*.wav", "percussion", "an agogo bell, low and high" + _NO_LABEL)),
    *_kit("Gimme A Hand 1.0",  # hand percussion, 5 velocity layers each
          ("Cajon*-*.wav", "drum", "a cajon, thumps and slaps"),
          ("Bongo*-*.wav", "drum", "bongos, high and low"),
          ("Maraca-*.wav", "maraca", "a maraca"),
          ("HandClap-*.wav", "clapping", "hand claps"),
          ("Fingersnap-*.wav", "finger_snapping", "finger snaps"),
          ("Tambourine-*.wav", "tambourine", "a tambourine"),
          ("Cowbell-*.wav", "cowbell", "a cowbell"),
          ("Clave-*.wav", "percussion", "claves" + _NO_LABEL),
          ("WoodBlock-*.wav", "wood_block", "a wood block")),
    *_kit("HardElectro1",
          ("*.flac", "drum_machine", "synthesised kicks, snare, claps and hi-hats ('all sounds synthesized')")),
    *_kit("Millo-Drums_v.1",  # a Ludwig set, recorded for a 'sixties' sound
          ("bd1.flac", "bass_drum", "the Ludwig kick"),
          ("snare[13].flac", "snare_drum", "the Ludwig snare"),
          ("tom*.flac", "drum", "Ludwig toms"),
          ("closehihat*.flac", "hi_hat", "the hi-hat closed"),
          ("openhat*.flac", "hi_hat", "the hi-hat open"),
          ("pedalhihat.flac", "hi_hat", "the hi-hat pedal"),
          ("cra_Rock_a.flac", "cymbal", "a crash cymbal"),
          ("crash.flac", "cymbal", "a crash cymbal"),
          ("ride[12].flac", "cymbal", "ride cymbals"),
          ("clap_Dry_c.flac", "clapping", "a dry hand clap"),
          ("misc_Cowbell.flac", "cowbell", "a cowbell"),
          ("stick_Woody.flac", "rimshot", "the kit's 'Stick': a side-stick hit")),
    *_kit("Millo_MultiLayered2",  # the Ludwig set again, multi-layered
          ("bd_*.flac", "bass_drum", "the Ludwig kick, 5 layers"),
          ("jsnare_*.flac", "snare_drum", "the snare tuned for jazz"),
          ("rsnare_*.flac", "snare_drum", "the snare tuned for rock"),
          ("rim_*.flac", "rimshot", "rim hits (the kit's 'Stick')"),
          ("floortom_*.flac", "drum", "the floor tom"),
          ("tom_*.flac", "drum", "a rack tom"),
          ("hh*.flac", "hi_hat", "the hi-hat: closed, open, pedal"),
          ("crash_*.flac", "cymbal", "a crash cymbal"),
          ("ride_*.flac", "cymbal", "a ride cymbal"),
          ("clap_*.flac", "clapping", "hand claps")),
    *_kit("Millo_MultiLayered3",  # the Ludwig set, recorded at cricketstudios.it
          ("bd_*.flac", "bass_drum", "the Ludwig kick"),
          ("sd_*.flac", "snare_drum", "the snare"),
          ("sr_*.flac", "drum_roll", "a snare roll (rapid strokes)"),
          ("rs_*.flac", "rimshot", "rim shots (the kit's 'Stick')"),
          ("ft_*.flac", "drum", "the floor tom"),
          ("t[12]_*.flac", "drum", "rack toms"),
          ("h[ho]_*.flac", "hi_hat", "the hi-hat: closed, pedal, open"),
          ("cc_*.flac", "cymbal", "a crash cymbal"),
          ("rc_*.flac", "cymbal", "a ride cymbal"),
          ("mc_cb.flac", "cowbell", "a cowbell")),
    *_kit("The Black Pearl 1.0",  # a Pearl kit with Sabian, Paiste and Zildjian cymbals, 5 layers each
          ("PearlKick-*.wav", "bass_drum", "a Pearl kick"),
          ("PearlSnare-*.wav", "snare_drum", "a Pearl snare"),
          ("PearlSnareRimshot-*.wav", "rimshot", "rimshots on the Pearl snare"),
          ("PearlSideStick-*.wav", "rimshot", "side-stick hits on the Pearl snare"),
          ("PearlTom*-*.wav", "drum", "Pearl toms (1, 2, floor)"),
          ("SabianHat*-*.wav", "hi_hat", "a Sabian hi-hat: closed, pedal, semi-open, open, swish, choke"),
          ("Paiste*-*.wav", "cymbal", "a Paiste ride: ride, bell, flink"),
          ("SabianCrash*-*.wav", "cymbal", "a Sabian crash"),
          ("ZildjianSplash*-*.wav", "cymbal", "a Zildjian splash, let ring and choked"),
          ("Cowbell-*.wav", "cowbell", "a cowbell"),
          ("HandClap.wav", "clapping", "a hand clap")),
    *_kit("VariBreaks",
          ("*.flac", "drum_machine", "synthesised drums (a Roland V-Synth: kicks, snares, toms, hats)")),
    *_kit("circAfrique v4",  # West African drums
          ("Djembe* *.wav", "drum", "a djembe: bass, tone and slap"),
          ("* Head *.wav", "drum", "a dunun's head (dununba, sangban, kenkeni: West African bass drums)"),
          ("* Bell*.wav", "percussion", "a dunun's iron bell, struck and muted" + _NO_LABEL)),
    # ---- hydrogen-drumkits-effects: one kit, belofilms' guitar strums
    *_kit("belofilms_GuitarStrums",
          ("*.flac", "guitar", "strummed guitar chords, 4 takes each, up, down or without a slide"),
          package=_HE),
    # ---- sonic-pi-samples: freesound recordings (CC0) and Sonic Pi's own (MIT)
    *_in(_SP, SP,
         ("ambi_piano.flac", "piano", "soft piano notes"),
         ("bass_dnb_f.flac", "synthesizer", "a pulsing drum-and-bass synth bass"),
         ("bass_drop_c.flac", "synthesizer", "a synth bass note that drops"),
         ("bass_hard_c.flac", "synthesizer", "a harsh synth bass note"),
         ("bass_thick_c.flac", "synthesizer", "a held saw-wave synth bass note"),
         ("bass_trance_c.flac", "synthesizer", "a trance synth bass note"),
         ("bass_voxy_c.flac", "synthesizer", "a synth bass note under a sweeping comb filter"),
         ("bass_woodsy_c.flac", "synthesizer", "a decaying synth bass pluck"),
         ("bd_*.flac", "bass_drum", "a kick drum hit (acoustic or electronic)"),
         ("sn_*.flac", "snare_drum", "a snare drum hit"),
         ("drum_bass_*.flac", "bass_drum", "a bass drum, hard and soft"),
         ("drum_heavy_kick.flac", "bass_drum", "a heavy kick drum"),
         ("drum_cowbell.flac", "cowbell", "a cowbell"),
         ("drum_cymbal_closed.flac", "hi_hat", "a closed hi-hat"),
         ("drum_cymbal_open.flac", "hi_hat", "an open hi-hat"),
         ("drum_cymbal_pedal.flac", "hi_hat", "a pedal hi-hat"),
         ("drum_cymbal_hard.flac", "cymbal", "a cymbal struck hard"),
         ("drum_cymbal_soft.flac", "cymbal", "a cymbal struck softly"),
         ("drum_roll.flac", "drum_roll", "a 6 s snare roll"),
         ("drum_snare_*.flac", "snare_drum", "a snare drum, hard and soft"),
         ("drum_splash_*.flac", "cymbal", "a splash cymbal, hard and soft"),
         ("drum_tom_*.flac", "drum", "toms (high, mid, low; hard and soft)"),
         ("elec_hollow_kick.flac", "drum_machine", "an electronic kick"),
         ("elec_soft_kick.flac", "drum_machine", "an electronic kick"),
         ("elec_*snare.flac", "drum_machine", "electronic snares (high, mid, low, filtered)"),
         ("elec_fuzz_tom.flac", "drum_machine", "an electronic tom"),
         ("elec_cymbal.flac", "drum_machine", "an electronic cymbal"),
         ("elec_chime.flac", "synthesizer", "a held synthesised chime tone with tremolo"),
         ("elec_bell.flac", "synthesizer", "a synthesised bell tone"),
         ("guit_*.flac", "guitar", "guitar: fifths on E, an Em9 chord, a slide, harmonics"),
         ("loop_amen.flac", "drum_kit", "the Amen break (a drum kit, one bar)"),
         ("loop_amen_full.flac", "drum_kit", "the Amen break (a drum kit, four bars)"),
         ("loop_breakbeat.flac", "drum_kit", "a breakbeat drum loop"),
         ("loop_garzul.flac", "drum_kit", "a drum loop: kick, snare and hats"),
         ("loop_mika.flac", "drum_kit", "a drum loop: kick, snare and hats"),
         ("loop_safari.flac", "percussion", "a hand-percussion loop"),
         ("loop_tabla.flac", "tabla", "a tabla rhythm"),
         ("misc_burp.flac", "burping", "a burp"),
         ("misc_crow.flac", "crow", "a crow's caw"),
         ("perc_door.flac", "door", "a door struck shut (one hit and its room)"),
         ("perc_snap.flac", "finger_snapping", "a finger snap"),
         ("perc_snap2.flac", "finger_snapping", "a finger snap"),
         ("perc_swoosh.flac", "whoosh", "a quick swoosh"),
         ("perc_till.flac", "cash_register", "a cash register: its drawer and bell"),
         ("tabla_*.flac", "tabla", "single tabla strokes (ghe, ke, na, tun, te, ...)"),
         ("vinyl_backspin.flac", "scratching", "a record spun back by hand (a DJ backspin)"),
         ("vinyl_rewind.flac", "scratching", "a record pulled back by hand (a DJ rewind)"),
         ("vinyl_scratch.flac", "scratching", "a record scratch"),
         ("vinyl_hiss.flac", "static", "vinyl surface noise: a steady hiss with clicks")),
    # ---- lmms-common: LMMS's sample library (usr/share/lmms/samples/; GPL-2+)
    *_in(_LM, LM,
         ("beats/909beat01.ogg", "drum_machine", "a Roland TR-909 drum pattern"),
         ("beats/break0[1-3].ogg", "drum_kit", "breakbeats (a drum kit)"),
         ("beats/jungle01.ogg", "drum_kit", "a chopped jungle breakbeat (a drum kit)"),
         ("beats/electro_beat0[12].ogg", "drum_machine", "electro drum-machine patterns"),
         ("beats/house_loop01.ogg", "drum_machine", "a house drum-machine loop"),
         ("beats/rave_*.ogg", "drum_machine", "rave drum-machine loops of one drum (kick, snare, hi-hat)"),
         ("basses/*.ogg", "synthesizer", "synth bass notes (acid, rave, techno, a Matrix-1000 pluck)"),
         ("bassloops/briff01.ogg", "synthesizer", "a synth bass riff"),
         ("bassloops/rave_bass0[12].ogg", "synthesizer", "rave synth bass loops"),
         ("bassloops/tb303_01.ogg", "synthesizer", "a Roland TB-303 bass line"),
         ("bassloops/techno_bass0[12].ogg", "synthesizer", "techno synth bass loops"),
         ("bassloops/techno_synth0[12].ogg", "synthesizer", "techno synth loops"),
         ("drums/bassdrum0[1-4].ogg", "bass_drum", "kick drums"),
         ("drums/bassdrum_acoustic02.ogg", "bass_drum", "an acoustic bass drum"),
         ("drums/kick0[123].ogg", "bass_drum", "kick drums"),
         ("drums/kick_*.ogg", "bass_drum", "kick drums (distorted, hard, hardcore, hip-hop, long, soft)"),
         ("drums/clap0[1-4].ogg", "clapping", "hand claps"),
         ("drums/clav0[12].ogg", "percussion", "claves" + _NO_LABEL),
         ("drums/crash0[12].ogg", "cymbal", "crash cymbals"),
         ("drums/ride0[12].ogg", "cymbal", "ride cymbals"),
         ("drums/hihat_*.ogg", "hi_hat", "hi-hats: closed, open, foot pedal"),
         ("drums/rim01.ogg", "rimshot", "a rimshot"),
         ("drums/snare_rim01.ogg", "rimshot", "a snare rimshot"),
         ("drums/shaker0[23].ogg", "rattle_instrument", "a shaker"),
         ("drums/snare0[1-7].ogg", "snare_drum", "snare drums"),
         ("drums/snare_acoustic01.ogg", "snare_drum", "an acoustic snare drum"),
         ("drums/snare_harsh01.ogg", "snare_drum", "a harsh snare drum"),
         ("drums/snare_hiphop0[12].ogg", "snare_drum", "hip-hop snares"),
         ("drums/snare_muffled0[12].ogg", "snare_drum", "muffled snare drums"),
         ("drums/snare_short01.ogg", "snare_drum", "a short snare drum hit"),
         ("drums/snare_electro01.ogg", "drum_machine", "an electronic snare"),
         ("drums/tom*.ogg", "drum", "toms"),
         ("drums/wood01.ogg", "wood_block", "a wood block"),
         ("instruments/bassslap0[12].ogg", "bass_guitar", "a slapped bass guitar"),
         ("instruments/cello01.ogg", "cello", "a cello note"),
         ("instruments/church_organ0[1-4].ogg", "organ", "a church organ"),
         ("instruments/e_organ01.ogg", "organ", "an electric organ chord"),
         ("instruments/e_piano_accord0[12].ogg", "electric_piano", "electric piano chords"),
         ("instruments/flute01.ogg", "flute", "a flute note"),
         ("instruments/piano0[12].ogg", "piano", "piano notes"),
         ("instruments/steel_guitar01.ogg", "guitar", "a steel-string guitar"),
         ("instruments/trumpet01.ogg", "trumpet", "a trumpet note"),
         ("instruments/violin_double_stop01.ogg", "violin", "a violin double stop"),
         ("instruments/violin_fingered01.ogg", "violin", "a fingered violin note"),
         ("instruments/violin_pizzicato01.ogg", "pizzicato", "a plucked violin (pizzicato)"),
         ("latin/latin_brass01.ogg", "brass_instrument", "a latin brass riff"),
         ("latin/latin_guitar0[1-3].ogg", "guitar", "strummed latin guitar rhythms"),
         ("misc/applause01.ogg", "applause", "applause"),
         ("misc/raving_crowd01.ogg", "crowd", "a crowd at a rave, cheering"),
         ("stringsnpads/juno_pad01.ogg", "synthesizer", "a Roland Juno pad"),
         ("stringsnpads/korg_poly6_drone01.ogg", "synthesizer", "a Korg Poly-6 drone"),
         ("stringsnpads/nord_ambient01.ogg", "synthesizer", "a Nord ambient pad"),
         ("stringsnpads/*_string*.ogg", "synthesizer", "synth string pads (heaven, orion, space strings)"),
         ("stringsnpads/rave_choir01.ogg", "synthesizer", "a synth 'choir' stab")),
)

EXCLUSIONS: tuple[Exclusion, ...] = (
    # ---- hydrogen-drumkits
    Exclusion(_HD, H + "*/emptySample.flac", "an empty placeholder sample (silent)"),
    Exclusion(_HD, H + "Audiophob/122557__anillogic__trimo-c3.wav",
              "the kit's 'Cowbell' is a steady synthesised tone, not a cowbell"),
    Exclusion(_HD, H + "Audiophob/124382__cubix__8bit-snare.wav", "a chiptune (8-bit) snare: no honest label"),
    Exclusion(_HD, H + "Audiophob/29800__stomachache__3.wav",
              "the kit's 'Hand Clap': an unnamed noise burst the spectrogram does not bear out"),
    Exclusion(_HD, H + "Audiophob/16336__sstokes__ss-ht-crunchtime.wav", "0.02 s: too short to name"),
    Exclusion(_HD, H + "ElectricEmpireKit/EE_Click.flac", "a 0.04 s click"),
    Exclusion(_HD, H + "ElectricEmpireKit/EE_Whistle.flac", "a synthesised whistle tone, not a whistle"),
    Exclusion(_HD, H + "HardElectro1/[xy]FX_*.flac", "synthesised zaps and effects ('Zap', 'FX'): no honest label"),
    Exclusion(_HD, H + "ForzeeStereo/Stick-*.wav", "drumsticks clicked together: no vocabulary label"),
    Exclusion(_HD, H + "Gimme A Hand 1.0/Waterglass*.wav", "a struck water glass, tuned: no vocabulary label"),
    Exclusion(_HD, H + "rumpf_kit_z01_h2/*",
              "'analog samples' mapped onto General MIDI slots; 109 of 134 are unnamed and the spectrograms "
              "do not bear out the slot names (its 'cymbal 1' has nothing above 1 kHz)"),
    # ---- sonic-pi-samples
    Exclusion(_SP, SP + "ambi_choir.flac", "a held choir-like pad: a sung choir or a synth, cannot tell"),
    Exclusion(_SP, SP + "ambi_dark_woosh.flac", "a slow, dark noise swell (a designed effect)"),
    Exclusion(_SP, SP + "ambi_drone.flac", "a drone of unclear source"),
    Exclusion(_SP, SP + "ambi_glass_hum.flac", "a rubbed wine glass humming: no vocabulary label"),
    Exclusion(_SP, SP + "ambi_glass_rub.flac", "a rubbed wine glass: no vocabulary label"),
    Exclusion(_SP, SP + "ambi_haunted_hum.flac", "a steady hum of unclear source"),
    Exclusion(_SP, SP + "ambi_lunar_land.flac", "a designed noise effect"),
    Exclusion(_SP, SP + "ambi_sauna.flac", "9 s of broadband noise of unclear source"),
    Exclusion(_SP, SP + "ambi_soft_buzz.flac", "a soft harmonic buzz of unclear source"),
    Exclusion(_SP, SP + "ambi_swoosh.flac", "a steady low noise, no swoosh to see"),
    Exclusion(_SP, SP + "bass_hit_c.flac", "a synth bass hit with clicks: no honest label"),
    Exclusion(_SP, SP + "bass_voxy_hit_c.flac", "a synth bass hit: no honest label"),
    *(Exclusion(_SP, f"{SP}elec_{name}.flac", "a short electronic blip, ping or pop: no honest label")
      for name in ("beep", "blip", "blip2", "blup", "bong", "flip", "ping", "plip", "pop", "tick", "triangle",
                   "twang", "twip")),
    Exclusion(_SP, SP + "elec_wood.flac", "a run of electronic clicks: no honest label"),
    Exclusion(_SP, SP + "glitch_*.flac", "glitch effects (cut-up synth and robot sounds)"),
    Exclusion(_SP, SP + "mehackit_*.flac", "designed phone and robot effects"),
    Exclusion(_SP, SP + "loop_3d_printer.flac", "a 3D printer's stepper motors: no vocabulary label"),
    Exclusion(_SP, SP + "loop_compus.flac", "an electronic pattern of clicks of unclear source"),
    Exclusion(_SP, SP + "loop_drone_g_97.flac", "a drone"),
    Exclusion(_SP, SP + "loop_electric.flac", "an electric noise loop"),
    Exclusion(_SP, SP + "loop_industrial.flac", "an industrial noise loop"),
    Exclusion(_SP, SP + "loop_mehackit*.flac", "produced loops mixing drums and synths"),
    Exclusion(_SP, SP + "loop_perc*.flac", "swells of shaped noise: no honest label"),
    Exclusion(_SP, SP + "loop_weirdo.flac", "a synth loop"),
    Exclusion(_SP, SP + "misc_cineboom.flac", "a designed cinematic boom"),
    Exclusion(_SP, SP + "perc_bell*.flac", "a struck bell of unclear kind (no vocabulary label for a generic bell)"),
    Exclusion(_SP, SP + "perc_impact*.flac", "designed impacts: no honest label"),
    Exclusion(_SP, SP + "perc_swash.flac", "a short noise swash of unclear source"),
    # ---- lmms-common
    Exclusion(_LM, LM + "shapes/*", "single-cycle waveforms: synthetic"),
    Exclusion(_LM, LM + "waveforms/*", "single-cycle waveforms and LFO shapes: synthetic"),
    Exclusion(_LM, LM + "drums/kick04.ogg", "a WAV file named .ogg whose header the decoder rejects"),
    Exclusion(_LM, LM + "effects/scratch01.ogg", "a WAV file named .ogg whose header the decoder rejects"),
    Exclusion(_LM, LM + "effects/wind_chimes01.ogg", "a WAV file named .ogg whose header the decoder rejects"),
    Exclusion(_LM, LM + "instruments/harpsichord01.ogg", "a WAV file named .ogg whose header the decoder rejects"),
    Exclusion(_LM, LM + "misc/hit01.ogg", "a WAV file named .ogg whose header the decoder rejects"),
    Exclusion(_LM, LM + "drums/bassdrum_acoustic01.ogg", "a 0.06 s broadband click, no bass drum to see"),
    Exclusion(_LM, LM + "drums/nasty_*.ogg", "designed noise hits ('nasty' bass, rim, snare)"),
    Exclusion(_LM, LM + "drums/zap0*.ogg", "synthesised zaps"),
    Exclusion(_LM, LM + "drums/shaker01.ogg", "0.03 s: too short to name"),
    Exclusion(_LM, LM + "drums/sidestick01.ogg", "0.04 s: too short to name"),
    Exclusion(_LM, LM + "instruments/steel_guitar_*distorted01.ogg",
              "steel_guitar01 with distortion added (a processed copy of one take)"),
    Exclusion(_LM, LM + "bassloops/techno_synth0[34].ogg", "techno loops mixing synths and drums"),
    Exclusion(_LM, LM + "effects/*", "synthesised effects (sweeps, warps, start and stop) and a noise burst "
                                     "cut off at 2.5 s ('explode'): no honest label"),
    Exclusion(_LM, LM + "misc/bass!.ogg", "a synth stab"),
    Exclusion(_LM, LM + "misc/buzz!.ogg", "a synth buzz"),
    Exclusion(_LM, LM + "misc/breath01.ogg", "a breathy noise pad of unclear source"),
    Exclusion(_LM, LM + "misc/*dong0*.ogg", "struck metal tones of unclear source"),
    Exclusion(_LM, LM + "misc/electric_ping01.ogg", "an electronic ping"),
    Exclusion(_LM, LM + "misc/hit02.ogg", "a hit of unclear source"),
    Exclusion(_LM, LM + "misc/metronome0[12].ogg", "electronic metronome beeps: no vocabulary label"),
    Exclusion(_LM, LM + "misc/snaph01.ogg", "a short click of unclear source"),
    Exclusion(_LM, LM + "misc/undefined01.ogg", "a synth sound"),
    Exclusion(_LM, LM + "stringsnpads/bell_choir0[12].ogg", "bell-like pads: a synth or a sample, cannot tell"),
    Exclusion(_LM, LM + "stringsnpads/chorus0[12].ogg", "choir-like pads: a sung choir or a synth, cannot tell"),
    Exclusion(_LM, LM + "stringsnpads/strings01.ogg", "a string pad: a string section or a synth, cannot tell"),
)

# Files the label checks removed (`listen corpus sources --check`, as in rules.CHECKED_OUT):
# under 0.05 s of sound within 35 dB of the peak, or a spectrum far from its label's that a
# look at the spectrogram confirmed. Hits of 0.05-0.15 s were flagged `short` too but kept.
_SHORT = "check: under 0.05 s of sound, too short to name"
CHECKED_OUT: tuple[Exclusion, ...] = (
    *(Exclusion(_HD, f"{H}Millo_MultiLayered2/clap_0{i}.flac", _SHORT) for i in (1, 2, 3)),
    Exclusion(_HD, H + "HardElectro1/Hard_CHH_01.flac", _SHORT),
    Exclusion(_HD, H + "ElectricEmpireKit/EE_Hat_Ring_1.flac", _SHORT),
    Exclusion(_HD, H + "ElectricEmpireKit/EE_Hat_Cl_Dirty.flac", _SHORT),
    Exclusion(_HD, H + "VariBreaks/VP Hat [12] Cl.flac", _SHORT),
    *(Exclusion(_SP, f"{SP}tabla_{name}.flac", _SHORT) for name in ("te_m", "te1", "te2", "ke1", "ke2")),
    Exclusion(_LM, LM + "drums/clav0[12].ogg", _SHORT),
    Exclusion(_SP, SP + "perc_swoosh.flac", "check: outlier of whoosh (z 7.3); two broadband noise bursts, "
                                            "no swoosh's sweep to see"),
)
EXCLUSIONS = EXCLUSIONS + CHECKED_OUT
