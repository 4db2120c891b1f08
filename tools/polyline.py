"""The polyline tool: an open path (lanes, wires); click adds vertices, Enter or double-click finishes (>= 2)."""

from __future__ import annotations

import itertools

from core.geometry import Point, distance
from core.shapes import Polyline, Shape
from tools.base import MIN_SIZE
from tools.vertex_tool import VertexClickTool


class PolylineTool(VertexClickTool):
    name = "polyline"
    min_vertices = Polyline.min_vertices

    def make(self, points: tuple[Point, ...]) -> Shape:
        return Polyline(points)

    def degenerate(self, shape: Shape) -> bool:
        """Shorter than MIN_SIZE along its whole length: a slip, not a line."""
        points = shape.vertices()
        return sum(distance(a, b) for a, b in itertools.pairwise(points)) < MIN_SIZE
