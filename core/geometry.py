"""Plain 2-D geometry on tuples of floats, shared by shapes, tools and formats.

Coordinates are image pixels with the origin at the top-left corner of the top-left pixel,
x to the right and y down (the COCO and Qt convention).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned rectangle given by its corners; always normalised (x1 <= x2, y1 <= y2)."""

    x1: float
    y1: float
    x2: float
    y2: float

    @classmethod
    def from_corners(cls, a: Point, b: Point) -> Rect:
        return cls(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))

    @classmethod
    def around(cls, points: Sequence[Point]) -> Rect:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return cls(min(xs), min(ys), max(xs), max(ys))

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def area(self) -> float:
        return self.width * self.height

    def contains(self, p: Point, margin: float = 0.0) -> bool:
        return (
            self.x1 - margin <= p[0] <= self.x2 + margin
            and self.y1 - margin <= p[1] <= self.y2 + margin
        )

    def intersects(self, other: Rect) -> bool:
        return not (
            other.x1 > self.x2 or other.x2 < self.x1 or other.y1 > self.y2 or other.y2 < self.y1
        )

    def intersection(self, other: Rect) -> Rect | None:
        x1, y1 = max(self.x1, other.x1), max(self.y1, other.y1)
        x2, y2 = min(self.x2, other.x2), min(self.y2, other.y2)
        if x1 > x2 or y1 > y2:
            return None
        return Rect(x1, y1, x2, y2)

    def corners(self) -> tuple[Point, Point, Point, Point]:
        """Corners clockwise from the top-left, the order resize handles use."""
        return ((self.x1, self.y1), (self.x2, self.y1), (self.x2, self.y2), (self.x1, self.y2))


def polygon_area(points: Sequence[Point]) -> float:
    """Unsigned area by the shoelace formula."""
    return abs(signed_area(points))


def signed_area(points: Sequence[Point]) -> float:
    """Shoelace area; positive when the vertices run clockwise on screen (y down)."""
    n = len(points)
    if n < 3:
        return 0.0
    total = 0.0
    for i in range(n):
        x1, y1 = points[i]
        x2, y2 = points[(i + 1) % n]
        total += x1 * y2 - x2 * y1
    return total / 2.0


def point_in_polygon(p: Point, points: Sequence[Point]) -> bool:
    """Even-odd rule ray casting; points exactly on an edge may fall either way."""
    x, y = p
    inside = False
    n = len(points)
    j = n - 1
    for i in range(n):
        xi, yi = points[i]
        xj, yj = points[j]
        if (yi > y) != (yj > y):
            x_cross = xi + (y - yi) * (xj - xi) / (yj - yi)
            if x < x_cross:
                inside = not inside
        j = i
    return inside


def distance(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def project_on_segment(p: Point, a: Point, b: Point) -> tuple[Point, float]:
    """The point of segment a-b closest to p, and its distance to p."""
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / length2))
    q = (ax + t * dx, ay + t * dy)
    return q, distance(p, q)


def nearest_edge(p: Point, points: Sequence[Point], closed: bool = True) -> tuple[int, Point, float]:
    """Index i of the edge (i, i+1) nearest to p, the nearest point on it and the distance."""
    best = (-1, p, math.inf)
    count = len(points) if closed else len(points) - 1
    for i in range(count):
        q, d = project_on_segment(p, points[i], points[(i + 1) % len(points)])
        if d < best[2]:
            best = (i, q, d)
    return best


def nearest_vertex(p: Point, points: Sequence[Point]) -> tuple[int, float]:
    """Index of the vertex nearest to p and its distance (-1, inf for no vertices)."""
    best = (-1, math.inf)
    for i, q in enumerate(points):
        d = distance(p, q)
        if d < best[1]:
            best = (i, d)
    return best


def segments_intersect(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segments a-b and c-d cross or touch."""

    def orient(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def on_segment(p: Point, q: Point, r: Point) -> bool:
        return min(p[0], r[0]) <= q[0] <= max(p[0], r[0]) and min(p[1], r[1]) <= q[1] <= max(p[1], r[1])

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if ((o1 > 0 and o2 < 0) or (o1 < 0 and o2 > 0)) and ((o3 > 0 and o4 < 0) or (o3 < 0 and o4 > 0)):
        return True
    return (
        (o1 == 0 and on_segment(a, c, b))
        or (o2 == 0 and on_segment(a, d, b))
        or (o3 == 0 and on_segment(c, a, d))
        or (o4 == 0 and on_segment(c, b, d))
    )


def is_simple_polygon(points: Sequence[Point]) -> bool:
    """True when no two non-adjacent edges of the closed polygon meet."""
    n = len(points)
    if n < 3:
        return False
    for i in range(n):
        a, b = points[i], points[(i + 1) % n]
        for j in range(i + 1, n):
            if j == i or (j + 1) % n == i or j == (i + 1) % n:
                continue
            if segments_intersect(a, b, points[j], points[(j + 1) % n]):
                return False
    return True


def clamp_point(p: Point, width: float, height: float) -> Point:
    """Keep a point inside the image rectangle [0, width] x [0, height]."""
    return (min(max(p[0], 0.0), width), min(max(p[1], 0.0), height))


def clamp_delta(bounds: Rect, dx: float, dy: float, width: float, height: float) -> tuple[float, float]:
    """Shrink a move (dx, dy) so that `bounds` stays inside the image, where it fits."""
    if bounds.x1 + dx < 0:
        dx = -bounds.x1
    if bounds.x2 + dx > width:
        dx = width - bounds.x2
    if bounds.y1 + dy < 0:
        dy = -bounds.y1
    if bounds.y2 + dy > height:
        dy = height - bounds.y2
    return dx, dy
