"""Smoke and CO alarm patterns: recall over a room matrix, hard negatives, and a long false-alarm run.

The detector of `edge/alarms` (the same code the daemon and `listen ask` run), fed 16 kHz
blocks of 0.1 s as a microphone would:

1. The matrix. Temporal-three (0.5 s and 0.25 s beeps) and temporal-four alarms, piezo tones of
   2.7 / 3.1 / 3.7 kHz and the 520 Hz square wave, played in shoebox rooms simulated with
   pyroomacoustics (12 x 8 x 3 m; RT60 0.2 / 0.5 / 1.0 s; the alarm 1 / 3 / 6 / 10 m from the
   microphone), over beds of real household recordings (speech, music, TV-like mixes,
   appliances, water, weather, traffic: the project's real sources, never an alarm) at
   -10 .. +20 dB SNR (the alarm's reverberant level while it sounds against the bed's), through
   a microphone model (100 Hz - 7 kHz band, self-noise at -80 dBFS, 16-bit). A case is a hit
   when the right pattern is matched within 10 s of the first beep.
2. Hard negatives, generated the same way: a microwave that is done (three beeps, once), an
   alarm clock, a reversing truck, a parking sensor, appliance and UI beeps, phone rings, a
   kettle whistle, whistling and birdsong-like chirps. Any match is a false alert.
3. The long run: every real recording of the project's sources except smoke and CO alarms,
   shuffled and concatenated until HOURS of audio, replayed faster than real time through the
   same detector; false alerts per 24 h and CPU per second of audio.

    python bench/bench_alarms.py [--hours 24] [--groups 1] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.audio import SAMPLE_RATE as SR  # noqa: E402
from edge.alarms import AlarmDetector  # noqa: E402
from tests.edge.alarms.signals import ROOM_DIMS, T3, T3_QUICK, T4, beeping, room_response  # noqa: E402

BLOCK = 1600  # 0.1 s, as the capture loop hands them over
CLIP_S = 14.0
FIRST_BEEP_S = 1.5
WITHIN_S = 10.0
RT60S = (0.2, 0.5, 1.0)
DISTANCES = (1.0, 3.0, 6.0, 10.0)
SNRS = (-10, -5, 0, 10, 20)
TONES = (("2.7 kHz", 2700.0, False), ("3.1 kHz", 3100.0, False), ("3.7 kHz", 3700.0, False), ("520 Hz square", 520.0, True))
PATTERNS = (("T3", T3, "smoke"), ("T3, 0.25 s beeps", T3_QUICK, "smoke"), ("T4", T4, "carbon monoxide"))
ALARM_LABELS = {"smoke_alarm", "co_alarm"}
# the beds' kinds, drawn evenly (speech would otherwise be half of them); 1-3 layers make TV-like mixes
BED_GROUPS = {
    "speech": ("speech", "male_speech", "female_speech", "babble", "laughter", "cough"),
    "music": ("music", "piano", "guitar", "electric_guitar", "organ", "drum_kit", "string_section", "saxophone", "choir"),
    "household": ("footsteps", "keyboard_typing", "door", "tools", "hammer", "sawing", "power_tool", "vacuum_cleaner",
                  "clatter", "chink", "drip", "mains_hum", "dog_barking", "scratching"),
    "water and weather": ("rain", "wind", "stream", "waterfall", "thunder", "waves", "splash", "steam", "rustling_leaves"),
    "traffic and outside": ("traffic_noise", "outside_urban", "outside_rural", "car", "engine", "heavy_engine", "train",
                            "crowd", "children_playing", "aircraft", "helicopter", "bird"),
}
BED_LABELS = tuple(lab for group in BED_GROUPS.values() for lab in group)


def rirs() -> dict[tuple[float, float], np.ndarray]:
    """One impulse response per (RT60, distance)."""
    return {(rt60, d): room_response(rt60, d, ROOM_DIMS) for rt60 in RT60S for d in DISTANCES}


def microphone(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """100 Hz - 7 kHz, self-noise at -80 dBFS, clipped and quantised to 16 bits."""
    from scipy.signal import butter, sosfilt

    sos = butter(4, [100, 7000], btype="bandpass", fs=SR, output="sos")
    y = sosfilt(sos, x).astype(np.float32) + 10 ** (-80 / 20) * rng.standard_normal(len(x)).astype(np.float32)
    return np.round(np.clip(y, -1, 1) * 32767).astype(np.int16)


def real_recordings(labels: tuple[str, ...] | None, exclude: set[str]) -> list:
    from training.corpus.sources.discover import discover

    return [r for r in discover(use_pygame=False) if r.is_real and r.label not in exclude
            and (labels is None or r.label in labels)]


def bed_groups(recordings: list) -> list[list]:
    """The recordings of each kind of BED_GROUPS that has any."""
    groups = [[r for r in recordings if r.label in labels] for labels in BED_GROUPS.values()]
    return [g for g in groups if g]


def bed(groups: list[list], seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Real recordings back to back (1 to 3 layers mixed), to `seconds`; each from a kind drawn evenly."""
    from core.audio_io import read_audio

    n = int(seconds * SR)
    out = np.zeros(n, np.float32)
    for _ in range(int(rng.integers(1, 4))):
        layer, pos = np.zeros(n, np.float32), 0
        while pos < n:
            group = groups[int(rng.integers(len(groups)))]
            x = read_audio(group[int(rng.integers(len(group)))].path)[: n - pos]
            layer[pos:pos + len(x)] = x / (np.sqrt(np.mean(x**2)) + 1e-6)
            pos += len(x)
        out += layer
    return out / (np.sqrt(np.mean(out**2)) + 1e-9)


def detect(pcm: np.ndarray, groups: int) -> list:
    d = AlarmDetector(groups=groups)
    return [m for i in range(0, len(pcm), BLOCK) for m in d.feed(pcm[i:i + BLOCK].astype(np.float32) / 32768.0)]


def place(source: np.ndarray, rir: np.ndarray, bed_audio: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """The source through the room, over the bed at `snr_db` (the source's level where it sounds)."""
    from scipy.signal import fftconvolve

    wet = fftconvolve(source, rir)[: len(source)].astype(np.float32)
    on = np.abs(source) > 0
    level = np.sqrt(np.mean(wet[on] ** 2)) if on.any() else np.sqrt(np.mean(wet**2))
    mix = wet / level * 10 ** (snr_db / 20) + bed_audio[: len(wet)]
    return microphone(mix * (0.25 / (np.max(np.abs(mix)) + 1e-9)), rng)


@dataclass
class Case:
    pattern: str
    alarm: str
    tone: str
    rt60: float
    distance: float
    snr: int
    hit: bool
    cross: bool  # reported as the other alarm
    delay_s: float | None


def matrix(responses: dict, beds: list[list], quick: bool, groups: int, rng: np.random.Generator) -> list[Case]:
    cases = []
    snrs = SNRS[1:4:2] if quick else SNRS
    for name, pattern, alarm in PATTERNS:
        for tone, freq, square in TONES:
            source = beeping(pattern, freq, CLIP_S, FIRST_BEEP_S, square)
            for (rt60, d), rir in responses.items():
                if quick and (rt60, d) not in ((0.5, 3.0), (1.0, 10.0)):
                    continue
                for snr in snrs:
                    found = detect(place(source, rir, bed(beds, CLIP_S, rng), snr, rng), groups)
                    right = [m for m in found if m.alarm == alarm and m.at_s - FIRST_BEEP_S <= WITHIN_S]
                    cases.append(Case(name, alarm, tone, rt60, d, snr, bool(right), any(m.alarm != alarm for m in found),
                                      right[0].at_s - FIRST_BEEP_S if right else None))
    return cases


def hard_negatives(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Generated non-alarms that beep, ring or whistle, CLIP_S each (a new draw per call)."""
    from training.corpus.procedural import synthesize

    f = float(rng.uniform(2000, 4000))
    chirps = np.zeros(int(CLIP_S * SR), np.float32)
    for t in np.cumsum(rng.uniform(0.2, 1.2, 30)):
        n0, n = int(t * SR), int(rng.uniform(0.05, 0.25) * SR)
        if n0 + n < len(chirps):
            glide = np.cumsum(np.linspace(rng.uniform(2500, 4000), rng.uniform(2500, 5000), n)) / SR
            chirps[n0:n0 + n] += np.sin(2 * np.pi * glide) * np.hanning(n)
    whistle = np.zeros(int(CLIP_S * SR), np.float32)
    pos = 0
    while pos < len(whistle) - SR:
        n = int(rng.uniform(0.2, 0.8) * SR)
        whistle[pos:pos + n] = np.sin(2 * np.pi * rng.uniform(1000, 2800) * np.arange(n) / SR) * np.hanning(n)
        pos += n + int(rng.uniform(0.05, 0.4) * SR)
    gaps = np.linspace(0.6, 0.08, 40)
    parking = np.zeros(int(CLIP_S * SR), np.float32)
    t, tone = 0.5, float(rng.uniform(2500, 3500))
    for g in gaps:
        n0, n = int(t * SR), int(0.08 * SR)
        if n0 + n < len(parking):
            parking[n0:n0 + n] = np.sin(2 * np.pi * tone * np.arange(n) / SR)
        t += g
    out = {
        "microwave done (three beeps once)": beeping(T3, f, CLIP_S, FIRST_BEEP_S, repeat=False),
        "microwave, 3 beeps every 10 s": beeping([(0.4, 0.6), (0.4, 0.6), (0.4, 9.0)], f, CLIP_S, FIRST_BEEP_S),
        "alarm clock (4 quick beeps a second)": beeping([(0.07, 0.08)] * 3 + [(0.07, 0.63)], f, CLIP_S, 0.5),
        "reversing truck (0.5 s on / off)": beeping([(0.5, 0.5)], float(rng.uniform(1000, 3200)), CLIP_S, 0.5),
        "parking sensor (quickening beeps)": parking,
        "whistling": whistle,
        "birdsong-like chirps": chirps,
    }
    for label in ("appliance_beep", "alarm_clock", "phone_ringing", "kettle_whistle", "notification_chime", "siren"):
        x = np.zeros(int(CLIP_S * SR), np.float32)
        pos = 0
        while pos < len(x):  # the synthesized event again and again, as a device would
            ev = synthesize(label, int(rng.integers(1 << 30)), CLIP_S).astype(np.float32)[: len(x) - pos]
            x[pos:pos + len(ev)] = ev
            pos += len(ev) + int(rng.uniform(0.3, 2.0) * SR)
        out[label.replace("_", " ") + " (synthesized, repeated)"] = x
    return out


def negatives(responses: dict, beds: list[list], quick: bool, groups: int,
              rng: np.random.Generator) -> dict[str, tuple[int, int]]:
    """Per kind: (false alerts, clips)."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    draws = 3 if quick else 20
    for _ in range(draws):
        for kind, x in hard_negatives(rng).items():
            rt60, d = list(responses)[int(rng.integers(len(responses)))]
            found = detect(place(x, responses[(rt60, d)], bed(beds, CLIP_S, rng), float(rng.choice(SNRS)), rng), groups)
            per[kind][0] += len(found)
            per[kind][1] += 1
    return {k: (v[0], v[1]) for k, v in per.items()}


def long_run(hours: float, groups: int, rng: np.random.Generator) -> dict:
    """Shuffled real recordings (no smoke or CO alarms), streamed until `hours` of audio."""
    from core.audio_io import read_audio

    recs = real_recordings(None, ALARM_LABELS)
    d, alerts, audio_s, cpu_s, passes, distinct_s = AlarmDetector(groups=groups), [], 0.0, 0.0, 0, 0.0
    target = hours * 3600
    while audio_s < target:
        passes += 1
        for i in rng.permutation(len(recs)):
            try:
                x = read_audio(recs[i].path)
            except Exception:  # an unreadable file is skipped, as the corpus builder does
                continue
            if passes == 1:
                distinct_s += len(x) / SR
            t0 = time.process_time()
            for j in range(0, len(x), BLOCK):
                for m in d.feed(x[j:j + BLOCK]):
                    alerts.append((m, recs[i].label, recs[i].source))
            cpu_s += time.process_time() - t0
            audio_s += len(x) / SR
            if audio_s >= target:
                break
    return {"hours": audio_s / 3600, "distinct_hours": distinct_s / 3600, "recordings": len(recs), "passes": passes,
            "alerts": alerts, "cpu_per_audio_s": cpu_s / audio_s}


def pct(hits: int, n: int) -> str:
    return f"{100 * hits / n:.1f} % ({hits}/{n})" if n else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=24.0, help="audio time of the long false-alarm run (default 24)")
    ap.add_argument("--quick", action="store_true", help="a small matrix and 0.5 h: a smoke test of this script")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--groups", type=int, default=1, help="whole groups a match needs in a row (AlarmDetector)")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    hours = 0.5 if args.quick else args.hours
    beds = bed_groups(real_recordings(BED_LABELS, ALARM_LABELS))
    if not beds:
        raise SystemExit("no real recordings of household beds here: run `listen corpus sources` first")

    t0 = time.perf_counter()
    responses = rirs()
    cases = matrix(responses, beds, args.quick, args.groups, rng)
    neg = negatives(responses, beds, args.quick, args.groups, rng)
    long = long_run(hours, args.groups, rng)
    wall = time.perf_counter() - t0

    print("## Smoke and CO alarm patterns (edge/alarms), rooms x distances x SNR over real beds\n")
    print(f"{len(cases)} alarm clips of {CLIP_S:g} s ({sum(map(len, beds))} real bed recordings; rooms RT60 "
          f"{'/'.join(map(str, RT60S))} s at {'/'.join(f'{d:g}' for d in DISTANCES)} m), hit = the right pattern "
          f"within {WITHIN_S:g} s of the first beep. `python bench/bench_alarms.py --hours {hours:g} --groups {args.groups}`, {wall / 60:.0f} min.\n")
    print("| pattern | " + " | ".join(f"{s:+d} dB" for s in sorted({c.snr for c in cases})) + " | reported as the other alarm |")
    print("|---|" + "---:|" * (len({c.snr for c in cases}) + 1))
    for name, _, _ in PATTERNS:
        row = [c for c in cases if c.pattern == name]
        cells = [pct(sum(c.hit for c in row if c.snr == s), sum(1 for c in row if c.snr == s)) for s in sorted({c.snr for c in cases})]
        print(f"| {name} | " + " | ".join(cells) + f" | {sum(c.cross for c in row)} |")
    print("\n| by | recall at >= 0 dB SNR | recall at -5 dB |\n|---|---:|---:|")
    for key, values in (("tone", [t for t, _, _ in TONES]), ("distance", DISTANCES), ("rt60", RT60S)):
        for v in values:
            row = [c for c in cases if getattr(c, key) == v]
            print(f"| {key} {v} | {pct(sum(c.hit for c in row if c.snr >= 0), sum(1 for c in row if c.snr >= 0))} "
                  f"| {pct(sum(c.hit for c in row if c.snr == -5), sum(1 for c in row if c.snr == -5))} |")
    print("\n| time to alert from the first beep | median | p95 |\n|---|---:|---:|")
    for name, _, _ in PATTERNS:
        delays = sorted(c.delay_s for c in cases if c.pattern == name and c.delay_s is not None)
        if delays:
            print(f"| {name} | {statistics.median(delays):.1f} s | {delays[int(0.95 * (len(delays) - 1))]:.1f} s |")
    print("\n| hard negative (in the same rooms and beds) | false alerts | clips |\n|---|---:|---:|")
    for kind, (alerts, n) in neg.items():
        print(f"| {kind} | {alerts} | {n} |")
    per_day = len(long["alerts"]) * 24 / long["hours"]
    print(f"\nLong run: {long['hours']:.1f} h of real recordings ({long['recordings']} recordings, "
          f"{long['distinct_hours']:.1f} h distinct, shuffled, {long['passes']} pass(es)), no smoke or CO alarm among them: "
          f"**{len(long['alerts'])} false alerts ({per_day:.2f} per 24 h)**; detector CPU "
          f"{100 * long['cpu_per_audio_s']:.2f} % of one core ({long['cpu_per_audio_s'] * 1e3:.2f} ms per second of audio).")
    for m, label, source in long["alerts"][:10]:
        print(f"- {m.pattern} ({m.alarm}, {m.band} {m.tone_hz:.0f} Hz) on a recording labelled {label} from {source}")


if __name__ == "__main__":
    main()
