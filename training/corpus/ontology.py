"""The label hierarchy: which vocabulary labels a label implies, from the AudioSet ontology.

A trumpet is also a brass instrument, a musical instrument and music; a chicken clucking is
a bird. So a clip labelled `trumpet` must never be a negative for `brass_instrument`, and a
question about a trumpet that no training clip held can still be answered "no" when no
brass instrument is heard (`core.hierarchy`).

The parents of a label are its nearest ancestors in the AudioSet ontology (the subset in
`data/audioset_ontology.json`, with the ontology's class descriptions) that the vocabulary
names, corrected by a reviewed table: edges the ontology has but a listener would not say
(`DROPPED`: a cowbell is not cattle; a whistle is not a carbon-monoxide alarm, whose label
stands for the ontology's "Alarm"), and edges the vocabulary needs that the ontology puts
elsewhere (`ADDED`: a duck is a bird, though AudioSet files ducks under fowl). Each entry
says why. The result is written into labels.json (`parents`), so the edge reads the same
hierarchy from the bundle: the labels.json entries of the library (`vocabulary()`) and of a
dataset's labels (`entries_for()`) are made here, from the table in events.py.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from training.corpus.events import EVENTS, EventSpec
from training.errors import CorpusFileError

ONTOLOGY_FILE = Path(__file__).parent / "data" / "audioset_ontology.json"
ALARM_STAND_IN = "co_alarm"  # its AudioSet name is the generic "Alarm": never anyone's parent

# (child, parent, why): ontology edges a listener would not say
DROPPED: tuple[tuple[str, str, str], ...] = (
    ("doorbell", "door", "a doorbell rings; no door is heard"),
    ("knocking", "door", "'a door' asks about a door opening or closing, not a knock on it"),
    ("notification_chime", "musical_instrument", "the label is a device's chime, not the musical chimes of AudioSet"),
    ("wind_chime", "notification_chime", "wind chimes are not a device notification"),
    ("whoosh", "arrow", "AudioSet files whooshes under arrows; most whooshes are not arrows"),
    ("thump", "arrow", "a thud is rarely an arrow"),
    ("dog_growl", "lion_roar", "a dog's growl is not a lion's roar"),
    ("rustling_leaves", "wind", "leaves rustle when something moves through them, wind or not"),
    ("crackle", "fire", "crackles come from vinyl, static and ice as well as fire"),
    ("typewriter", "keyboard_typing", "the label names a computer keyboard"),
    ("air_brake", "truck", "buses and trains have air brakes too"),
    ("reversing_beeps", "truck", "cars' parking sensors and vans beep too"),
    ("gunshot", "explosion", "a listener does not call a gunshot an explosion"),
    ("burst_pop", "explosion", "a balloon's pop is not an explosion"),
    ("kettle_whistle", "whistle", "the whistle label is a whistle blown (a referee's), not a kettle"),
    ("bicycle_bell", "musical_instrument", "a bicycle bell is a signal, not an instrument played"),
    ("cowbell", "cattle", "the instrument, not the animal"),
    ("cowbell", "musical_instrument", "implied through percussion"),
    ("rapping", "singing", "rapping is spoken, not sung"),
    ("pizzicato", "violin", "pizzicato strings are a section, not one violin (see ADDED)"),
)
# (child, parent, why): edges the vocabulary needs that the ontology does not give
ADDED: tuple[tuple[str, str, str], ...] = (
    ("pizzicato", "bowed_string", "plucked notes of bowed string instruments"),
    ("pigeon", "bird", "a pigeon cooing is a bird call (AudioSet: a sibling of bird vocalization)"),
    ("crow", "bird", "a crow cawing is a bird call"),
    ("owl", "bird", "an owl hooting is a bird call"),
    ("seagull", "bird", "a gull crying is a bird call"),
    ("duck", "bird", "a duck is a bird (AudioSet: fowl, under livestock)"),
    ("goose", "bird", "a goose is a bird"),
    ("turkey", "bird", "a turkey is a bird"),
    ("chicken", "bird", "a chicken is a bird"),
    ("wings_flapping", "bird", "flapping wings are a bird's"),
    ("singing", "music", "AudioSet files singing under music as well as the human voice"),
)


@lru_cache(maxsize=1)
def ontology_nodes() -> dict[str, dict]:
    """id -> {id, name, description, child_ids} of the committed subset."""
    try:
        data = json.loads(ONTOLOGY_FILE.read_text(encoding="utf-8"))
        return {n["id"]: n for n in data["nodes"]}
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise CorpusFileError(f"cannot read the ontology subset {ONTOLOGY_FILE} ({err}); restore it from git") from err


def description(label: str) -> str:
    """The ontology's description of the class a vocabulary label stands for ("" if none)."""
    by_name = {n["name"]: n for n in ontology_nodes().values()}
    spec = next((e for e in EVENTS if e.label == label), None)
    node = by_name.get(spec.audioset) if spec else None
    return node["description"] if node else ""


@lru_cache(maxsize=1)
def parents() -> dict[str, tuple[str, ...]]:
    """label -> its parent labels (sorted), for every vocabulary label that has any."""
    nodes = ontology_nodes()
    up: dict[str, list[str]] = {}
    for n in nodes.values():
        for c in n["child_ids"]:
            up.setdefault(c, []).append(n["id"])
    label_of = {}
    id_of_name = {n["name"]: i for i, n in nodes.items()}
    for e in EVENTS:
        if e.audioset not in id_of_name:
            raise CorpusFileError(f"label {e.label!r}: AudioSet class {e.audioset!r} is not in {ONTOLOGY_FILE.name}; "
                                  f"regenerate the subset")
        label_of[id_of_name[e.audioset]] = e.label
    dropped = {(c, p) for c, p, _ in DROPPED}
    out: dict[str, set[str]] = {}
    for e in EVENTS:
        seen, stack = set(), list(up.get(id_of_name[e.audioset], []))
        while stack:  # nearest vocabulary ancestors along every path
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            parent = label_of.get(node)
            if parent is None:
                stack += up.get(node, [])
            elif parent != ALARM_STAND_IN and (e.label, parent) not in dropped:
                out.setdefault(e.label, set()).add(parent)
    for child, parent, _ in ADDED:
        out.setdefault(child, set()).add(parent)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


def vocabulary() -> list[dict]:
    """The event library as plain data: `[{"label", "name", "synonyms", "parents"?}]`, in library
    order; `parents` (the label hierarchy) only where a label has any."""
    return [asdict_entry(e) for e in EVENTS]


def entries_for(label_set: list[str], extra_synonyms: dict[str, list[str]] | None = None) -> list[dict]:
    """labels.json entries for a dataset's labels: library entries where known, derived ones otherwise."""
    library = {e.label: e for e in EVENTS}
    out = []
    for label in sorted(set(label_set)):
        if label in library:
            out.append(asdict_entry(library[label]))
            continue
        phrase = label.replace("_", " ")
        syn = [phrase] + [s for s in (extra_synonyms or {}).get(label, []) if s.lower() != phrase]
        out.append({"label": label, "name": phrase, "synonyms": syn})
    return out


def asdict_entry(e: EventSpec) -> dict:
    entry = {"label": e.label, "name": e.name, "synonyms": list(e.synonyms)}
    if up := parents().get(e.label):
        entry["parents"] = list(up)
    return entry
