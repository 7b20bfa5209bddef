"""Render a SoundFont's plan (render_plan.py) into labelled WAVs with the Debian `fluidsynth`,
and write the manifest discovery reads (`rendered/render.json`).

One Standard MIDI File per batch of about `batch_s` seconds (melodic presets on channel 1 with
a bank select, kits on channel 10), rendered by
`fluidsynth -ni -q -R 0 -C 0 -r RATE -g GAIN -O float -F out.wav FONT in.mid` (reverb and
chorus off: the recording is the sample itself; float output: nothing clips). Each render owns
a slot: its notes, then the zones' release (clamped to `tail_s`), then All Sound Off, then
`gap_s` of silence, so nothing rings into the next slot. The slot is cut out at its known
frames, mixed to mono, trailing audio `trim_db` under its peak is trimmed (with a 10 ms fade),
scaled to a `peak_dbfs` peak and written as 16-bit PCM (the manifest keeps the rendered peak).
A slot that stays under `silent_dbfs` is dropped and counted. The manifest lists every WAV
with its SoundFont, bank, program, preset, label, kind, and the samples it sounds (name,
sha256 of the sample's data, and the recording it belongs to: a stereo pair is one), plus a
fingerprint per recording (fingerprint.py) for the near-duplicate search.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from training.corpus.sources.fingerprint import fingerprint
from training.corpus.sources.render_plan import DRUM_CHANNEL, MELODIC_CHANNEL, Job, RenderSettings, plan_soundfont
from training.corpus.sources.soundfont import SoundFont
from training.errors import CorpusFileError, SourceFetchError

log = logging.getLogger(__name__)

RENDERED = "rendered"  # folder under extracted/PKG/
MANIFEST = "render.json"  # rendered/render.json
MANIFEST_FORMAT = 1
TICKS_PER_SECOND = 1000  # the MIDI file's clock: 1 tick = 1 ms (tempo 1 s per quarter, 1000 ticks per quarter)


# -- MIDI --------------------------------------------------------------------------------------
def _vlq(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def smf(events: list[tuple[int, bytes]]) -> bytes:
    """A format-0 Standard MIDI File of (tick, message) events, 1 tick = 1 ms."""
    track, now = bytearray(_vlq(0) + b"\xff\x51\x03" + (1_000_000).to_bytes(3, "big")), 0  # 1 s per quarter
    for tick, message in sorted(events, key=lambda e: e[0]):  # stable: same-tick order kept
        track += _vlq(tick - now) + message
        now = tick
    track += _vlq(0) + b"\xff\x2f\x00"
    header = b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big")
    return header + TICKS_PER_SECOND.to_bytes(2, "big") + b"MTrk" + len(track).to_bytes(4, "big") + bytes(track)


@dataclass(frozen=True)
class Slot:
    job: Job
    start: float  # seconds in the batch's audio
    end: float  # All Sound Off


def batch_midi(jobs: list[Job], settings: RenderSettings) -> tuple[bytes, list[Slot]]:
    """One MIDI file for consecutive jobs, and where each job's slot lies in its audio."""
    events: list[tuple[int, bytes]] = []
    for ch in (MELODIC_CHANNEL, DRUM_CHANNEL):
        events += [(0, bytes([0xB0 | ch, 121, 0])), (0, bytes([0xB0 | ch, 7, 100])),
                   (0, bytes([0xB0 | ch, 91, 0])), (0, bytes([0xB0 | ch, 93, 0]))]
    t, slots, current = 0.5, [], {}
    for job in jobs:
        ch, p = job.channel, job.preset
        if current.get(ch) != (p.bank, p.program):
            at = _tick(t - settings.gap_s / 2)
            if ch == MELODIC_CHANNEL:
                events += [(at, bytes([0xB0 | ch, 0, p.bank])), (at, bytes([0xB0 | ch, 32, 0]))]
            events.append((at, bytes([0xC0 | ch, p.program])))
            current[ch] = (p.bank, p.program)
        for n in job.notes:
            events.append((_tick(t + n.at), bytes([0x90 | ch, n.key, n.vel])))
            events.append((_tick(t + n.at + n.dur), bytes([0x80 | ch, n.key, 0])))
        end = t + job.length
        events.append((_tick(end), bytes([0xB0 | ch, 120, 0])))  # All Sound Off: nothing rings on
        slots.append(Slot(job, round(_tick(t) / TICKS_PER_SECOND, 3), round(_tick(end) / TICKS_PER_SECOND, 3)))
        t = end + settings.gap_s
    events.sort(key=lambda e: (e[0], e[1][0] & 0xF0 != 0x80))  # note-offs before note-ons at one tick
    return smf(events), slots


def _tick(seconds: float) -> int:
    return max(0, round(seconds * TICKS_PER_SECOND))


# -- running fluidsynth ------------------------------------------------------------------------
def fluidsynth_version() -> str:
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise SourceFetchError("fluidsynth is not installed: `apt-get install fluidsynth` (scripts/setup.sh installs "
                               "it); the SoundFont packages are rendered with it")
    run = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return (run.stdout.strip().splitlines() or ["unknown"])[0]


def run_fluidsynth(font: Path, midi: Path, out: Path, settings: RenderSettings) -> None:
    cmd = ["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-r", str(settings.rate), "-g", str(settings.gain),
           "-O", "float", "-T", "wav", "-o", "synth.dynamic-sample-loading=1", "-o", "synth.polyphony=512",
           "-F", str(out), str(font), str(midi)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0 or not out.is_file():
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        raise SourceFetchError(f"fluidsynth could not render {font.name} ({last})")


def cut(batch_wav: Path, slots: list[Slot], out_dir: Path, settings: RenderSettings) -> list[dict | None]:
    """Write each slot as a mono 16-bit WAV; None for a silent slot."""
    import numpy as np
    import soundfile as sf

    found = []
    with sf.SoundFile(str(batch_wav)) as f:
        for slot in slots:
            a, b = round(slot.start * f.samplerate), round(slot.end * f.samplerate)
            f.seek(min(a, f.frames))
            x = f.read(max(0, min(b, f.frames) - a), dtype="float32", always_2d=True).mean(axis=1)
            peak = float(np.abs(x).max()) if x.size else 0.0
            if peak < 10 ** (settings.silent_dbfs / 20):
                found.append(None)
                continue
            loud = np.flatnonzero(np.abs(x) >= peak * 10 ** (settings.trim_db / 20))
            end = min(x.size, int(loud[-1]) + 1 + int(0.05 * f.samplerate))
            x = x[:end] * (10 ** (settings.peak_dbfs / 20) / peak)
            fade = min(x.size, int(0.01 * f.samplerate))
            x[x.size - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
            path = out_dir / f"{slot.job.id}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            sf.write(str(path), x, f.samplerate, subtype="PCM_16")
            found.append({"seconds": round(x.size / f.samplerate, 3),
                          "rendered_peak_dbfs": round(20 * np.log10(peak), 1)})
    return found


def _batches(jobs: list[Job], settings: RenderSettings) -> Iterator[list[Job]]:
    batch, length = [], 0.0
    for job in jobs:
        batch.append(job)
        length += job.length + settings.gap_s
        if length >= settings.batch_s:
            yield batch
            batch, length = [], 0.0
    if batch:
        yield batch


# -- one package -------------------------------------------------------------------------------
def render_settings_stamp(settings: RenderSettings | None = None) -> dict:
    """What the rendered WAVs are a function of, besides the .deb: goes into the extraction stamp."""
    return {"settings": asdict(settings or RenderSettings()), "fluidsynth": fluidsynth_version()}


def render_package(root: Path, soundfonts: tuple[str, ...], settings: RenderSettings | None = None,
                   progress: bool = True, workers: int = 2) -> dict:
    """Render every SoundFont of an extracted package under root/rendered/, write the manifest,
    and delete the SoundFont files (the manifest keeps all that discovery needs)."""
    settings = settings or RenderSettings()
    manifest = {"format": MANIFEST_FORMAT, **render_settings_stamp(settings), "soundfonts": {}, "renders": []}
    for rel in soundfonts:
        path = root / rel
        if not path.is_file():
            raise SourceFetchError(f"the package has no {rel}: update the SoundFont paths in packages.py")
        started = time.monotonic()
        try:
            with SoundFont(path) as font:
                entry, renders = _render_font(font, rel, root, settings, progress, workers)
        except CorpusFileError as err:
            raise SourceFetchError(f"{err}; delete the .deb and rerun to download it again") from None
        entry["render_seconds"] = round(time.monotonic() - started, 1)
        manifest["soundfonts"][rel] = entry
        manifest["renders"] += renders
        path.unlink()  # 6-148 MB; the manifest and the WAVs are all discovery reads
        log.info("%s: %d renders in %.0f s", rel, len(renders), entry["render_seconds"])
    out = root / RENDERED / MANIFEST
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(manifest, indent=None, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _render_font(font: SoundFont, rel: str, root: Path, settings: RenderSettings, progress: bool,
                 workers: int) -> tuple[dict, list[dict]]:
    plan = plan_soundfont(font, settings)
    stem = Path(rel).stem
    out_dir = root / RENDERED / stem
    batches = list(_batches(plan.jobs, settings))
    bar = _bar(len(plan.jobs), f"rendering {Path(rel).name}", progress)
    with tempfile.TemporaryDirectory(prefix="listen-render-") as tmp:
        def one(i: int, jobs: list[Job]) -> tuple[list[Slot], list[dict | None]]:
            midi_bytes, slots = batch_midi(jobs, settings)
            midi, wav = Path(tmp) / f"b{i:04d}.mid", Path(tmp) / f"b{i:04d}.wav"
            midi.write_bytes(midi_bytes)
            run_fluidsynth(font.path, midi, wav, settings)
            try:
                return slots, cut(wav, slots, out_dir, settings)
            except (RuntimeError, OSError) as err:  # soundfile's errors are RuntimeErrors
                raise SourceFetchError(f"cannot cut fluidsynth's render of {font.path.name} ({err})") from None
            finally:
                wav.unlink(missing_ok=True)
                bar.update(len(jobs))

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(lambda ib: one(*ib), enumerate(batches)))
    bar.close()
    recordings: dict[str, dict] = {}
    renders, silent = [], 0
    for slots, cuts in results:
        for slot, got in zip(slots, cuts):
            if got is None:
                silent += 1
                continue
            renders.append(_render_entry(font, rel, stem, slot.job, got, recordings))
    return {"name": font.name, "version": list(font.version), "presets": len(font.presets),
            "samples": len(font.samples), "skipped": plan.skipped, "silent": silent,
            "recordings": recordings}, renders


def _render_entry(font: SoundFont, rel: str, stem: str, job: Job, got: dict, recordings: dict) -> dict:
    samples = []
    for s in job.samples:
        rec = _recording(font, s, recordings)
        samples.append({"name": font.samples[s].name, "sha256": font.sample_sha256(s), "recording": rec})
    first = job.notes[0]
    return {"wav": f"{RENDERED}/{stem}/{job.id}.wav", "soundfont": rel, "id": job.id, "kind": job.kind,
            "bank": job.preset.bank, "program": job.preset.program, "preset": job.preset.name, "label": job.label,
            "key": first.key, "velocity": first.vel, "notes": len(job.notes), "samples": samples,
            "principal": samples[0]["recording"], **got}


def _recording(font: SoundFont, index: int, recordings: dict) -> str:
    """The recording (pair) hash of a sample, fingerprinted once per recording."""
    pair = font.pair_of(index)
    sha = font.recording_sha256(pair[0])
    if sha not in recordings:
        recordings[sha] = {"samples": [font.samples[i].name for i in pair],
                           "fingerprint": fingerprint(font, pair)}
    return sha


def _bar(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="render", disable=not enabled, leave=False)
