"""GUS patch sets (FreePats): each recorded sample written out as one labelled WAV, with the
render manifest that rendered.py reads for the SoundFonts (`rendered/render.json`).

No synthesizer: the samples are read from the .pat files (gus.py) and written as they were
recorded, at their own rate and pitch, the way render.py's notes play a SoundFont sample at its
root key. A looped sample (a sustained instrument) is played on through its loop (forward, or
back and forth for a ping-pong loop) until it has sounded `hold_s`, then faded over
`release_s`; an unlooped one (a drum hit) is written whole. Each WAV is scaled to a
`peak_dbfs` peak and written as 16-bit PCM.

Labels come from the General MIDI tables of gm.py, by the number FreePats puts in each file
name (the numbers its own timidity config, `freepats.cfg`, is generated from):
`Tone_000/NNN_*.pat` is GM program NNN of bank 0 (`gm.melodic_instrument`, with the file name
as the "SoundFont" of `gm.SOUNDFONT_OVERRIDES`); `Drum_000/KKK_*.pat` is drum key KKK of the
standard kit (`gm.GM_PERCUSSION`, and FreePats' two keys below it, `DRUMS_BELOW_GM`).

Left out: a looped sample with under `min_recorded_s` of recorded audio (English horn, ocarina,
some saxophone and bassoon notes: loops of a few cycles, a static tone rather than a recording
of the note) and whatever the GM tables exclude. One recording per sample; a patch's samples
(one instrument at several pitches) share a split group (the manifest's `joins`), like the
velocity layers of one Hydrogen drum; identical samples in two patches are one recording, and
the fingerprints go into the cross-SoundFont near-duplicate search.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from training.corpus.sources import gm
from training.corpus.sources.fingerprint import fingerprint_pcm
from training.corpus.sources.gus import MODE_PINGPONG, PatchSample, read_patch
from training.corpus.sources.soundfont import PERCUSSION_BANK
from training.corpus.sources.render import MANIFEST, MANIFEST_FORMAT, RENDERED
from training.errors import CorpusFileError, SourceFetchError

log = logging.getLogger(__name__)

RENDERER = "gus.py"  # the manifest's "renderer": no fluidsynth involved
DRUMS_BELOW_GM = {25: gm.Instrument("drum_roll", "snare roll (GS key 25)", "sfx"),
                  26: gm.Instrument("finger_snapping", "finger snap (GS key 26)", "sfx")}
_NUMBERED = re.compile(r"(Tone|Drum)_(\d{3})/(\d{3})_[^/]*\.pat")
# patches the label checks removed (`listen corpus sources --check`, as in rules.CHECKED_OUT)
CHECKED_OUT: dict[str, str] = {
    "075_Claves.pat": "check: 0.03 s of sound, too short to name",
    "073_Guiro_1_Short.pat": "check: 0.04 s of sound, too short to name",
    "047_Timpani.pat": "check: outlier of timpani (z 7.7); a noisy thud, no kettle drum's pitched ring to see",
}


@dataclass(frozen=True)
class PatchSettings:
    """What the WAVs are a function of, besides the .deb: goes into the extraction stamp."""
    hold_s: float = 1.0  # a looped sample sounds at least this long (its loop repeated)
    release_s: float = 0.2  # then fades out over this
    peak_dbfs: float = -1.0
    min_recorded_s: float = 0.25  # a looped sample with less recorded audio is left out
    plan: int = 2  # bump when what is written (or labelled) changes, so extractions write again


def patch_settings_stamp(settings: PatchSettings | None = None) -> dict:
    return {"renderer": RENDERER, "settings": asdict(settings or PatchSettings())}


def instrument_of(rel: str) -> tuple[str, int, int, gm.Instrument | None]:
    """(kind "note" or "hit", bank, program or key, the reviewed instrument) of a patch by its path."""
    m = _NUMBERED.search(rel)
    if m is None:
        return "note", -1, -1, None
    kind, bank, number = m.group(1), int(m.group(2)), int(m.group(3))
    if kind == "Drum":
        kind, bank, inst = "hit", PERCUSSION_BANK, {**gm.GM_PERCUSSION, **DRUMS_BELOW_GM}.get(number)
    else:
        kind, inst = "note", gm.melodic_instrument(Path(rel).name, bank, number, "")
    if Path(rel).name in CHECKED_OUT:
        inst = gm.Instrument(None, CHECKED_OUT[Path(rel).name], "sfx")
    return kind, bank, number, inst


def played(s: PatchSample, settings: PatchSettings):
    """The sample as it sounds when held: looped samples run on through their loop, then fade."""
    import numpy as np

    x = s.audio()
    a, b = s.loop
    if not s.looped or b - a < 2:
        return x
    loop = x[a:b]
    if s.modes & MODE_PINGPONG:
        loop = np.concatenate([loop, loop[::-1]])
    need = max(int(settings.hold_s * s.rate), b) - b
    reps = int(np.ceil(need / loop.size)) if need > 0 else 0
    release = int(settings.release_s * s.rate)
    tail = np.tile(loop, reps + int(np.ceil(release / loop.size)) + 1)[:need + release]
    y = np.concatenate([x[:b], tail]).astype(np.float32)
    y[y.size - release:] *= np.linspace(1.0, 0.0, release, dtype=np.float32)
    return y


def render_patches(root: Path, folders: tuple[str, ...], settings: PatchSettings | None = None) -> dict:
    """Write every labelled sample of the .pat files under root/FOLDER as a WAV under
    root/rendered/, write the manifest, and delete the .pat files."""
    import numpy as np
    import soundfile as sf

    settings = settings or PatchSettings()
    manifest = {"format": MANIFEST_FORMAT, **patch_settings_stamp(settings), "soundfonts": {}, "renders": []}
    pats = sorted(p for folder in folders for p in (root / folder).rglob("*.pat"))
    if not pats:
        raise SourceFetchError(f"no .pat files under {', '.join(folders)}: update the patch folders in packages.py")
    for path in pats:
        rel = path.relative_to(root).as_posix()
        try:
            patch = read_patch(path)
        except CorpusFileError as err:
            raise SourceFetchError(f"{err}; delete the .deb and rerun to download it again") from None
        kind, bank, number, inst = instrument_of(rel)
        recordings, renders, skipped = {}, [], []
        for s in patch.samples:
            x = s.audio()
            sha = hashlib.sha256(s.pcm).hexdigest()
            recordings.setdefault(sha, {"samples": [s.name], "fingerprint": fingerprint_pcm(x, s.rate)})
            if inst is None or inst.label is None:
                continue
            recorded = (s.loop[1] if s.looped else x.size) / s.rate
            if s.looped and recorded < settings.min_recorded_s:
                skipped.append(s.name)
                continue
            y = played(s, settings)
            peak = float(np.abs(y).max()) if y.size else 0.0
            if peak <= 0.0:
                skipped.append(s.name)
                continue
            rid = f"{bank:03d}-{number:03d}/s{s.index:02d}"
            wav = f"{RENDERED}/{path.stem}/s{s.index:02d}.wav"
            (root / wav).parent.mkdir(parents=True, exist_ok=True)
            sf.write(str(root / wav), y * (10 ** (settings.peak_dbfs / 20) / peak), s.rate, subtype="PCM_16")
            renders.append({"wav": wav, "soundfont": rel, "id": rid, "kind": kind, "bank": bank, "program": number,
                            "preset": patch.name or path.stem, "label": inst.label, "key": s.root_key,
                            "velocity": 100, "notes": 1, "samples": [{"name": s.name, "sha256": sha,
                                                                       "recording": sha}],
                            "principal": sha, "seconds": round(y.size / s.rate, 3),
                            "rendered_peak_dbfs": round(20 * np.log10(peak), 1)})
        shas = sorted({r["principal"] for r in renders})
        for r in renders:  # one instrument's samples share a split group
            r["joins"] = shas
        reason = (inst.reason if inst is not None and inst.label is None else
                  "not in the reviewed tables of gm.py" if inst is None else "")
        manifest["soundfonts"][rel] = {"name": patch.name, "samples": len(patch.samples), "recordings": recordings,
                                       "skipped": ([{"reason": reason}] if reason else [])
                                       + [{"sample": n, "reason": f"a loop of under {settings.min_recorded_s} s"}
                                          for n in skipped]}
        manifest["renders"] += renders
        path.unlink()
    out = root / RENDERED / MANIFEST
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(manifest, indent=None, sort_keys=True) + "\n", encoding="utf-8")
    log.info("%d patches: %d samples written", len(pats), len(manifest["renders"]))
    return manifest
