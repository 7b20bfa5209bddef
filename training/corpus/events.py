"""The event library's vocabulary: every sound label the corpus knows, as plain data.

Each event has
- `label`: snake_case identifier (`smoke_alarm`), the unit of presence labels;
- `name`: the natural phrase a question uses (`a smoke alarm`: "Is there a sound of a smoke alarm?");
- `synonyms`: phrases that mean this label and nothing else, used to read labels out of
  free text (captions, LLM answers, user questions);
- `caption`: a present-tense clause for template captions (`a smoke alarm beeps`); its words
  resolve to the label through `synonyms` (a test checks it).

Each label's canonical name is an AudioSet ontology display name (`audioset`), checked
against `ontology.json` of github.com/audioset/ontology (commit d417d32);
tests/training/corpus/audioset_display_names.txt holds the names used, copied from that file.
`name` stays the everyday phrase a question uses. The first 29 labels are the original
library (their ids are stable); `EVERYDAY` adds the everyday vocabulary of issue 16, grouped
as the ontology groups them. A label may exist without a recording yet (synthesis or a future
source supplies it); `listen corpus sources --report` counts each label's distinct recordings.

Words that could mean several labels ("alarm", "beeping", "bell") are not synonyms; they sit
in `core.mentions.AMBIGUOUS_TERMS`, which maps each to the set of labels it may refer to.

Torch- and numpy-free: the edge bundle ships `labels.json` written from this table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from training.errors import CorpusFileError

LABELS_FILE = "labels.json"
_LABEL_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class EventSpec:
    label: str  # snake_case id
    name: str  # phrase with its article, as a question says it
    synonyms: tuple[str, ...]  # unambiguous phrases, lower case
    caption: str = ""  # present-tense clause for captions; "" = "{name} is heard"
    audioset: str = ""  # the AudioSet ontology display name this label stands for

    def caption_clause(self) -> str:
        return self.caption or f"{self.name} is heard"


def _e(label: str, audioset: str, name: str, synonyms: str, caption: str = "") -> EventSpec:
    """One everyday label; `synonyms` separated by "|"."""
    return EventSpec(label, name, tuple(s for s in synonyms.split("|") if s), caption, audioset)


# The everyday vocabulary of issue 16: (label, AudioSet display name, name, synonyms, caption).
EVERYDAY: tuple[EventSpec, ...] = (
    # -- people
    _e("male_speech", "Male speech, man speaking", "a man speaking", "man speaking|man talking|male voice|male speech|man's voice"),
    _e("female_speech", "Female speech, woman speaking", "a woman speaking", "woman speaking|woman talking|female voice|female speech|woman's voice"),
    _e("child_speech", "Child speech, kid speaking", "a child speaking", "child speaking|kid speaking|child talking|child's voice"),
    _e("shout", "Shout", "someone shouting", "shouting|shout|shouts|shouted"),
    _e("yell", "Yell", "someone yelling", "yelling|yell|yells|hollering"),
    _e("screaming", "Screaming", "someone screaming", "screaming|scream|screams|shriek|shrieking"),
    _e("whispering", "Whispering", "someone whispering", "whispering|whisper|whispers"),
    _e("laughter", "Laughter", "laughter", "laughter|laughing|laugh|laughs|chuckling"),
    _e("giggle", "Giggle", "giggling", "giggling|giggle|giggles"),
    _e("sigh", "Sigh", "a sigh", "sigh|sighs|sighing"),
    _e("groan", "Groan", "someone groaning", "groaning|groan|groans|moaning|moan"),
    _e("grunt", "Grunt", "a grunt", "grunt|grunts|grunting|pained grunt"),
    _e("yawn", "Yawn", "a yawn", "yawn|yawns|yawning"),
    _e("breathing", "Breathing", "breathing", "breathing|breath|breaths|panting"),
    _e("snoring", "Snoring", "snoring", "snoring|snore|snores"),
    _e("cough", "Cough", "a cough", "cough|coughs|coughing"),
    _e("sneeze", "Sneeze", "a sneeze", "sneeze|sneezes|sneezing|achoo"),
    _e("sniff", "Sniff", "sniffing", "sniffing|sniff|sniffs|sniffles"),
    _e("throat_clearing", "Throat clearing", "someone clearing their throat", "throat clearing|clearing their throat|clears their throat"),
    _e("run", "Run", "someone running", "running footsteps|runs past|running feet|jogging"),
    _e("chewing", "Chewing, mastication", "chewing", "chewing|chews|munching|mastication"),
    _e("burping", "Burping, eructation", "a burp", "burp|burps|burping|belch"),
    _e("hiccup", "Hiccup", "hiccups", "hiccup|hiccups|hiccuping"),
    _e("finger_snapping", "Finger snapping", "finger snapping", "finger snapping|snapping fingers|snaps fingers|finger snap"),
    _e("heartbeat", "Heart sounds, heartbeat", "a heartbeat", "heartbeat|heartbeats|heart beating|heart beat"),
    _e("cheering", "Cheering", "cheering", "cheering|cheer|cheers|hooray"),
    _e("crowd", "Crowd", "a crowd", "crowd|crowds|spectators|stadium crowd"),
    _e("chatter", "Chatter", "chatter", "chatter|chattering"),
    _e("babble", "Hubbub, speech noise, speech babble", "the babble of many voices", "hubbub|babble|speech babble|murmur|murmuring|din of voices"),
    _e("children_playing", "Children playing", "children playing", "children playing|kids playing|playground|schoolyard"),
    _e("singing", "Singing", "a person singing", "sings|singer|vocals|sung"),
    _e("choir", "Choir", "a choir", "choir|choirs|chorus"),
    _e("chant", "Chant", "chanting", "chant|chants|chanting"),
    _e("humming_voice", "Humming", "someone humming a tune", "hums a tune|humming a tune"),
    _e("rapping", "Rapping", "rapping", "rapping|rap|rapper"),
    # -- animals
    _e("dog_growl", "Growling", "a growl", "growl|growls|growling|snarl|snarling"),
    _e("howl", "Howl", "howling", "howl|howls|howling|wolf howl"),
    _e("whimper", "Whimper (dog)", "a whimper", "whimper|whimpers|whimpering|whine|whining"),
    _e("cat_meow", "Meow", "a cat meowing", "cat|cats|meow|meows|meowing|kitten"),
    _e("purr", "Purr", "purring", "purr|purrs|purring"),
    _e("horse", "Horse", "a horse", "horse|horses|neigh|neighs|neighing|whinny|whinnying"),
    _e("clip_clop", "Clip-clop", "hooves clip-clopping", "hooves|hoofbeats|clip-clop|clip clop|galloping"),
    _e("cattle", "Cattle, bovinae", "a cow mooing", "cow|cows|cattle|moo|moos|mooing|bull|lowing"),
    _e("pig", "Pig", "a pig", "pig|pigs|oink|oinks|oinking|grunting pig|squealing pig"),
    _e("goat", "Goat", "a goat", "goat|goats"),
    _e("sheep", "Sheep", "a sheep bleating", "sheep|lamb|lambs|bleat|bleats|bleating|baa"),
    _e("chicken", "Chicken, rooster", "a chicken", "chicken|chickens|hen|hens|rooster|clucking|cluck|cock-a-doodle-doo"),
    _e("turkey", "Turkey", "a turkey", "turkey|turkeys|gobble|gobbling"),
    _e("duck", "Duck", "a duck", "duck|ducks|quack|quacks|quacking"),
    _e("goose", "Goose", "a goose", "goose|geese"),
    _e("lion_roar", "Roaring cats (lions, tigers)", "a lion roaring", "lion|lions|tiger|tigers|roar|roars|roaring"),
    _e("bird", "Bird vocalization, bird call, bird song", "birds singing", "bird|birds|birdsong|bird song|bird call|chirping|tweeting|songbird"),
    _e("pigeon", "Pigeon, dove", "a pigeon cooing", "pigeon|pigeons|dove|doves|cooing"),
    _e("crow", "Crow", "a crow cawing", "crow|crows|caw|caws|cawing|raven"),
    _e("owl", "Owl", "an owl hooting", "owl|owls|hoot|hoots|hooting"),
    _e("seagull", "Gull, seagull", "seagulls", "seagull|seagulls|gull|gulls"),
    _e("wings_flapping", "Bird flight, flapping wings", "wings flapping", "flapping wings|wings flapping|wingbeats|flutter of wings"),
    _e("mouse", "Mouse", "a mouse squeaking", "mouse|mice|rat|rats"),
    _e("insect", "Insect", "insects buzzing", "insect|insects|cicada|cicadas"),
    _e("cricket", "Cricket", "crickets chirping", "cricket|crickets"),
    _e("mosquito", "Mosquito", "a mosquito", "mosquito|mosquitoes|mosquitos"),
    _e("fly", "Fly, housefly", "a fly buzzing", "housefly|houseflies|buzzing fly|fly buzzes"),
    _e("bee", "Bee, wasp, etc.", "a bee", "bee|bees|wasp|wasps|hornet|bumblebee"),
    _e("frog", "Frog", "a frog croaking", "frog|frogs|croak|croaks|croaking|toad"),
    _e("snake", "Snake", "a snake hissing", "snake|snakes|rattlesnake"),
    # -- music
    _e("musical_instrument", "Musical instrument", "a musical instrument", "musical instrument|instrument playing"),
    _e("guitar", "Guitar", "a guitar", "guitar|guitars|strumming"),
    _e("piano", "Piano", "a piano", "piano|pianos|pianist"),
    _e("organ", "Organ", "an organ", "organ|pipe organ"),
    _e("synthesizer", "Synthesizer", "a synthesizer", "synthesizer|synth|synthesizers"),
    _e("drum", "Drum", "a drum", "drum|drums|drumming|drumbeat"),
    _e("cymbal", "Cymbal", "a cymbal", "cymbal|cymbals"),
    _e("xylophone", "Marimba, xylophone", "a xylophone", "xylophone|marimba"),
    _e("trumpet", "Trumpet", "a trumpet", "trumpet|trumpets|fanfare|bugle call"),
    _e("violin", "Violin, fiddle", "a violin", "violin|violins|fiddle"),
    _e("cello", "Cello", "a cello", "cello|cellos|violoncello"),
    _e("harpsichord", "Harpsichord", "a harpsichord", "harpsichord|harpsichords|cembalo"),
    _e("flute", "Flute", "a flute", "flute|flutes|recorder playing"),
    _e("saxophone", "Saxophone", "a saxophone", "saxophone|sax"),
    _e("harp", "Harp", "a harp", "harp|harps"),
    _e("church_bell", "Church bell", "a church bell", "church bell|church bells|bell tower|tolling"),
    _e("jingle_bell", "Jingle bell", "jingle bells", "jingle bell|jingle bells|sleigh bells"),
    _e("bicycle_bell", "Bicycle bell", "a bicycle bell", "bicycle bell|bike bell"),
    _e("wind_chime", "Wind chime", "wind chimes", "wind chime|wind chimes"),
    _e("accordion", "Accordion", "an accordion", "accordion"),
    _e("harmonica", "Harmonica", "a harmonica", "harmonica|mouth organ"),
    _e("musical_note", "Musical note", "a single musical note", "musical note|single note|notes of a scale"),
    _e("video_game_music", "Video game music", "video game music", "video game music|game soundtrack|chiptune"),
    # instrument families and instruments of the SoundFonts and sample libraries (issue 27)
    _e("keyboard_instrument", "Keyboard (musical)", "a keyboard instrument", "keyboard instrument|keyboard instruments|musical keyboard"),
    _e("electric_piano", "Electric piano", "an electric piano", "electric piano|electric pianos|rhodes|e-piano"),
    _e("plucked_string", "Plucked string instrument", "a plucked string instrument", "plucked string instrument|plucked strings|plucked instrument"),
    _e("acoustic_guitar", "Acoustic guitar", "an acoustic guitar", "acoustic guitar|acoustic guitars|classical guitar|nylon guitar"),
    _e("electric_guitar", "Electric guitar", "an electric guitar", "electric guitar|electric guitars|distorted guitar"),
    _e("bass_guitar", "Bass guitar", "a bass guitar", "bass guitar|bass guitars|electric bass|slap bass|bass line"),
    _e("banjo", "Banjo", "a banjo", "banjo|banjos"),
    _e("sitar", "Sitar", "a sitar", "sitar|sitars"),
    _e("mandolin", "Mandolin", "a mandolin", "mandolin|mandolins"),
    _e("ukulele", "Ukulele", "a ukulele", "ukulele|ukuleles|uke"),
    _e("zither", "Zither", "a zither", "zither|zithers|koto"),
    _e("bowed_string", "Bowed string instrument", "a bowed string instrument", "bowed string instrument|bowed strings|bowed instrument"),
    _e("double_bass", "Double bass", "a double bass", "double bass|contrabass|upright bass|string bass"),
    _e("string_section", "String section", "a string section", "string section|string ensemble|orchestral strings|string orchestra"),
    _e("pizzicato", "Pizzicato", "pizzicato strings", "pizzicato|plucked violin"),
    _e("brass_instrument", "Brass instrument", "a brass instrument", "brass instrument|brass instruments|brass section"),
    _e("french_horn", "French horn", "a French horn", "french horn|french horns"),
    _e("trombone", "Trombone", "a trombone", "trombone|trombones"),
    _e("woodwind_instrument", "Wind instrument, woodwind instrument", "a woodwind instrument", "woodwind instrument|woodwind instruments|woodwinds|wind instrument"),
    _e("clarinet", "Clarinet", "a clarinet", "clarinet|clarinets"),
    _e("oboe", "Oboe", "an oboe", "oboe|oboes|english horn|cor anglais"),
    _e("bassoon", "Bassoon", "a bassoon", "bassoon|bassoons"),
    _e("bagpipes", "Bagpipes", "bagpipes", "bagpipes|bagpipe"),
    _e("orchestra", "Orchestra", "an orchestra", "orchestra|orchestras|orchestral|symphony orchestra"),
    _e("percussion", "Percussion", "percussion", "percussion|percussion instrument|percussion instruments"),
    _e("drum_kit", "Drum kit", "a drum kit", "drum kit|drum kits|drum set|drumkit"),
    _e("drum_machine", "Drum machine", "a drum machine", "drum machine|drum machines|beat machine"),
    _e("snare_drum", "Snare drum", "a snare drum", "snare drum|snare drums|snare"),
    _e("bass_drum", "Bass drum", "a bass drum", "bass drum|bass drums|kick drum|kick drums"),
    _e("timpani", "Timpani", "timpani", "timpani|kettle drum|kettledrum|kettledrums"),
    _e("tabla", "Tabla", "a tabla", "tabla|tablas"),
    _e("hi_hat", "Hi-hat", "a hi-hat", "hi-hat|hi-hats|hihat|hi hat"),
    _e("rimshot", "Rimshot", "a rimshot", "rimshot|rimshots|rim shot|side stick"),
    _e("drum_roll", "Drum roll", "a drum roll", "drum roll|drum rolls|drumroll"),
    _e("mallet_percussion", "Mallet percussion", "mallet percussion", "mallet percussion|tuned percussion"),
    _e("glockenspiel", "Glockenspiel", "a glockenspiel", "glockenspiel|glockenspiels"),
    _e("vibraphone", "Vibraphone", "a vibraphone", "vibraphone|vibraphones|vibes"),
    _e("steelpan", "Steelpan", "a steel drum", "steel drum|steel drums|steelpan|steel pan"),
    _e("tubular_bells", "Tubular bells", "tubular bells", "tubular bells|tubular bell|orchestral chimes"),
    _e("gong", "Gong", "a gong", "gong|gongs|tam-tam"),
    _e("cowbell", "Cowbell", "a cowbell", "cowbell|cowbells"),
    _e("tambourine", "Tambourine", "a tambourine", "tambourine|tambourines"),
    _e("rattle_instrument", "Rattle (instrument)", "a rattle", "rattle|rattles|shaker|shakers"),
    _e("maraca", "Maraca", "maracas", "maraca|maracas"),
    _e("wood_block", "Wood block", "a wood block", "wood block|wood blocks|woodblock|temple block"),
    _e("clapping", "Clapping", "hands clapping", "hand clap|hand claps|handclap|handclaps|single clap"),
    _e("scratching", "Scratching (performance technique)", "record scratching", "record scratching|vinyl scratch|dj scratching|turntable scratching"),
    # -- nature and weather
    _e("rustling_leaves", "Rustling leaves", "leaves rustling", "rustling leaves|leaves rustling|rustle of leaves|foliage"),
    _e("thunderstorm", "Thunderstorm", "a thunderstorm", "thunderstorm|thunderstorms|storm|lightning storm"),
    _e("thunder", "Thunder", "thunder", "thunder|thunderclap|thunderclaps|rumble of thunder"),
    _e("stream", "Stream", "a stream", "stream|streams|brook|creek|river|babbling brook"),
    _e("waterfall", "Waterfall", "a waterfall", "waterfall|waterfalls|cascade"),
    _e("ocean", "Ocean", "the ocean", "ocean|sea|seaside"),
    _e("waves", "Waves, surf", "waves crashing", "waves|surf|breakers|waves crashing"),
    _e("steam", "Steam", "hissing steam", "steam|hissing steam|steam hiss|vapour"),
    _e("fire", "Fire", "a fire burning", "fire|flames|blaze|bonfire|campfire|burning"),
    _e("crackle", "Crackle", "crackling", "crackle|crackling|crackles"),
    _e("drip", "Drip", "water dripping", "drip|drips|dripping|droplets"),
    _e("splash", "Splash, splatter", "a splash", "splash|splashes|splashing|splatter"),
    _e("outside_rural", "Outside, rural or natural", "the countryside", "countryside|outdoors in nature|forest ambience|meadow"),
    _e("outside_urban", "Outside, urban or manmade", "a city street", "city street|urban ambience|town square|street noise"),
    # -- vehicles
    _e("boat", "Boat, Water vehicle", "a boat", "boat|boats|ship|ships|rowing"),
    _e("car", "Car", "a car driving", "car driving|cars driving|automobile"),
    _e("car_passing_by", "Car passing by", "a car passing by", "car passing by|car passes|passing car|drive-by"),
    _e("skidding", "Skidding", "tires skidding", "skidding|skid|skids|tires screeching|tyres screeching|screeching tires"),
    _e("truck", "Truck", "a truck", "truck|trucks|lorry|lorries"),
    _e("bus", "Bus", "a bus", "bus|buses|coach bus"),
    _e("motorcycle", "Motorcycle", "a motorcycle", "motorcycle|motorcycles|motorbike|scooter"),
    _e("traffic_noise", "Traffic noise, roadway noise", "traffic noise", "traffic noise|road noise|busy road|heavy traffic|rush hour"),
    _e("train", "Train", "a train", "train|trains|locomotive|railway|railroad"),
    _e("train_horn", "Train horn", "a train horn", "train horn|train whistle"),
    _e("subway", "Subway, metro, underground", "a subway train", "subway|metro|underground train|tube train"),
    _e("aircraft", "Fixed-wing aircraft, airplane", "an airplane", "airplane|airplanes|aeroplane|plane|planes|aircraft|jet plane"),
    _e("aircraft_engine", "Aircraft engine", "an aircraft engine", "aircraft engine|airplane engine|plane engine"),
    _e("jet_engine", "Jet engine", "a jet engine", "jet engine|jet engines|turbine|jet roar"),
    _e("propeller", "Propeller, airscrew", "a propeller", "propeller|propellers|prop plane"),
    _e("helicopter", "Helicopter", "a helicopter", "helicopter|helicopters|chopper|rotor blades"),
    _e("bicycle", "Bicycle", "a bicycle", "bicycle|bicycles|bike|cycling"),
    _e("engine_starting", "Engine starting", "an engine starting", "engine starting|engine starts|starter motor|ignition"),
    _e("revving", "Accelerating, revving, vroom", "an engine revving", "revving|revs|vroom|accelerating|acceleration"),
    _e("heavy_engine", "Heavy engine (low frequency)", "a heavy engine rumbling", "heavy engine|diesel engine|tank engine|heavy machinery"),
    _e("air_brake", "Air brake", "air brakes hissing", "air brake|air brakes"),
    _e("reversing_beeps", "Reversing beeps", "a reversing beeper", "reversing beeps|reversing beeper|backup beeper"),
    # -- household and alarms
    _e("door", "Door", "a door opening or closing", "door opening|door closing|door opens|door closes|door creaking|gate"),
    _e("sliding_door", "Sliding door", "a sliding door", "sliding door|sliding doors"),
    _e("cupboard", "Cupboard open or close", "a cupboard opening or closing", "cupboard|cupboards|cabinet door|compartment"),
    _e("drawer", "Drawer open or close", "a drawer opening or closing", "drawer|drawers"),
    _e("dishes", "Dishes, pots, and pans", "dishes clattering", "dishes|pots and pans|crockery|plates clattering"),
    _e("cutlery", "Cutlery, silverware", "cutlery clinking", "cutlery|silverware|knives and forks"),
    _e("chopping_food", "Chopping (food)", "food being chopped", "chopping vegetables|chopping board|cutting board"),
    _e("frying", "Frying (food)", "food frying", "frying|fries|sizzling pan|frying pan"),
    _e("microwave_oven", "Microwave oven", "a microwave oven", "microwave oven|microwave"),
    _e("blender", "Blender", "a blender", "blender|blenders|food processor"),
    _e("sink", "Sink (filling or washing)", "a sink filling", "sink|washing up|washbasin"),
    _e("toilet_flush", "Toilet flush", "a toilet flushing", "toilet flush|toilet flushing|flushing toilet|toilet"),
    _e("hair_dryer", "Hair dryer", "a hair dryer", "hair dryer|hairdryer|blow dryer"),
    _e("toothbrush", "Toothbrush", "someone brushing teeth", "toothbrush|brushing teeth"),
    _e("zipper", "Zipper (clothing)", "a zipper", "zipper|zip|unzipping|zipping"),
    _e("keys_jangling", "Keys jangling", "keys jangling", "keys jangling|jangling keys|bunch of keys|keys"),
    _e("coin_dropping", "Coin (dropping)", "coins dropping", "coin|coins|coins dropping|loose change"),
    _e("scissors", "Scissors", "scissors cutting", "scissors"),
    _e("electric_shaver", "Electric shaver, electric razor", "an electric shaver", "electric shaver|electric razor|shaver"),
    _e("typewriter", "Typewriter", "a typewriter", "typewriter|typewriters"),
    _e("writing", "Writing", "someone writing with a pen", "writing with a pen|pen on paper|pencil scratching|scribbling"),
    _e("telephone_dialing", "Telephone dialing, DTMF", "a phone number being dialled", "dialing|dialling|dial tone|touch tones"),
    _e("cellphone_buzz", "Cellphone buzz, vibrating alert", "a phone vibrating", "vibrating phone|phone vibrating|phone buzzing|vibrating alert"),
    _e("buzzer", "Buzzer", "a buzzer", "buzzer|buzzers"),
    _e("fire_alarm", "Fire alarm", "a fire alarm bell", "fire alarm bell|fire bell|alarm bell"),
    _e("car_alarm", "Car alarm", "a car alarm", "car alarm|car alarms"),
    _e("foghorn", "Foghorn", "a foghorn", "foghorn|fog horn|ship's horn|ship horn"),
    _e("whistle", "Whistle", "a whistle blown", "referee whistle|police whistle|whistle blown|whistle blast"),
    _e("mechanical_fan", "Mechanical fan", "a fan", "fan|fans|electric fan|ceiling fan"),
    _e("air_conditioning", "Air conditioning", "an air conditioner", "air conditioner|air conditioning|aircon"),
    _e("cash_register", "Cash register", "a cash register", "cash register|till|checkout"),
    _e("printer", "Printer", "a printer", "printer|printers|printing"),
    _e("sewing_machine", "Sewing machine", "a sewing machine", "sewing machine"),
    _e("mains_hum", "Mains hum", "an electrical hum", "electrical hum|mains hum|power hum|transformer hum|electric hum"),
    _e("static", "Static", "radio static", "radio static|static noise|crackling radio"),
    _e("radio", "Radio", "a radio", "radio|radios|radio broadcast"),
    _e("television", "Television", "a television", "television|tv|telly"),
    # -- tools and machines
    _e("hammer", "Hammer", "a hammer", "hammer|hammers|hammering|pounding nails|anvil"),
    _e("jackhammer", "Jackhammer", "a jackhammer", "jackhammer|pneumatic drill|road drill"),
    _e("sawing", "Sawing", "sawing", "sawing|saw|saws|handsaw"),
    _e("power_tool", "Power tool", "a power tool", "power tool|power tools|circular saw|angle grinder"),
    _e("drill", "Drill", "a drill", "drill|drills|drilling|power drill"),
    _e("chainsaw", "Chainsaw", "a chainsaw", "chainsaw|chainsaws|chain saw"),
    _e("lawn_mower", "Lawn mower", "a lawn mower", "lawn mower|lawnmower|mowing"),
    _e("tools", "Tools", "hand tools at work", "hand tools|pickaxe|shovel|spade|hoe|digging"),
    _e("chop", "Chop", "an axe chopping wood", "chopping wood|axe|axes|woodcutter|chopping"),
    _e("gears", "Gears", "gears turning", "gears|cogs|gearbox"),
    _e("ratchet", "Ratchet, pawl", "a ratchet", "ratchet|ratcheting"),
    # -- explosions, weapons and impacts
    _e("gunshot", "Gunshot, gunfire", "a gunshot", "gunshot|gunshots|gunfire|gun|guns|shooting|rifle|pistol|musket"),
    _e("machine_gun", "Machine gun", "a machine gun", "machine gun|machine guns|automatic fire|minigun"),
    _e("artillery_fire", "Artillery fire", "artillery fire", "artillery|cannon|cannons|cannon fire|mortar"),
    _e("fireworks", "Fireworks", "fireworks", "fireworks|firework"),
    _e("firecracker", "Firecracker", "a firecracker", "firecracker|firecrackers|banger"),
    _e("burst_pop", "Burst, pop", "a pop", "pop|pops|popping|balloon pop"),
    _e("arrow", "Arrow", "an arrow flying", "arrow|arrows|bow and arrow|archery"),
    _e("wood_crack", "Crack", "wood cracking", "cracking|cracks|splintering"),
    _e("breaking", "Breaking", "something breaking", "breaking|breaks|broke|shattered wood"),
    _e("smash", "Smash, crash", "something smashing", "smash|smashes|smashing|collision|wreck"),
    _e("clang", "Clang", "a metallic clang", "clang|clangs|clanging|metal clash|clank"),
    _e("chink", "Chink, clink", "a clink", "clink|clinks|clinking|chink"),
    _e("thump", "Thump, thud", "a thud", "thud|thuds|thump|thumps"),
    _e("thunk", "Thunk", "a thunk", "thunk|thunks"),
    _e("whack", "Whack, thwack", "a whack", "whack|whacks|thwack|smack|slap"),
    _e("squish", "Squish", "a squish", "squish|squishes|squelch|splat"),
    _e("bouncing", "Bouncing", "something bouncing", "bouncing|bounce|bounces|ball bouncing"),
    _e("scrape", "Scrape", "something scraping", "scrape|scrapes|scraping|sliding"),
    _e("creak", "Creak", "a creak", "creak|creaks|creaking|squeaky hinge"),
    _e("zing", "Zing", "a ricochet", "ricochet|ricochets|zing|bullet whizzing"),
    _e("boing", "Boing", "a boing", "boing|boings|spring bounce|trampoline"),
    _e("plop", "Plop", "a plop", "plop|plops|plopping|plonk"),
    _e("sizzle", "Sizzle", "sizzling", "sizzle|sizzles|sizzling"),
    _e("tick", "Tick", "a single tick", "tick|single tick"),
    _e("twang", "Twang", "a twang", "twang|twangs|bowstring"),
    _e("whip", "Whip", "a whip cracking", "whip|whips|whip crack|lash"),
    _e("clatter", "Clatter", "a clatter", "clatter|clatters|clattering|rattling"),
    _e("rumble", "Rumble", "a deep rumbling", "deep rumbling"),
    _e("ding", "Ding", "a ding", "ding|dings"),
)


EVENTS: tuple[EventSpec, ...] = (
    EventSpec("smoke_alarm", "a smoke alarm",
              ("smoke alarm", "smoke alarms", "smoke detector", "fire alarm"),
              "a smoke alarm beeps", "Smoke detector, smoke alarm"),
    EventSpec("co_alarm", "a carbon monoxide alarm",
              ("carbon monoxide alarm", "carbon monoxide detector", "co alarm", "co detector"),
              "a carbon monoxide alarm beeps", "Alarm"),
    EventSpec("alarm_clock", "an alarm clock",
              ("alarm clock", "alarm clocks", "wake-up alarm"),
              "an alarm clock goes off", "Alarm clock"),
    EventSpec("siren", "a siren",
              ("siren", "sirens", "police siren", "ambulance siren", "emergency siren"),
              "a siren wails", "Siren"),
    EventSpec("doorbell", "a doorbell",
              ("doorbell", "door bell", "ding-dong", "ding dong"),
              "a doorbell rings", "Doorbell"),
    EventSpec("knocking", "knocking on a door",
              ("knocking", "knock", "knocks", "knocked", "door knock"),
              "someone knocks on a door", "Knock"),
    EventSpec("phone_ringing", "a phone ringing",
              ("phone ringing", "phone rings", "ringing phone", "telephone", "phone", "ringtone"),
              "a phone rings", "Telephone bell ringing"),
    EventSpec("appliance_beep", "an appliance beeping",
              ("appliance beeping", "appliance beeps", "appliance", "microwave beep", "oven timer"),
              "an appliance beeps", "Beep, bleep"),
    EventSpec("kettle_whistle", "a kettle whistling",
              ("kettle", "kettles", "whistling kettle", "tea kettle", "kettle whistle"),
              "a kettle whistles", "Kettle whistle"),
    EventSpec("clock_ticking", "a clock ticking",
              ("clock ticking", "ticking clock", "ticking", "ticks", "tick-tock", "tick tock"),
              "a clock ticks", "Tick-tock"),
    EventSpec("running_water", "running water",
              ("running water", "water running", "tap water", "faucet", "water runs"),
              "water runs from a tap", "Water tap, faucet"),
    EventSpec("rain", "rain",
              ("rain", "rainfall", "raining", "rainstorm", "downpour", "rain falls"),
              "rain falls", "Rain"),
    EventSpec("wind", "wind",
              ("wind", "windy", "gusts", "gust of wind", "wind blows"),
              "wind blows", "Wind"),
    EventSpec("vacuum_cleaner", "a vacuum cleaner",
              ("vacuum cleaner", "vacuum", "hoover", "vacuuming"),
              "a vacuum cleaner runs", "Vacuum cleaner"),
    EventSpec("car_horn", "a car horn",
              ("car horn", "horn", "horns", "honking", "honk", "honks"),
              "a car horn honks", "Vehicle horn, car horn, honking"),
    EventSpec("engine", "an engine",
              ("engine", "engines", "engine idling", "idling"),
              "an engine idles", "Engine"),
    EventSpec("applause", "applause",
              ("applause", "applaud", "applauding", "clapping", "clap", "claps"),
              "people applaud", "Applause"),
    EventSpec("glass_breaking", "glass breaking",
              ("glass breaking", "breaking glass", "glass breaks", "shattering", "shatters", "smashing glass"),
              "glass breaks", "Shatter"),
    EventSpec("music", "music",
              ("music", "musical", "melody", "song", "tune"),
              "music plays", "Music"),
    EventSpec("speech", "speech",
              ("speech", "talking", "speaking", "speaks", "voice", "voices", "conversation", "spoken"),
              "someone speaks", "Speech"),
    EventSpec("dog_barking", "a dog barking",
              ("dog", "dogs", "barking", "bark", "barks"),
              "a dog barks", "Bark"),
    EventSpec("baby_crying", "a baby crying",
              ("baby", "babies", "infant", "crying", "cries"),
              "a baby cries", "Baby cry, infant cry"),
    EventSpec("footsteps", "footsteps",
              ("footsteps", "footstep", "walking", "steps", "walks"),
              "someone walks by", "Walk, footsteps"),
    EventSpec("keyboard_typing", "typing on a keyboard",
              ("typing", "keyboard", "keystrokes"),
              "someone types on a keyboard", "Typing"),
    EventSpec("notification_chime", "a notification chime",
              ("notification", "notifications", "chime", "chimes", "message tone", "alert tone"),
              "a notification chime sounds", "Chime"),
    EventSpec("camera_shutter", "a camera shutter",
              ("camera shutter", "camera", "shutter"),
              "a camera shutter clicks", "Camera"),
    EventSpec("explosion", "an explosion",
              ("explosion", "explosions", "explodes", "blast", "boom"),
              "something explodes", "Explosion"),
    EventSpec("car_door", "a car door closing",
              ("car door", "car doors", "door slam", "door slams"),
              "a car door slams", "Slam"),
    EventSpec("whoosh", "a whoosh",
              ("whoosh", "swoosh", "swish", "whooshes"),
              "something whooshes past", "Whoosh, swoosh, swish"),
    *EVERYDAY,
)


_BY_LABEL = {e.label: e for e in EVENTS}


def event(label: str) -> EventSpec:
    """The spec of one built-in label; an unknown label is a CorpusFileError naming the known ones."""
    try:
        return _BY_LABEL[label]
    except KeyError:
        raise CorpusFileError(
            f"unknown event label {label!r}; known labels: {', '.join(sorted(_BY_LABEL))}"
        ) from None


def labels() -> list[str]:
    return [e.label for e in EVENTS]


def to_label(text: str) -> str:
    """Normalise a dataset's class name to a snake_case label ("Smoke detector" -> "smoke_detector")."""
    label = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    if not label:
        raise CorpusFileError(f"class name {text!r} has no letters or digits to form a label")
    return label if label[0].isalpha() else f"c_{label}"


def write_labels_json(path: Path, entries: list[dict]) -> Path:
    """Write `[{"label", "name", "synonyms", "parents"?}]` to `path` (the built-in library with its
    hierarchy is `training.corpus.ontology.vocabulary()`)."""
    for e in entries:
        check_label_entry(e, str(path))
    path.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_labels_json(path: Path) -> list[dict]:
    """Read and check a `labels.json`; errors name the file and the entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusFileError(f"{path} does not exist; a corpus folder needs labels.json (run `listen corpus stats DIR`)") from None
    except (OSError, ValueError) as err:
        raise CorpusFileError(f"{path} is not valid JSON ({err}); rewrite it with `listen corpus stats DIR`") from err
    if not isinstance(data, list):
        raise CorpusFileError(f"{path} must hold a JSON list of {{label, name, synonyms}}, found {type(data).__name__}")
    seen: set[str] = set()
    for i, e in enumerate(data):
        check_label_entry(e, f"{path} entry {i}")
        if e["label"] in seen:
            raise CorpusFileError(f"{path} entry {i}: label {e['label']!r} appears twice; keep one entry per label")
        seen.add(e["label"])
    return data


def check_label_entry(e: object, where: str) -> None:
    if not isinstance(e, dict):
        raise CorpusFileError(f"{where}: expected an object {{label, name, synonyms}}, found {type(e).__name__}")
    label, name, syn = e.get("label"), e.get("name"), e.get("synonyms")
    if not isinstance(label, str) or not _LABEL_RE.match(label):
        raise CorpusFileError(f"{where}: label {label!r} must be a snake_case string such as 'smoke_alarm'")
    if not isinstance(name, str) or not name.strip():
        raise CorpusFileError(f"{where}: name of {label!r} must be a non-empty string such as 'a smoke alarm'")
    if not isinstance(syn, list) or not all(isinstance(s, str) for s in syn):
        raise CorpusFileError(f"{where}: synonyms of {label!r} must be a list of strings")

