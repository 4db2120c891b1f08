"""The shape protocol and the table of shape kinds.

A shape knows its bounds, how to hit-test and move itself, its editable vertices (the handles a tool drags) and how to
serialise itself. New kinds (rotated box, polyline, points, keypoints, masks, time segments) add a class and register
it with `@register_shape`; nothing else branches on the kind.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from core.geometry import Point, Rect


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
    def to_json(self) -> Any: ...  # JSON-ready payload that `shape_from_json(kind, payload)` reads back


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


def finite_floats(data: Any, what: str) -> list[float]:
    if not isinstance(data, (list, tuple)):
        raise ShapeError(f"{what}: expected a list of numbers, got {type(data).__name__}")
    try:
        values = [float(v) for v in data]
    except (TypeError, ValueError):
        raise ShapeError(f"{what}: coordinates must be numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise ShapeError(f"{what}: coordinates must be finite")
    return values




def exact_values(data: Any, count: int, what: str, layout: str) -> list[float]:
    """`count` finite numbers, or a ShapeError that shows the expected layout."""
    values = finite_floats(data, what)
    if len(values) != count:
        raise ShapeError(f"{what}: expected {layout}, got {len(values)} numbers")
    return values


def point_pairs(data: Any, what: str, minimum: int) -> tuple[Point, ...]:
    """A flat [x1, y1, x2, y2, ...] list as points, with at least `minimum` of them."""
    values = finite_floats(data, what)
    if len(values) % 2:
        raise ShapeError(f"{what}: expected a flat list of x, y pairs, got an odd count")
    if len(values) < 2 * minimum:
        raise ShapeError(f"{what}: needs at least {minimum} vertices, got {len(values) // 2}")
    return tuple(zip(values[::2], values[1::2], strict=True))
