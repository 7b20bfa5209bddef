"""The scene mixer: 0 to 3 labelled events at random times and SNRs over a background.

Events are drawn from *scene contexts* most of the time (a kitchen hears kettles and taps,
a street hears horns and engines), so labels co-occur the way they do in homes; that is
what makes "adversarial" negatives (co-occurring but absent) meaningful. The rest of the
time any label of the split may appear.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from training.corpus.dsp import SR, active_rms, colored_noise, fft_convolve, n_samples, room_impulse, time_axis
from training.corpus.events import event
from training.corpus.instances import InstancePool

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
BACKGROUNDS: dict[str, tuple[float, str]] = {  # kind -> (noise colour exponent, caption phrase)
    "white": (0.0, "over a faint hiss"),
    "pink": (1.0, "over soft background noise"),
    "brown": (2.0, "over a low rumble"),
}


@dataclass(frozen=True)
class SceneConfig:
    clip_s: float = 10.0  # clip length, seconds (the encoder window the adapter is trained on)
    event_count_weights: tuple[float, ...] = (0.1, 0.35, 0.35, 0.2)  # P(0, 1, 2, 3 events)
    snr_db: tuple[float, float] = (0.0, 20.0)  # event level over the background while it sounds
    background_dbfs: tuple[float, float] = (-55.0, -35.0)  # background RMS, dB re full scale
    reverb_prob: float = 0.5  # share of clips mixed in a (simulated) room
    rt60_s: tuple[float, float] = (0.2, 0.8)  # room reverberation time range
    context_prob: float = 0.85  # share of clips whose events follow a scene context
    peak: float = 0.9  # the mix is scaled down when its peak exceeds this
    contexts: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(CONTEXTS))

    @property
    def max_events(self) -> int:
        return len(self.event_count_weights) - 1


@dataclass(frozen=True)
class PlacedEvent:
    label: str
    onset_s: float
    offset_s: float
    source: str
    instance: str
    snr_db: float

    def to_json(self) -> dict:
        return {"label": self.label, "onset_s": self.onset_s, "offset_s": self.offset_s,
                "source": self.source, "instance": self.instance, "snr_db": self.snr_db}


@dataclass(frozen=True)
class Scene:
    audio: np.ndarray  # (clip samples,) float32
    events: list[PlacedEvent]
    background: str  # e.g. "pink noise, -42.0 dBFS, reverb RT60 0.45 s"
    caption: str


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


def mix_scene(rng: np.random.Generator, split: str, pool: InstancePool, cfg: SceneConfig) -> Scene:
    """One clip: everything random comes from `rng`, so a clip is a function of its seed."""
    n = n_samples(cfg.clip_s)
    labels = choose_labels(rng, pool.labels_in(split), cfg)
    events, dry = [], np.zeros(n)
    bg_kind = sorted(BACKGROUNDS)[int(rng.integers(len(BACKGROUNDS)))]
    bg_db = float(rng.uniform(*cfg.background_dbfs))
    bg = colored_noise(rng, n, BACKGROUNDS[bg_kind][0]) * 10 ** (bg_db / 20)  # unit RMS -> bg_db
    if rng.random() < 0.3:  # mains hum under the noise, 50 or 60 Hz with harmonics
        f = 50.0 if rng.random() < 0.5 else 60.0
        t = time_axis(n)
        bg += 10 ** ((bg_db - 6) / 20) * np.sqrt(2) * (np.sin(2 * np.pi * f * t) + 0.5 * np.sin(4 * np.pi * f * t))
    bg_rms = float(np.sqrt(np.mean(bg**2)))
    for label in labels:
        drawn = pool.draw(label, split, rng)
        x = pool.render(drawn, rng, cfg.clip_s)
        start = int(rng.integers(0, n - x.size + 1))
        snr = round(float(rng.uniform(*cfg.snr_db)), 1)
        gain = bg_rms * 10 ** (snr / 20) / active_rms(x)
        dry[start : start + x.size] += gain * x
        events.append(PlacedEvent(label, round(start / SR, 3), round((start + x.size) / SR, 3),
                                  drawn.source, drawn.instance_id, snr))
    background = f"{bg_kind} noise, {bg_db:.1f} dBFS"
    reverb = rng.random() < cfg.reverb_prob
    if reverb:
        rt60 = float(rng.uniform(*cfg.rt60_s))
        dry = fft_convolve(dry, room_impulse(rng, rt60))
        background += f", reverb RT60 {rt60:.2f} s"
    mix = dry + bg
    peak = float(np.max(np.abs(mix)))
    if peak > cfg.peak:
        mix *= cfg.peak / peak
    events.sort(key=lambda e: (e.onset_s, e.label))
    return Scene(mix.astype(np.float32), events, background, caption(events, bg_kind, reverb))


def caption(events: list[PlacedEvent], bg_kind: str, reverb: bool) -> str:
    """A template caption in onset order: "A doorbell rings, then someone speaks, over a faint hiss."."""
    tail = BACKGROUNDS[bg_kind][1] + (" in a reverberant room" if reverb else "")
    if not events:
        return "Only background noise is heard, " + tail + "."
    parts = [event(events[0].label).caption_clause()]
    for prev, cur in zip(events, events[1:]):
        joiner = " while " if cur.onset_s < prev.offset_s else ", then "
        parts.append(joiner + event(cur.label).caption_clause())
    text = "".join(parts)
    return text[0].upper() + text[1:] + ", " + tail + "."
