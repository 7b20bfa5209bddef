"""What a SoundFont is rendered as: the plan of notes, phrases and grooves (render.py plays it).

Deterministic: every random draw is seeded by the SoundFont, preset and render.
- per melodic preset (bank 0 and the reviewed variations of `gm.py`): one note per recorded
  sample (a stereo pair is one), at its zone's root key, and per velocity layer up to
  `velocities_per_sample` of them, held 0.3-3 s; then `phrases` short phrases (scale runs,
  arpeggios, repeated notes; a chord for keyboards and plucked strings) within the keys its
  samples were recorded at. Sound-effect presets (`style == "sfx"`) play notes only;
- per drum kit (bank 128, or a kit of `gm.SOUNDFONT_KITS` in a melodic bank): one hit per
  recorded sample and velocity layer (on its key), labelled by the kit's key map, and `grooves`
  two-bar bass drum + snare + hi-hat patterns labelled as the kit (drum_kit).
A preset whose zones repeat an earlier preset's (FluidR3's "Standard 1".."Standard 7") is not
rendered again; neither is a note whose sounding samples, key, velocity and label were already
rendered from another preset; and a sample keeps one label (see `_owned`).
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from training.corpus.sources import gm
from training.corpus.sources.soundfont import RIGHT, Preset, SoundFont, Zone

MELODIC_CHANNEL, DRUM_CHANNEL = 0, 9


@dataclass(frozen=True)
class RenderSettings:
    """What is played and how it is cut; all of it goes into the extraction stamp."""
    rate: int = 32000  # Hz
    gain: float = 1.0  # fluidsynth master gain (float output: headroom does not matter)
    peak_dbfs: float = -1.0  # each cut is scaled to this peak before 16-bit PCM: quiet velocity layers
    # keep their resolution, and the corpus mixer sets levels by active RMS anyway
    hold_s: tuple[float, float] = (0.3, 3.0)  # how long a single note is held
    tail_s: tuple[float, float] = (0.3, 3.0)  # time left for the release after the last note-off
    gap_s: float = 0.25  # silence after All Sound Off, before the next slot
    velocities_per_sample: int = 3  # velocity layers played per recorded sample, at most
    phrases: int = 3  # phrases per melodic preset (chordal presets play a chord more)
    grooves: int = 3  # grooves per drum kit
    batch_s: float = 600.0  # audio per fluidsynth run (its float WAV takes 256 kB/s)
    trim_db: float = -60.0  # trailing audio this far under the slot's peak is trimmed
    silent_dbfs: float = -70.0  # a slot whose peak stays under this is dropped
    plan: int = 2  # bump when what is played changes, so extractions re-render


@dataclass(frozen=True)
class Note:
    at: float  # seconds from the slot's start
    key: int
    vel: int
    dur: float


@dataclass(frozen=True)
class Job:
    """One output WAV: a note, a phrase or a groove of one preset."""
    id: str  # "BBB-PPP/n003": unique within the SoundFont
    kind: str  # "note", "phrase" or "groove"
    preset: Preset
    label: str
    notes: tuple[Note, ...]
    samples: tuple[int, ...]  # every sample the notes sound; the principal one first
    tail: float  # release time left after the last note-off

    @property
    def channel(self) -> int:
        return DRUM_CHANNEL if self.preset.is_kit else MELODIC_CHANNEL

    @property
    def length(self) -> float:
        return max(n.at + n.dur for n in self.notes) + self.tail


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # presets not rendered, with the reason


# -- planning ----------------------------------------------------------------------------------
def plan_soundfont(font: SoundFont, settings: RenderSettings) -> Plan:
    """Every render of a SoundFont, by the reviewed tables of gm.py."""
    plan, seen_presets, seen_notes = Plan(), {}, set()
    standard = next((p for p in font.presets if p.is_kit and p.program == gm.STANDARD_KIT_PROGRAM), None)
    for preset in font.presets:
        where = {"bank": preset.bank, "program": preset.program, "preset": preset.name}
        signature = tuple(sorted((z.sample, z.keys, z.vels, z.root_key) for z in preset.zones))
        if not preset.zones:
            plan.skipped.append({**where, "reason": "no zones with samples"})
            continue
        if signature in seen_presets:
            plan.skipped.append({**where, "reason": f"the same zones as {seen_presets[signature]!r}"})
            continue
        seen_presets[signature] = preset.name
        own_kit = gm.soundfont_kit(font.path.name, preset.bank, preset.program)
        if preset.is_kit or own_kit is not None:
            jobs, reason = _plan_kit(font, preset, standard, settings, seen_notes, own_kit)
        else:
            jobs, reason = _plan_melodic(font, preset, settings, seen_notes)
        if reason:
            plan.skipped.append({**where, "reason": reason})
        plan.jobs += jobs
    plan.jobs, moved = _owned(font, plan.jobs)
    plan.skipped += moved
    return plan


def _owned(font: SoundFont, jobs: list[Job]) -> tuple[list[Job], list[dict]]:
    """One label per sample. GM SoundFonts build presets from other presets' samples (FluidR3's
    Charang from the clavinet, its Ukulele from the nylon guitar, Bandoneon from the harmonica):
    a note or phrase whose principal sample is another preset's keeps that preset's label only.
    The owner is a bank-0 preset before a variation's, then the preset whose name best matches
    the sample's ('Clavinet C4' -> Clavinet), then one whose label is not a layered patch
    (gm.LAYERED_LABELS), then the first by bank and program. Grooves mix samples: left alone."""
    users: dict[tuple[int, ...], dict[str, Preset]] = {}
    for job in jobs:
        if job.kind == "note":
            users.setdefault(font.pair_of(job.samples[0]), {}).setdefault(job.label, job.preset)

    def rank(rec: tuple[int, ...], label: str, p: Preset) -> tuple:
        return (p.bank == 0, _name_match(font.samples[rec[0]].name, p.name), label not in gm.LAYERED_LABELS,
                -p.bank, -p.program)

    owner = {rec: max(by_label, key=lambda lab: rank(rec, lab, by_label[lab]))
             for rec, by_label in users.items() if len(by_label) > 1}
    kept, moved = [], {}
    for job in jobs:
        rec = font.pair_of(job.samples[0])
        if job.kind != "groove" and rec in owner and owner[rec] != job.label:
            key = (job.preset.bank, job.preset.program, job.preset.name, owner[rec])
            moved[key] = moved.get(key, 0) + 1
            continue
        kept.append(job)
    return kept, [{"bank": b, "program": p, "preset": n, "reason": f"{count} renders whose principal sample is "
                   f"{label}'s (the same recording under one label only)"} for (b, p, n, label), count in moved.items()]


def _name_match(sample: str, preset: str) -> int:
    """The longest common prefix (4 letters or more) of a word of each name: 'harmnc_e3' and
    'Harmonica' -> 4; 0 when none."""
    words = lambda name: [w for w in re.split(r"[^a-z]+", name.lower()) if len(w) >= 3]  # noqa: E731
    best = 0
    for a in words(sample):
        for b in words(preset):
            n = len(os.path.commonprefix([a, b]))
            best = max(best, n if n >= 4 else 0)
    return best


def _plan_melodic(font: SoundFont, preset: Preset, settings: RenderSettings, seen: set) -> tuple[list[Job], str]:
    inst = gm.melodic_instrument(font.path.name, preset.bank, preset.program, preset.name)
    if inst is None:
        return [], "not in the reviewed tables of gm.py"
    if inst.label is None:
        return [], inst.reason
    rng = _rng(font, preset, "notes")
    jobs = []
    for zone, key, vel in _note_targets(font, preset, settings):
        job = _note_job(font, preset, inst.label, f"n{len(jobs):03d}", key, vel, rng.uniform(*settings.hold_s),
                        settings, principal=zone.sample)
        if job is not None and _first(seen, job):
            jobs.append(job)
    if inst.style != "sfx":
        jobs += _phrases(font, preset, inst, settings)
    return jobs, ""


def _plan_kit(font: SoundFont, preset: Preset, standard: Preset | None, settings: RenderSettings,
              seen: set, kit: gm.Kit | None = None) -> tuple[list[Job], str]:
    kit = kit or gm.KITS.get(gm.kit_name(preset.name))
    if kit is None:
        return [], "a drum kit not in the reviewed KITS of gm.py"
    if kit.keys is None and kit.label is None:
        return [], kit.reason
    rng = _rng(font, preset, "hits")
    jobs = []
    labelled = lambda z: kit.instrument(_root_in_zone(z)).label is not None  # noqa: E731
    for zone, key, vel in _note_targets(font, preset, settings, labelled):  # drum zones are mostly one key each
        label = kit.instrument(key).label
        if label and kit.electronic and (standard is None or zone.sample not in {
                z.sample for z in standard.zones if z.keys[0] <= key <= z.keys[1]}):
            label = "drum_machine"  # a sample the acoustic kit does not use on this key
        if label is None:
            continue
        job = _note_job(font, preset, label, f"k{key:03d}-{len(jobs):03d}", key, vel, rng.uniform(*settings.hold_s),
                        settings, principal=zone.sample)
        if job is not None and _first(seen, job):
            jobs.append(job)
    if kit.groove:
        jobs += _grooves(font, preset, kit.groove, settings)
    return jobs, ""


def _first(seen: set, job: Job) -> bool:
    """Whether this note was not rendered yet (same samples, key, velocity and label)."""
    n = job.notes[0]
    key = (frozenset(job.samples), n.key, n.vel, job.label)
    if key in seen:
        return False
    seen.add(key)
    return True


def _note_targets(font: SoundFont, preset: Preset, settings: RenderSettings,
                  usable: Callable[[Zone], bool] | None = None) -> list[tuple[Zone, int, int]]:
    """(zone, key, velocity) per recorded sample and velocity layer: the root key inside the zone
    (a sample a preset maps to several keys is played once, at its first usable zone's)."""
    by_recording: dict[tuple[int, ...], list[Zone]] = {}
    for z in preset.zones:
        if usable is None or usable(z):
            by_recording.setdefault(font.pair_of(z.sample), []).append(z)
    out = []
    for recording in sorted(by_recording):
        zones = sorted(by_recording[recording], key=lambda z: (z.vels, z.keys))
        layers = _spread(sorted({z.vels for z in zones}), settings.velocities_per_sample)
        for vels in layers:
            z = next(z for z in zones if z.vels == vels)
            out.append((z, _root_in_zone(z), _velocity(vels)))
    return sorted(out, key=lambda t: (t[1], t[2], t[0].sample))


def _root_in_zone(z: Zone) -> int:
    return min(max(z.root_key, z.keys[0]), z.keys[1])


def _spread(items: list, n: int) -> list:
    """At most n items, evenly spread, the first and last always among them."""
    if len(items) <= n:
        return items
    if n == 1:
        return [items[-1]]
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


def _velocity(vels: tuple[int, int]) -> int:
    return 100 if vels[0] <= 100 <= vels[1] else max(1, (vels[0] + vels[1]) // 2)


def _note_job(font: SoundFont, preset: Preset, label: str, jid: str, key: int, vel: int, hold: float,
              settings: RenderSettings, principal: int) -> Job | None:
    sounding = preset.sounding(key, vel)
    if not sounding:
        return None
    note = Note(0.0, key, vel, round(hold, 3))
    return Job(_job_id(preset, jid), "note", preset, label, (note,), _samples(font, sounding, principal),
               _tail(sounding, settings))


def _samples(font: SoundFont, zones: tuple[Zone, ...], principal: int | None = None) -> tuple[int, ...]:
    """The sounding samples, principal first: the named one, else the first that is not a
    stereo pair's right side."""
    found = sorted({z.sample for z in zones})
    if principal is None:
        principal = next((s for s in found if font.samples[s].side != RIGHT), found[0])
    principal = font.pair_of(principal)[0]  # a pair is named by its left side
    return (principal, *[s for s in found if s != principal])


def _tail(zones: tuple[Zone, ...], settings: RenderSettings) -> float:
    release = max(z.release_s for z in zones)
    return round(min(max(release, settings.tail_s[0]), settings.tail_s[1]), 3)


def _job_id(preset: Preset, rest: str) -> str:
    return f"{preset.bank:03d}-{preset.program:03d}/{rest}"


def _rng(font: SoundFont, preset: Preset, what: str) -> random.Random:
    return random.Random(f"{font.path.name}/{preset.bank}/{preset.program}/{preset.name}/{what}")


_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
_TRIADS = {"major": (0, 4, 7), "minor": (0, 3, 7)}


def _phrases(font: SoundFont, preset: Preset, inst: gm.Instrument, settings: RenderSettings) -> list[Job]:
    """Short phrases within the keys the preset's samples were recorded at."""
    roots = sorted({_root_in_zone(z) for z in preset.zones})
    lo = max(preset.key_range[0], roots[0] - 5)
    hi = min(preset.key_range[1], roots[-1] + 5)
    kinds = ["scale", "arpeggio", "repeat"][:settings.phrases] + (["chord"] if inst.style == "chordal" else [])
    jobs = []
    for i, kind in enumerate(kinds):
        rng = _rng(font, preset, f"phrase{i}")
        keys = _phrase_keys(kind, rng, lo, hi)
        step = rng.uniform(0.15, 0.5)
        notes, at = [], 0.0
        for k in keys:
            vel = rng.randint(80, 112)
            if kind == "chord":
                notes.append(Note(0.0, k, vel, round(rng.uniform(0.8, 2.0), 3) if not notes else notes[0].dur))
                continue
            notes.append(Note(round(at, 3), k, vel, round(step * 0.9, 3)))
            at += step
        notes = [n for n in notes if preset.sounding(n.key, n.vel)]
        if not notes:
            continue
        sounding = tuple(z for n in notes for z in preset.sounding(n.key, n.vel))
        first = preset.sounding(notes[0].key, notes[0].vel)
        jobs.append(Job(_job_id(preset, f"p{i:02d}"), "phrase", preset, inst.label, tuple(notes),
                        _samples(font, sounding, _samples(font, first)[0]), _tail(sounding, settings)))
    return jobs


def _phrase_keys(kind: str, rng: random.Random, lo: int, hi: int) -> list[int]:
    mode = rng.choice(("major", "minor"))
    start = rng.randint(lo, max(lo, hi - 12))
    if kind == "repeat":
        return [start] * rng.randint(3, 5)
    if kind == "chord":
        chord = [start + i for i in _TRIADS[mode]] + ([start + 12] if rng.random() < 0.5 else [])
    elif kind == "scale":
        steps = [12 * (i // 7) + _SCALES[mode][i % 7] for i in range(rng.randint(5, 8))]
        chord = [start + s for s in steps]
        if rng.random() < 0.5:
            chord = [start + steps[-1] - s for s in steps]  # descending from the top
    else:  # arpeggio: up, sometimes back down
        up = [start + 12 * (i // 3) + _TRIADS[mode][i % 3] for i in range(rng.randint(3, 6))]
        chord = up + (up[-2::-1] if rng.random() < 0.5 else [])
        chord = chord[:8]
    return [min(max(k, lo), hi) for k in chord]


def _grooves(font: SoundFont, preset: Preset, label: str, settings: RenderSettings) -> list[Job]:
    """Two bars of bass drum, snare and hi-hat in eighth notes, a few variants."""
    has = {k for z in preset.zones for k in range(z.keys[0], z.keys[1] + 1)}
    pick = {part: next((k for k in keys if k in has), None) for part, keys in gm.GROOVE_KEYS.items()}
    if None in (pick["kick"], pick["snare"], pick["closed"]):
        return []
    patterns = (  # eighth-note positions 0-7 in a bar
        {"kick": (0, 4), "snare": (2, 6), "closed": tuple(range(8))},
        {"kick": (0, 3, 4), "snare": (2, 6), "closed": tuple(range(7)), "open": (7,)},
        {"kick": (0, 4, 5), "snare": (2, 6, 7), "closed": (0, 2, 4, 6)},
    )
    jobs = []
    for i, pattern in enumerate(patterns[:settings.grooves]):
        rng = _rng(font, preset, f"groove{i}")
        eighth = 30.0 / rng.uniform(85, 130)
        notes = []
        for bar in range(2):
            for part, steps in pattern.items():
                key = pick.get(part) or pick["closed"]
                for s in steps:
                    vel = rng.randint(70, 95) if part in ("closed", "open") else rng.randint(95, 118)
                    notes.append(Note(round((bar * 8 + s) * eighth, 3), key, vel, round(eighth * 0.9, 3)))
        notes.sort(key=lambda n: (n.at, n.key))
        sounding = tuple(z for n in notes for z in preset.sounding(n.key, n.vel))
        if not sounding:
            continue
        first = preset.sounding(notes[0].key, notes[0].vel)
        jobs.append(Job(_job_id(preset, f"g{i:02d}"), "groove", preset, label, tuple(notes),
                        _samples(font, sounding, _samples(font, first)[0]), _tail(sounding, settings)))
    return jobs
