"""The select tool: pick, toggle, rubber-band, move, resize by handles, rotate, and edit vertices and keypoints.

A drag only previews (Overlay.preview) until release, which executes one UpdateAnnotations, so a drag is one undo
step and Esc during it leaves the document untouched. Gestures, shown by the hover overlay:
- drag a handle: resize a box by its corner (the opposite corner stays) or move a polygon vertex;
- double-click or shift+click on an edge of the selected polygon: insert a vertex there (and keep dragging it);
- alt+click on a vertex, or Backspace while hovering it: delete it (a polygon keeps at least 3); on a keypoint this
  marks the point not labeled (skipped), and Q turns the hovered keypoint occluded or back visible;
- drag the rotation handle of a selected rotated box (above its top edge) to turn it; Shift snaps to 15 degrees.
Hidden and locked shapes (themselves or by their label) are never picked, moved or resized here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum, auto

from core.annotation import Annotation
from core.document import UpdateAnnotations
from core.geometry import Point, Rect, distance
from core.shapes import Keypoints, Visibility
from tools.arrange import RotationHandled
from tools.base import DRAG_PX, HANDLE_PX, HIT_PX, MIN_SIZE, Overlay, Tool, ToolHost
from tools.edits import bounds_of
from tools.events import Button, Key, Pointer
from tools.hit import VertexEditable, edge_at, handle_at, shape_at, shapes_in
from tools.keypoints import toggled


class _Kind(Enum):
    MOVE = auto()
    HANDLE = auto()
    BAND = auto()
    ROTATE = auto()


ROTATE_HANDLE_PX = 24.0  # screen pixels from the top edge of a rotated box to its rotation handle
SNAP_DEGREES = 15.0  # rotation step with Shift held
_DRAG_CURSORS = {_Kind.MOVE: "move", _Kind.HANDLE: "size", _Kind.BAND: "arrow", _Kind.ROTATE: "pointing"}


@dataclass
class _Drag:
    kind: _Kind
    origin: Point
    originals: tuple[Annotation, ...] = ()
    handle: int = -1
    additive: bool = False  # rubber band adds to the selection (shift/ctrl)
    click_select: str | None = None  # selected by a click that never became a drag
    started: bool = False
    preview: dict[str, Annotation] = field(default_factory=dict)
    band: Rect | None = None


class SelectTool(Tool):
    name = "select"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._drag: _Drag | None = None
        self._pointer: Point | None = None

    def press(self, p: Pointer) -> None:
        if p.button != Button.LEFT:
            return
        q = p.point
        self._pointer = q
        tolerance = self.host.screen_px(HANDLE_PX)
        single = self._single_selected()
        if single is not None:
            rotation = self._rotation_handle(single)
            if rotation is not None and distance(q, rotation) <= tolerance:
                self._drag = _Drag(_Kind.ROTATE, q, (single,))
                return
            handle = handle_at(single.shape, q, tolerance)
            if handle is not None and p.alt:
                self._delete_vertex(single, handle)
                return
            if handle is not None:
                self._drag = _Drag(_Kind.HANDLE, q, (single,), handle)
                return
            if p.shift and self._insert_vertex(single, q):
                return
        hit = shape_at(self.host.doc, q, self.host.screen_px(HIT_PX), self.host.pickable)
        if p.shift or p.ctrl:
            if hit is None:
                self._drag = _Drag(_Kind.BAND, q, additive=True)
            else:
                selection = self.host.selection
                self.host.select(tuple(i for i in selection if i != hit) if hit in selection else (*selection, hit))
            return
        if hit is None:
            self._drag = _Drag(_Kind.BAND, q)
            return
        grabbed_selected = any(a.shape.contains(q, self.host.screen_px(HIT_PX)) for a in self._movable())
        if not grabbed_selected:
            self.host.select((hit,))
        originals = self._movable()
        self._drag = _Drag(_Kind.MOVE, q, originals, click_select=hit if grabbed_selected else None)

    def move(self, p: Pointer) -> None:
        self._pointer = p.point
        drag = self._drag
        if drag is None:
            return
        if not drag.started and distance(p.point, drag.origin) >= self.host.screen_px(DRAG_PX):
            drag.started = True
        if not drag.started:
            return
        if drag.kind is _Kind.BAND:
            drag.band = Rect.from_corners(drag.origin, p.point)
        elif drag.kind is _Kind.HANDLE:
            a = drag.originals[0]
            vx, vy = a.shape.vertices()[drag.handle]  # keep the grab offset: the handle does not jump to the pointer
            target = self.host.clamp((p.x + vx - drag.origin[0], p.y + vy - drag.origin[1]))
            drag.preview = {a.id: dataclasses.replace(a, shape=a.shape.with_vertex(drag.handle, target))}
        elif drag.kind is _Kind.ROTATE:
            a = drag.originals[0]
            assert isinstance(a.shape, RotationHandled)
            angle = a.shape.angle_towards(p.point)
            if p.shift:
                angle = round(angle / SNAP_DEGREES) * SNAP_DEGREES
            drag.preview = {a.id: dataclasses.replace(a, shape=a.shape.with_angle(angle))}
        else:
            dx, dy = self.host.clamp_move(bounds_of(drag.originals), p.x - drag.origin[0], p.y - drag.origin[1])
            drag.preview = {a.id: dataclasses.replace(a, shape=a.shape.translated(dx, dy)) for a in drag.originals}

    def release(self, p: Pointer) -> None:
        drag = self._drag
        if p.button != Button.LEFT or drag is None:
            return
        self.move(p)
        self._drag = None
        if not drag.started:
            if drag.kind is _Kind.BAND and not drag.additive:
                self.host.select(())
            elif drag.click_select is not None:
                self.host.select((drag.click_select,))
        elif drag.kind is _Kind.BAND and drag.band is not None:
            inside = shapes_in(self.host.doc, drag.band, self.host.pickable)
            base = self.host.selection if drag.additive else ()
            self.host.select((*base, *(i for i in inside if i not in base)))
        else:
            self._commit(drag)

    def double_click(self, p: Pointer) -> None:
        single = self._single_selected()
        if p.button != Button.LEFT or single is None or not self._insert_vertex(single, p.point):
            self.press(p)

    def key(self, k: Key) -> bool:
        single = self._single_selected()
        if k.name not in ("Backspace", "q") or k.ctrl or single is None or self._pointer is None or self._drag:
            return False
        handle = handle_at(single.shape, self._pointer, self.host.screen_px(HANDLE_PX))
        if handle is None:
            return False
        if k.name == "Backspace":
            return self._delete_vertex(single, handle)
        return self._toggle_occluded(single, handle)

    def cancel(self) -> bool:
        was_dragging = self._drag is not None and self._drag.started
        self._drag = None
        return was_dragging

    def interrupt(self) -> None:
        self._drag = None

    def overlay(self) -> Overlay:
        drag = self._drag
        if drag is not None and drag.started:
            return Overlay(rubber_band=drag.band, cursor=_DRAG_CURSORS[drag.kind], preview=dict(drag.preview))
        if self._pointer is None:
            return Overlay()
        tolerance = self.host.screen_px(HANDLE_PX)
        hover_id = shape_at(self.host.doc, self._pointer, self.host.screen_px(HIT_PX), self.host.pickable)
        single = self._single_selected()
        rotation = self._rotation_handle(single) if single is not None else None
        on_rotation = rotation is not None and distance(self._pointer, rotation) <= tolerance
        handle = handle_at(single.shape, self._pointer, tolerance) if single is not None else None
        edge = edge_at(single.shape, self._pointer, tolerance) if single is not None and handle is None else None
        insert_point = edge[1] if edge is not None else None
        pointing = edge is not None or on_rotation
        cursor = "size" if handle is not None else "pointing" if pointing else "move" if hover_id else "arrow"
        return Overlay(
            hover_id=hover_id, hover_handle=handle, insert_point=insert_point, cursor=cursor, rotation_handle=rotation
        )

    def _single_selected(self) -> Annotation | None:
        """Handles and vertex edits apply only when exactly one shape is selected, and it is not hidden or locked."""
        selection = self.host.selection
        single = self.host.doc.get(selection[0]) if len(selection) == 1 else None
        return single if single is not None and self.host.pickable(single) else None

    def _movable(self) -> tuple[Annotation, ...]:
        """The selected shapes a drag moves: locked and hidden ones stay."""
        return tuple(a for a in (self.host.doc.get(i) for i in self.host.selection) if self.host.pickable(a))

    def _rotation_handle(self, a: Annotation) -> Point | None:
        if not isinstance(a.shape, RotationHandled):
            return None
        return a.shape.rotation_handle(self.host.screen_px(ROTATE_HANDLE_PX))

    def _commit(self, drag: _Drag) -> None:
        changed = tuple(a for a in drag.preview.values() if a.shape != self.host.doc.get(a.id).shape)
        if not changed:
            return
        if drag.kind is _Kind.HANDLE:
            if _too_small(changed[0]) and not _too_small(drag.originals[0]):
                return  # a shape that had a size is not resized to nothing (a point or flat line has none to lose)
            kind = changed[0].kind
            description = _HANDLE_EDITS.get(kind, "Move vertex")
        elif drag.kind is _Kind.ROTATE:
            description = "Rotate"
        else:
            description = "Move shape" if len(changed) == 1 else f"Move {len(changed)} shapes"
        self.host.execute(UpdateAnnotations(changed, description))

    def _insert_vertex(self, a: Annotation, q: Point) -> bool:
        """Insert a vertex on the edge under q and start dragging it; False when q is not on an edge."""
        edge = edge_at(a.shape, q, self.host.screen_px(HANDLE_PX))
        if edge is None or not isinstance(a.shape, VertexEditable):
            return False
        index, point = edge
        self.host.execute(
            UpdateAnnotations((dataclasses.replace(a, shape=a.shape.with_inserted(index, point)),), "Insert vertex")
        )
        self._drag = _Drag(_Kind.HANDLE, q, (self.host.doc.get(a.id),), index + 1)
        return True

    def _delete_vertex(self, a: Annotation, index: int) -> bool:
        """Delete a vertex of a vertex-editable shape, or mark a keypoint not labeled; refused (False) for boxes and
        at the minimum vertex count."""
        if isinstance(a.shape, Keypoints):
            if a.shape.count_labeled() <= 1:
                return False  # keypoints with none labeled are no shape: delete the annotation instead
            skipped = a.shape.with_visibility(index, Visibility.SKIPPED)
            self.host.execute(UpdateAnnotations((dataclasses.replace(a, shape=skipped),), "Skip keypoint"))
            return True
        shape = a.shape.without_vertex(index) if isinstance(a.shape, VertexEditable) else None
        if shape is None:
            return False
        self.host.execute(UpdateAnnotations((dataclasses.replace(a, shape=shape),), "Delete vertex"))
        return True

    def _toggle_occluded(self, a: Annotation, index: int) -> bool:
        """Q on a keypoint: visible <-> occluded."""
        if not isinstance(a.shape, Keypoints):
            return False
        shape = a.shape.with_visibility(index, toggled(a.shape.points[index][2]))
        self.host.execute(UpdateAnnotations((dataclasses.replace(a, shape=shape),), "Toggle occluded"))
        return True


_HANDLE_EDITS = {
    "box": "Resize box",
    "rotated_box": "Resize rotated box",
    "ellipse": "Resize ellipse",
    "keypoints": "Move keypoint",
    "point": "Move point",
}


def _too_small(a: Annotation) -> bool:
    bounds = a.shape.bounds()
    return bounds.width < MIN_SIZE or bounds.height < MIN_SIZE
