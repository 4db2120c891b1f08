"""The annotations of one open task, and the edit commands that change them.

Every edit is a small command value. `command.apply(doc)` changes the document and returns the inverse command, so
undo is "apply the inverse" and redo is "apply the inverse of the inverse" (Orange3's paint-data pattern). The
document bumps revisions and records each change, which the workspace stores with its change-log row in one
transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from core.annotation import Annotation


class ChangeOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Change:
    """One stored effect of an edit: the annotation as it now is (for a delete, as it was, at its new revision)."""

    op: ChangeOp
    annotation: Annotation


class AnnotationDoc:
    """Annotations of one task in drawing order, with a journal of changes not yet stored."""

    def __init__(self, task_id: int, annotations: Iterable[Annotation] = ()) -> None:
        self.task_id = task_id
        self._items: dict[str, Annotation] = {a.id: a for a in annotations}
        self._revisions: dict[str, int] = {a.id: a.revision for a in self._items.values()}
        self._journal: list[Change] = []
        self._listeners: list[Callable[[Change, bool], None]] = []

    def listen(self, callback: Callable[[Change, bool], None]) -> None:
        """Hear each change as it happens, and whether it inserted the annotation anywhere but at the end.

        Derived views of the document (the hit-testing index, the canvas) keep themselves current this way in O(1)
        per change instead of rescanning every annotation.
        """
        self._listeners.append(callback)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Annotation]:
        """Bottom to top: by z, then in insertion order (a stable sort, linear when z values are already in order)."""
        return iter(sorted(self._items.values(), key=_z))

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._items

    def get(self, annotation_id: str) -> Annotation:
        return self._items[annotation_id]

    def ids(self) -> list[str]:
        return list(self._items)

    def put(self, annotation: Annotation, position: int | None = None) -> Annotation:
        """Insert (at the end, or at `position` in drawing order) or replace in place; bumps the revision."""
        revision = self._revisions.get(annotation.id, 0) + 1
        stored = dataclasses.replace(annotation, task_id=self.task_id, revision=revision)
        self._revisions[annotation.id] = revision
        inserted = False
        if position is not None and annotation.id not in self._items and position < len(self._items):
            items = list(self._items.items())
            items.insert(position, (annotation.id, stored))
            self._items = dict(items)
            inserted = True
        else:
            self._items[annotation.id] = stored
        self._record(Change(ChangeOp.UPSERT, stored), inserted)
        return stored

    def position(self, annotation_id: str) -> int:
        return list(self._items).index(annotation_id)

    def remove(self, annotation_id: str) -> Annotation:
        """Delete (a tombstone when stored); returns the annotation as it was."""
        old = self._items.pop(annotation_id)
        revision = self._revisions[annotation_id] + 1
        self._revisions[annotation_id] = revision
        self._record(Change(ChangeOp.DELETE, dataclasses.replace(old, revision=revision)), False)
        return old

    def _record(self, change: Change, inserted: bool) -> None:
        self._journal.append(change)
        for callback in self._listeners:
            callback(change, inserted)

    def take_changes(self) -> list[Change]:
        """Hand over the changes made since the last call (to be stored in one transaction)."""
        changes, self._journal = self._journal, []
        return changes


def _z(annotation: Annotation) -> int:
    return annotation.z


class Command(Protocol):
    """An edit as data. `apply` changes the document and returns the command that undoes it."""

    @property
    def description(self) -> str: ...

    def apply(self, doc: AnnotationDoc) -> Command: ...


@dataclass(frozen=True, slots=True)
class AddAnnotations:
    """Add shapes at the end of the drawing order, or (undoing a delete) back at their old `positions`."""

    annotations: tuple[Annotation, ...]
    description: str = "Add shape"
    positions: tuple[int, ...] | None = None

    def apply(self, doc: AnnotationDoc) -> Command:
        positions = self.positions or (None,) * len(self.annotations)
        for a, position in zip(self.annotations, positions, strict=True):
            doc.put(a, position)
        return DeleteAnnotations(tuple(a.id for a in self.annotations), self.description)


@dataclass(frozen=True, slots=True)
class DeleteAnnotations:
    ids: tuple[str, ...]
    description: str = "Delete shape"

    def apply(self, doc: AnnotationDoc) -> Command:
        present = sorted((doc.position(i), i) for i in self.ids if i in doc)
        removed = tuple(doc.remove(i) for _, i in present)
        return AddAnnotations(removed, self.description, tuple(p for p, _ in present))


@dataclass(frozen=True, slots=True)
class UpdateAnnotations:
    """Replace annotations by new values with the same ids (move, resize, vertex edit, relabel, attributes)."""

    annotations: tuple[Annotation, ...]
    description: str = "Edit shape"

    def apply(self, doc: AnnotationDoc) -> Command:
        old = tuple(doc.get(a.id) for a in self.annotations if a.id in doc)
        for a in self.annotations:
            if a.id in doc:
                doc.put(a)
        return UpdateAnnotations(old, self.description)


@dataclass(frozen=True, slots=True)
class Batch:
    """Several commands as one undo step; the inverse undoes them in reverse order."""

    commands: tuple[Command, ...]
    description: str

    def apply(self, doc: AnnotationDoc) -> Command:
        return Batch(tuple(reversed([c.apply(doc) for c in self.commands])), self.description)


@dataclass(slots=True)
class _Entry:
    command: Command
    merge_key: object | None


class UndoStack:
    """Unlimited undo and redo over an AnnotationDoc.

    `execute` with a `merge_key` equal to the previous step's folds both into one undo step (a burst of arrow-key
    nudges of the same shapes), because the earlier inverse already restores the state before both.
    """

    def __init__(self) -> None:
        self._undo: list[_Entry] = []
        self._redo: list[_Entry] = []

    def execute(self, doc: AnnotationDoc, command: Command, merge_key: object | None = None) -> None:
        inverse = command.apply(doc)
        self._redo.clear()
        if merge_key is not None and self._undo and self._undo[-1].merge_key == merge_key:
            return
        self._undo.append(_Entry(inverse, merge_key))

    def undo(self, doc: AnnotationDoc) -> str | None:
        """Undo one step; returns its description, or None when there is nothing to undo."""
        return self._step(doc, self._undo, self._redo)

    def redo(self, doc: AnnotationDoc) -> str | None:
        return self._step(doc, self._redo, self._undo)

    def break_merge(self) -> None:
        """End the current merge run, so the next nudge starts a new undo step."""
        if self._undo:
            self._undo[-1].merge_key = None

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()

    @staticmethod
    def _step(doc: AnnotationDoc, source: list[_Entry], target: list[_Entry]) -> str | None:
        if not source:
            return None
        entry = source.pop()
        target.append(_Entry(entry.command.apply(doc), None))
        return entry.command.description
