"""A whole-image tag: classification labels that need no geometry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from core.geometry import Point, Rect
from core.shapes.base import ShapeError, register_shape


@register_shape
@dataclass(frozen=True, slots=True)
class Tag:
    kind: ClassVar[str] = "tag"

    @classmethod
    def from_json(cls, data: Any) -> Tag:
        if data not in ([], None):
            raise ShapeError("tag: expected an empty payload")
        return cls()

    def bounds(self) -> Rect:
        return Rect(0, 0, 0, 0)

    def area(self) -> float:
        return 0.0

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        return False

    def translated(self, dx: float, dy: float) -> Tag:
        return self

    def vertices(self) -> tuple[Point, ...]:
        return ()

    def with_vertex(self, index: int, p: Point) -> Tag:
        raise ShapeError("tag: has no vertices")

    def to_json(self) -> list[float]:
        return []
