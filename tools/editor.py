"""One task's editing session: the active tool, the selection, the undo stack and the clipboard. Qt-free.

Every change to the document goes through `execute`, `undo` or `redo`, each of which hands the document's changes
to `on_commit` right away, so the workspace stores every edit at once. Subscribers hear which part changed:
"doc", "selection", "overlay", "tool", "label" or "view" (labels hidden or locked, which is view state, not stored).
The commands on the selection beyond editing live in mixins: arrange (group, z-order, hide, lock, rotate, copy from
another task), convert (polygon <-> mask) and tags.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from typing import Any

from core.annotation import HUMAN, Annotation, new_id
from core.document import (
    AddAnnotations,
    AnnotationDoc,
    Change,
    Command,
    DeleteAnnotations,
    UndoStack,
    UpdateAnnotations,
)
from core.geometry import Point, Rect, clamp_delta, clamp_point
from core.schema import LabelSchema, SchemaError
from core.shapes import Shape, Tag
from tools.arrange import ArrangeCommands
from tools.base import Overlay, Tool
from tools.convert import ConvertCommands
from tools.edits import PASTE_OFFSET, Clipboard, bounds_of, copies, next_group, relabeled
from tools.events import Key, Pointer
from tools.predictions import PredictionCommands, below_threshold
from tools.registry import TOOLS
from tools.segment import PromptSegmenter
from tools.tags import TagCommands

__all__ = ["COMMANDS", "GESTURES", "Editor", "Overlay"]


class Editor(ArrangeCommands, ConvertCommands, TagCommands, PredictionCommands):
    """Dispatches pointer and key events to the active tool and owns every edit of one AnnotationDoc."""

    def __init__(
        self,
        doc: AnnotationDoc,
        schema: LabelSchema,
        *,
        author: str = "",
        image_size: tuple[int, int] = (0, 0),
        on_commit: Callable[[list[Change]], None] | None = None,
        clipboard: Clipboard | None = None,
    ) -> None:
        self.doc = doc
        self.schema = schema
        self.author = author
        self.image_size = image_size  # (width, height); (0, 0) means unknown, and nothing is clamped
        self.clipboard = clipboard if clipboard is not None else Clipboard()
        self.current_label = schema.names()[0] if schema.labels else ""
        self._on_commit = on_commit
        self._stack = UndoStack()
        self._subscribers: list[Callable[[str], None]] = []
        self._selection: tuple[str, ...] = ()
        # Ids the last execute/undo/redo added, changed or deleted, so views update O(changed) on "doc", not O(all).
        self.last_changed_ids: frozenset[str] = frozenset()
        self._scale = 1.0
        self.brush_size = 10.0  # brush and eraser diameter in image pixels ([ and ] change it)
        self.hidden_labels: frozenset[str] = frozenset()  # view state, per label: not drawn, not picked
        self.locked_labels: frozenset[str] = frozenset()  # view state, per label: drawn, not picked
        self.all_hidden = False  # Ctrl+H: every shape hidden for a look at the bare image
        self.score_threshold = 0.0  # view state: predictions scored below it are not drawn, not picked
        self.segmenter: PromptSegmenter | None = None  # the segment tool's model for this image (set by the app)
        self._tool: Tool = TOOLS["select"](self)
        self.overlay: Overlay = self._tool.overlay()

    # --- state others observe -------------------------------------------------------------------------------------

    @property
    def stored(self) -> AnnotationDoc:
        """The task's annotations as the workspace stores them: the doc itself here; a video's editor shows a view
        of one frame in `doc` and keeps the stored rows apart (tools/video_editor.py)."""
        return self.doc

    @property
    def tool(self) -> str:
        return self._tool.name

    @property
    def selection(self) -> tuple[str, ...]:
        return self._selection

    def subscribe(self, callback: Callable[[str], None]) -> None:
        self._subscribers.append(callback)

    def can_undo(self) -> bool:
        return self._stack.can_undo()

    def can_redo(self) -> bool:
        return self._stack.can_redo()

    def set_tool(self, name: str) -> None:
        if name not in TOOLS:
            raise ValueError(f"unknown tool {name!r}; known: {', '.join(TOOLS)}")
        if name == self._tool.name:
            return
        self._tool.cancel()
        self._tool = TOOLS[name](self)
        self._notify("tool")
        self._refresh_overlay()

    def select(self, ids: Iterable[str]) -> None:
        """Select existing shapes (unknown ids are dropped); a new selection starts a new nudge undo step."""
        selection = tuple(dict.fromkeys(i for i in ids if i in self.doc))
        if selection != self._selection:
            self._selection = selection
            self._stack.break_merge()
            self._notify("selection")

    def set_view_scale(self, scale: float) -> None:
        """Screen pixels per image pixel; handle sizes and the drag threshold are in screen pixels."""
        if not math.isfinite(scale) or scale <= 0:
            raise ValueError(f"view scale must be a positive number, got {scale!r}")
        self._scale = scale

    def set_brush_size(self, size: float) -> None:
        if not math.isfinite(size) or size <= 0:
            raise ValueError(f"brush size must be a positive number, got {size!r}")
        self.brush_size = size
        self._refresh_overlay()

    def set_label_hidden(self, name: str, hidden: bool) -> None:
        """Hide or show every shape of a label (view state, not stored)."""
        old, self.hidden_labels = self.hidden_labels, _with(self.hidden_labels, self._known(name), hidden)
        self._view_changed(old != self.hidden_labels)

    def set_label_locked(self, name: str, locked: bool) -> None:
        """Lock or unlock every shape of a label against picking, moving and plain delete (view state, not stored)."""
        old, self.locked_labels = self.locked_labels, _with(self.locked_labels, self._known(name), locked)
        self._view_changed(old != self.locked_labels)

    def toggle_all_hidden(self) -> None:
        self.all_hidden = not self.all_hidden
        self._view_changed(True)

    def set_score_threshold(self, threshold: float) -> None:
        """Hide predictions scored below `threshold` (0 to 1; view state, not stored)."""
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"score threshold must be between 0 and 1, got {threshold!r}")
        old, self.score_threshold = self.score_threshold, threshold
        self._view_changed(old != threshold)

    def is_visible(self, annotation: Annotation) -> bool:
        """Whether the canvas draws the annotation: not hidden itself, by its label, by "hide all" or (a
        prediction) by the score threshold."""
        if annotation.hidden or self.all_hidden or annotation.label in self.hidden_labels:
            return False
        return not below_threshold(annotation, self.score_threshold)

    def pickable(self, annotation: Annotation) -> bool:
        """Whether a click, a rubber band or a drag may take the annotation: visible, not locked, not a whole-image
        tag (tags live in a panel, not on the canvas)."""
        if annotation.locked or annotation.label in self.locked_labels or isinstance(annotation.shape, Tag):
            return False
        return self.is_visible(annotation)

    # --- services for the tools (ToolHost) ------------------------------------------------------------------------

    def screen_px(self, pixels: float) -> float:
        """A distance in screen pixels, in image pixels."""
        return pixels / self._scale

    def clamp(self, p: Point) -> Point:
        width, height = self.image_size
        return clamp_point(p, width, height) if width > 0 and height > 0 else p

    def clamp_move(self, bounds: Rect, dx: float, dy: float) -> tuple[float, float]:
        width, height = self.image_size
        return clamp_delta(bounds, dx, dy, width, height) if width > 0 and height > 0 else (dx, dy)

    def new_annotation(self, shape: Shape) -> Annotation | None:
        """A new human annotation with the current label and its initial attributes; None when the label forbids it."""
        label = self.schema.get(self.current_label)
        if label is None:
            if self.schema.labels:
                return None
            attributes = {}
        elif label.allows(shape.kind):
            attributes = label.initial_attributes()
        else:
            return None
        return Annotation(new_id(), self.doc.task_id, self.current_label, shape, attributes, self.author, HUMAN)

    # --- events ---------------------------------------------------------------------------------------------------

    def press(self, p: Pointer) -> None:
        self._tool.press(p)
        self._refresh_overlay()

    def move(self, p: Pointer) -> None:
        self._tool.move(p)
        self._refresh_overlay()

    def release(self, p: Pointer) -> None:
        self._tool.release(p)
        self._refresh_overlay()

    def double_click(self, p: Pointer) -> None:
        self._tool.double_click(p)
        self._refresh_overlay()

    def key(self, k: Key) -> bool:
        """Offer a key of the tools' gesture grammar (`GESTURES`) to the active tool; Escape cancels the gesture in
        progress, else clears the selection. True when taken; every other key is the app's keymap's."""
        handled = self._escape() if k.name == "Escape" else self._tool.key(k)
        self._refresh_overlay()
        return handled

    def _escape(self) -> bool:
        """Esc cancels the drawing or drag in progress, else clears the selection."""
        if self._tool.cancel():
            return True
        had_selection = bool(self._selection)
        self.select(())
        return had_selection

    # --- edits ----------------------------------------------------------------------------------------------------

    def execute(self, command: Command, merge_key: object | None = None) -> None:
        """Apply an edit as one undo step (merged with the previous step when both have this merge_key)."""
        self._tool.interrupt()
        self._stack.execute(self.doc, command, merge_key)
        self._committed()

    def undo(self) -> str | None:
        """Undo one step; returns its description, or None when there was nothing to undo."""
        self._tool.interrupt()
        description = self._stack.undo(self.doc)
        if description is not None:
            self._committed()
        return description

    def redo(self) -> str | None:
        self._tool.interrupt()
        description = self._stack.redo(self.doc)
        if description is not None:
            self._committed()
        return description

    def delete_selected(self, force: bool = False) -> None:
        """Delete the selection; locked shapes only with `force` (Shift+Delete)."""
        doomed = tuple(a.id for a in self._selected() if force or not (a.locked or a.label in self.locked_labels))
        if doomed:
            count = len(doomed)
            self.execute(DeleteAnnotations(doomed, "Delete shape" if count == 1 else f"Delete {count} shapes"))

    def copy(self) -> None:
        if self._selection:
            self.clipboard.store(self._selected(), self.doc.task_id)

    def paste(self) -> None:
        """Paste the clipboard with new ids; onto the task it came from, shifted so the copies are visible."""
        if not self.clipboard.annotations:
            return
        offset = PASTE_OFFSET if self.clipboard.task_id == self.doc.task_id else 0.0
        pasted = self._add_copies(self.clipboard.annotations, offset, "Paste")
        self.clipboard.store(pasted, self.doc.task_id)  # the next paste lands 10 px further on

    def duplicate(self) -> None:
        if self._selection:
            self._add_copies(self._selected(), PASTE_OFFSET, "Duplicate")

    def nudge(self, dx: float, dy: float) -> None:
        """Move the selection; consecutive nudges of one selection are one undo step."""
        selected = tuple(a for a in self._selected() if self.pickable(a))
        if not selected:
            return
        dx, dy = self.clamp_move(bounds_of(selected), dx, dy)
        if dx == 0 and dy == 0:
            return
        moved = tuple(dataclasses.replace(a, shape=a.shape.translated(dx, dy)) for a in selected)
        self.execute(UpdateAnnotations(moved, "Nudge"), merge_key=("nudge", self._selection))

    def set_label(self, name: str) -> bool:
        """Make `name` the label for new shapes and relabel the selection (one undo step).

        Refused with no edit (returns False) when a selected shape's kind is not allowed by that label.
        """
        label = self.schema.get(name)
        if label is None:
            raise ValueError(f"unknown label {name!r}; known: {', '.join(self.schema.names())}")
        selected = self._selected()
        if not all(label.allows(a.kind) for a in selected):
            return False
        changed = tuple(relabeled(a, label) for a in selected if a.label != name)
        if changed:
            self.execute(UpdateAnnotations(changed, f"Label {name}"))
        if name != self.current_label:
            self.current_label = name
            self._notify("label")
            self._refresh_overlay()  # the drawing tools show the label (and the keypoints tool its template)
        return True

    def set_attribute(self, annotation_id: str, name: str, value: Any) -> None:
        """Set one attribute, validated by the label's spec; edits of one attribute in a row are one undo step."""
        if annotation_id not in self.doc:
            raise KeyError(f"no annotation {annotation_id!r} on task {self.doc.task_id}")
        a = self.doc.get(annotation_id)
        label = self.schema.get(a.label)
        if label is None:
            raise SchemaError(f"annotation {annotation_id}: label {a.label!r} is not in the schema")
        value = label.validate_attributes({name: value})[name]
        if name in a.attributes and a.attributes[name] == value:
            return
        updated = dataclasses.replace(a, attributes={**a.attributes, name: value})
        self.execute(UpdateAnnotations((updated,), f"Set {name}"), merge_key=("attribute", annotation_id, name))

    def select_next(self, step: int = 1) -> None:
        """Select the next (step 1) or previous (step -1) shape in drawing order, wrapping around."""
        ids = self.doc.ids()
        if not ids:
            return
        if self._selection:
            index = (ids.index(self._selection[-1]) + step) % len(ids)
        else:
            index = 0 if step > 0 else len(ids) - 1
        self.select((ids[index],))

    # --- internals ------------------------------------------------------------------------------------------------

    def _selected(self) -> tuple[Annotation, ...]:
        return tuple(self.doc.get(i) for i in self._selection)

    def _add_copies(self, source: tuple[Annotation, ...], offset: float, description: str) -> tuple[Annotation, ...]:
        dx, dy = self.clamp_move(bounds_of(source), offset, offset)
        added = copies(source, self.doc.task_id, dx, dy, self.author, next_group(self.doc))
        self.execute(AddAnnotations(added, description))
        self.select(a.id for a in added)
        return added

    def _committed(self) -> None:
        changes = self.doc.take_changes()
        self.last_changed_ids = frozenset(c.annotation.id for c in changes)
        self.select(self._selection)  # drop ids that no longer exist
        if changes and self._on_commit is not None:
            self._on_commit(changes)
        self._notify("doc")
        self._refresh_overlay()

    def _known(self, name: str) -> str:
        if self.schema.get(name) is None:
            raise ValueError(f"unknown label {name!r}; known: {', '.join(self.schema.names())}")
        return name

    def _view_changed(self, changed: bool) -> None:
        if changed:
            self._tool.interrupt()  # a drag may hold shapes that are no longer pickable
            self._notify("view")
            self._refresh_overlay()

    def _notify(self, topic: str) -> None:
        for callback in list(self._subscribers):
            callback(topic)

    def _refresh_overlay(self) -> None:
        overlay = self._tool.overlay()
        if overlay != self.overlay:
            self.overlay = overlay
            self._notify("overlay")


def _call(method: str) -> Callable[[Editor], object]:
    """The editor's own method (a subclass's override too: the video editor undoes on its rows)."""
    return lambda editor: getattr(editor, method)()


def _nudge(dx: float, dy: float) -> Callable[[Editor], None]:
    return lambda editor: editor.nudge(dx, dy)


def _with(names: frozenset[str], name: str, member: bool) -> frozenset[str]:
    return names | {name} if member else names - {name}


def _rotate(degrees: float) -> Callable[[Editor], object]:
    return lambda editor: editor.rotate_selected(degrees)


def _gesture(key: Key) -> Callable[[Editor], bool]:
    return lambda editor: editor.key(key)


_ARROWS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}

# Drawing action id -> the key of the tools' own grammar it sends them (Editor.key), whatever key the user gave it.
GESTURES: dict[str, Key] = {
    "draw.finish": Key("Enter"),
    "draw.remove_point": Key("Backspace"),
    "draw.undo_point": Key("z", ctrl=True),
    "draw.cancel": Key("Escape"),
    "draw.skip_point": Key("s"),
    "draw.occluded": Key("q"),
    "brush.smaller": Key("["),
    "brush.bigger": Key("]"),
}

_METHODS = {
    "edit.undo": "undo", "edit.redo": "redo", "edit.delete": "delete_selected", "edit.copy": "copy",
    "edit.paste": "paste", "edit.duplicate": "duplicate", "edit.group": "group_selected",
    "edit.ungroup": "ungroup_selected", "edit.front": "bring_to_front", "edit.back": "send_to_back",
    "edit.hide": "toggle_hidden", "edit.hide_all": "toggle_all_hidden", "edit.lock": "toggle_locked",
    "edit.to_mask": "polygons_to_mask", "edit.to_polygons": "masks_to_polygons",
}  # fmt: skip

# Action id (desktop/keymap.py, where the keys are) -> what the editor does. Tools and label digits are the app's.
COMMANDS: dict[str, Callable[[Editor], object]] = {
    **{name: _call(method) for name, method in _METHODS.items()},
    "edit.delete_locked": lambda editor: editor.delete_selected(force=True),
    "select.next": lambda editor: editor.select_next(1),
    "select.previous": lambda editor: editor.select_next(-1),
    **{f"edit.rotate_{side}{far}": _rotate(degrees * (1 if side == "right" else -1))
       for side in ("left", "right") for far, degrees in (("", 1.0), ("_15", 15.0))},
    **{f"edit.nudge_{side}{far}": _nudge(dx * step, dy * step)
       for side, (dx, dy) in _ARROWS.items() for far, step in (("", 1), ("_10", 10))},
    **{name: _gesture(key) for name, key in GESTURES.items()},
}
