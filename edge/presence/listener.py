"""The listener: open-vocabulary presence on the edge (no torch).

    phrase ─► text tower (llama.cpp, `edge.presence.text_tower`) ─► phrase state ─┐
    encoder states (W, n_taps, T, d) ─────────────────────────────────────┴► presence.onnx
        ─► clip logits (W, P), segment logits (W, P, S), phrase embeddings (P, dim)
        ─► Platt calibration (pulled toward a prior for novel phrases) ─► P(present) per window and segment

The decision (yes / no / can't tell) is `core.presence.PresenceRule`, with the bundle's
numbers; a phrase's novelty is its cosine to the nearest trained phrase, in the graph's text
space. Descriptions score the trained labels (each by its name) and keep those the rule
says are heard, with the segments where they were (`detect`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.bundle import Bundle
from core.hierarchy import Hierarchy
from core.manifest import PresenceSpec
from core.presence import MAX_DESCRIBED, NoveltyGate, PresenceRule
from core.replies import Detection
from edge.errors import EdgeError
from edge.onnx_sessions import GraphSession
from edge.presence.text_tower import TextTower

@dataclass(frozen=True)
class PhraseScore:
    phrase: str
    probability: np.ndarray  # (W,) calibrated P(present) per window
    segments: np.ndarray  # (W, S) calibrated P(present) per segment
    similarity: float  # cosine to the nearest trained phrase (1.0 for a trained phrase)


class Listener:
    def __init__(self, graph: GraphSession, tower: TextTower, spec: PresenceSpec, vocabulary_states: np.ndarray):
        if vocabulary_states.shape != (len(spec.vocabulary), tower.model.n_embd):
            raise EdgeError(f"{spec.vocabulary_file} has shape {vocabulary_states.shape}, the manifest says "
                            f"({len(spec.vocabulary)}, {tower.model.n_embd}); re-export the bundle")
        self.graph, self.tower, self.spec = graph, tower, spec
        self.rule = PresenceRule(**spec.rule)
        self._scale, self._bias = float(spec.calibration["scale"]), float(spec.calibration["bias"])
        self.gate = NoveltyGate.from_calibration(spec.calibration)
        self._vocab_states = vocabulary_states.astype(np.float32)
        names: dict[str, int] = {}
        for i, (_, label) in enumerate(spec.vocabulary):
            names.setdefault(label, i)  # a label's first phrase is its name
        self._label_rows = names
        self._phrase_labels = {phrase.lower(): label for phrase, label in spec.vocabulary}
        self._vocab_emb: np.ndarray | None = None
        self.hierarchy = Hierarchy.from_entries(spec.labels)

    @classmethod
    def from_bundle(cls, bundle: Bundle, tower: TextTower, providers: list[str] | None, threads: int) -> Listener:
        spec = bundle.manifest.presence
        graph = GraphSession.open(bundle.file(spec.graph.file()), spec.graph, providers, threads)
        try:
            states = np.load(bundle.file(spec.vocabulary_file), allow_pickle=False)
        except (OSError, ValueError) as err:
            raise EdgeError(f"cannot read {spec.vocabulary_file} ({err}); re-export the bundle") from err
        return cls(graph, tower, spec, states)

    def close(self) -> None:
        self.graph.close()

    def _run(self, states: np.ndarray, phrase_states: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        names = [t.name for t in self.graph.spec.inputs]
        logits, seg, emb = self.graph.run({names[0]: states.astype(np.float32), names[1]: phrase_states})
        return logits, seg, emb

    def calibrated(self, logits: np.ndarray, trust: np.ndarray | float = 1.0) -> np.ndarray:
        """P(present) of logits whose phrases (last axis, or the axis `trust` broadcasts on) are this trusted."""
        z = self.gate.blend(self._scale * logits.astype(np.float64) + self._bias, trust)
        return 1.0 / (1.0 + np.exp(-z))

    def _vocabulary_embeddings(self, states: np.ndarray) -> np.ndarray:
        if self._vocab_emb is None:
            self._vocab_emb = self._run(states[:1], self._vocab_states)[2]  # (N, dim), unit rows
        return self._vocab_emb

    def score(self, states: np.ndarray, phrases: list[str]) -> list[PhraseScore]:
        """Each phrase scored on every window of `states` (W, n_taps, T, d)."""
        logits, seg, emb = self._run(states, self.tower.states(phrases))
        sim = (emb @ self._vocabulary_embeddings(states).T).max(axis=1)  # (P,)
        trust = np.array([self.gate.trust(float(s)) for s in sim])
        p, ps = self.calibrated(logits, trust[None, :]), self.calibrated(seg, trust[None, :, None])
        return [PhraseScore(ph, p[:, i], ps[:, i], float(sim[i])) for i, ph in enumerate(phrases)]

    def detect(self, states: np.ndarray, spans: list[tuple[float, float]]) -> list[list[Detection]]:
        """Per window: the trained labels heard in it, with their time ranges, likeliest first
        (one graph run for all the windows)."""
        labels = list(self._label_rows)
        rows = [self._label_rows[lab] for lab in labels]
        logits, seg, _ = self._run(states, self._vocab_states[rows])
        p, ps = self.calibrated(logits), self.calibrated(seg)  # (W, L), (W, L, S)
        seconds = self.spec.segment_seconds
        out = []
        for w, (start, end) in enumerate(spans):
            # segments past the window's audio are the encoder's padding: never a time range
            audible = max(1, min(ps.shape[2], int(np.ceil((end - start) / seconds - 1e-6))))
            found = []
            for j, label in enumerate(labels):
                if not self.rule.describes(float(p[w, j])):
                    continue
                here = ps[w, j, :audible]
                hot = np.flatnonzero(here >= self.rule.threshold)
                hot = hot if hot.size else np.array([int(np.argmax(here))])
                runs = tuple((start + a * seconds, min(end, start + (b + 1) * seconds)) for a, b in _runs(hot))
                found.append(Detection(label, self.spec.vocabulary[rows[j]][0], runs, round(float(p[w, j]), 3)))
            out.append(self.most_specific(sorted(found, key=lambda d: -d.probability))[:MAX_DESCRIBED])
        return out

    def most_specific(self, found: list[Detection]) -> list[Detection]:
        """Without the detections that another one implies ("music" beside "a trumpet")."""
        named = {d.label for d in found}
        return [d for d in found if not any(d.label in self.hierarchy.ancestors(o) for o in named)]

    def trained_ancestor(self, label: str) -> str | None:
        """The most specific trained label that `label` implies (a brass instrument for an untrained
        trumpet), or None."""
        ups = [a for a in self.hierarchy.ancestors(label) if a in self._label_rows]
        return next((a for a in ups if not any(a in self.hierarchy.ancestors(b) for b in ups)), None)

    def label_of(self, phrase: str) -> str | None:
        """The trained label a phrase of the vocabulary names ("a smoke alarm" -> smoke_alarm), or None."""
        return self._phrase_labels.get(phrase.strip().lower())

    def is_trained(self, label: str) -> bool:
        return label in self._label_rows

    def label_name(self, label: str) -> str:
        """How a trained label is said (its first phrase, its name)."""
        return self.spec.vocabulary[self._label_rows[label]][0]


def _runs(idx: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive runs (first, last) of sorted segment indices."""
    out: list[tuple[int, int]] = []
    for i in idx.tolist():
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out
