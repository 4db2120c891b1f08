"""The app's writer connection: an edit of an annotation that a sync round changed meanwhile is replayed on the newer
version instead of failing.

The editor works on a copy of the task. A sync round may store the server's newer version of an annotation (at a
higher revision) while that copy is open, or while a round runs; a plain `Workspace.commit` of the user's next edit
then refuses it ("changed elsewhere"). Here the edit is replayed field by field on the stored version: the fields the
user changed take the user's values, the others keep the newer ones, so neither side is lost, and the result is an
ordinary local change that the next round pushes (the server merges it as usual). The version each edit started
from is the editor's previous copy, remembered here in commit order.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from core.annotation import Annotation
from core.document import Change, ChangeOp
from sync.database import WorkspaceError
from sync.workspace import Workspace

MERGED_FIELDS = ("label", "shape", "attributes", "source", "group", "z", "hidden", "locked", "frame", "track",
                 "outside", "occluded")
ATTEMPTS = 3  # a round could store yet another version between the replay and its commit


class RebasingWorkspace(Workspace):
    """A Workspace whose `commit` replays an editor's edit on a newer stored version (see the module docstring)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool) -> None:
        super().__init__(path, conn, readonly)
        self._bases: dict[str, Annotation] = {}

    def remember(self, annotations: Iterable[Annotation]) -> None:
        """The copy an editor starts from (a task opened or reloaded); call it in order with the commits."""
        self._bases = {a.id: a for a in annotations}

    def commit(self, task_id: int, changes: Sequence[Change]) -> int:
        replayed = list(changes)
        for attempt in range(ATTEMPTS):
            try:
                txn = super().commit(task_id, replayed)
                break
            except WorkspaceError:
                stored = self._stored(task_id, replayed)
                if attempt == ATTEMPTS - 1 or not stored:
                    raise
                replayed = self._replay(changes, stored)
        self._bases.update((c.annotation.id, c.annotation) for c in changes)  # the editor's next edit starts here
        return txn

    def _stored(self, task_id: int, changes: Sequence[Change]) -> dict[str, tuple[int, Annotation | None]]:
        """id -> (stored revision, stored live version or None) of the changed annotations stored at a revision the
        edit does not exceed; empty when the refusal had another cause."""
        ids = json.dumps([c.annotation.id for c in changes])
        rows = self._rows("SELECT id, revision FROM annotations WHERE id IN (SELECT value FROM json_each(?))", (ids,))
        revisions = {r[0]: int(r[1]) for r in rows}
        newer = {c.annotation.id for c in changes if revisions.get(c.annotation.id, -1) >= c.annotation.revision}
        if not newer:
            return {}
        live = {a.id: a for a in self.annotations(task_id) if a.id in newer}
        return {i: (revisions[i], live.get(i)) for i in newer}

    def _replay(self, changes: Sequence[Change], stored: dict[str, tuple[int, Annotation | None]]) -> list[Change]:
        bases = dict(self._bases)
        current = dict(stored)
        out = []
        for change in changes:
            mine = change.annotation
            if mine.id not in current:
                out.append(change)
                bases[mine.id] = mine
                continue
            revision, theirs = current[mine.id]
            merged = _merge(bases.get(mine.id), mine, theirs) if change.op is ChangeOp.UPSERT else (theirs or mine)
            merged = dataclasses.replace(merged, revision=revision + 1)
            out.append(Change(change.op, merged))
            current[mine.id] = (revision + 1, merged if change.op is ChangeOp.UPSERT else None)
            bases[mine.id] = mine
        return out


def _merge(base: Annotation | None, mine: Annotation, theirs: Annotation | None) -> Annotation:
    """`theirs` with the fields the user changed (from `base` to `mine`); all of `mine` without both."""
    if base is None or theirs is None:
        return mine
    changed = {f: getattr(mine, f) for f in MERGED_FIELDS if getattr(mine, f) != getattr(base, f)}
    return dataclasses.replace(theirs, author=mine.author, **changed)
