"""Recorded sounds as the corpus sees them: one labelled file with its provenance.

The sources (`sources/`) describe what they find with `Recording`;
`sources.discover.discover()` is the one list of recordings the builder draws from.
Recordings of an EVALUATION-ONLY source (openttd-opensfx) are left out unless asked for, and
`check_split` refuses them for any split but test: a split assignment must pass every
recording through it, so an evaluation recording can never reach training or validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.corpus.sources.provenance import Provenance
from training.errors import EvalOnlyError

EVAL_SPLITS = ("test", "real_test", "unseen", "real_raw", "unseen_raw")  # the only splits an evaluation-only recording may join
ROLES = ("event", "ambience")  # what a recording is mixed as: a labelled event, or the bed under them


@dataclass(frozen=True)
class Recording:
    path: Path  # absolute path of the file
    label: str  # the label it carries
    source: str  # theme name, "pygame", or the Debian package
    group: str  # the split unit: identical files share it; takes of one source may share it too
    provenance: Provenance | None = None  # package, version, path inside, licence, sha256
    eval_only: bool = False  # reserved for evaluation: never in train or validation
    is_real: bool = False  # a recording of the real world (the themes' UI tones are not)
    role: str = "event"  # "event", or "ambience": a bed under the events (ROLES)
    # the distinct source recording it counts as, when coarser than the file and finer than the
    # group (notes rendered from one SoundFont sample; the velocity layers of one drum share a
    # group, each is a recording); "" = the group
    source_id: str = ""

    @property
    def instance_id(self) -> str:
        inner = self.provenance.path if self.provenance and self.source == self.provenance.package else self.path.name
        return f"{self.source}:{inner}"

    @property
    def recording_id(self) -> str:
        """What counts as one distinct recording (reports); the split unit is `group`."""
        return self.source_id or self.group


def check_split(recording: Recording, split: str) -> None:
    """Raise EvalOnlyError if an evaluation-only recording is handed to a training split."""
    if recording.eval_only and split not in EVAL_SPLITS:
        raise EvalOnlyError(
            f"{recording.instance_id} ({recording.source}) is reserved for evaluation and cannot join the "
            f"{split!r} split; eval-only recordings may only be in {', '.join(EVAL_SPLITS)}")


def provenance_records(recordings: list[Recording], instance_ids: list[str]) -> list[dict]:
    """The provenance records (sorted by recording id, one per recording) of the recordings a
    clip used, for the clip index's `sources` field."""
    by_instance = {r.instance_id: r.provenance for r in recordings if r.provenance is not None}
    found = {p.recording_id: p.to_json() for i in instance_ids if (p := by_instance.get(i)) is not None}
    return [found[k] for k in sorted(found)]
