"""The ellipse tool: drag (or click, move, click) from the centre; with Shift held the shape is a circle."""

from __future__ import annotations

import math

from core.geometry import Point
from core.shapes import Ellipse, Shape
from tools.drag_tool import DragShapeTool


class EllipseTool(DragShapeTool):
    name = "ellipse"

    def shape_between(self, anchor: Point, current: Point, shift: bool) -> Shape:
        """Axis-aligned, through the corner of the box dragged out from the centre; a circle through the pointer."""
        dx, dy = current[0] - anchor[0], current[1] - anchor[1]
        if shift:
            r = math.hypot(dx, dy)
            return Ellipse(anchor[0], anchor[1], r, r)
        return Ellipse(anchor[0], anchor[1], abs(dx), abs(dy))
