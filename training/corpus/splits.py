"""Which split each source recording belongs to, and the checks that hold the builder to it.

The splits (`clip_index.SPLIT_NAMES`):
- `train`, `validation`, `test`: scenes of procedural sounds, espeak speech and recordings;
- `real_test`: clips whose events are all real recordings, held out for it;
- `unseen`: clips of the *unseen labels*, a seeded choice of labels that no train or
  validation clip hears (zero-shot presence);
- `validation_raw`, `real_raw`, `unseen_raw`: the raw view of validation, real_test and
  unseen: each of their real recordings played alone (`solo.raw_clip`), no bed, no mix.

The unit is a recording's *group* (its content hash: identical files are one recording). A
group lies in exactly one split; an eval-only group only in a test split; every group of an
unseen label in `unseen`. `plan_recording_splits` makes the plan; `check_plan` and
`check_clip_sources` refuse anything else, and the builder runs both: a violation is an
error, never a warning.

Groups are ordered by a hash of their name, not by the clip seed, so a recording keeps its
split across corpora built with different seeds; only the unseen labels follow `split_seed`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from training.corpus.clip_index import SPLIT_NAMES
from training.corpus.recordings import ROLES, Recording, check_split
from training.errors import CorpusError, EvalOnlyError

SPLITS = SPLIT_NAMES
SYNTHETIC_SPLITS = ("train", "validation", "test")  # the splits `plan_splits` fills by shares
TRAINING_SPLITS = ("train", "validation", "validation_raw")  # what a model learns or is tuned on
# the raw view of a split: each of its real recordings played alone (solo.raw_clip)
RAW_SPLITS: dict[str, str] = {"validation_raw": "validation", "real_raw": "real_test", "unseen_raw": "unseen"}
REAL_ONLY_SPLITS = ("real_test", "unseen", *RAW_SPLITS)  # their clips hear real recordings only
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)  # train, validation, test shares of synthetic groups and clips

# Held-out shares per kind of group (the rest is train), smallest splits served first.
SYNTHETIC_HELD_OUT = (("test", 0.1), ("validation", 0.1))
REAL_EVENT_HELD_OUT = (("real_test", 0.2), ("validation", 0.1))  # per label: >= 400 real test clips need many
REAL_AMBIENCE_HELD_OUT = (("real_test", 0.1), ("unseen", 0.1), ("test", 0.1), ("validation", 0.1))
UNSEEN_SALT = 0x0A5EE7  # rng stream of the unseen-label choice


def hash_unit(key: str) -> float:
    """A stable pseudo-random number in [0, 1) for a string."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def split_of_key(key: str) -> str:
    """The split of an open-ended group (a synthesis seed), by hash and SPLIT_FRACTIONS."""
    u, acc = hash_unit(key), 0.0
    for split, frac in zip(SYNTHETIC_SPLITS, SPLIT_FRACTIONS):
        acc += frac
        if u < acc:
            return split
    return SYNTHETIC_SPLITS[-1]


def assign_groups(groups: Iterable[str], held_out: tuple[tuple[str, float], ...] = SYNTHETIC_HELD_OUT) -> dict[str, str]:
    """Split a finite set of groups: in hash order, the k-th held-out split gets its share (at
    least one once there are k + 1 groups), train the rest (never less than one group)."""
    ordered = sorted(set(groups), key=lambda g: (hash_unit(g), g))
    n, i, out = len(ordered), 0, {}
    for k, (split, share) in enumerate(held_out, start=1):
        count = min(max(1, round(n * share)), n - i - 1) if n >= k + 1 else 0
        for g in ordered[i : i + count]:
            out[g] = split
        i += count
    for g in ordered[i:]:
        out[g] = "train"
    return out


@dataclass(frozen=True)
class SplitPlan:
    groups: Mapping[str, str]  # recording group -> split
    unseen_labels: tuple[str, ...]  # sorted; heard only in the `unseen` split

    def split_of(self, rec: Recording) -> str:
        try:
            return self.groups[rec.group]
        except KeyError:
            raise CorpusError(f"recording {rec.path} (group {rec.group}) has no split in the plan") from None


MIN_UNSEEN_RECORDINGS = 3  # a label learned (or measured) from fewer distinct recordings is not reported


def unseen_candidates(recordings: list[Recording], synthesized: Iterable[str]) -> list[str]:
    """Labels that could be held out entirely: heard only through real event recordings (no
    synthesizer or espeak voice, no ambience bed, no theme sound carries them), from at least
    MIN_UNSEEN_RECORDINGS distinct recordings, so that zero-shot presence is measured on more
    than one or two sounds."""
    never = set(synthesized) | {r.label for r in recordings if r.role != "event" or not r.is_real}
    never |= _parent_labels()  # a parent is heard in its children's clips: it cannot be held out
    groups: dict[str, set[str]] = {}
    for r in recordings:
        groups.setdefault(r.label, set()).add(r.group)
    return sorted(lab for lab, g in groups.items() if lab not in never and len(g) >= MIN_UNSEEN_RECORDINGS)


def _parent_labels() -> set[str]:
    from training.corpus.ontology import parents

    return {p for ups in parents().values() for p in ups}


def choose_unseen_labels(recordings: list[Recording], count: int, seed: int, synthesized: Iterable[str]) -> tuple[str, ...]:
    """A seeded choice of `count` unseen labels among `unseen_candidates`."""
    if count <= 0:
        return ()
    candidates = unseen_candidates(recordings, synthesized)
    if count > len(candidates):
        raise CorpusError(
            f"--unseen-labels {count} needs as many labels heard only in real event recordings; "
            f"the sources found give {len(candidates)}: lower it or add real sources"
        )
    picked = np.random.default_rng([seed, UNSEEN_SALT]).choice(len(candidates), size=count, replace=False)
    return tuple(sorted(candidates[int(i)] for i in picked))


def plan_recording_splits(recordings: list[Recording], unseen_labels: int = 0, seed: int = 0,
                          synthesized: Iterable[str] = ()) -> SplitPlan:
    """The split of every recording group (see the module docstring for the rules)."""
    unseen = choose_unseen_labels(recordings, unseen_labels, seed, synthesized)
    ordered = sorted(recordings, key=lambda r: (r.group, r.label, str(r.path), r.role, r.is_real, r.eval_only))
    out: dict[str, str] = {}
    for r in ordered:  # every recording of an unseen label, whatever else it is
        if r.label in unseen:
            out[r.group] = "unseen"
    eval_only = {r.group for r in recordings if r.eval_only}
    real = {r.group for r in recordings if r.is_real}
    for g in sorted(eval_only - set(out)):
        out[g] = "real_test" if g in real else "test"
    for real in (True, False):  # beds are pooled over labels: they are the scene, not the answer
        beds = [r.group for r in ordered if r.role == "ambience" and r.is_real == real and r.group not in out]
        out.update(assign_groups(beds, REAL_AMBIENCE_HELD_OUT if real else SYNTHETIC_HELD_OUT))
    for label in sorted({r.label for r in ordered}):  # per label, so that each reaches the held-out splits
        for real in (True, False):
            groups = [r.group for r in ordered
                      if r.label == label and r.is_real == real and r.group not in out]
            out.update(assign_groups(groups, REAL_EVENT_HELD_OUT if real else SYNTHETIC_HELD_OUT))
    plan = SplitPlan(out, unseen)
    check_plan(plan, recordings)
    return plan


def check_plan(plan: SplitPlan, recordings: list[Recording]) -> None:
    """Refuse a plan that leaks (an eval-only recording outside the test splits, an unseen
    label with a recording outside `unseen`) or a recording of unknown role."""
    for r in recordings:
        if r.role not in ROLES:
            raise CorpusError(f"recording {r.path} has role {r.role!r}; a role is one of {', '.join(ROLES)}")
        split = plan.split_of(r)
        if split not in SPLITS:
            raise CorpusError(f"recording {r.path} is planned for unknown split {split!r}")
        check_split(r, split)
        if r.label in plan.unseen_labels and split != "unseen":
            raise CorpusError(f"recording {r.path} of unseen label {r.label!r} is planned for {split!r}, not 'unseen'")


@dataclass(frozen=True)
class ClipSources:
    """What one mixed clip heard, for the builder's split checks (not written to the index)."""

    clip_id: str
    split: str
    labels: tuple[str, ...]
    groups: tuple[str, ...]  # recording groups in the mix: its events and its bed
    synthetic_events: int  # events that are not recordings (procedural, espeak)


def check_clip_sources(clips: list[ClipSources], plan: SplitPlan, recordings: list[Recording]) -> None:
    """The built corpus keeps the plan: no recording in two splits or outside its planned one,
    eval-only recordings only in test splits, no unseen label in a training split, and only
    real recordings in `real_test` and `unseen` clips."""
    by_group: dict[str, list[Recording]] = {}
    for r in recordings:
        by_group.setdefault(r.group, []).append(r)
    seen_in: dict[str, tuple[str, str]] = {}  # group -> (split, first clip)
    unseen = set(plan.unseen_labels)
    for c in clips:
        home = RAW_SPLITS.get(c.split, c.split)  # a raw clip plays a recording of the split it views
        for g in c.groups:
            first = seen_in.setdefault(g, (home, c.clip_id))
            if first[0] != home:
                raise CorpusError(f"recording group {g} is in split {first[0]!r} ({first[1]}) and {c.split!r} "
                                  f"({c.clip_id}): no recording may be in two splits")
            planned = plan.groups.get(g)
            if planned != home:
                raise CorpusError(f"clip {c.clip_id} ({c.split}) uses recording group {g} planned for {planned!r}")
            recs = by_group.get(g, [])
            for r in recs:
                try:
                    check_split(r, c.split)
                except EvalOnlyError as err:
                    raise EvalOnlyError(f"clip {c.clip_id}: {err}") from err
            if c.split in REAL_ONLY_SPLITS and not all(r.is_real for r in recs):
                raise CorpusError(f"clip {c.clip_id} ({c.split}) uses {recs[0].path if recs else g}, "
                                  f"which is not a real recording")
        if c.split in TRAINING_SPLITS and unseen & set(c.labels):
            raise CorpusError(f"clip {c.clip_id} ({c.split}) is labelled with unseen label(s) "
                              f"{', '.join(sorted(unseen & set(c.labels)))}")
        if c.split in REAL_ONLY_SPLITS and c.synthetic_events:
            raise CorpusError(f"clip {c.clip_id} ({c.split}) holds {c.synthetic_events} synthetic event(s); "
                              f"it may only hold real recordings")
