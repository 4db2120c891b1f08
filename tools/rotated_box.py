"""The rotated box tool. A drag draws an axis-aligned box (angle 0), to be turned with the rotation handle or keys;
three clicks draw it turned: two for the first edge (which sets the angle), the third for the height."""

from __future__ import annotations

import math

from core.geometry import Point, Rect, distance
from core.shapes import RotatedBox, Shape
from tools.base import MIN_SIZE, ToolHost
from tools.drag_tool import DragShapeTool


def three_point_box(first: Point, second: Point, third: Point) -> RotatedBox:
    """The box with edge first -> second, reaching out to `third` (perpendicular to that edge)."""
    ex, ey = second[0] - first[0], second[1] - first[1]
    length = math.hypot(ex, ey)
    if length == 0:
        return RotatedBox(first[0], first[1], 0.0, 0.0)
    nx, ny = -ey / length, ex / length
    d = (third[0] - first[0]) * nx + (third[1] - first[1]) * ny
    return RotatedBox.from_corners(
        [first, second, (second[0] + nx * d, second[1] + ny * d), (first[0] + nx * d, first[1] + ny * d)]
    )


class RotatedBoxTool(DragShapeTool):
    name = "rotated_box"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._edge_end: Point | None = None  # the second click of three

    def shape_between(self, anchor: Point, current: Point, shift: bool) -> Shape:
        r = Rect.from_corners(anchor, current)
        return RotatedBox((r.x1 + r.x2) / 2, (r.y1 + r.y2) / 2, r.width, r.height, 0.0)

    def big_enough(self, shape: Shape) -> bool:
        assert isinstance(shape, RotatedBox)
        return shape.w >= MIN_SIZE and shape.h >= MIN_SIZE

    def placed(self, q: Point) -> None:
        if self._edge_end is None:
            if distance(q, self._anchor) >= MIN_SIZE:  # a second click on the first is a slip, not an edge
                self._edge_end = q
            return
        first, second, self._edge_end = self._anchor, self._edge_end, None
        self.commit(three_point_box(first, second, q))

    def preview(self) -> Shape:
        if self._edge_end is not None:
            return three_point_box(self._anchor, self._edge_end, self._current)
        if self.placing:
            return three_point_box(self._anchor, self._current, self._current)  # the first edge, no height yet
        return super().preview()

    def cancel(self) -> bool:
        self._edge_end = None
        return super().cancel()
