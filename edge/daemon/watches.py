"""The daemon's watches: standing yes/no questions, checked on every new segment.

Watches belong to the daemon, not to a connection (PROTOCOL.md): they stay until `unwatch`.
Those added while it runs (over the socket, or from Home Assistant over MQTT) are kept in
`watches.json` in the daemon's state directory, when it has one, and come back at its next
start with their ids; those of the settings file and `--watch` are added at every start and
never written there. A file holding more watches than the limit loses none of them: the
first `limit` (by id) are checked, the rest are logged as not checked and written back
untouched on every save. All watches on one segment are checked in one job, on the states the daemon
encoded for the segment as it arrived (edge.daemon.encoded): the encoder runs once for the
watches and for later asks about the segment.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Iterator

from core.answers import answer_says_yes
from core.audio import SAMPLE_RATE
from edge.daemon.jobs import AssistantLike
from edge.errors import ProtocolError
from edge.protocol import MAX_WATCH_ID, AlertEvent, Watch
from edge.ring_buffer import Segment, SegmentStates

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs


STORE_NAME = "watches.json"


class Watches:
    """watch id -> question, at most `limit` of them; safe to use from every thread.

    With `store` (a file in the state directory), the watches added with `keep=True` are
    saved there on every change and loaded back by the constructor."""

    def __init__(self, limit: int, store: Path | None = None) -> None:
        self.limit = limit
        self.store = store
        self._questions: dict[int, str] = {}
        self._kept: set[int] = set()  # ids saved in `store`
        self._over: list[tuple[int, str]] = []  # saved watches past `limit`: not checked, written back as they were
        self._next = 1
        self._lock = threading.Lock()
        for watch_id, question in sorted(_load(store)) if store is not None else ():
            if len(self._questions) < limit:
                self._questions[watch_id] = question
                self._kept.add(watch_id)
            else:
                self._over.append((watch_id, question))
            self._next = max(self._next, watch_id + 1)
        if self._over:
            log.error("%s holds %d watches, more than the limit of %d: watches %d..%d are not checked; they stay "
                      "in the file (unwatch some and restart)",
                      store, len(self._questions) + len(self._over), limit, self._over[0][0], self._over[-1][0])

    def add(self, question: str, keep: bool = False) -> int | None:
        """The new watch's id; None when `limit` watches exist already."""
        with self._lock:
            if len(self._questions) >= self.limit:
                return None
            watch_id = self._next
            self._next += 1
            self._questions[watch_id] = question
            if keep:
                self._kept.add(watch_id)
                self._save()
        return watch_id

    def find(self, question: str) -> int | None:
        """The id of a watch asking exactly `question`, if one does."""
        with self._lock:
            return next((k for k, q in self._questions.items() if q == question), None)

    def remove(self, watch_id: int) -> str | None:
        """The removed watch's question; None when there was no such watch."""
        with self._lock:
            question = self._questions.pop(watch_id, None)
            over = next((q for k, q in self._over if k == watch_id), None)  # one past the limit, in the file only
            if over is not None:
                self._over.remove((watch_id, over))
            if watch_id in self._kept or over is not None:
                self._kept.discard(watch_id)
                self._save()
            return question if over is None else over

    def items(self) -> list[tuple[int, str]]:
        with self._lock:
            return list(self._questions.items())

    def __len__(self) -> int:
        with self._lock:
            return len(self._questions)

    def _save(self) -> None:
        """Write the kept watches (under the lock): a whole new file, then a rename, so a crash
        leaves the old file or the new one. A failure is logged; the watch still runs."""
        if self.store is None:
            return
        rows = sorted([(k, self._questions[k]) for k in self._kept] + self._over)
        body = {"version": 1, "watches": [{"watch_id": k, "question": q} for k, q in rows]}
        tmp: str | None = None
        try:
            self.store.parent.mkdir(parents=True, exist_ok=True)
            # A fresh name made with O_EXCL (mode 0600): whatever sits in the state directory
            # (a symlink planted by another user) is never followed nor overwritten.
            fd, tmp = tempfile.mkstemp(prefix=f".{self.store.name}.", suffix=".tmp", dir=self.store.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(body, f, ensure_ascii=False, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.store)
            tmp = None
        except OSError as err:
            log.error("cannot save the watches to %s (%s): they last until the daemon stops", self.store, err)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _load(store: Path) -> list[tuple[int, str]]:
    """The watches saved in `store`; a file that cannot be read is set aside as *.bad, logged."""
    try:
        body = json.loads(store.read_text(encoding="utf-8"))
        rows = body["watches"] if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise ValueError("no list of watches")
        out = []
        for row in rows:
            watch_id, question = row["watch_id"], row["question"]
            if type(watch_id) is not int or not 1 <= watch_id <= MAX_WATCH_ID:
                raise ValueError(f"watch id {watch_id!r}")
            Watch(question).validate()
            out.append((watch_id, question))
        if len({k for k, _ in out}) != len(out):
            raise ValueError("a watch id twice")
        if out:
            log.info("%d watches loaded from %s", len(out), store)
        return out
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError, ProtocolError) as err:
        bad = store.with_name(store.name + ".bad")
        log.error("%s cannot be read (%s); set aside as %s, starting without its watches", store,
                  getattr(err, "text", err), bad.name)
        try:
            os.replace(store, bad)
        except OSError:
            pass
        return []


def check_watches(assistant: AssistantLike, seg: Segment, watches: list[tuple[int, str]],
                  encoded: SegmentStates | None = None) -> Iterator[AlertEvent]:
    """An alert for each watch that hears its sound in `seg`, yielded as soon as it is known;
    `encoded` is the segment's states when the daemon has encoded it (edge.daemon.encoded)."""
    for watch_id, question in watches:
        if encoded is not None:
            answer = assistant.ask_encoded(list(encoded.windows), encoded.states, question, {})
        else:
            answer = assistant.ask(seg.audio, question, sample_rate=SAMPLE_RATE)
        heard = answer_says_yes(answer.heard, answer.text)
        if heard:
            log.info("alert: watch %d %r heard in the segment at %.2f", watch_id, question, seg.start)
            yield AlertEvent(watch_id, question, answer.text, answer.confidence, start=seg.start, end=seg.end)
