"""Debian game and education data packages added for issue 27: their packages, and their
reviewed rules and exclusions (gathered by rules.py).

Surveyed file by file (names, folders, durations, log-mel spectrograms of the doubtful ones);
only recorded sounds whose label a look bore out are labelled. Voice acting is labelled only
where it is plain speech in a real language (English radio calls, pace notes). The sounds of
nexuiz-data and trigger-rally-data sit in zip files (`data.pk3`, `data.zip`): `InnerArchive`
extracts only their `sound/` members. gcompris-qt-data's further activities are listed in
packages.GCOMPRIS_RCC; their rules are here.

Surveyed and left out: endless-sky-data, naev-data, powermanga-data, chromium-bsu-data,
tecnoballz-data, kobodeluxe-data (synthetic space-shooter sounds and music); freedroidrpg-data
(robot voices and synthetic weapons; its few recorded effects add no label); colobot-common-sounds
(numbered sound000-082.wav, mostly robots and machines: no name to label by); the KDE games
(kapman, kbounce, kgoldrunner, granatier, knavalbattle, kollision, kblocks: a few short game
cues; katomic, bovo: no sound), pinball-data, mirrormagic-data, gamine-data, holotz-castle-data,
pokerth-data, bzflag-data, caveexpress-data, ri-li-data, tuxtype-data (cues, jingles, or a
handful of effects with no clear label); lgeneral-data (empty sound files); armagetronad-common,
pioneers-data, neverputt-data, glob2-data, dreamchess-data, stormbaancoureur-data (no effects or
music only); gnome-audio (desktop cues); csmash-data (spoken numbers of an unverified voice);
7kaa-data's unit sounds (inside .RES containers: no reader); xblast-tnt-sounds (raw PCM).
"""

from __future__ import annotations

from training.corpus.sources.debian import InnerArchive, SourcePackage
from training.corpus.sources.table import Exclusion, Rule

_LU, _C2, _WM, _BT = "lugaru-data", "cube2-data", "warmux-data", "btanks-data"
_SM, _NX, _TRR, _NP = "simutrans-pak64", "nexuiz-data", "trigger-rally-data", "netpanzer-data"
_BS, _TPD, _7K, _GC = "bucklespring-data", "tuxpaint-data", "7kaa-data", "gcompris-qt-data"
_FBP, _TM = "foobillardplus-data", "tuxmath-data"

LU = "usr/share/games/lugaru/Sounds/"
C2 = "usr/share/games/cube2/packages/sounds/"
WM = "usr/share/games/warmux/sound/default/"
BT = "usr/share/games/btanks/data/sounds/"
SM = "usr/share/games/simutrans/pak/sound/"
NX = "data/sound/"  # nexuiz-data: sound/ of data.pk3
TRR = "data/sounds/"  # trigger-rally-data: sounds/ of data.zip
NP = "usr/share/games/netpanzer/sound/"
BS = "usr/share/buckle/wav/"
TPD = "usr/share/tuxpaint/sounds/"
SK = "usr/share/games/7kaa/SOUND/"
FBP = "usr/share/games/foobillardplus/data/"
TM = "usr/share/tuxmath/sounds/"
GC = "rcc/gcompris/src/activities/"  # gcompris-qt-data: entries of its Qt resource files

# nexuiz-data: player models with human voices (their radio calls are English speech); the
# creature models (carni-lycan, reptilian) are left out
NX_HUMANS = ("fricka", "insurrectionist", "marine", "pyria-skadi", "soldier", "specop")
# the torus model keeps its calls beside its other sounds ('hooah', a wordless shout, is unused)
NX_TORUS_CALLS = ("attack", "coverme", "flagseen", "incoming", "letsgo", "needhelp", "taunt", "teamshoot", "waypoint")

SOURCES: tuple[SourcePackage, ...] = (
    # Data/ of the source tree is CC-BY-SA-3.0; the copyright file names it, not the installed path
    SourcePackage(_LU, licence_paths=((LU + "*", "Data/Sounds/sound.ogg"),)),
    SourcePackage(_C2),
    SourcePackage(_WM),
    SourcePackage(_BT),
    SourcePackage(_SM),
    SourcePackage(_NX, members=(), archives=(
        InnerArchive("usr/share/games/nexuiz/data/data.pk3", ("sound/*.ogg", "sound/*.wav"), "data"),)),
    SourcePackage(_TRR, members=(), archives=(
        InnerArchive("usr/share/games/trigger-rally/data.zip", ("sounds/*.wav",), "data"),),
        licence_paths=((TRR + "wind.wav", "data/data.zip/sounds/wind.wav"),)),  # the copyright file's name: CC0
    SourcePackage(_NP),
    SourcePackage(_BS),
    SourcePackage(_TPD, members=(TPD + "*.wav",)),
    SourcePackage(_7K, members=(SK + "*.WAV",)),
    SourcePackage(_FBP, members=(FBP + "*.wav",)),
    SourcePackage(_TM, members=(TM + "*.wav",)),  # its .ogg files are music
)


def _r(package: str, pattern: str, label: str, reason: str) -> Rule:
    return Rule(package, pattern, label, reason)


def _x(package: str, pattern: str, reason: str) -> Exclusion:
    return Exclusion(package, pattern, reason)


RULES: tuple[Rule, ...] = (
    # ---- lugaru-data (Data/ is CC-BY-SA-3.0): wolves, footsteps, fights, fire, wind
    _r(_LU, LU + "Bark.ogg", "dog_barking", "a wolf's bark: harmonic bursts"),
    _r(_LU, LU + "Bark[23].ogg", "dog_barking", "a wolf's bark: harmonic bursts"),
    _r(_LU, LU + "BarkGrowl.ogg", "dog_growl", "a wolf's growling bark"),
    _r(_LU, LU + "Growl*.ogg", "dog_growl", "a wolf growling: a low pulsed voice"),
    _r(_LU, LU + "Snarl*.ogg", "dog_growl", "a wolf snarling"),
    _r(_LU, LU + "Hawk.ogg", "bird", "a hawk's cry: a falling harmonic call"),
    _r(_LU, LU + "Fire.ogg", "fire", "a fire burning"),
    _r(_LU, LU + "FireStart.ogg", "fire", "a fire flaring up"),
    _r(_LU, LU + "Wind.ogg", "wind", "wind, 60 s"),
    _r(_LU, LU + "DesertAmbient.ogg", "outside_rural", "a desert: wind with a few distant birds, 60 s"),
    _r(_LU, LU + "FootStep*.ogg", "footsteps", "a footstep on grass, snow or stone"),
    _r(_LU, LU + "BushRustle.ogg", "rustling_leaves", "a bush's leaves rustling"),
    _r(_LU, LU + "Clank[1-4].ogg", "clang", "metal weapons clashing"),
    _r(_LU, LU + "MetalHit.ogg", "clang", "a blow on metal, ringing"),
    _r(_LU, LU + "*Whoosh.ogg", "whoosh", "a limb or weapon swung through the air"),
    _r(_LU, LU + "KnifeSwish.ogg", "whoosh", "a knife swished through the air"),
    _r(_LU, LU + "Thud.ogg", "thump", "a thud"),
    _r(_LU, LU + "HeavyImpact.ogg", "thump", "a heavy body hitting the ground"),
    _r(_LU, LU + "Land*.ogg", "thump", "landing after a jump"),
    _r(_LU, LU + "StaffBody.ogg", "whack", "a wooden staff striking a body"),
    _r(_LU, LU + "StaffHead.ogg", "whack", "a wooden staff striking a head"),
    _r(_LU, LU + "StaffBreak.ogg", "wood_crack", "a wooden staff snapping"),
    _r(_LU, LU + "FleshStab.ogg", "squish", "a stab"),
    _r(_LU, LU + "Splatter.ogg", "squish", "a splatter"),
    _r(_LU, LU + "*Skid.ogg", "scrape", "sliding to a stop on ground or snow"),
    # ---- cube2-data (Sauerbraten): Q009's weapon recordings, aard's own voice, chainsaw
    _r(_C2, C2 + "0ad/fs_sand7.ogg", "footsteps", "a footstep on sand (the same file as 0ad-data's)"),
    _r(_C2, C2 + "0ad/thunder_10.ogg", "thunder", "thunder (the same file as 0ad-data's)"),
    _r(_C2, C2 + "0ad/windgust_11.ogg", "wind", "a gust of wind (the same file as 0ad-data's)"),
    _r(_C2, C2 + "aard/pain*.wav", "grunt", "a pained cry in the author's own voice"),
    _r(_C2, C2 + "aard/grunt*.wav", "grunt", "a grunt in the author's own voice"),
    _r(_C2, C2 + "aard/die*.wav", "groan", "a dying groan in the author's own voice"),
    _r(_C2, C2 + "aard/land.wav", "thump", "landing after a jump"),
    _r(_C2, C2 + "audioaugust/chainsaw/*", "chainsaw", "a chainsaw cutting and idling"),
    _r(_C2, C2 + "olpc/MichaelBierylo/sfx_DoorSlam.wav", "door", "a door slammed"),
    _r(_C2, C2 + "q009/pistol*", "gunshot", "a pistol shot"),
    _r(_C2, C2 + "q009/rifle*", "gunshot", "a rifle shot with its echo and bolt"),
    _r(_C2, C2 + "q009/shotgun*", "gunshot", "a shotgun shot and its pump"),
    _r(_C2, C2 + "q009/explosion.ogg", "explosion", "an explosion"),
    _r(_C2, C2 + "sfx/explode.ogg", "explosion", "an explosion"),
    _r(_C2, C2 + "sfx/burning.ogg", "fire", "something burning: crackles"),
    _r(_C2, C2 + "sfx/tink.ogg", "chink", "a light metallic tink"),
    _r(_C2, C2 + "yo_frankie/amb_waterdrip_2.ogg", "drip", "water dripping"),
    _r(_C2, C2 + "yo_frankie/watersplash2.ogg", "splash", "a splash"),
    # ---- warmux-data (weapons/ and explosions; the voices are left out)
    _r(_WM, WM + "weapons/explosion[1-9].ogg", "explosion", "an explosion"),
    _r(_WM, WM + "weapons/dynamite_exp.ogg", "explosion", "dynamite exploding"),
    _r(_WM, WM + "weapons/dynamite_fuze.ogg", "sizzle", "a lit fuse fizzing, 5 s"),
    _r(_WM, WM + "weapons/m16.ogg", "gunshot", "a rifle shot"),
    _r(_WM, WM + "weapons/shotgun.ogg", "gunshot", "a shotgun shot and its pump"),
    _r(_WM, WM + "weapons/m16_cartridge.ogg", "chink", "spent cartridges tinkling on the ground"),
    _r(_WM, WM + "weapons/airhammer_used.ogg", "jackhammer", "a pneumatic hammer: regular blows"),
    _r(_WM, WM + "weapons/anvil_collision.ogg", "clang", "an anvil landing: a ringing clang"),
    _r(_WM, WM + "weapons/baseball.ogg", "whack", "a baseball bat hit"),
    _r(_WM, WM + "weapons/slap.ogg", "whack", "two slaps"),
    _r(_WM, WM + "weapons/ricoche[1-3].ogg", "zing", "a ricochet"),
    # ---- btanks-data
    _r(_BT, BT + "ambient/city.ogg", "outside_urban", "a city: traffic and street noise, 60 s"),
    _r(_BT, BT + "ambient/country.ogg", "outside_rural", "the countryside: quiet with birds, 60 s"),
    _r(_BT, BT + "ambient/forest.ogg", "outside_rural", "a forest: birdsong throughout, 88 s"),
    _r(_BT, BT + "ambient/swamp.ogg", "outside_rural", "a swamp: a frog and insect chorus, 58 s"),
    _r(_BT, BT + "cow.ogg", "cattle", "a cow mooing, then birds behind"),
    _r(_BT, BT + "laugh0[12].ogg", "laughter", "a man's long laugh"),
    _r(_BT, BT + "deadman[1-3].ogg", "groan", "a man's dying cry"),
    _r(_BT, BT + "kamikaze-scream.ogg", "screaming", "a long scream"),
    _r(_BT, BT + "klaxon.ogg", "car_horn", "a vehicle's horn honked"),
    _r(_BT, BT + "helicopter.ogg", "helicopter", "a helicopter: rotor blade slap"),
    _r(_BT, BT + "train.ogg", "train", "a train: wheels clacking on rail joints, 20 s"),
    _r(_BT, BT + "engine-start.ogg", "engine_starting", "an engine starting"),
    _r(_BT, BT + "engine-car.ogg", "engine", "a car engine's loop"),
    _r(_BT, BT + "engine-vehicle.ogg", "engine", "a vehicle engine's loop"),
    _r(_BT, BT + "tank-move.ogg", "heavy_engine", "a tank's engine loop"),
    _r(_BT, BT + "man-steps.ogg", "footsteps", "a man's footsteps"),
    _r(_BT, BT + "cannon[1-4].ogg", "artillery_fire", "a tank's cannon firing"),
    _r(_BT, BT + "shot.ogg", "gunshot", "a gunshot"),
    _r(_BT, BT + "fire.ogg", "fire", "a fire crackling"),
    _r(_BT, BT + "*explosion*.ogg", "explosion", "explosions: buildings, vehicles, a large blast"),
    # ---- simutrans-pak64 (Artistic-1.0): vehicles, animals, industry, climates
    _r(_SM, SM + "arctic.wav", "wind", "an arctic wind"),
    _r(_SM, SM + "boat-horn.wav", "foghorn", "a ship's horn"),
    _r(_SM, SM + "bus.wav", "bus", "a bus driving"),
    _r(_SM, SM + "truck.wav", "truck", "a truck driving"),
    _r(_SM, SM + "buzzsaw.wav", "power_tool", "a circular saw"),
    _r(_SM, SM + "comet-jet.wav", "jet_engine", "an early jet airliner's engines"),
    _r(_SM, SM + "planelow.wav", "aircraft", "a plane flying low overhead"),
    _r(_SM, SM + "crossing.wav", "ding", "a level crossing's bell struck again and again"),
    _r(_SM, SM + "desert.wav", "insect", "cicadas in a desert: pulsed chirring"),
    _r(_SM, SM + "diesel.wav", "train_horn", "a diesel locomotive's horn"),
    _r(_SM, SM + "steam.wav", "train_horn", "a steam locomotive's whistle: two blasts"),
    _r(_SM, SM + "forest.wav", "bird", "birds calling in a forest"),
    _r(_SM, SM + "tropic.wav", "bird", "tropical birds calling"),
    _r(_SM, SM + "seagulls.wav", "seagull", "seagulls calling"),
    _r(_SM, SM + "horse.wav", "horse", "a horse neighing, then its hooves"),
    _r(_SM, SM + "jackhammer.wav", "jackhammer", "a jackhammer"),
    _r(_SM, SM + "tree-cutting.wav", "chainsaw", "a chainsaw felling a tree (the tree falls at the end)"),
    _r(_SM, SM + "explosion.wav", "explosion", "an explosion"),
    _r(_SM, SM + "boing.wav", "boing", "a boing"),
    # ---- nexuiz-data (GPL-2+; sound/ of data.pk3)
    *(_r(_NX, NX + f"player/{m}/coms/*", "speech",
         "a player's radio call in English ('attack', 'cover me', 'incoming'); speaker's sex not checked")
      for m in NX_HUMANS),
    *(_r(_NX, NX + f"player/torus/{call}.ogg", "speech", "a player's radio call in English")
      for call in NX_TORUS_CALLS),
    *(_r(_NX, NX + f"player/{m}/player/death*", "screaming", "a player's death cry") for m in NX_HUMANS),
    *(_r(_NX, NX + f"player/{m}/player/falling.ogg", "screaming", "a long scream while falling") for m in NX_HUMANS),
    *(_r(_NX, NX + f"player/{m}/player/pain*", "grunt", "a pained grunt") for m in NX_HUMANS),
    *(_r(_NX, NX + f"player/{m}/player/jump.ogg", "grunt", "a grunt of effort (jumping)") for m in NX_HUMANS),
    *(_r(_NX, NX + f"player/{m}/player/gasp.ogg", "breathing", "gasping for air after surfacing") for m in NX_HUMANS),
    _r(_NX, NX + "player/torus/death.ogg", "screaming", "a player's death cry"),
    _r(_NX, NX + "player/torus/pain*", "grunt", "a pained grunt"),
    _r(_NX, NX + "player/torus/jump.ogg", "grunt", "a grunt of effort (jumping)"),
    _r(_NX, NX + "player/torus/gasp.ogg", "breathing", "gasping for air after surfacing"),
    _r(_NX, NX + "misc/footstep0*", "footsteps", "a footstep"),
    _r(_NX, NX + "misc/metalfootstep0*", "footsteps", "a footstep on metal"),
    _r(_NX, NX + "misc/hitground*", "thump", "landing after a jump"),
    _r(_NX, NX + "misc/metalhitground*", "clang", "landing on a metal floor: a metallic clang"),
    _r(_NX, NX + "misc/gib_splat0*", "squish", "a splat"),
    _r(_NX, NX + "misc/outwater.wav", "splash", "climbing out of water"),
    _r(_NX, NX + "weapons/campingrifle_fire*", "gunshot", "a sniper rifle shot with its echo"),
    _r(_NX, NX + "weapons/shotgun_fire.ogg", "gunshot", "a shotgun shot and falling shells"),
    _r(_NX, NX + "weapons/uzi_fire.ogg", "gunshot", "a submachine gun's shot and shells"),
    _r(_NX, NX + "weapons/brass[1-3].ogg", "chink", "spent brass casings tinkling on the floor"),
    _r(_NX, NX + "weapons/casings[1-3].ogg", "chink", "spent casings tinkling on the floor"),
    _r(_NX, NX + "weapons/tink1.ogg", "chink", "a light metallic tink"),
    _r(_NX, NX + "weapons/grenade_bounce[1-6].ogg", "bouncing", "a grenade bouncing on the floor"),
    _r(_NX, NX + "weapons/ric[1-3].ogg", "zing", "a ricochet"),
    _r(_NX, NX + "weapons/hagexp[1-3].ogg", "explosion", "a rocket exploding"),
    _r(_NX, NX + "weapons/rocket_impact.ogg", "explosion", "a rocket exploding"),
    _r(_NX, NX + "weapons/grenade_impact.ogg", "explosion", "a grenade exploding"),
    _r(_NX, NX + "ambient/fan4.ogg", "mechanical_fan", "a fan's steady whir"),
    _r(_NX, NX + "ambient/transformer.ogg", "mains_hum", "a transformer's hum: steady tonal lines"),
    _r(_NX, NX + "ambient/water.ogg", "stream", "flowing, bubbling water"),
    _r(_NX, NX + "desertfactory/cricket_loop.wav", "cricket", "a cricket chirping"),
    _r(_NX, NX + "desertfactory/steam_*", "steam", "steam hissing: a burst, a loop, a fade"),
    _r(_NX, NX + "desertfactory/wind*", "wind", "wind howling outside"),
    _r(_NX, NX + "desertfactory/radiostatic_loop.wav", "static", "radio static with hum"),
    _r(_NX, NX + "weather/rain_1.ogg", "rain", "rain"),
    # ---- trigger-rally-data (sounds/ of data.zip; GPL-2+)
    _r(_TRR, TRR + "codriver/tim/*", "male_speech", "a man reading rally pace notes in English ('left', 'hairpin')"),
    _r(_TRR, TRR + "engine.wav", "engine", "a car engine's loop"),
    _r(_TRR, TRR + "wind.wav", "wind", "wind"),
    # ---- netpanzer-data
    _r(_NP, NP + "expl_[1-6].wav", "explosion", "an explosion"),
    _r(_NP, NP + "battle_mg1.wav", "machine_gun", "machine gun bursts: separate shots"),
    _r(_NP, NP + "[hlm][otuv]-fire.wav", "artillery_fire", "a tank's cannon firing"),
    _r(_NP, NP + "hevidle.wav", "heavy_engine", "a heavy tank's engine idling"),
    _r(_NP, NP + "hevmov.wav", "heavy_engine", "a heavy tank's engine moving"),
    _r(_NP, NP + "tankidle.wav", "heavy_engine", "a tank's engine idling"),
    _r(_NP, NP + "unitsound_*", "heavy_engine", "a tank's engine and tracks"),
    _r(_NP, NP + "hevstart.wav", "engine_starting", "a heavy tank's engine starting"),
    _r(_NP, NP + "*yessir.wav", "speech", "'yes sir' over a radio, in English"),
    _r(_NP, NP + "*_affirm.wav", "speech", "'affirmative' over a radio, in English"),
    _r(_NP, NP + "move_movout.wav", "speech", "'moving out' over a radio, in English"),
    _r(_NP, NP + "target_tarconf.wav", "speech", "'target confirmed' over a radio, in English"),
    # ---- bucklespring-data: every key of an IBM Model M keyboard, pressed (-0) and released (-1)
    _r(_BS, BS + "*-0.wav", "keyboard_typing", "a key of a buckling-spring keyboard pressed: one keystroke"),
    _r(_BS, BS + "*-1.wav", "keyboard_typing", "a key of a buckling-spring keyboard released: one keystroke"),
    # ---- tuxpaint-data (the program's own sounds; most are UI cues and brush effects)
    _r(_TPD, TPD + "giggle.wav", "giggle", "a child's giggle"),
    _r(_TPD, TPD + "harp.wav", "harp", "a harp glissando"),
    # ---- 7kaa-data: the weather recordings of SOUND/ (the unit sounds sit in .RES containers)
    _r(_7K, SK + "FIRE.WAV", "fire", "a fire"),
    _r(_7K, SK + "QUAKE.WAV", "rumble", "an earthquake's rumble"),
    _r(_7K, SK + "RAIN.WAV", "rain", "rain"),
    _r(_7K, SK + "THUNDER.WAV", "thunder", "thunder"),
    _r(_7K, SK + "WIND.WAV", "wind", "wind"),
    # ---- foobillardplus-data and tuxmath-data: a few recordings among UI cues
    _r(_FBP, FBP + "applause.wav", "applause", "an audience applauding, 5 s"),
    _r(_FBP, FBP + "bomb.wav", "explosion", "an explosion"),
    _r(_TM, TM + "cheer.wav", "cheering", "a crowd cheering, 4 s"),
    _r(_TM, TM + "explosion.wav", "explosion", "an explosion"),
    _r(_TM, TM + "sizzling.wav", "sizzle", "sizzling"),
    # ---- gcompris-qt-data: further activities (packages.GCOMPRIS_RCC)
    _r(_GC, GC + "money/resource/money[12].wav", "coin_dropping", "coins dropped and clinking"),
    _r(_GC, GC + "target/resource/arrow.wav", "arrow", "an arrow shot: the string's twang, then the hit"),
    _r(_GC, GC + "watercycle/resource/harbor2.wav", "seagull", "a harbour: gulls calling"),
    _r(_GC, GC + "scalesboard/resource/metal_hit.wav", "clang", "a metal weight struck: a ringing clang"),
)

EXCLUSIONS: tuple[Exclusion, ...] = (
    _x(_LU, LU + "Music*", "music tracks"),
    _x(_LU, LU + "Console*", "UI cues"),
    _x(_LU, LU + "Rabbit*", "a rabbit character's cries and chitters: no AudioSet class"),
    _x(_LU, LU + "Alarm.ogg", "a decaying ring: not an alarm, unclear what rings"),
    _x(_LU, LU + "Break*.ogg", "a long noisy crash: unclear what breaks"),
    _x(_LU, LU + "Broken.ogg", "unclear noise"),
    _x(_C2, C2 + "0ad/alarm*", "UI cues (0ad-data's, left out there too)"),
    _x(_C2, C2 + "0ad/sel_*", "UI cues (0ad-data's, left out there too)"),
    _x(_C2, C2 + "0ad/death_11.ogg", "an unlabelled death cry (as in 0ad-data)"),
    *(_x(_C2, C2 + f"q009/{stem}*", "synthetic weapons and cues: no everyday label")
      for stem in ("glauncher", "jumppad", "minigun", "outofammo", "quaddamage", "ren", "rlauncher", "teleport",
                   "weapswitch")),
    _x(_C2, C2 + "olpc/[ABFN]*", "beatbox and instrument snippets, a rubber band: no fitting label"),
    _x(_WM, WM + "voices/*", "cartoon voice acting: lines in an unverified language, pitched cries"),
    _x(_WM, "usr/share/games/warmux/music/*", "music tracks"),
    _x(_WM, WM + "misc/*", "UI cues and jingles"),
    _x(_WM, WM + "weapons/disco_grenade_music.ogg", "music"),
    _x(_BT, BT + "ambient/horror.ogg", "synthetic drones"),
    _x(_BT, BT + "ambient/space.ogg", "synthetic drones"),
    _x(_BT, BT + "klaxon-funny.ogg", "a comic horn tune"),
    _x(_BT, BT + "menu/*", "UI cues"),
    _x(_BT, BT + "dirt-bullet-explosion.ogg", "a bullet hitting dirt: not an explosion"),
    _x(_BT, BT + "submarine.ogg", "sonar pings and bubbles: no single label"),
    _x(_BT, "usr/share/games/btanks/data/tunes/*", "music tracks"),
    _x(_SM, SM + "Water.wav", "unclear water noise: sea or stream"),
    _x(_SM, SM + "gavel.wav", "a gavel struck: no vocabulary label"),
    *(_x(_SM, SM + f"{stem}.wav", "a UI cue or an unclear thud") for stem in ("cash", "click", "dock")),
    _x(_NX, NX + "player/carni-lycan/*", "a creature's processed voice"),
    _x(_NX, NX + "player/reptilian/*", "a creature's processed voice"),
    _x(_NX, NX + "announcer/*", "game status announcements"),
    _x(_NX, NX + "tutorial/*", "tutorial narration"),
    _x(_NX, NX + "weapons/tuba_note*", "notes rendered from one sample: not distinct recordings"),
    _x(_NX, NX + "player/*/drown.ogg", "drowning gurgles: no vocabulary label"),
    _x(_TRR, TRR + "codriver/ab/*", "pace notes whose voice may be synthesized: not verified"),
    _x(_TRR, TRR + "codriver/paula/*", "pace notes whose voice may be synthesized: not verified"),
    _x(_NP, NP + "scream_*", "copies of the 'yes sir' voice line, not screams"),
    _x(_NP, NP + "*-selected_*", "unit selection voice lines: words not made out"),
)

# bucklespring-data keystrokes with under 0.05 s of sound (the checks' `short` flag; 64-1 is a
# byte-identical copy of one of them, flagged once the first copy was out; the rule
# of rules.CHECKED_OUT: shorter is too short to name); the 0.05-0.3 s ones are kept
BUCKLE_SHORT = (
    "01-1", "07-1", "08-0", "08-1", "09-1", "0a-0", "0c-1", "0d-0", "0d-1", "0e-1", "0f-0", "10-0", "10-1", "11-0",
    "11-1", "12-0", "12-1", "13-0", "13-1", "14-0", "14-1", "15-0", "15-1", "16-1", "17-1", "18-1", "19-1", "1a-0",
    "1a-1", "1b-1", "1d-1", "1e-0", "1e-1", "1f-1", "20-1", "21-0", "21-1", "22-0", "22-1", "23-0", "23-1", "24-0",
    "24-1", "25-0", "25-1", "26-0", "26-1", "27-0", "27-1", "28-0", "28-1", "2b-0", "2b-1", "2c-1", "2d-1", "2e-0",
    "2f-1", "31-0", "31-1", "32-1", "33-0", "33-1", "34-0", "34-1", "35-1", "36-0", "36-1", "38-0", "39-1", "3a-0",
    "3a-1", "3b-1", "3c-1", "3d-0", "3d-1", "3e-1", "3f-0", "3f-1", "40-0", "40-1", "41-1", "42-0", "42-1", "43-0",
    "43-1", "44-1", "46-1", "57-0", "58-1", "5b-1", "61-0", "63-1", "64-1", "66-1", "68-1", "69-0", "69-1", "6a-0",
    "6a-1", "6b-0", "6b-1", "6c-0", "6c-1", "6d-0", "6d-1", "6e-1", "6f-0", "6f-1", "77-0",
)

# Files the label checks removed (`listen corpus sources --check`; see docs/corpus.md): silent,
# under 0.05 s of sound, or a spectrum far from its label's that a look at the spectrogram
# confirmed. Impulsive hits of 0.09-0.15 s flagged `short` (footsteps, landings, casings) are kept.
CHECKED_OUT: tuple[Exclusion, ...] = (
    *(_x(_BS, BS + f"{key}.wav", "check: 0.02-0.04 s of sound, too short to name") for key in BUCKLE_SHORT),
    _x(_NX, NX + "weapons/tink1.ogg", "check: silent (all zeros)"),
    _x(_NX, NX + "player/torus/gasp.ogg", "check: outlier of breathing (z 42); a voiced 'ah', not a breath"),
    _x(_BT, BT + "engine-car.ogg", "check: outlier of engine (z 15); a flat low rumble, no engine to hear"),
    _x(_LU, LU + "Whoosh.ogg", "check: outlier of whoosh (z 7); 2 s of flat noise, no swish"),
)
EXCLUSIONS = EXCLUSIONS + CHECKED_OUT
