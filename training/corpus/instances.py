"""Event instances and the split they belong to.

An *instance* is one concrete sound: a synthesis seed of a procedural label, one espeak
rendering (language, sentence, voice, rate, pitch), or one recorded file. Each has a
*group*, the thing that must not appear in two splits: the seed, the sentence, the file's
content. Groups are assigned to train / validation / test once, and a clip of a split
only draws instances of that split, so no recording or seed leaks across splits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.audio_io import read_audio, resample
from training.corpus import procedural, speech
from training.corpus.dsp import SR, adsr, n_samples, normalize_peak, trim_silence
from training.corpus.recordings import Recording

SPLITS = ("train", "validation", "test")
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)  # train, validation, test shares of groups (and of clips)
RECORDED_SHARE = 0.5  # chance to use a recording when a label also has a synthesizer
RECORDED_SPEECH_SHARE = 0.15  # recorded voices are few: mostly espeak
SPEED_PERTURB = (0.94, 1.06)  # playback-rate range applied to recordings (same instance)
FADE_S = 0.005  # fade in and out of every rendered instance, seconds
MAX_SEED_TRIES = 1000  # rejection sampling of a procedural seed that falls in the wanted split


def hash_unit(key: str) -> float:
    """A stable pseudo-random number in [0, 1) for a string."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def split_of_key(key: str) -> str:
    """The split of an open-ended group (a synthesis seed), by hash and SPLIT_FRACTIONS."""
    u, acc = hash_unit(key), 0.0
    for split, frac in zip(SPLITS, SPLIT_FRACTIONS):
        acc += frac
        if u < acc:
            return split
    return SPLITS[-1]


def assign_groups(groups: list[str]) -> dict[str, str]:
    """Split a finite set of groups: in hash order, test and validation first get their share
    (at least one each once there are 2 and 3 groups), train the rest."""
    ordered = sorted(set(groups), key=lambda g: (hash_unit(g), g))
    n = len(ordered)
    n_test = max(1, round(n * SPLIT_FRACTIONS[2])) if n >= 2 else 0
    n_val = max(1, round(n * SPLIT_FRACTIONS[1])) if n >= 3 else 0
    out = {}
    for i, g in enumerate(ordered):
        out[g] = "test" if i < n_test else "validation" if i < n_test + n_val else "train"
    return out


@dataclass(frozen=True)
class Drawn:
    """One chosen instance: what the clip index records, and what renders it."""

    label: str
    source: str  # "procedural", "espeak", or a theme / "pygame"
    instance_id: str  # unique per instance; names the seed, sentence+voice or file
    seed: int | None = None  # procedural seed
    speech: speech.SpeechInstance | None = None
    path: Path | None = None  # recorded file


class InstancePool:
    """Draws instances of a label within a split, and renders them."""

    def __init__(self, recordings: list[Recording], use_speech: bool = True):
        self.recordings = recordings
        self.use_speech = use_speech and speech.espeak_available()
        rec_split: dict[str, str] = {}  # per label, so that each label with 3+ files reaches every split
        for label in sorted({r.label for r in recordings}):
            rec_split.update(assign_groups([r.group for r in recordings if r.label == label]))
        self._recorded: dict[tuple[str, str], list[Recording]] = {}
        for r in recordings:  # identical files share a group, hence a split
            self._recorded.setdefault((r.label, rec_split[r.group]), []).append(r)
        text_split: dict[tuple[str, int], str] = {}
        for lang in sorted(speech.TEXTS):  # per language, so each language reaches every split
            keys = [f"speech-text:{lang}:{i}" for i in range(len(speech.TEXTS[lang]))]
            assigned = assign_groups(keys)
            for i, key in enumerate(keys):
                text_split[(lang, i)] = assigned[key]
        self._texts = {s: [k for k, v in sorted(text_split.items()) if v == s] for s in SPLITS}

    def split_of_recording(self, rec: Recording) -> str:
        for (label, split), recs in self._recorded.items():
            if rec in recs:
                return split
        raise KeyError(rec.path)

    def labels_in(self, split: str) -> list[str]:
        """Sorted labels that have at least one instance in `split`."""
        out = set(procedural.SYNTHS)
        if self.use_speech and self._texts[split]:
            out.add("speech")
        out.update(label for (label, s) in self._recorded if s == split)
        return sorted(out)

    def draw(self, label: str, split: str, rng: np.random.Generator) -> Drawn:
        recorded = self._recorded.get((label, split), [])
        can_synth = label in procedural.SYNTHS
        can_speak = label == "speech" and self.use_speech and bool(self._texts[split])
        share = RECORDED_SPEECH_SHARE if can_speak else RECORDED_SHARE
        if recorded and (not (can_synth or can_speak) or rng.random() < share):
            rec = recorded[int(rng.integers(len(recorded)))]
            return Drawn(label, rec.source, rec.instance_id, path=rec.path)
        if can_speak:
            lang, idx = self._texts[split][int(rng.integers(len(self._texts[split])))]
            inst = speech.random_instance(rng, lang, idx)
            return Drawn(label, "espeak", inst.instance_id, speech=inst)
        if can_synth:
            for _ in range(MAX_SEED_TRIES):
                seed = int(rng.integers(2**31))
                if split_of_key(procedural_group(label, seed)) == split:
                    return Drawn(label, "procedural", procedural_group(label, seed), seed=seed)
        raise KeyError(f"no instance of {label!r} in split {split!r}")

    def render(self, drawn: Drawn, rng: np.random.Generator, max_s: float) -> np.ndarray:
        """The instance's waveform (silence trimmed, at most max_s, peak 0.5)."""
        if drawn.seed is not None:
            x = procedural.synthesize(drawn.label, drawn.seed, max_s)
        elif drawn.speech is not None:
            x = _spoken(drawn.speech)
        else:
            x = _decoded(str(drawn.path))
            rate = rng.uniform(*SPEED_PERTURB)
            x = resample(x, int(round(SR * rate)), SR)  # played faster or slower
        x = trim_silence(x)[: n_samples(max_s)]
        return normalize_peak(x * adsr(x.size, FADE_S, FADE_S))  # no click where a sound was cut


def procedural_group(label: str, seed: int) -> str:
    return f"proc:{label}:{seed}"


@lru_cache(maxsize=256)
def _decoded(path: str) -> np.ndarray:
    x = read_audio(Path(path))
    x.setflags(write=False)
    return x


@lru_cache(maxsize=512)
def _spoken(inst: speech.SpeechInstance) -> np.ndarray:
    x = speech.speak(inst)
    x.setflags(write=False)
    return x
