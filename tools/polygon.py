"""The polygon tool: click adds vertices; Enter, double-click or a click on the first vertex closes the shape."""

from __future__ import annotations

from core.geometry import Point, distance
from core.shapes import Polygon, Shape
from tools.base import HANDLE_PX
from tools.vertex_tool import VertexClickTool

MIN_AREA = 1.0  # square image pixels: a polygon this thin (e.g. collinear clicks) is discarded


class PolygonTool(VertexClickTool):
    name = "polygon"
    min_vertices = Polygon.min_vertices

    def make(self, points: tuple[Point, ...]) -> Shape:
        return Polygon.from_points(points)

    def degenerate(self, shape: Shape) -> bool:
        return shape.area() < MIN_AREA

    def closes_at(self, q: Point) -> bool:
        return len(self._points) >= self.min_vertices and distance(q, self._points[0]) <= self.host.screen_px(HANDLE_PX)
