"""The scene mixer: 0 to 3 labelled events at random times and SNRs over a bed, in a room,
through a microphone.

Events are drawn from *scene contexts* most of the time (a kitchen hears kettles and taps,
a street hears horns and engines), so labels co-occur the way they do in homes; that is
what makes "adversarial" negatives (co-occurring but absent) meaningful. The rest of the
time any label of the split may appear.

A clip, in order: the bed (`beds.py`); each event rendered, reverberated by one source
position of a simulated room (`rooms.py`), scaled to its SNR over the bed (both on their
active parts, -5 to +20 dB) and placed, sometimes across a clip edge; the microphone
colours everything acoustic and adds its noise (`microphone.py`); then every component that
is not audible in the mix (`audibility.py`) is removed with its label. So a label is in a
clip exactly when a sound of it can be heard there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from training.corpus.audibility import is_audible
from training.corpus.beds import draw_bed
from training.corpus.dsp import SR, active_rms, fft_convolve, n_samples, place
from training.corpus.events import event
from training.corpus.instances import InstancePool
from training.corpus.microphone import MicConfig, draw_colouration, electrical_noise
from training.corpus.rooms import RirBank

CONTEXTS: dict[str, tuple[str, ...]] = {
    "kitchen": ("kettle_whistle", "appliance_beep", "running_water", "speech", "smoke_alarm",
                "clock_ticking", "music", "glass_breaking", "footsteps"),
    "living_room": ("speech", "music", "doorbell", "knocking", "phone_ringing", "clock_ticking",
                    "applause", "dog_barking", "baby_crying", "notification_chime", "vacuum_cleaner"),
    "street": ("car_horn", "engine", "siren", "wind", "rain", "speech", "footsteps", "dog_barking",
               "car_door", "whoosh"),
    "office": ("keyboard_typing", "phone_ringing", "speech", "notification_chime", "camera_shutter",
               "footsteps", "clock_ticking", "appliance_beep"),
    "night_alarm": ("smoke_alarm", "co_alarm", "siren", "alarm_clock", "baby_crying", "dog_barking",
                    "glass_breaking", "knocking", "explosion"),
    "bedroom_morning": ("alarm_clock", "clock_ticking", "speech", "music", "running_water",
                        "footsteps", "notification_chime", "rain"),
    "garden_weather": ("rain", "wind", "dog_barking", "engine", "explosion", "whoosh", "speech"),
}

@dataclass(frozen=True)
class SceneConfig:
    clip_s: float = 10.0  # clip length, seconds (the encoder window the adapter is trained on)
    event_count_weights: tuple[float, ...] = (0.1, 0.35, 0.35, 0.2)  # P(0, 1, 2, 3 events)
    snr_db: tuple[float, float] = (-5.0, 20.0)  # event over the bed, both on their active parts, after the room
    background_dbfs: tuple[float, float] = (-50.0, -30.0)  # bed level on its active part, dB re full scale
    bed_recording_prob: float = 0.7  # share of beds that are ambience recordings, where the split has some
    reverb_prob: float = 0.5  # share of clips mixed in a simulated room (when a room bank is given)
    edge_prob: float = 0.1  # share of events placed across a clip edge, partly cut away
    audible_floor_db: float = -6.0  # audible: some band within this of the rest of the mix...
    min_audible_s: float = 0.05  # ...for this long in all, or half its own length if shorter (audibility.py)
    context_prob: float = 0.85  # share of clips whose events follow a scene context
    peak: float = 0.9  # the mix is scaled down when its peak exceeds this
    mic: MicConfig = field(default_factory=MicConfig)
    contexts: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(CONTEXTS))

    @property
    def max_events(self) -> int:
        return len(self.event_count_weights) - 1


@dataclass(frozen=True)
class PlacedEvent:
    label: str
    onset_s: float  # where it sounds inside the clip (cut to the clip)
    offset_s: float
    source: str
    instance: str
    snr_db: float | None  # over the bed; None for the bed itself
    group: str | None = None  # the recording's group, None for synthetic sounds (not in the clip index)
    role: str = "event"  # "event" or "ambience" (the bed)

    def to_json(self) -> dict:
        return {"label": self.label, "onset_s": self.onset_s, "offset_s": self.offset_s,
                "source": self.source, "instance": self.instance, "snr_db": self.snr_db}


@dataclass(frozen=True)
class Scene:
    audio: np.ndarray  # (clip samples,) float32
    events: list[PlacedEvent]  # the audible ones, by onset; a recorded bed is one (role "ambience")
    background: str  # e.g. "pink noise, -42.0 dBFS, room 4.1x3.2x2.6 m, RT60 0.45 s, mic noise -75 dBFS"
    caption: str
    dropped: int = 0  # components removed as inaudible

    @property
    def labels(self) -> list[str]:
        return sorted({e.label for e in self.events})


def choose_labels(rng: np.random.Generator, available: list[str], cfg: SceneConfig) -> list[str]:
    """0..max distinct labels, from a scene context with probability `context_prob`."""
    weights = np.asarray(cfg.event_count_weights, dtype=float)
    k = int(rng.choice(len(weights), p=weights / weights.sum()))
    pool = available
    if rng.random() < cfg.context_prob:
        name = sorted(cfg.contexts)[int(rng.integers(len(cfg.contexts)))]
        in_context = [lab for lab in cfg.contexts[name] if lab in available]
        pool = in_context if len(in_context) >= k else available
    k = min(k, len(pool))
    if not k:
        return []
    # A label found in many contexts is drawn less often within each, so labels come out about equally often.
    share = np.array([1.0 / _context_count(cfg.contexts, lab) for lab in pool])
    picked = rng.choice(len(pool), size=k, replace=False, p=share / share.sum())
    return [pool[i] for i in sorted(picked)]


def _context_count(contexts: dict[str, tuple[str, ...]], label: str) -> int:
    return max(1, sum(label in labs for labs in contexts.values()))


def mix_scene(rng: np.random.Generator, split: str, pool: InstancePool, cfg: SceneConfig,
              rooms: RirBank | None = None) -> Scene:
    """One clip: everything random comes from `rng`, so a clip is a function of its seed
    (and of the room bank, itself a function of the build seed). Without `rooms`, dry."""
    n = n_samples(cfg.clip_s)
    labels = choose_labels(rng, pool.labels_in(split), cfg)
    bed = draw_bed(rng, pool.beds(split), n, cfg.background_dbfs, cfg.bed_recording_prob)
    room = rooms.pick(rng) if rooms is not None and rng.random() < cfg.reverb_prob else None
    colour = draw_colouration(rng, cfg.mic)
    noise, noise_text = electrical_noise(rng, n, bed.level_db, cfg.mic)
    parts: list[tuple[PlacedEvent, np.ndarray, float]] = []  # (event, its signal in the mix, seconds to be heard)
    for label in labels:
        drawn = pool.draw(label, split, rng)
        x = pool.render(drawn, rng, cfg.clip_s).astype(np.float64)
        dry = x.size
        if room is not None:
            x = fft_convolve(x, room.rirs[int(rng.integers(room.rirs.shape[0]))])
        snr = round(float(rng.uniform(*cfg.snr_db)), 1)
        start = event_start(rng, dry, n, cfg.edge_prob)
        sig = np.zeros(n)
        place(sig, x, start, gain=bed.rms * 10 ** (snr / 20) / active_rms(x))
        on, off = max(0, start), min(n, start + dry)
        parts.append((PlacedEvent(label, round(on / SR, 3), round(off / SR, 3), drawn.source,
                                  drawn.instance_id, snr, drawn.group), sig, _must_be_heard(cfg, dry)))
    fixed = np.zeros(n)
    if bed.recording is not None:
        rec = bed.recording
        parts.append((PlacedEvent(rec.label, 0.0, round(n / SR, 3), rec.source, rec.instance_id, None,
                                  rec.group, "ambience"), bed.audio, _must_be_heard(cfg, n)))
    else:
        fixed += bed.audio
    if colour is not None:
        fixed = colour.apply(fixed)
        parts = [(ev, colour.apply(sig), need) for ev, sig, need in parts]
    fixed += noise
    total = fixed + sum((sig for _, sig, _ in parts), np.zeros(n))
    kept = [(ev, sig) for ev, sig, need in parts if is_audible(sig, total - sig, cfg.audible_floor_db, need)]
    mix = fixed + sum((sig for _, sig in kept), np.zeros(n))
    peak = float(np.max(np.abs(mix)))
    if peak > cfg.peak:
        mix *= cfg.peak / peak
    events = sorted((ev for ev, _ in kept), key=lambda e: (e.onset_s, e.label))
    bed_heard = bed.recording is None or any(e.role == "ambience" for e in events)
    phrase = bed.phrase if bed_heard else NO_BED_PHRASE
    background = ", ".join(p for p in (bed.description if bed_heard else "faint noise",
                                       room.describe() if room else "", colour.describe() if colour else "",
                                       noise_text) if p)
    return Scene(mix.astype(np.float32), events, background, caption(events, phrase, room is not None),
                 dropped=len(parts) - len(kept))


def _must_be_heard(cfg: SceneConfig, length: int) -> float:
    """Seconds a sound of `length` samples (uncut) must be heard: min_audible_s, or half of
    itself when it is shorter (a 20 ms click is heard whole; a 1 s tone cut to 20 ms is not)."""
    return min(cfg.min_audible_s, 0.5 * length / SR)


NO_BED_PHRASE = "over faint noise"  # the caption tail when a recorded bed was not audible


def event_start(rng: np.random.Generator, length: int, n: int, edge_prob: float) -> int:
    """First sample of an event of `length` in a clip of `n`: inside the clip, or with
    probability `edge_prob` across its start or its end (1 to length - 1 samples cut)."""
    if length >= n:
        return 0 if length == n else -int(rng.integers(0, length - n + 1))
    if length > 1 and rng.random() < edge_prob:
        cut = int(rng.integers(1, length))
        return -cut if rng.random() < 0.5 else n - length + cut
    return int(rng.integers(0, n - length + 1))


def caption(events: list[PlacedEvent], bed_phrase: str, reverb: bool) -> str:
    """A template caption in onset order: "A doorbell rings, then someone speaks, over a faint hiss."."""
    tail = bed_phrase + (" in a reverberant room" if reverb else "")
    events = [e for e in events if e.role == "event"]
    if not events:
        return "Only background noise is heard, " + tail + "."
    parts = [event(events[0].label).caption_clause()]
    for prev, cur in zip(events, events[1:]):
        joiner = " while " if cur.onset_s < prev.offset_s else ", then "
        parts.append(joiner + event(cur.label).caption_clause())
    text = "".join(parts)
    return text[0].upper() + text[1:] + ", " + tail + "."
