"""The box tool: press-drag-release, or click-move-click as in CVAT. The tool stays active to keep drawing."""

from __future__ import annotations

from enum import Enum, auto

from core.document import AddAnnotations
from core.geometry import Point, Rect, distance
from core.shapes import Box
from tools.base import DRAG_PX, MIN_SIZE, Overlay, Tool, ToolHost
from tools.events import Button, Pointer


class _State(Enum):
    IDLE = auto()
    PRESSED = auto()  # button down, not yet moved past the drag threshold
    DRAGGING = auto()  # press-drag-release
    PLACING = auto()  # first click done, the next click sets the opposite corner


class BoxTool(Tool):
    name = "box"
    cursor = "crosshair"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._state = _State.IDLE
        self._anchor: Point = (0.0, 0.0)
        self._current: Point = (0.0, 0.0)
        self._pressed_at: Point = (0.0, 0.0)

    def press(self, p: Pointer) -> None:
        if p.button != Button.LEFT:
            return
        if self._state is _State.PLACING:
            self._finish(self.host.clamp(p.point))
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

    def release(self, p: Pointer) -> None:
        if p.button != Button.LEFT:
            return
        if self._state is _State.DRAGGING:
            self._finish(self.host.clamp(p.point))
        elif self._state is _State.PRESSED:
            self._state = _State.PLACING  # a click without a drag starts click-move-click

    def cancel(self) -> bool:
        was_drawing = self._state is not _State.IDLE
        self._state = _State.IDLE
        return was_drawing

    def overlay(self) -> Overlay:
        if self._state in (_State.DRAGGING, _State.PLACING):
            box = Box.from_rect(Rect.from_corners(self._anchor, self._current))
            return Overlay(drawing=box, drawing_label=self.host.current_label, cursor=self.cursor)
        return Overlay(cursor=self.cursor)

    def _finish(self, corner: Point) -> None:
        self._state = _State.IDLE
        box = Box.from_rect(Rect.from_corners(self._anchor, corner))
        if box.w < MIN_SIZE or box.h < MIN_SIZE:
            return
        annotation = self.host.new_annotation(box)
        if annotation is not None:
            self.host.execute(AddAnnotations((annotation,), "Draw box"))
            self.host.select((annotation.id,))
