"""Annotation geometries as immutable values, registered by kind in one table.

A shape knows its bounds, how to hit-test and move itself, its editable vertices (the handles a tool drags) and how to
serialise itself. New kinds (rotated box, polyline, points, keypoints, masks, time segments) add a class and register
it with `@register_shape`; nothing else branches on the kind.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from core.geometry import Point, Rect, nearest_edge, point_in_polygon, polygon_area


class ShapeError(ValueError):
    """A geometry payload that cannot describe a valid shape."""


class Shape(Protocol):
    kind: ClassVar[str]

    def bounds(self) -> Rect: ...
    def area(self) -> float: ...
    def contains(self, p: Point, tolerance: float) -> bool: ...
    def translated(self, dx: float, dy: float) -> Shape: ...
    def vertices(self) -> tuple[Point, ...]: ...
    def with_vertex(self, index: int, p: Point) -> Shape: ...
    def to_json(self) -> list[float]: ...


SHAPE_KINDS: dict[str, Callable[[Any], Shape]] = {}


def register_shape[S: type](cls: S) -> S:
    """Add a shape class to the table that `shape_from_json` reads."""
    SHAPE_KINDS[cls.kind] = cls.from_json  # type: ignore[attr-defined]
    return cls


def shape_from_json(kind: str, data: Any) -> Shape:
    """Rebuild a shape from its kind and `to_json` payload; raises ShapeError on bad data."""
    try:
        factory = SHAPE_KINDS[kind]
    except KeyError:
        raise ShapeError(f"unknown shape type {kind!r}; known: {', '.join(sorted(SHAPE_KINDS))}") from None
    return factory(data)


def _finite_floats(data: Any, what: str) -> list[float]:
    if not isinstance(data, (list, tuple)):
        raise ShapeError(f"{what}: expected a list of numbers, got {type(data).__name__}")
    try:
        values = [float(v) for v in data]
    except (TypeError, ValueError):
        raise ShapeError(f"{what}: coordinates must be numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise ShapeError(f"{what}: coordinates must be finite")
    return values


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
        values = _finite_floats(data, "box")
        if len(values) != 4:
            raise ShapeError(f"box: expected [x, y, w, h], got {len(values)} numbers")
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
        values = _finite_floats(data, "polygon")
        if len(values) % 2:
            raise ShapeError("polygon: expected a flat list of x, y pairs, got an odd count")
        if len(values) < 2 * cls.min_vertices:
            raise ShapeError(f"polygon: needs at least {cls.min_vertices} vertices, got {len(values) // 2}")
        return cls(tuple(zip(values[::2], values[1::2], strict=True)))

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
