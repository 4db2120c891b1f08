"""The one table of app actions and their default keys, with presets and user rebinding.

Scopes let one key mean different things in different modes (image, video, audio, review) without conflicts;
conflicts are checked per scope. `effective_keymap` says where each binding came from (default, preset, user).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[str, ...]
    scope: str = "image"
    tip: str = ""
    canvas_only: bool = False  # keys text fields need too (Enter): act only while the canvas has the focus


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("tool.select", "Select and edit", ("V",), tip="Click to select, drag to move, drag a handle to resize; "
               "Shift+click an edge adds a vertex, Alt+click a vertex removes it"),
    ActionSpec("tool.box", "Box", ("R",), tip="Drag, or click two corners"),
    ActionSpec("tool.polygon", "Polygon", ("P",), tip="Click vertices; Enter, double-click or the first vertex closes; "
               "Backspace removes the last vertex"),
    ActionSpec("tool.rotated_box", "Rotated box", ("O",), tip="Drag, or click the two ends of one edge, then the "
               "height; rotate with the round handle or Ctrl+[ / Ctrl+] (Shift: 15°)"),
    ActionSpec("tool.polyline", "Polyline", ("Shift+S",), tip="Click vertices; Enter, N or double-click finishes"),
    ActionSpec("tool.point", "Point", ("Shift+P",), tip="Click to place"),
    ActionSpec("tool.ellipse", "Ellipse", ("C",), tip="Drag from the centre; Shift draws a circle"),
    ActionSpec("tool.keypoints", "Keypoints", ("Shift+K",), tip="Click the label's points in template order; "
               "S skips a point, Shift+click or Q marks it occluded, Enter finishes"),
    ActionSpec("tool.brush", "Brush", ("B",), tip="Paint a mask; [ and ] change the size"),
    ActionSpec("tool.eraser", "Eraser", ("E",), tip="Erase from the selected mask; [ and ] change the size"),
    ActionSpec("tool.segment", "Segment (SAM clicks)", ("I",), tip="Click the object (right or Shift+click excludes, "
               "drag a box); Enter keeps the mask, Backspace removes the last click, Esc drops them"),
    ActionSpec("edit.undo", "Undo", ("Ctrl+Z",), "global"),
    ActionSpec("edit.redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "global"),
    ActionSpec("edit.delete", "Delete shape", ("Delete",)),
    ActionSpec("edit.copy", "Copy shapes", ("Ctrl+C",)),
    ActionSpec("edit.paste", "Paste shapes", ("Ctrl+V",)),
    ActionSpec("edit.duplicate", "Duplicate shapes", ("Ctrl+D",)),
    ActionSpec("edit.paste_previous", "Copy shapes from the previous task", ("Ctrl+Shift+V",)),
    ActionSpec("edit.group", "Group", ("Ctrl+G",)),
    ActionSpec("edit.ungroup", "Ungroup", ("Ctrl+Shift+G",)),
    ActionSpec("edit.front", "Bring to front", ("Ctrl+Shift+Up",)),
    ActionSpec("edit.back", "Send to back", ("Ctrl+Shift+Down",)),
    ActionSpec("edit.hide", "Hide or show selected", ("H",)),
    ActionSpec("edit.hide_all", "Hide or show all", ("Ctrl+H",)),
    ActionSpec("edit.lock", "Lock or unlock selected", ("L",), tip="Locked shapes cannot be moved, edited or deleted; "
               "Shift+Delete deletes them"),
    ActionSpec("edit.to_mask", "Convert to mask", ()),
    ActionSpec("edit.to_polygons", "Convert mask to polygons", ()),
    ActionSpec("task.next", "Next task", ("D",), "global"),
    ActionSpec("task.previous", "Previous task", ("A",), "global"),
    ActionSpec("task.next_unfinished", "Next unfinished task", ("Shift+D",), "global"),
    ActionSpec("task.previous_unfinished", "Previous unfinished task", ("Shift+A",), "global"),
    ActionSpec("task.submit", "Mark done and go to the next unfinished task", ("Ctrl+Return", "Ctrl+Enter"), "global"),
    ActionSpec("view.zoom_in", "Zoom in", ("Ctrl+=", "+"), "global"),
    ActionSpec("view.zoom_out", "Zoom out", ("Ctrl+-", "-"), "global"),
    ActionSpec("view.fit", "Fit to window", ("Ctrl+F",), "global"),
    ActionSpec("view.actual_size", "Actual size (1:1)", ("Ctrl+0",), "global"),
    ActionSpec("workspace.add_media", "Add images…", ("Ctrl+I",), "global"),
    ActionSpec("workspace.open", "Open workspace…", ("Ctrl+O",), "global"),
    ActionSpec("help.keys", "Keyboard shortcuts", ("F1",), "global"),
    ActionSpec("view.review", "Show review", ("Ctrl+Alt+R",), "global", tip="Open the Review dock and focus its "
               "comments and refused edits (arrow keys move, Enter goes to the shape)"),
    ActionSpec("prelabel.task", "Pre-label this task", ("Ctrl+L",), tip="Run the model on this image; its predictions "
               "replace this model's pending ones in one undo step"),
    ActionSpec("prelabel.selected", "Pre-label selected tasks", (), "global", tip="The tasks selected in the task "
               "list, in the background"),
    ActionSpec("prelabel.all", "Pre-label all tasks", ("Ctrl+Shift+L",), "global", tip="In the background; tasks "
               "this model has done already are skipped"),
    ActionSpec("prelabel.choose_model", "Choose model…", (), "global"),
    ActionSpec("segment.choose_model", "Choose segmentation model…", (), "global"),
    ActionSpec("prediction.accept", "Accept selected predictions", ("Return", "Enter"), canvas_only=True),
    ActionSpec("prediction.accept_all", "Accept all predictions on show", ("Shift+Return", "Shift+Enter"),
               canvas_only=True),
    ActionSpec("prediction.reject", "Reject selected predictions", (), tip="Delete does it too"),
    # Digits pick labels (Ctrl+digit too, for when a text field has focus); Ctrl+0 stays "actual size".
    *(ActionSpec(f"label.{i}", f"Label {i}", (str(i), f"Ctrl+{i}")) for i in range(1, 10)),
    ActionSpec("label.10", "Label 10", ("0",)),
)

PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    "default": {},
    # CVAT: F/D next/previous, N repeats the last drawing tool (here: box).
    "cvat": {"task.next": ("F",), "task.previous": ("D",), "tool.box": ("N", "R"), "task.submit": ("Ctrl+S",)},
}


@dataclass(frozen=True, slots=True)
class Binding:
    action: ActionSpec
    keys: tuple[str, ...]
    origin: str  # "default" | "preset <name>" | "user"


class KeymapError(ValueError):
    """A keymap that binds one key to two actions in the same scope, or names an unknown action or preset."""


def effective_keymap(preset: str = "default", user: Mapping[str, list[str]] | None = None) -> dict[str, Binding]:
    """Bindings after applying a preset and the user's overrides; raises KeymapError on conflicts."""
    if preset not in PRESETS:
        raise KeymapError(f"unknown keymap preset {preset!r}; known: {', '.join(PRESETS)}")
    known = {a.id for a in ACTIONS}
    unknown = sorted(set(user or {}) - known)
    if unknown:
        raise KeymapError(f"keymap: unknown action {unknown[0]!r}")
    result: dict[str, Binding] = {}
    for action in ACTIONS:
        keys, origin = action.keys, "default"
        if action.id in PRESETS[preset]:
            keys, origin = PRESETS[preset][action.id], f"preset {preset}"
        if user and action.id in user:
            keys, origin = tuple(user[action.id]), "user"
        result[action.id] = Binding(action, keys, origin)
    _check_conflicts(result.values())
    return result


def _check_conflicts(bindings: Iterable[Binding]) -> None:
    """Two actions may share a key only in scopes that are never active together (global overlaps every scope)."""
    seen: list[tuple[str, str, str]] = []  # (key, scope, action id)
    for b in bindings:
        for key in b.keys:
            for other_key, other_scope, other_id in seen:
                overlap = other_scope == b.action.scope or "global" in (other_scope, b.action.scope)
                if other_key == key.lower() and overlap:
                    raise KeymapError(f"key {key} is bound to both {other_id!r} and {b.action.id!r}")
            seen.append((key.lower(), b.action.scope, b.action.id))
