"""What the two-point tools share (box, ellipse, rotated box): press-drag-release, or click-move-click as in CVAT.

A subclass says which shape two points make. The tool stays active to keep drawing.
"""

from __future__ import annotations

from enum import Enum, auto

from core.document import AddAnnotations
from core.geometry import Point, distance
from core.shapes import Shape
from tools.base import DRAG_PX, MIN_SIZE, Overlay, Tool, ToolHost
from tools.events import Button, Pointer


class _State(Enum):
    IDLE = auto()
    PRESSED = auto()  # button down, not yet moved past the drag threshold
    DRAGGING = auto()  # press-drag-release
    PLACING = auto()  # first click done, the next click(s) place the rest


class DragShapeTool(Tool):
    cursor = "crosshair"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._state = _State.IDLE
        self._anchor: Point = (0.0, 0.0)
        self._current: Point = (0.0, 0.0)
        self._pressed_at: Point = (0.0, 0.0)
        self._shift = False

    @property
    def placing(self) -> bool:
        """The first click is done and the next click places the rest."""
        return self._state is _State.PLACING

    def shape_between(self, anchor: Point, current: Point, shift: bool) -> Shape:
        """The shape a drag from `anchor` to `current` makes (shift held or not)."""
        raise NotImplementedError

    def big_enough(self, shape: Shape) -> bool:
        bounds = shape.bounds()
        return bounds.width >= MIN_SIZE and bounds.height >= MIN_SIZE

    def placed(self, q: Point) -> None:
        """A click while placing: by default the second corner, which finishes the shape."""
        self.commit(self.shape_between(self._anchor, q, self._shift))

    def preview(self) -> Shape:
        """The shape to show while dragging or placing."""
        return self.shape_between(self._anchor, self._current, self._shift)

    def press(self, p: Pointer) -> None:
        if p.button != Button.LEFT:
            return
        self._shift = p.shift
        if self._state is _State.PLACING:
            self.placed(self.host.clamp(p.point))
            return
        self._state = _State.PRESSED
        self._anchor = self._current = self.host.clamp(p.point)
        self._pressed_at = p.point

    def move(self, p: Pointer) -> None:
        if self._state is _State.IDLE:
            return
        if self._state is _State.PRESSED and distance(p.point, self._pressed_at) >= self.host.screen_px(DRAG_PX):
            self._state = _State.DRAGGING
        self._current = self.host.clamp(p.point)
        self._shift = p.shift

    def release(self, p: Pointer) -> None:
        if p.button != Button.LEFT:
            return
        if self._state is _State.DRAGGING:
            self.commit(self.shape_between(self._anchor, self.host.clamp(p.point), p.shift))
        elif self._state is _State.PRESSED:
            self._state = _State.PLACING  # a click without a drag starts click-move-click

    def cancel(self) -> bool:
        was_drawing = self._state is not _State.IDLE
        self._state = _State.IDLE
        return was_drawing

    def overlay(self) -> Overlay:
        if self._state in (_State.DRAGGING, _State.PLACING):
            return Overlay(drawing=self.preview(), drawing_label=self.host.current_label, cursor=self.cursor)
        return Overlay(cursor=self.cursor)

    def commit(self, shape: Shape) -> None:
        """Add the shape unless it is too small (a slip), and select it."""
        self._state = _State.IDLE
        if not self.big_enough(shape):
            return
        annotation = self.host.new_annotation(shape)
        if annotation is not None:
            self.host.execute(AddAnnotations((annotation,), f"Draw {self.name.replace('_', ' ')}"))
            self.host.select((annotation.id,))
