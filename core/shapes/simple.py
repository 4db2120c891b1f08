"""Vertex shapes: box, polygon, polyline and points."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from core.geometry import Point, Rect, nearest_edge, point_in_polygon, polygon_area
from core.shapes.base import ShapeError, exact_values, point_pairs, register_shape


@register_shape
@dataclass(frozen=True, slots=True)
class Box:
    """Axis-aligned box; x, y is the top-left corner."""

    x: float
    y: float
    w: float
    h: float
    kind: ClassVar[str] = "box"

    @classmethod
    def from_rect(cls, r: Rect) -> Box:
        return cls(r.x1, r.y1, r.width, r.height)

    @classmethod
    def from_json(cls, data: Any) -> Box:
        values = exact_values(data, 4, "box", "[x, y, w, h]")
        if values[2] < 0 or values[3] < 0:
            raise ShapeError("box: width and height must not be negative")
        return cls(*values)

    def rect(self) -> Rect:
        return Rect(self.x, self.y, self.x + self.w, self.y + self.h)

    def bounds(self) -> Rect:
        return self.rect()

    def area(self) -> float:
        return self.w * self.h

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        return self.rect().contains(p, tolerance)

    def translated(self, dx: float, dy: float) -> Box:
        return Box(self.x + dx, self.y + dy, self.w, self.h)

    def vertices(self) -> tuple[Point, ...]:
        return self.rect().corners()

    def with_vertex(self, index: int, p: Point) -> Box:
        """Move one corner; the opposite corner stays, so dragging past it flips the box."""
        opposite = self.rect().corners()[(index + 2) % 4]
        return Box.from_rect(Rect.from_corners(opposite, p))

    def to_json(self) -> list[float]:
        return [self.x, self.y, self.w, self.h]


@register_shape
@dataclass(frozen=True, slots=True)
class Polygon:
    """Closed polygon; the last vertex joins the first."""

    points: tuple[Point, ...]
    kind: ClassVar[str] = "polygon"
    min_vertices: ClassVar[int] = 3

    @classmethod
    def from_json(cls, data: Any) -> Polygon:
        return cls(point_pairs(data, cls.kind, cls.min_vertices))

    @classmethod
    def from_points(cls, points: Sequence[Point]) -> Polygon:
        return cls(tuple((float(x), float(y)) for x, y in points))

    def bounds(self) -> Rect:
        return Rect.around(self.points)

    def area(self) -> float:
        return polygon_area(self.points)

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        if not self.bounds().contains(p, tolerance):
            return False
        if point_in_polygon(p, self.points):
            return True
        return tolerance > 0 and nearest_edge(p, self.points)[2] <= tolerance

    def translated(self, dx: float, dy: float) -> Polygon:
        return Polygon(tuple((x + dx, y + dy) for x, y in self.points))

    def vertices(self) -> tuple[Point, ...]:
        return self.points

    def with_vertex(self, index: int, p: Point) -> Polygon:
        points = list(self.points)
        points[index] = p
        return Polygon(tuple(points))

    def with_inserted(self, edge: int, p: Point) -> Polygon:
        """Insert a vertex after vertex `edge`, on the edge (edge, edge + 1)."""
        points = list(self.points)
        points.insert(edge + 1, p)
        return Polygon(tuple(points))

    def without_vertex(self, index: int) -> Polygon | None:
        """The polygon without one vertex, or None when too few would remain."""
        if len(self.points) <= self.min_vertices:
            return None
        return Polygon(self.points[:index] + self.points[index + 1 :])

    def to_json(self) -> list[float]:
        return [c for p in self.points for c in p]


@register_shape
@dataclass(frozen=True, slots=True)
class Polyline:
    """Open path (lanes, wires, edges); hit only near its segments."""

    points: tuple[Point, ...]
    kind: ClassVar[str] = "polyline"
    min_vertices: ClassVar[int] = 2

    @classmethod
    def from_json(cls, data: Any) -> Polyline:
        return cls(point_pairs(data, cls.kind, cls.min_vertices))

    def bounds(self) -> Rect:
        return Rect.around(self.points)

    def area(self) -> float:
        return 0.0

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        return nearest_edge(p, self.points, closed=False)[2] <= max(tolerance, 1e-9)

    def translated(self, dx: float, dy: float) -> Polyline:
        return Polyline(tuple((x + dx, y + dy) for x, y in self.points))

    def vertices(self) -> tuple[Point, ...]:
        return self.points

    def with_vertex(self, index: int, p: Point) -> Polyline:
        points = list(self.points)
        points[index] = p
        return Polyline(tuple(points))

    def with_inserted(self, edge: int, p: Point) -> Polyline:
        points = list(self.points)
        points.insert(edge + 1, p)
        return Polyline(tuple(points))

    def without_vertex(self, index: int) -> Polyline | None:
        if len(self.points) <= self.min_vertices:
            return None
        return Polyline(self.points[:index] + self.points[index + 1 :])

    def to_json(self) -> list[float]:
        return [c for p in self.points for c in p]


@register_shape
@dataclass(frozen=True, slots=True)
class PointShape:
    """A single point (landmarks, object centres)."""

    x: float
    y: float
    kind: ClassVar[str] = "point"

    @classmethod
    def from_json(cls, data: Any) -> PointShape:
        return cls(*exact_values(data, 2, cls.kind, "[x, y]"))

    def bounds(self) -> Rect:
        return Rect(self.x, self.y, self.x, self.y)

    def area(self) -> float:
        return 0.0

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        return math.hypot(p[0] - self.x, p[1] - self.y) <= max(tolerance, 1e-9)

    def translated(self, dx: float, dy: float) -> PointShape:
        return PointShape(self.x + dx, self.y + dy)

    def vertices(self) -> tuple[Point, ...]:
        return ((self.x, self.y),)

    def with_vertex(self, index: int, p: Point) -> PointShape:
        return PointShape(*p)

    def to_json(self) -> list[float]:
        return [self.x, self.y]
