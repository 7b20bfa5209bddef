"""Event instances and the split they belong to.

An *instance* is one concrete sound: a synthesis seed of a procedural label, one espeak
rendering (language, sentence, voice, rate, pitch), or one recorded file. Each has a
*group*, the thing that must not appear in two splits: the seed, the sentence, the file's
content. Groups are assigned to a split once (recordings: `splits.py`; seeds and sentences:
by hash), and a clip of a split only draws instances of that split, so no recording or seed
leaks across splits. `real_test` and `unseen` clips draw recordings only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.audio_io import read_audio, resample
from training.corpus import procedural, speech
from training.corpus.dsp import SR, adsr, n_samples, normalize_peak, trim_silence
from training.corpus.recordings import Recording
from training.corpus.splits import (REAL_ONLY_SPLITS, SYNTHETIC_SPLITS, SplitPlan, assign_groups,
                                    plan_recording_splits, split_of_key)

RECORDED_SHARE = 0.5  # chance to use a recording when a label also has a synthesizer
RECORDED_SPEECH_SHARE = 0.15  # recorded voices are few: mostly espeak
SPEED_PERTURB = (0.94, 1.06)  # playback-rate range applied to recordings (same instance)
FADE_S = 0.005  # fade in and out of every rendered instance, seconds
MAX_SEED_TRIES = 1000  # rejection sampling of a procedural seed that falls in the wanted split


def synthesized_labels() -> frozenset[str]:
    """Labels with synthetic instances (procedural or espeak): heard in every synthetic split."""
    return frozenset(procedural.SYNTHS) | {"speech"}


@dataclass(frozen=True)
class Drawn:
    """One chosen instance: what the clip index records, and what renders it."""

    label: str
    source: str  # "procedural", "espeak", or a theme / "pygame"
    instance_id: str  # unique per instance; names the seed, sentence+voice or file
    seed: int | None = None  # procedural seed
    speech: speech.SpeechInstance | None = None
    path: Path | None = None  # recorded file
    group: str | None = None  # the recording's group (None for synthetic instances)


class InstancePool:
    """Draws instances of a label within a split, and renders them."""

    def __init__(self, recordings: list[Recording], use_speech: bool = True, plan: SplitPlan | None = None):
        self.recordings = recordings
        self.use_speech = use_speech and speech.espeak_available()
        self.plan = plan or plan_recording_splits(recordings, synthesized=synthesized_labels())
        self._recorded: dict[tuple[str, str], list[Recording]] = {}
        self._beds: dict[str, list[Recording]] = {}
        for r in recordings:  # identical files share a group, hence a split
            split = self.plan.split_of(r)
            if r.role == "ambience":
                self._beds.setdefault(split, []).append(r)
            else:
                self._recorded.setdefault((r.label, split), []).append(r)
        text_split: dict[tuple[str, int], str] = {}
        for lang in sorted(speech.TEXTS):  # per language, so each language reaches every split
            keys = [f"speech-text:{lang}:{i}" for i in range(len(speech.TEXTS[lang]))]
            assigned = assign_groups(keys)
            for i, key in enumerate(keys):
                text_split[(lang, i)] = assigned[key]
        self._texts = {s: [k for k, v in sorted(text_split.items()) if v == s] for s in SYNTHETIC_SPLITS}

    def split_of_recording(self, rec: Recording) -> str:
        return self.plan.split_of(rec)

    def labels_in(self, split: str) -> list[str]:
        """Sorted labels that have at least one instance in `split`."""
        out = {label for (label, s) in self._recorded if s == split}
        if split in REAL_ONLY_SPLITS:
            return sorted(out)
        out.update(procedural.SYNTHS)
        if self.use_speech and self._texts[split]:
            out.add("speech")
        return sorted(out - set(self.plan.unseen_labels))  # not even synthesized outside `unseen`

    def beds(self, split: str) -> list[Recording]:
        """The ambience recordings of `split`, in a stable order."""
        return self._beds.get(split, [])

    def draw(self, label: str, split: str, rng: np.random.Generator) -> Drawn:
        recorded = self._recorded.get((label, split), [])
        synthetic = split not in REAL_ONLY_SPLITS and label not in self.plan.unseen_labels
        can_synth = synthetic and label in procedural.SYNTHS
        can_speak = synthetic and label == "speech" and self.use_speech and bool(self._texts[split])
        share = RECORDED_SPEECH_SHARE if can_speak else RECORDED_SHARE
        if recorded and (not (can_synth or can_speak) or rng.random() < share):
            return drawn_recording(recorded[int(rng.integers(len(recorded)))])
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
            x = decoded(str(drawn.path))
            rate = rng.uniform(*SPEED_PERTURB)
            x = resample(x, int(round(SR * rate)), SR)  # played faster or slower
        x = trim_silence(x)[: n_samples(max_s)]
        return normalize_peak(x * adsr(x.size, FADE_S, FADE_S))  # no click where a sound was cut


def drawn_recording(rec: Recording) -> Drawn:
    return Drawn(rec.label, rec.source, rec.instance_id, path=rec.path, group=rec.group)


def procedural_group(label: str, seed: int) -> str:
    return f"proc:{label}:{seed}"


@lru_cache(maxsize=256)
def decoded(path: str) -> np.ndarray:
    """A recording's samples at SR, decoded once per process (read-only)."""
    x = read_audio(Path(path))
    x.setflags(write=False)
    return x


@lru_cache(maxsize=512)
def _spoken(inst: speech.SpeechInstance) -> np.ndarray:
    x = speech.speak(inst)
    x.setflags(write=False)
    return x
