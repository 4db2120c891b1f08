"""Pure helpers that turn a selection into new annotation values (relabel, copy); the editor wraps the values in
commands (one undo step each, `core.document.Batch` for several)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Sequence
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
    annotations: Sequence[Annotation], task_id: int, dx: float, dy: float, author: str, first_group: int = 1
) -> tuple[Annotation, ...]:
    """New annotations (new ids, made by `author`) with the same label, shape shifted by dx, dy, attributes and z.

    Copied groups get new group ids from `first_group` on, so copies stay tied to each other, not to the originals.
    """
    groups: dict[int, int] = {}
    for a in annotations:
        if a.group is not None and a.group not in groups:
            groups[a.group] = first_group + len(groups)
    return tuple(
        Annotation(
            new_id(),
            task_id,
            a.label,
            a.shape.translated(dx, dy),
            dict(a.attributes),
            author,
            HUMAN,
            group=None if a.group is None else groups[a.group],
            z=a.z,
        )
        for a in annotations
    )


def next_group(annotations: Iterable[Annotation]) -> int:
    """A group id no annotation uses yet."""
    return max((a.group for a in annotations if a.group is not None), default=0) + 1


def relabeled(a: Annotation, label: Label) -> Annotation:
    """The annotation under another label: its attributes become the label's, keeping values that still fit."""
    attributes = label.initial_attributes()
    for spec in label.attributes:
        if spec.name in a.attributes:
            # a value that does not fit the new label's attribute keeps the initial value
            with contextlib.suppress(SchemaError):
                attributes[spec.name] = spec.validate(a.attributes[spec.name])
    return dataclasses.replace(a, label=label.name, attributes=attributes)
