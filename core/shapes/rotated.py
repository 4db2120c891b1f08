"""Shapes with an orientation: rotated box (YOLO OBB, DOTA, CVAT) and ellipse/circle.

Angles are in degrees, clockwise on screen (image y points down), the convention of CVAT and OpenCV's RotatedRect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from core.geometry import Point, Rect
from core.shapes.base import ShapeError, exact_values, register_shape


def _to_local(p: Point, cx: float, cy: float, angle: float) -> Point:
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    dx, dy = p[0] - cx, p[1] - cy
    return dx * c + dy * s, -dx * s + dy * c


def _to_world(lx: float, ly: float, cx: float, cy: float, angle: float) -> Point:
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return cx + lx * c - ly * s, cy + lx * s + ly * c


def _checked(values: list[float], what: str) -> list[float]:
    if values[2] < 0 or values[3] < 0:
        raise ShapeError(f"{what}: sizes must not be negative")
    values[4] = values[4] % 360.0
    return values


@register_shape
@dataclass(frozen=True, slots=True)
class RotatedBox:
    cx: float
    cy: float
    w: float
    h: float
    angle: float = 0.0
    kind: ClassVar[str] = "rotated_box"

    @classmethod
    def from_json(cls, data: Any) -> RotatedBox:
        return cls(*_checked(exact_values(data, 5, cls.kind, "[cx, cy, w, h, angle]"), cls.kind))

    @classmethod
    def from_corners(cls, corners: list[Point]) -> RotatedBox:
        """From four corners in order (as YOLO OBB and DOTA store them); the first edge sets the angle."""
        (x1, y1), (x2, y2), (x3, y3) = corners[0], corners[1], corners[2]
        w, h = math.hypot(x2 - x1, y2 - y1), math.hypot(x3 - x2, y3 - y2)
        cx, cy = sum(p[0] for p in corners) / 4, sum(p[1] for p in corners) / 4
        return cls(cx, cy, w, h, math.degrees(math.atan2(y2 - y1, x2 - x1)) % 360.0)

    def bounds(self) -> Rect:
        return Rect.around(self.vertices())

    def area(self) -> float:
        return self.w * self.h

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        lx, ly = _to_local(p, self.cx, self.cy, self.angle)
        return abs(lx) <= self.w / 2 + tolerance and abs(ly) <= self.h / 2 + tolerance

    def translated(self, dx: float, dy: float) -> RotatedBox:
        return replace(self, cx=self.cx + dx, cy=self.cy + dy)

    def vertices(self) -> tuple[Point, ...]:
        """Corners clockwise from the box's own top-left."""
        hw, hh = self.w / 2, self.h / 2
        return tuple(_to_world(lx, ly, self.cx, self.cy, self.angle) for lx, ly in
                     ((-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)))

    def with_vertex(self, index: int, p: Point) -> RotatedBox:
        """Drag one corner; the opposite corner stays and the angle is kept."""
        opposite = self.vertices()[(index + 2) % 4]
        lx, ly = _to_local(p, opposite[0], opposite[1], self.angle)
        cx, cy = (p[0] + opposite[0]) / 2, (p[1] + opposite[1]) / 2
        return RotatedBox(cx, cy, abs(lx), abs(ly), self.angle)

    def with_angle(self, angle: float) -> RotatedBox:
        return replace(self, angle=angle % 360.0)

    def rotation_handle(self, distance: float) -> Point:
        """Where a rotation handle sits: `distance` above the middle of the top edge."""
        return _to_world(0.0, -self.h / 2 - distance, self.cx, self.cy, self.angle)

    def angle_towards(self, p: Point) -> float:
        """The angle that puts the rotation handle in the direction of p."""
        return (math.degrees(math.atan2(p[1] - self.cy, p[0] - self.cx)) + 90.0) % 360.0

    def to_json(self) -> list[float]:
        return [self.cx, self.cy, self.w, self.h, self.angle]


@register_shape
@dataclass(frozen=True, slots=True)
class Ellipse:
    """Ellipse by centre, radii and angle; a circle when rx == ry."""

    cx: float
    cy: float
    rx: float
    ry: float
    angle: float = 0.0
    kind: ClassVar[str] = "ellipse"

    @classmethod
    def from_json(cls, data: Any) -> Ellipse:
        return cls(*_checked(exact_values(data, 5, cls.kind, "[cx, cy, rx, ry, angle]"), cls.kind))

    def bounds(self) -> Rect:
        c, s = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        hx = math.hypot(self.rx * c, self.ry * s)
        hy = math.hypot(self.rx * s, self.ry * c)
        return Rect(self.cx - hx, self.cy - hy, self.cx + hx, self.cy + hy)

    def area(self) -> float:
        return math.pi * self.rx * self.ry

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        lx, ly = _to_local(p, self.cx, self.cy, self.angle)
        rx, ry = self.rx + tolerance, self.ry + tolerance
        return rx > 0 and ry > 0 and (lx / rx) ** 2 + (ly / ry) ** 2 <= 1.0

    def translated(self, dx: float, dy: float) -> Ellipse:
        return replace(self, cx=self.cx + dx, cy=self.cy + dy)

    def vertices(self) -> tuple[Point, ...]:
        """The ends of the axes: right, bottom, left, top in the ellipse's own frame."""
        return tuple(_to_world(lx, ly, self.cx, self.cy, self.angle) for lx, ly in
                     ((self.rx, 0.0), (0.0, self.ry), (-self.rx, 0.0), (0.0, -self.ry)))

    def with_vertex(self, index: int, p: Point) -> Ellipse:
        """Drag an axis end: changes that radius only, symmetrically about the centre."""
        lx, ly = _to_local(p, self.cx, self.cy, self.angle)
        if index % 2 == 0:
            return replace(self, rx=abs(lx))
        return replace(self, ry=abs(ly))

    def with_angle(self, angle: float) -> Ellipse:
        return replace(self, angle=angle % 360.0)

    def to_json(self) -> list[float]:
        return [self.cx, self.cy, self.rx, self.ry, self.angle]
