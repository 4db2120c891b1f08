"""Pure helpers that turn a selection into new annotation values (relabel, copy); the editor wraps them in commands."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from core.annotation import HUMAN, Annotation, new_id
from core.geometry import Rect
from core.schema import Label, SchemaError

PASTE_OFFSET = 10.0  # image pixels a paste onto the same task (or a duplicate) is shifted, so the copy is visible


@dataclass
class Clipboard:
    """Copied annotations and the task they came from. One instance can be shared by the editors of all tasks."""

    annotations: tuple[Annotation, ...] = ()
    task_id: int | None = None

    def store(self, annotations: Sequence[Annotation], task_id: int) -> None:
        self.annotations = tuple(annotations)
        self.task_id = task_id


def bounds_of(annotations: Sequence[Annotation]) -> Rect:
    """The rectangle around all the given annotations (at least one)."""
    boxes = [a.shape.bounds() for a in annotations]
    return Rect(min(b.x1 for b in boxes), min(b.y1 for b in boxes), max(b.x2 for b in boxes), max(b.y2 for b in boxes))


def copies(
    annotations: Sequence[Annotation], task_id: int, dx: float, dy: float, author: str
) -> tuple[Annotation, ...]:
    """New annotations (new ids, made by `author`) with the same label, shape shifted by dx, dy, and attributes."""
    return tuple(
        Annotation(new_id(), task_id, a.label, a.shape.translated(dx, dy), dict(a.attributes), author, HUMAN)
        for a in annotations
    )


def relabeled(a: Annotation, label: Label) -> Annotation:
    """The annotation under another label: its attributes become the label's, keeping values that still fit."""
    attributes = label.initial_attributes()
    for spec in label.attributes:
        if spec.name in a.attributes:
            # a value that does not fit the new label's attribute keeps the initial value
            with contextlib.suppress(SchemaError):
                attributes[spec.name] = spec.validate(a.attributes[spec.name])
    return dataclasses.replace(a, label=label.name, attributes=attributes)
