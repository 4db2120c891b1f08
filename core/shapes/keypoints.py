"""Keypoints of one object (COCO keypoints, YOLO pose), in the order of the label's skeleton template.

Each point carries COCO's visibility flag: 0 = not labeled (skipped), 1 = labeled but occluded, 2 = visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

from core.geometry import Point, Rect
from core.shapes.base import ShapeError, finite_floats, register_shape


class Visibility(IntEnum):
    SKIPPED = 0
    OCCLUDED = 1
    VISIBLE = 2


Keypoint = tuple[float, float, Visibility]


@register_shape
@dataclass(frozen=True, slots=True)
class Keypoints:
    points: tuple[Keypoint, ...]
    kind: ClassVar[str] = "keypoints"

    @classmethod
    def from_json(cls, data: Any) -> Keypoints:
        """From COCO's flat [x1, y1, v1, x2, y2, v2, ...]."""
        values = finite_floats(data, cls.kind)
        if not values or len(values) % 3:
            raise ShapeError(f"{cls.kind}: expected a flat list of x, y, visibility triples")
        points = []
        for i in range(0, len(values), 3):
            v = values[i + 2]
            if v not in (0, 1, 2):
                raise ShapeError(f"{cls.kind}: point {i // 3}: visibility must be 0, 1 or 2, got {v:g}")
            points.append((values[i], values[i + 1], Visibility(int(v))))
        return cls(tuple(points))

    @classmethod
    def empty(cls, count: int) -> Keypoints:
        return cls(tuple((0.0, 0.0, Visibility.SKIPPED) for _ in range(count)))

    def labeled(self) -> list[Point]:
        return [(x, y) for x, y, v in self.points if v]

    def count_labeled(self) -> int:
        return sum(1 for p in self.points if p[2])

    def bounds(self) -> Rect:
        labeled = self.labeled()
        return Rect.around(labeled) if labeled else Rect(0, 0, 0, 0)

    def area(self) -> float:
        return self.bounds().area

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        return any(math.hypot(p[0] - x, p[1] - y) <= max(tolerance, 1e-9) for x, y in self.labeled())

    def translated(self, dx: float, dy: float) -> Keypoints:
        return Keypoints(tuple((x + dx, y + dy, v) if v else (x, y, v) for x, y, v in self.points))

    def vertices(self) -> tuple[Point, ...]:
        """Every template slot, skipped ones too, so a handle index is the keypoint index."""
        return tuple((x, y) for x, y, _ in self.points)

    def with_vertex(self, index: int, p: Point) -> Keypoints:
        """Place or move one keypoint; a skipped point becomes visible."""
        v = self.points[index][2] or Visibility.VISIBLE
        return self.with_point(index, (p[0], p[1], v))

    def with_point(self, index: int, point: Keypoint) -> Keypoints:
        points = list(self.points)
        points[index] = point
        return Keypoints(tuple(points))

    def with_visibility(self, index: int, visibility: Visibility) -> Keypoints:
        x, y, _ = self.points[index]
        return self.with_point(index, (x, y, visibility) if visibility else (0.0, 0.0, Visibility.SKIPPED))

    def to_json(self) -> list[float]:
        return [c for x, y, v in self.points for c in (x, y, int(v))]
