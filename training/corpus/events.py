"""The event library's vocabulary: every sound label the corpus knows, as plain data.

Each event has
- `label`: snake_case identifier (`smoke_alarm`), the unit of presence labels;
- `name`: the natural phrase a question uses (`a smoke alarm`: "Is there a sound of a smoke alarm?");
- `synonyms`: phrases that mean this label and nothing else, used to read labels out of
  free text (captions, LLM answers, user questions);
- `caption`: a present-tense clause for template captions (`a smoke alarm beeps`); its words
  resolve to the label through `synonyms` (a test checks it).

Words that could mean several labels ("alarm", "beeping", "bell") are not synonyms; they sit
in `AMBIGUOUS_TERMS`, which maps each to the set of labels it may refer to.

Torch- and numpy-free: the edge bundle ships `labels.json` written from this table.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
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

    def caption_clause(self) -> str:
        return self.caption or f"{self.name} is heard"


EVENTS: tuple[EventSpec, ...] = (
    EventSpec("smoke_alarm", "a smoke alarm",
              ("smoke alarm", "smoke alarms", "smoke detector", "fire alarm"),
              "a smoke alarm beeps"),
    EventSpec("co_alarm", "a carbon monoxide alarm",
              ("carbon monoxide alarm", "carbon monoxide detector", "co alarm", "co detector"),
              "a carbon monoxide alarm beeps"),
    EventSpec("alarm_clock", "an alarm clock",
              ("alarm clock", "alarm clocks", "wake-up alarm"),
              "an alarm clock goes off"),
    EventSpec("siren", "a siren",
              ("siren", "sirens", "police siren", "ambulance siren", "emergency siren"),
              "a siren wails"),
    EventSpec("doorbell", "a doorbell",
              ("doorbell", "door bell", "ding-dong", "ding dong"),
              "a doorbell rings"),
    EventSpec("knocking", "knocking on a door",
              ("knocking", "knock", "knocks", "knocked", "door knock"),
              "someone knocks on a door"),
    EventSpec("phone_ringing", "a phone ringing",
              ("phone ringing", "phone rings", "ringing phone", "telephone", "phone", "ringtone"),
              "a phone rings"),
    EventSpec("appliance_beep", "an appliance beeping",
              ("appliance beeping", "appliance beeps", "appliance", "microwave beep", "oven timer"),
              "an appliance beeps"),
    EventSpec("kettle_whistle", "a kettle whistling",
              ("kettle", "kettles", "whistling kettle", "tea kettle", "kettle whistle"),
              "a kettle whistles"),
    EventSpec("clock_ticking", "a clock ticking",
              ("clock ticking", "ticking clock", "ticking", "ticks", "tick-tock", "tick tock"),
              "a clock ticks"),
    EventSpec("running_water", "running water",
              ("running water", "water running", "tap water", "faucet", "water runs"),
              "water runs from a tap"),
    EventSpec("rain", "rain",
              ("rain", "rainfall", "raining", "rainstorm", "downpour", "rain falls"),
              "rain falls"),
    EventSpec("wind", "wind",
              ("wind", "windy", "gusts", "gust of wind", "wind blows"),
              "wind blows"),
    EventSpec("vacuum_cleaner", "a vacuum cleaner",
              ("vacuum cleaner", "vacuum", "hoover", "vacuuming"),
              "a vacuum cleaner runs"),
    EventSpec("car_horn", "a car horn",
              ("car horn", "horn", "horns", "honking", "honk", "honks"),
              "a car horn honks"),
    EventSpec("engine", "an engine",
              ("engine", "engines", "engine idling", "idling"),
              "an engine idles"),
    EventSpec("applause", "applause",
              ("applause", "applaud", "applauding", "clapping", "clap", "claps"),
              "people applaud"),
    EventSpec("glass_breaking", "glass breaking",
              ("glass breaking", "breaking glass", "glass breaks", "shattering", "shatters", "smashing glass"),
              "glass breaks"),
    EventSpec("music", "music",
              ("music", "musical", "melody", "song", "tune"),
              "music plays"),
    EventSpec("speech", "speech",
              ("speech", "talking", "speaking", "speaks", "voice", "voices", "conversation", "spoken"),
              "someone speaks"),
    EventSpec("dog_barking", "a dog barking",
              ("dog", "dogs", "barking", "bark", "barks"),
              "a dog barks"),
    EventSpec("baby_crying", "a baby crying",
              ("baby", "babies", "infant", "crying", "cries"),
              "a baby cries"),
    EventSpec("footsteps", "footsteps",
              ("footsteps", "footstep", "walking", "steps", "walks"),
              "someone walks by"),
    EventSpec("keyboard_typing", "typing on a keyboard",
              ("typing", "keyboard", "keystrokes"),
              "someone types on a keyboard"),
    EventSpec("notification_chime", "a notification chime",
              ("notification", "notifications", "chime", "chimes", "message tone", "alert tone"),
              "a notification chime sounds"),
    EventSpec("camera_shutter", "a camera shutter",
              ("camera shutter", "camera", "shutter"),
              "a camera shutter clicks"),
    EventSpec("explosion", "an explosion",
              ("explosion", "explosions", "explodes", "blast", "boom"),
              "something explodes"),
    EventSpec("car_door", "a car door closing",
              ("car door", "car doors", "door slam", "door slams"),
              "a car door slams"),
    EventSpec("whoosh", "a whoosh",
              ("whoosh", "swoosh", "swish", "whooshes"),
              "something whooshes past"),
)

# Words that name a family of sounds: a mention is consistent with any label of its set.
AMBIGUOUS_TERMS: dict[str, frozenset[str]] = {
    "alarm": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "siren"}),
    "alarms": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "siren"}),
    "detector": frozenset({"smoke_alarm", "co_alarm"}),
    "beep": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "appliance_beep"}),
    "beeps": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "appliance_beep"}),
    "beeping": frozenset({"smoke_alarm", "co_alarm", "alarm_clock", "appliance_beep"}),
    "bell": frozenset({"doorbell", "alarm_clock", "notification_chime"}),
    "bells": frozenset({"doorbell", "alarm_clock", "notification_chime"}),
    "ringing": frozenset({"doorbell", "phone_ringing", "alarm_clock"}),
    "rings": frozenset({"doorbell", "phone_ringing", "alarm_clock"}),
    "clock": frozenset({"clock_ticking", "alarm_clock"}),
    "water": frozenset({"running_water", "rain", "kettle_whistle"}),
    "whistle": frozenset({"kettle_whistle"}),
    "whistling": frozenset({"kettle_whistle", "wind"}),
    "motor": frozenset({"engine", "vacuum_cleaner"}),
    "car": frozenset({"car_horn", "engine", "car_door"}),
    "traffic": frozenset({"car_horn", "engine", "siren"}),
    "door": frozenset({"knocking", "doorbell", "car_door"}),
    "glass": frozenset({"glass_breaking"}),
    "crash": frozenset({"glass_breaking", "explosion"}),
    "click": frozenset({"camera_shutter", "keyboard_typing", "clock_ticking"}),
    "clicks": frozenset({"camera_shutter", "keyboard_typing", "clock_ticking"}),
    "clicking": frozenset({"camera_shutter", "keyboard_typing", "clock_ticking"}),
    "person": frozenset({"speech", "footsteps", "keyboard_typing", "knocking"}),
    "people": frozenset({"speech", "applause", "footsteps"}),
    "man": frozenset({"speech"}),
    "woman": frozenset({"speech"}),
    "singing": frozenset({"music", "speech"}),
    "hum": frozenset({"vacuum_cleaner", "engine"}),
    "humming": frozenset({"vacuum_cleaner", "engine", "music"}),
}

_BY_LABEL = {e.label: e for e in EVENTS}


def vocabulary() -> list[dict]:
    """The event library as plain data: `[{"label", "name", "synonyms"}]`, in library order."""
    return [{"label": e.label, "name": e.name, "synonyms": list(e.synonyms)} for e in EVENTS]


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


def write_labels_json(path: Path, entries: list[dict] | None = None) -> Path:
    """Write `[{"label", "name", "synonyms"}]` (default: the built-in library) to `path`."""
    entries = vocabulary() if entries is None else entries
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


def entries_for(label_set: list[str], extra_synonyms: dict[str, list[str]] | None = None) -> list[dict]:
    """labels.json entries for a dataset's labels: library entries where known, derived ones otherwise."""
    out = []
    for label in sorted(set(label_set)):
        if label in _BY_LABEL:
            out.append(asdict_entry(_BY_LABEL[label]))
            continue
        phrase = label.replace("_", " ")
        syn = [phrase] + [s for s in (extra_synonyms or {}).get(label, []) if s.lower() != phrase]
        out.append({"label": label, "name": phrase, "synonyms": syn})
    return out


def asdict_entry(e: EventSpec) -> dict:
    d = asdict(e)
    return {"label": d["label"], "name": d["name"], "synonyms": list(d["synonyms"])}
