"""Editor commands that arrange the selection without redrawing it: group/ungroup, z-order, hide, lock, rotate, and
copying shapes from another task (the previous frame). Each is one undo step.

A mixin of `Editor`: its methods take the editor as a `ToolHost`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from core.annotation import Annotation
from core.document import AddAnnotations, UpdateAnnotations
from core.geometry import Point
from core.shapes import Shape
from tools.base import ToolHost
from tools.edits import copies, next_group


@runtime_checkable
class Rotatable(Protocol):
    """A shape with an orientation (rotated box, ellipse)."""

    angle: float

    def with_angle(self, angle: float) -> Shape: ...


@runtime_checkable
class RotationHandled(Rotatable, Protocol):
    """A rotatable shape with a handle to turn it by dragging (rotated box)."""

    def rotation_handle(self, distance: float) -> Point: ...

    def angle_towards(self, p: Point) -> float: ...


def selected(host: ToolHost) -> tuple[Annotation, ...]:
    return tuple(host.doc.get(i) for i in host.selection)


def _update(host: ToolHost, changed: Iterable[Annotation], description: str, merge_key: object | None = None) -> bool:
    """Execute the changes that really change something, as one step; False when none does."""
    real = tuple(a for a in changed if a != host.doc.get(a.id))
    if real:
        host.execute(UpdateAnnotations(real, description), merge_key)
    return bool(real)


class ArrangeCommands:
    def group_selected(self: ToolHost) -> bool:
        """Ctrl+G: tie the selected shapes together under a new group id (one shape alone gets an id too)."""
        chosen = selected(self)
        group = next_group(self.doc)
        return bool(chosen) and _update(self, (dataclasses.replace(a, group=group) for a in chosen), "Group")

    def ungroup_selected(self: ToolHost) -> bool:
        """Ctrl+Shift+G: take the selected shapes out of their groups."""
        return _update(self, (dataclasses.replace(a, group=None) for a in selected(self)), "Ungroup")

    def bring_to_front(self: ToolHost) -> bool:
        """Ctrl+Shift+Up: the selection above every other shape, keeping its own stacking order."""
        ordered = _in_drawing_order(self)
        if _already(self, ordered, top=True):
            return False
        top = max(a.z for a in self.doc)
        return _update(self, (dataclasses.replace(a, z=top + 1 + i) for i, a in enumerate(ordered)), "Bring to front")

    def send_to_back(self: ToolHost) -> bool:
        """Ctrl+Shift+Down: the selection below every other shape, keeping its own stacking order."""
        ordered = _in_drawing_order(self)
        if _already(self, ordered, top=False):
            return False
        bottom = min(a.z for a in self.doc) - len(ordered)
        return _update(self, (dataclasses.replace(a, z=bottom + i) for i, a in enumerate(ordered)), "Send to back")

    def toggle_hidden(self: ToolHost) -> bool:
        """H: hide the selected shapes, or show them when all are hidden already."""
        chosen = selected(self)
        hide = not all(a.hidden for a in chosen)
        return _update(self, (dataclasses.replace(a, hidden=hide) for a in chosen), "Hide" if hide else "Show")

    def toggle_locked(self: ToolHost) -> bool:
        """L: lock the selected shapes (no click-select, move or plain delete), or unlock them when all are locked."""
        chosen = selected(self)
        lock = not all(a.locked for a in chosen)
        return _update(self, (dataclasses.replace(a, locked=lock) for a in chosen), "Lock" if lock else "Unlock")

    def rotate_selected(self: ToolHost, degrees: float) -> bool:
        """Turn the selected rotated boxes and ellipses clockwise by `degrees`; a burst of turns is one undo step."""
        turned = [
            dataclasses.replace(a, shape=a.shape.with_angle(a.shape.angle + degrees))
            for a in selected(self)
            if isinstance(a.shape, Rotatable) and self.pickable(a)
        ]
        return _update(self, turned, "Rotate", merge_key=("rotate", self.selection))

    def paste_from(self: ToolHost, annotations: Iterable[Annotation]) -> tuple[Annotation, ...]:
        """Copy another task's annotations here (the previous frame) with new ids, in place, as one undo step.

        Skipped: labels the schema lacks or that forbid the kind, and tags this task already has.
        """
        tagged = {(a.label, a.kind) for a in self.doc if a.kind == "tag"}
        wanted = []
        for a in annotations:
            label = self.schema.get(a.label)
            if (label is None and self.schema.labels) or (label is not None and not label.allows(a.kind)):
                continue
            if (a.label, a.kind) not in tagged:
                wanted.append(a)
        added = copies(wanted, self.doc.task_id, 0.0, 0.0, self.author, next_group(self.doc))
        if added:
            self.execute(AddAnnotations(added, "Copy from previous task"))
            self.select(a.id for a in added if a.kind != "tag")
        return added


def _in_drawing_order(host: ToolHost) -> list[Annotation]:
    chosen = set(host.selection)
    return [a for a in host.doc if a.id in chosen]


def _already(host: ToolHost, ordered: list[Annotation], top: bool) -> bool:
    """The selection already forms the top (or bottom) of the stack, so the command would change nothing visible."""
    if not ordered:
        return True
    stack = list(host.doc)
    end = stack[-len(ordered) :] if top else stack[: len(ordered)]
    return [a.id for a in end] == [a.id for a in ordered]
