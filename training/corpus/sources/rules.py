"""The reviewed table that maps files of the Debian packages to labels: no guessing at run time.

A rule is (package, path pattern, label, reason); the pattern is an `fnmatch` wildcard on the
file's path under `extracted/PKG/` (see debian.py), where `*` also crosses folders. An
exclusion is (package, pattern, reason). Exclusions win over rules; a file that two rules
match is an error (the table must say one thing per file); a file no rule matches is unused.

Written from a survey of every extracted file (name, folder, duration; listen to the doubtful
ones through `listen corpus sources --check`), then corrected by the label checks: the
`CHECKED_OUT` exclusions at the end are files the checks caught (see docs/corpus.md).
Labels are ids of `training.corpus.events`; a test checks each one exists.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from training.errors import CorpusFileError


@dataclass(frozen=True)
class Rule:
    package: str
    pattern: str  # fnmatch wildcard on the path under extracted/PKG/
    label: str
    reason: str


# Labels whose recordings are scenes rather than events: the mixer lays them as the bed under
# the events (Recording.role "ambience"), looped or cropped to the clip, labelled as heard.
AMBIENCE_LABELS = frozenset({"outside_rural", "outside_urban", "traffic_noise", "babble", "crowd", "rain",
                             "thunderstorm", "wind", "stream", "waterfall", "waves", "rustling_leaves",
                             "children_playing"})


def role_of(label: str) -> str:
    return "ambience" if label in AMBIENCE_LABELS else "event"


@dataclass(frozen=True)
class Exclusion:
    package: str
    pattern: str
    reason: str


_0AD, _FG, _LC = "0ad-data", "flightgear-data-base", "lincity-ng-data"
_STK, _HW, _RE = "supertuxkart-data", "hedgewars-data", "redeclipse-data"
_ST, _WZ, _ETR = "supertux-data", "warzone2100-data", "extremetuxracer-data"
_FC, _FB, _PG, _OT = "freeciv-data", "frozen-bubble-data", "pingus-data", "openttd-opensfx"
A = "public/audio/"  # 0ad: audio/ of public.zip
FG = "usr/share/games/flightgear/"
C172 = FG + "Aircraft/c172p/Sounds/"
LC = "usr/share/games/lincity-ng/sounds/"
STK = "usr/share/games/supertuxkart/data/"
HW = "usr/share/games/hedgewars/Data/Sounds/"
HWV = HW + "voices/"
RE = "usr/share/games/redeclipse/data/sounds/"
ST = "usr/share/games/supertux2/"
WZ = "base/audio/"  # warzone2100: audio/ of base.wz
ETR = "usr/share/games/etr/sounds/"
FC = "usr/share/games/freeciv/stdsounds/"
FB = "usr/share/games/frozen-bubble/snd/"
PG = "usr/share/games/pingus/data/sounds/"
OT = "sounds/"  # openttd-opensfx: the unpacked .cat (EVALUATION ONLY)


def _r(package: str, pattern: str, label: str, reason: str) -> Rule:
    return Rule(package, pattern, label, reason)


RULES: tuple[Rule, ...] = (
    # ---- 0ad-data: recorded animals, ambiences, footsteps, tools and combat
    _r(_0AD, A + "actor/fauna/animal/cattle_*", "cattle", "cows mooing"),
    _r(_0AD, A + "actor/fauna/animal/chicken_*", "chicken", "hens clucking"),
    _r(_0AD, A + "actor/fauna/animal/horse_*", "horse", "horse neighs and snorts (idle, select, attack, death calls)"),
    _r(_0AD, A + "actor/fauna/death/death_horse_*", "horse", "a horse's dying neigh"),
    _r(_0AD, A + "actor/fauna/animal/pig_*", "pig", "pig grunts and squeals"),
    _r(_0AD, A + "actor/fauna/animal/sheep_*", "sheep", "sheep bleating"),
    _r(_0AD, A + "actor/fauna/death/goat_*", "goat", "goat bleats"),
    _r(_0AD, A + "actor/fauna/animal/lion_*", "lion_roar", "lion roars and growls"),
    _r(_0AD, A + "actor/fauna/animal/peacock_call_*", "bird", "a peacock's call"),
    _r(_0AD, A + "actor/fauna/animal/flamingo_*", "bird", "flamingo calls"),
    _r(_0AD, A + "actor/mounted/movement/mstep*", "clip_clop", "a horse's hooves walking"),
    _r(_0AD, A + "actor/human/movement/Footsteps/*_Walking.ogg", "footsteps", "walking on sand, grass, gravel, rock, wood"),
    _r(_0AD, A + "actor/human/movement/Footsteps/*_Running.ogg", "run", "running on sand, grass, gravel, rock, wood"),
    _r(_0AD, A + "actor/human/movement/hstep_dirt_*", "footsteps", "steps on dirt"),
    _r(_0AD, A + "actor/human/movement/hstep_run_*", "run", "running steps on dirt"),
    _r(_0AD, A + "actor/singlesteps/fs_*", "footsteps", "single footsteps on grass, gravel, rock, sand, snow, wood"),
    _r(_0AD, A + "actor/human/death/male_death_*", "groan", "a man's pained cry or groan"),
    _r(_0AD, A + "actor/human/death/female_death_*", "screaming", "a woman's death scream"),
    _r(_0AD, A + "actor/gate/stonegate_*", "door", "a heavy gate opening or closing"),
    _r(_0AD, A + "actor/ship/*move*", "boat", "a ship under way: oars and creaking hull"),
    _r(_0AD, A + "ambient/weather/rain_*", "rain", "steady rain, 2 minutes"),
    _r(_0AD, A + "ambient/weather/thunder_*", "thunder", "thunder claps"),
    _r(_0AD, A + "ambient/weather/wind_*", "wind", "wind, 3 minutes"),
    _r(_0AD, A + "ambient/weather/windgust_*", "wind", "a gust of wind"),
    _r(_0AD, A + "ambient/weather/windstorm_*", "wind", "a windstorm"),
    _r(_0AD, A + "ambient/weather/snowstorm_*", "wind", "a snowstorm's howling wind"),
    _r(_0AD, A + "ambient/weather/windleaves_*", "rustling_leaves", "wind through leaves"),
    _r(_0AD, A + "resource/foraging/leaves_*", "rustling_leaves", "rummaging in a bush's leaves"),
    _r(_0AD, A + "ambient/water/river_*", "stream", "a river, slow to raging"),
    _r(_0AD, A + "ambient/water/waterfall_*", "waterfall", "a waterfall"),
    _r(_0AD, A + "ambient/water/wave*", "waves", "waves on a shore, crashing, on rocks"),
    _r(_0AD, A + "ambient/dayscape/day_*", "outside_rural", "countryside by day: birds, insects, breeze"),
    _r(_0AD, A + "ambient/building/amb_trade_*", "babble", "a market: many voices"),
    _r(_0AD, A + "ambient/building/amb_farm_*", "outside_rural", "a farmyard: animals and work"),
    _r(_0AD, A + "resource/construction/con_saw_*", "sawing", "a hand saw cutting wood"),
    _r(_0AD, A + "resource/construction/con_wood_*", "hammer", "hammering wood"),
    _r(_0AD, A + "resource/construction/con_stone_*", "hammer", "a mason's hammer on stone"),
    _r(_0AD, A + "resource/lumbering/lumber_tree_*", "chop", "an axe chopping a tree"),
    _r(_0AD, A + "resource/lumbering/lumber_treeexpire_*", "wood_crack", "a tree cracking and falling"),
    _r(_0AD, A + "resource/mining/mine_*", "tools", "a pickaxe on stone and ore"),
    _r(_0AD, A + "resource/farming/hoe_*", "tools", "a hoe in soil"),
    _r(_0AD, A + "attack/weapon/Musket_*", "gunshot", "a musket shot"),
    _r(_0AD, A + "attack/weapon/arrowfly_*", "arrow", "an arrow in flight"),
    _r(_0AD, A + "attack/weapon/bow_attack_*", "arrow", "a bow shot: release and flight"),
    _r(_0AD, A + "attack/weapon/sword_attack_*", "whoosh", "a sword swung through the air"),
    _r(_0AD, A + "attack/weapon/spear_attack_*", "whoosh", "a spear thrust through the air"),
    _r(_0AD, A + "attack/weapon/pike_attack_*", "whoosh", "a pike thrust through the air"),
    _r(_0AD, A + "attack/weapon/jav_attack_*", "whoosh", "a javelin thrown"),
    _r(_0AD, A + "attack/weapon/sling_attack_*", "whoosh", "a sling whirled and released"),
    _r(_0AD, A + "attack/weapon/swordhit_*", "clang", "swords clashing"),
    _r(_0AD, A + "attack/impact/shield_metal_*", "clang", "a blow on a metal shield"),
    _r(_0AD, A + "attack/impact/arrow_metal_*", "clang", "an arrow striking metal"),
    _r(_0AD, A + "attack/impact/sling_metal_*", "clang", "a stone striking metal"),
    _r(_0AD, A + "attack/impact/arrow_wood_*", "thunk", "an arrow striking wood"),
    _r(_0AD, A + "attack/impact/shield_wood_*", "thump", "a blow on a wooden shield"),
    _r(_0AD, A + "attack/impact/sling_wood_*", "thump", "a stone striking wood"),
    _r(_0AD, A + "attack/impact/sling_stone_*", "thump", "a stone striking stone"),
    _r(_0AD, A + "attack/impact/fleshimp_*", "whack", "a blow on a body"),
    _r(_0AD, A + "attack/impact/fleshstab_*", "squish", "a stab"),
    _r(_0AD, A + "attack/impact/siegeprojectilehit_*", "smash", "a boulder smashing into a wall"),
    _r(_0AD, A + "attack/destruction/building_collapse_*", "smash", "a building collapsing"),
    _r(_0AD, A + "attack/destruction/explode_debris_*", "explosion", "an explosion with debris"),
    _r(_0AD, A + "attack/fire/*", "fire", "a building burning"),
    # ---- flightgear-data-base: aircraft, engines, weather
    _r(_FG, FG + "Sounds/thunder*", "thunder", "thunder"),
    _r(_FG, FG + "Sounds/rain.wav", "rain", "rain"),
    _r(_FG, FG + "Sounds/rain-windshield.wav", "rain", "rain on a windshield"),
    _r(_FG, FG + "Sounds/wind*.wav", "wind", "wind"),
    _r(_FG, FG + "Sounds/wave.wav", "waves", "waves"),
    _r(_FG, FG + "Sounds/jet.wav", "jet_engine", "a jet engine"),
    _r(_FG, FG + "Sounds/turbine_*", "jet_engine", "a turbine starting, running, shutting down"),
    _r(_FG, FG + "Sounds/turbojet_fan.wav", "jet_engine", "a turbojet's fan"),
    _r(_FG, FG + "Sounds/prop.wav", "propeller", "a propeller"),
    _r(_FG, FG + "Sounds/engine-prop.wav", "propeller", "a propeller aircraft's engine"),
    _r(_FG, FG + "Sounds/turboprop1.wav", "propeller", "a turboprop"),
    _r(_FG, FG + "Sounds/R-1535Slow.wav", "aircraft_engine", "a radial aircraft engine"),
    _r(_FG, FG + "Sounds/p51d_rpm1.wav", "aircraft_engine", "a P-51's engine"),
    _r(_FG, FG + "Sounds/exhaust_loop.wav", "aircraft_engine", "a piston engine's exhaust"),
    _r(_FG, C172 + "engine.wav", "aircraft_engine", "a Cessna 172's engine"),
    _r(_FG, C172 + "engine-idle.wav", "aircraft_engine", "a Cessna 172's engine idling"),
    _r(_FG, FG + "Sounds/p51d_st*", "engine_starting", "a P-51 starting"),
    _r(_FG, FG + "Sounds/starter_*", "engine_starting", "an engine's starter"),
    _r(_FG, FG + "Sounds/exhaust_start.wav", "engine_starting", "a piston engine starting"),
    _r(_FG, C172 + "engine-start.wav", "engine_starting", "a Cessna starting"),
    _r(_FG, FG + "Sounds/helicopter.wav", "helicopter", "a helicopter"),
    _r(_FG, FG + "Sounds/rotor*.wav", "helicopter", "helicopter rotor blades"),
    _r(_FG, FG + "Sounds/blade_vortex.wav", "helicopter", "rotor blade slap"),
    _r(_FG, FG + "Sounds/crash.wav", "smash", "a crash"),
    _r(_FG, C172 + "crash.wav", "smash", "an aircraft crash"),
    _r(_FG, C172 + "tires-screech-*", "skidding", "tires screeching"),
    _r(_FG, C172 + "door-*", "door", "a car-like aircraft door"),
    _r(_FG, FG + "Sounds/door_close.wav", "door", "a door closing"),
    _r(_FG, C172 + "glove_compartment_*", "cupboard", "a glove compartment opening or closing"),
    _r(_FG, C172 + "keys*.wav", "keys_jangling", "keys"),
    _r(_FG, C172 + "click*.wav", "tick", "a switch click"),
    _r(_FG, C172 + "double-click*.wav", "tick", "a switch double click"),
    _r(_FG, FG + "Sounds/click.wav", "tick", "a switch click"),
    _r(_FG, FG + "Sounds/fan.wav", "mechanical_fan", "a fan"),
    _r(_FG, FG + "Sounds/radionoise.wav", "static", "radio static"),
    _r(_FG, FG + "Sounds/beep.wav", "appliance_beep", "a beep tone"),
    _r(_FG, FG + "Sounds/tcas/female/*", "female_speech", "a woman's recorded voice calling traffic advisories"),
    _r(_FG, FG + "Sounds/gatling.wav", "machine_gun", "a gatling gun"),
    _r(_FG, FG + "Sounds/wasp.wav", "bee", "a wasp buzzing"),
    # ---- lincity-ng-data: ambient and industrial recordings
    _r(_LC, LC + "TraficHigh*", "traffic_noise", "heavy road traffic"),
    _r(_LC, LC + "TraficLow*", "traffic_noise", "light road traffic"),
    _r(_LC, LC + "RailTrain*", "train", "a passing train"),
    _r(_LC, LC + "SportsCroud*", "crowd", "a sports crowd"),
    _r(_LC, LC + "School*", "children_playing", "a schoolyard"),
    _r(_LC, LC + "Fire[0-9].wav", "fire", "a fire"),
    _r(_LC, LC + "Blacksmith*", "hammer", "a blacksmith hammering on an anvil"),
    _r(_LC, LC + "Farm[0-9].wav", "outside_rural", "a farm"),
    _r(_LC, LC + "Water[0-9].wav", "stream", "running water of a waterworks"),
    _r(_LC, LC + "ParklandLake*", "outside_rural", "a lake in a park"),
    _r(_LC, LC + "Residential*", "outside_urban", "a residential street"),
    _r(_LC, LC + "Market*", "babble", "a market"),
    _r(_LC, LC + "Substation[0-9].wav", "mains_hum", "an electrical substation's hum"),
    _r(_LC, LC + "Rocket*", "jet_engine", "a rocket engine"),
    _r(_LC, LC + "FireStation*", "siren", "a fire station: sirens"),
    _r(_LC, LC + "Health*", "outside_urban", "a hospital's street"),
    # ---- supertuxkart-data
    _r(_STK, STK + "music/*", "music", "a game's music track"),
    _r(_STK, STK + "tracks/*/Battle_Theme_1.ogg", "music", "a music track"),
    _r(_STK, STK + "tracks/cave/beneath_the_rabbit_hole.ogg", "music", "a music track"),
    _r(_STK, STK + "tracks/battleisland/Gran_Paradiso*", "music", "a music track"),
    _r(_STK, STK + "*steamLocomotive.ogg", "train", "a steam locomotive"),
    _r(_STK, STK + "tracks/black_forest/cow.ogg", "cattle", "a cow mooing"),
    _r(_STK, STK + "tracks/scotland/sheep.ogg", "sheep", "sheep in a field"),
    _r(_STK, STK + "sfx/exotic-birds*", "bird", "tropical birds"),
    _r(_STK, STK + "sfx/airplane_jetEngine.ogg", "jet_engine", "a jet engine"),
    _r(_STK, STK + "sfx/car_accel.ogg", "revving", "a car accelerating"),
    _r(_STK, STK + "sfx/car_revup.ogg", "revving", "an engine revving up"),
    _r(_STK, STK + "sfx/engine_large.ogg", "heavy_engine", "a large engine"),
    _r(_STK, STK + "sfx/engine_small.ogg", "engine", "a small engine"),
    _r(_STK, STK + "*skid.ogg", "skidding", "tires skidding"),
    _r(_STK, STK + "sfx/horn.ogg", "car_horn", "a car horn"),
    _r(_STK, STK + "sfx/rain.ogg", "rain", "rain"),
    _r(_STK, STK + "sfx/thunder.ogg", "thunder", "thunder"),
    _r(_STK, STK + "sfx/river_loop.ogg", "stream", "a river"),
    _r(_STK, STK + "sfx/waterfall_loop_2.ogg", "waterfall", "a waterfall"),
    _r(_STK, STK + "sfx/splash.ogg", "splash", "a splash"),
    _r(_STK, STK + "sfx/explosion.ogg", "explosion", "an explosion"),
    _r(_STK, STK + "sfx/fireworks_show.ogg", "fireworks", "fireworks"),
    _r(_STK, STK + "sfx/clock.ogg", "clock_ticking", "a clock ticking"),
    _r(_STK, STK + "sfx/hammer.ogg", "hammer", "a hammer blow"),
    _r(_STK, STK + "sfx/anvil.ogg", "clang", "an anvil struck"),
    _r(_STK, STK + "sfx/metal_clang.ogg", "clang", "a metal clang"),
    _r(_STK, STK + "sfx/WilhelmScream.ogg", "screaming", "the Wilhelm scream"),
    _r(_STK, STK + "sfx/ball_bounce.ogg", "boing", "a cartoon bounce: a rising tone (relabelled from bouncing by the checks)"),
    _r(_STK, STK + "sfx/boing.ogg", "boing", "a boing"),
    _r(_STK, STK + "sfx/plopp.ogg", "plop", "a plop"),
    _r(_STK, STK + "sfx/break.ogg", "breaking", "something breaking"),
    _r(_STK, STK + "sfx/crash*.ogg", "smash", "a crash"),
    _r(_STK, STK + "sfx/lenautile_restaurant.ogg", "babble", "a restaurant's chatter"),
    _r(_STK, STK + "sfx/static-radio.ogg", "static", "radio static"),
    _r(_STK, STK + "sfx/gnu_flute.ogg", "flute", "a flute tune"),
    _r(_STK, STK + "sfx/last_lap_fanfare.ogg", "trumpet", "a trumpet fanfare"),
    _r(_STK, STK + "sfx/wooden_bridge.ogg", "creak", "a wooden bridge creaking"),
    # ---- hedgewars-data
    _r(_HW, HWV + "*/Laugh.ogg", "laughter", "laughter (one per voice pack)"),
    _r(_HW, HWV + "*/PoisonCough.ogg", "cough", "coughing (one per voice pack)"),
    _r(_HW, HWV + "*/PoisonMoan.ogg", "groan", "a moan (one per voice pack)"),
    _r(_HW, HWV + "*/Ow[0-9].ogg", "grunt", "a pained grunt"),
    _r(_HW, HWV + "*/Hello.ogg", "speech", "'hello' in one voice pack's accent or language"),
    _r(_HW, HW + "bee.ogg", "bee", "a bee buzzing"),
    _r(_HW, HW + "Droplet*", "drip", "a water drop"),
    _r(_HW, HW + "splash.ogg", "splash", "a splash"),
    _r(_HW, HW + "explosion.ogg", "explosion", "an explosion"),
    _r(_HW, HW + "shotgunfire.ogg", "gunshot", "a shotgun shot"),
    _r(_HW, HW + "gun.ogg", "gunshot", "a gunshot"),
    _r(_HW, HW + "minigun.ogg", "machine_gun", "a minigun"),
    _r(_HW, HW + "pickhammer.ogg", "jackhammer", "a pneumatic hammer"),
    _r(_HW, HW + "hammer.ogg", "hammer", "a hammer blow"),
    _r(_HW, HW + "baseballbat.ogg", "whack", "a baseball bat hit"),
    _r(_HW, HW + "whipcrack.ogg", "whip", "a whip crack"),
    _r(_HW, HW + "shutterclick.ogg", "camera_shutter", "a camera shutter"),
    _r(_HW, HW + "steam.ogg", "steam", "hissing steam"),
    _r(_HW, HW + "plane.ogg", "propeller", "a propeller plane"),
    _r(_HW, HW + "[1-9][A-G].ogg", "musical_note", "one note of a scale (C to D)"),
    _r(_HW, HW + "Whistle.ogg", "whistle", "a whistle"),
    # ---- redeclipse-data
    _r(_RE, RE + "ambience/forest*", "outside_rural", "a forest"),
    _r(_RE, RE + "ambience/nightcrickets.ogg", "cricket", "crickets at night"),
    _r(_RE, RE + "ambience/cycadas.ogg", "insect", "cicadas"),
    _r(_RE, RE + "ambience/creek.ogg", "stream", "a creek"),
    _r(_RE, RE + "ambience/river.ogg", "stream", "a river"),
    _r(_RE, RE + "ambience/waterfall*", "waterfall", "waterfalls of several sizes"),
    _r(_RE, RE + "ambience/cavedrip.ogg", "drip", "water dripping in a cave"),
    _r(_RE, RE + "ambience/fire.ogg", "fire", "a fire"),
    _r(_RE, RE + "ambience/distant_cars.ogg", "traffic_noise", "distant traffic"),
    _r(_RE, RE + "ambience/wind.ogg", "wind", "wind"),
    _r(_RE, RE + "ambience/blowwind.ogg", "wind", "blowing wind"),
    _r(_RE, RE + "ambience/hollowwind.ogg", "wind", "hollow wind"),
    _r(_RE, RE + "ambience/wastewind.ogg", "wind", "wind over a wasteland"),
    _r(_RE, RE + "ambience/morph/wind*", "wind", "wind"),
    _r(_RE, RE + "ambience/morph/stormwind.ogg", "wind", "storm wind"),
    _r(_RE, RE + "ambience/morph/rain.ogg", "rain", "rain"),
    _r(_RE, RE + "ambience/morph/stormrain.ogg", "rain", "storm rain"),
    _r(_RE, RE + "ambience/morph/stormbolts.ogg", "thunderstorm", "a thunderstorm"),
    _r(_RE, RE + "ambience/hum.ogg", "mains_hum", "an electrical hum"),
    _r(_RE, RE + "ambience/vapour.ogg", "steam", "venting steam"),
    _r(_RE, RE + "sfx/extinguish*", "steam", "a fire put out: hissing steam"),
    _r(_RE, RE + "sfx/burning.ogg", "fire", "burning"),
    _r(_RE, RE + "sfx/burnfire.ogg", "fire", "a fire flaring"),
    _r(_RE, RE + "sfx/splashin*", "splash", "falling into water"),
    _r(_RE, RE + "sfx/splashout*", "splash", "climbing out of water"),
    _r(_RE, RE + "sfx/bounce*", "bouncing", "something bouncing"),
    _r(_RE, RE + "player/footstep*", "footsteps", "footsteps"),
    _r(_RE, RE + "player/concstep*", "footsteps", "footsteps on concrete"),
    _r(_RE, RE + "player/land*", "thump", "landing after a jump"),
    _r(_RE, RE + "player/pain*", "grunt", "a pained grunt"),
    _r(_RE, RE + "player/death*", "screaming", "a death cry"),
    _r(_RE, RE + "weapons/pistol/primary*", "gunshot", "a pistol shot"),
    _r(_RE, RE + "weapons/rifle/primary*", "gunshot", "a rifle shot"),
    _r(_RE, RE + "weapons/shotgun/primary*", "gunshot", "a shotgun shot"),
    _r(_RE, RE + "weapons/smg/secondary*", "machine_gun", "a burst of a submachine gun"),
    _r(_RE, RE + "weapons/explode*", "explosion", "an explosion"),
    _r(_RE, RE + "weapons/mine/explode*", "explosion", "a mine exploding"),
    _r(_RE, RE + "weapons/rifle/explode*", "explosion", "an explosion"),
    _r(_RE, RE + "weapons/ricochet.ogg", "zing", "a ricochet"),
    _r(_RE, RE + "weapons/thud*", "thump", "a thud"),
    _r(_RE, RE + "weapons/thwack*", "whack", "a thwack"),
    _r(_RE, RE + "weapons/*/reload.ogg", "clatter", "a weapon reloaded: mechanical clatter"),
    # ---- supertux-data
    _r(_ST, ST + "sounds/rain.wav", "rain", "rain"),
    _r(_ST, ST + "sounds/thunder.wav", "thunder", "thunder"),
    _r(_ST, ST + "sounds/waterfall.wav", "waterfall", "a waterfall"),
    _r(_ST, ST + "sounds/splash.*", "splash", "a splash"),
    _r(_ST, ST + "sounds/explosion.wav", "explosion", "an explosion"),
    _r(_ST, ST + "sounds/fireworks.wav", "fireworks", "fireworks"),
    _r(_ST, ST + "sounds/firecracker.ogg", "firecracker", "a firecracker"),
    _r(_ST, ST + "sounds/phone.wav", "phone_ringing", "a phone ringing"),
    _r(_ST, ST + "sounds/ticking.wav", "clock_ticking", "ticking"),
    _r(_ST, ST + "sounds/door.wav", "door", "a door"),
    _r(_ST, ST + "sounds/skid.wav", "skidding", "a skid"),
    _r(_ST, ST + "sounds/cracking.wav", "wood_crack", "cracking"),
    _r(_ST, ST + "sounds/squish.wav", "squish", "a squish"),
    _r(_ST, ST + "sounds/splat.wav", "squish", "a splat"),
    _r(_ST, ST + "sounds/thud.ogg", "thump", "a thud"),
    _r(_ST, ST + "sounds/pop.ogg", "burst_pop", "a pop"),
    _r(_ST, ST + "sounds/sizzle.ogg", "sizzle", "sizzling"),
    _r(_ST, ST + "sounds/fire.ogg", "fire", "a fire flaring"),
    _r(_ST, ST + "sounds/grunts.ogg", "grunt", "grunts"),
    _r(_ST, ST + "sounds/trampoline.wav", "boing", "a trampoline"),
    _r(_ST, ST + "sounds/saw.wav", "power_tool", "a circular saw"),
    _r(_ST, ST + "speech/tux_rap.ogg", "rapping", "a rap"),
    _r(_ST, ST + "sounds/savebell*", "ding", "a bell's ding"),
    # ---- warzone2100-data (base.wz)
    _r(_WZ, WZ + "sfx/weapons/mgbar*", "machine_gun", "a machine gun burst"),
    _r(_WZ, WZ + "sfx/weapons/mgheavy.ogg", "machine_gun", "a heavy machine gun"),
    _r(_WZ, WZ + "sfx/weapons/mgtower.ogg", "machine_gun", "a machine gun"),
    _r(_WZ, WZ + "sfx/weapons/asltmg.ogg", "machine_gun", "an assault gun"),
    _r(_WZ, WZ + "sfx/weapons/*can.ogg", "artillery_fire", "cannon fire, light to heavy"),
    _r(_WZ, WZ + "sfx/weapons/mortar.ogg", "artillery_fire", "a mortar"),
    _r(_WZ, WZ + "sfx/weapons/rocket.ogg", "whoosh", "a rocket launched"),
    _r(_WZ, WZ + "sfx/explons/*expl.ogg", "explosion", "explosions, small to large"),
    _r(_WZ, WZ + "sfx/explons/bldfall.ogg", "smash", "a building collapsing"),
    _r(_WZ, WZ + "sfx/explons/richet*", "zing", "ricochets"),
    _r(_WZ, WZ + "sfx/explons/squish.ogg", "squish", "a squish"),
    _r(_WZ, WZ + "sfx/vehicle/tread.ogg", "heavy_engine", "a tracked vehicle's engine"),
    _r(_WZ, WZ + "sfx/building/steam.ogg", "steam", "venting steam"),
    _r(_WZ, WZ + "sfx/building/powerhum.ogg", "mains_hum", "a power plant's hum"),
    _r(_WZ, WZ + "sfx/misc/scream*", "screaming", "a scream"),
    _r(_WZ, WZ + "sfx/weapons/splash.ogg", "splash", "a splash"),
    _r(_WZ, WZ + "sfx/interfce/beep[1278].ogg", "appliance_beep", "a beep"),
    _r(_WZ, WZ + "tutorial/*", "male_speech", "a man's voice reading the tutorial"),
    _r(_WZ, WZ + "radclick/*", "static", "a radio's click and static"),
    # ---- smaller packages
    _r(_ETR, ETR + "*_slide.wav", "scrape", "a sled sliding on grass, ice, leaves, mud, rock, snow"),
    _r(_FC, FC + "foot3.ogg", "footsteps", "a footstep"),
    _r(_FC, FC + "woodbrk.ogg", "breaking", "wood breaking"),
    _r(_FC, FC + "metbrk.ogg", "breaking", "metal breaking"),
    _r(_FB, FB + "applause.ogg", "applause", "applause"),
    _r(_FB, FB + "snore.ogg", "snoring", "snoring"),
    _r(_FB, FB + "typewriter.ogg", "typewriter", "a typewriter key"),
    _r(_PG, PG + "plop.wav", "plop", "a plop"),
    _r(_PG, PG + "splash.wav", "splash", "a splash"),
    # ---- openttd-opensfx: EVALUATION ONLY (titles from the .cat)
    _r(_OT, OT + "03_factory_whistle.wav", "whistle", "a factory whistle"),
    _r(_OT, OT + "0[45]_steam_*", "train", "a steam train"),
    _r(_OT, OT + "0[67]_*_horn.wav", "foghorn", "a ship's horn"),
    _r(_OT, OT + "08_propeller_plane_start.wav", "propeller", "a propeller plane starting"),
    _r(_OT, OT + "09_early_jet_take_off.wav", "jet_engine", "a jet taking off"),
    _r(_OT, OT + "1[0]_diesel_*", "train_horn", "a diesel train's horn"),
    _r(_OT, OT + "14_level_crossing.wav", "ding", "a level crossing's bell"),
    _r(_OT, OT + "1[79]_*crash.wav", "smash", "a crash"),
    _r(_OT, OT + "18_explosion.wav", "explosion", "an explosion"),
    _r(_OT, OT + "20_cash_till.wav", "cash_register", "a cash till"),
    _r(_OT, OT + "24_helicopter.wav", "helicopter", "a helicopter"),
    _r(_OT, OT + "27_modern_bus_start.wav", "bus", "a bus pulling away"),
    _r(_OT, OT + "28_old_bus_start.wav", "bus", "an old bus pulling away"),
    _r(_OT, OT + "25_truck_*", "truck", "a truck pulling away"),
    _r(_OT, OT + "29_applause.wav", "applause", "applause"),
    _r(_OT, OT + "33_jackhammer.wav", "jackhammer", "a jackhammer"),
    _r(_OT, OT + "35_modern_car_horn.wav", "car_horn", "a car horn"),
    _r(_OT, OT + "36_sheep.wav", "sheep", "sheep"),
    _r(_OT, OT + "37_cow.wav", "cattle", "a cow"),
    _r(_OT, OT + "38_horse.wav", "horse", "a horse neighing"),
    _r(_OT, OT + "40_sawmill.wav", "power_tool", "a circular saw"),
    _r(_OT, OT + "52_wind.wav", "wind", "wind"),
    _r(_OT, OT + "57_heavy_wind.wav", "wind", "heavy wind"),
    _r(_OT, OT + "54_lumber_mill_crashing_tree.wav", "wood_crack", "a tree crashing down"),
    _r(_OT, OT + "55_lumber_mill_falling_tree.wav", "chop", "a tree being cut"),
    _r(_OT, OT + "56_lumber_mill_chainsaw.wav", "chainsaw", "a chainsaw"),
    _r(_OT, OT + "59_mach_1_jet_take_off.wav", "jet_engine", "a jet taking off"),
    _r(_OT, OT + "61_modern_jet_take_off.wav", "jet_engine", "a jet taking off"),
    _r(_OT, OT + "65_maglev_*", "train", "a maglev train departing"),
    _r(_OT, OT + "71_monorail_*", "train", "a monorail departing"),
    _r(_OT, OT + "66_tropical_bird_1.wav", "bird", "a tropical bird"),
    _r(_OT, OT + "72_tropical_bird_2.wav", "bird", "a tropical bird"),
    _r(_OT, OT + "67_tropical_lion_roar.wav", "lion_roar", "a lion's roar"),
)

EXCLUSIONS: tuple[Exclusion, ...] = (
    Exclusion(_0AD, A + "voice/*", "unit voices in ancient and fictional languages"),
    Exclusion(_0AD, A + "music/*", "long music tracks: plenty of music elsewhere"),
    Exclusion(_0AD, A + "interface/*", "UI cues and voiced alerts"),
    Exclusion(_0AD, A + "actor/fauna/animal/elephant_*", "elephants: no AudioSet class"),
    Exclusion(_0AD, A + "actor/fauna/*camel_*", "camels: no AudioSet class"),
    Exclusion(_0AD, A + "actor/fauna/death/Animal_death_generic_*", "unspecified animal"),
    Exclusion(_0AD, A + "attack/impact/arrow_dirt_*", "soft hits under 0.5 s: too faint to name"),
    Exclusion(_0AD, A + "attack/impact/arrow_stone_*", "ticks under 0.2 s"),
    Exclusion(_0AD, A + "attack/weapon/sling_2*", "sling whirs under 0.3 s"),
    Exclusion(_0AD, A + "attack/siege/*", "siege engines: no everyday label"),
    Exclusion(_0AD, A + "actor/ship/*select*", "UI selection cues"),
    Exclusion(_0AD, A + "actor/ship/warship_death_*", "a ship sinking: a mix of crashes and water"),
    Exclusion(_0AD, A + "actor/human/death/death_*", "unlabelled deaths: man or woman unknown"),
    Exclusion(_0AD, A + "resource/gathering/*", "gathering: a mix of fruit, meat and field sounds"),
    Exclusion(_0AD, A + "ambient/building/amb_port_*", "a harbour: a mix of water, gulls and voices"),
    Exclusion(_HW, HW + "Kiss.ogg", "a cartoon kiss: no everyday label"),
    Exclusion(_HW, HWV + "Robot/*", "vocoded robot voice"),
    Exclusion(_HW, HWV + "Singer/*", "sung lines"),
    Exclusion(_HW, HW + "custom*", "empty placeholder files"),
    Exclusion(_STK, STK + "sfx/bzzt.ogg", "synthetic buzz"),
    Exclusion(_WZ, WZ + "memressp/*", "game status announcements"),
    Exclusion(_WZ, WZ + "misc/silence.ogg", "silence"),
    Exclusion(_FC, FC + "LrgCan.ogg", "same sound as warzone2100's lrgcan (kept there)"),
    Exclusion(_OT, OT + "34_unused_nothing.wav", "an empty file"),
    Exclusion(_OT, OT + "50_unused_nothing_*", "an empty file"),
)

# Files the label checks removed (`listen corpus sources --check`; counts in docs/corpus.md):
# silent, under 0.05 s of sound, or a spectrum far from its label's that a look at the
# spectrogram confirmed. Impulsive hits of 0.05-0.15 s were flagged `short` too but kept:
# a thud or a click is that short by nature.
CHECKED_OUT: tuple[Exclusion, ...] = (
    Exclusion(_0AD, "public/audio/attack/impact/sling_stone_02.ogg", "check: 0.01 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/shield_wood_11.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_02.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/shield_wood_03.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_05.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_FG, "usr/share/games/flightgear/Aircraft/c172p/Sounds/click.wav", "check: 0.02 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_06.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_01.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_stone_11.ogg", "check: 0.02 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_07.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_stone_12.ogg", "check: 0.02 s of sound, too short to name"),
    Exclusion(_FG, "usr/share/games/flightgear/Aircraft/c172p/Sounds/click2.wav", "check: 0.02 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_12.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_09.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_stone_01.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_11.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_04.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_02.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_stone_01.ogg", "check: 0.02 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_stone_04.ogg", "check: 0.02 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/shield_wood_05.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/shield_wood_06.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_01.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_FG, "usr/share/games/flightgear/Sounds/click.wav", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_stone_03.ogg", "check: 0.01 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/shield_wood_08.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_08.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/shield_wood_12.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_13.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_03.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_11.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_04.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_stone_02.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_07.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_14.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_FG, "usr/share/games/flightgear/Aircraft/c172p/Sounds/click3.wav", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_12.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/shield_wood_09.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_16.ogg", "check: 0.04 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/resource/construction/con_wood_10.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_0AD, "public/audio/attack/impact/sling_wood_09.ogg", "check: 0.03 s of sound, too short to name"),
    Exclusion(_ST, "usr/share/games/supertux2/sounds/skid.wav", "check: silent (peak -55.4 dBFS)"),
    Exclusion(_0AD, "public/audio/resource/farming/hoe_17.ogg", "check: silent (peak -50.5 dBFS)"),
    Exclusion(_ST, "usr/share/games/supertux2/sounds/squish.wav", "check: silent (peak -63.4 dBFS)"),
    Exclusion(_WZ, WZ + "sfx/weapons/rocket.ogg", "check: outlier of whoosh; a rocket's exhaust roar, not a swish"),
    Exclusion(_FG, FG + "Sounds/gatling.wav", "check: outlier of machine_gun; a steady noise burst, no shots"),
)
EXCLUSIONS = EXCLUSIONS + CHECKED_OUT


def _matches(package: str, path: str, rule_package: str, pattern: str) -> bool:
    return package == rule_package and fnmatch.fnmatchcase(path, pattern)


def exclusion_for(package: str, path: str) -> Exclusion | None:
    return next((x for x in EXCLUSIONS if _matches(package, path, x.package, x.pattern)), None)


def rule_for(package: str, path: str) -> Rule | None:
    """The one rule that labels a file, None when an exclusion or no rule applies; two
    matching rules are an error naming both, since the table must say one thing per file."""
    if exclusion_for(package, path) is not None:
        return None
    found = [r for r in RULES if _matches(package, path, r.package, r.pattern)]
    if len(found) > 1:
        raise CorpusFileError(
            f"{package}:{path} matches {len(found)} rules ({found[0].pattern!r} -> {found[0].label}, "
            f"{found[1].pattern!r} -> {found[1].label}); make the rules in {__name__} disjoint")
    return found[0] if found else None
