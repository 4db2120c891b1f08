"""The box tool: press-drag-release, or click-move-click as in CVAT."""

from __future__ import annotations

from core.geometry import Point, Rect
from core.shapes import Box, Shape
from tools.drag_tool import DragShapeTool


class BoxTool(DragShapeTool):
    name = "box"

    def shape_between(self, anchor: Point, current: Point, shift: bool) -> Shape:
        return Box.from_rect(Rect.from_corners(anchor, current))
