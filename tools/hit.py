"""Hit-testing in one place, so a spatial index can replace the linear scans without touching the tools."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from core.annotation import Annotation
from core.geometry import Point, Rect, nearest_edge, nearest_vertex
from core.shapes import Shape


@runtime_checkable
class VertexEditable(Protocol):
    """A shape whose vertices can be inserted and deleted (a polygon, not a box)."""

    def with_inserted(self, edge: int, p: Point) -> Shape: ...

    def without_vertex(self, index: int) -> Shape | None: ...


def shape_at(annotations: Sequence[Annotation], p: Point, tolerance: float) -> str | None:
    """Id of the topmost annotation under p: the last in drawing order wins. A linear scan for now."""
    return next((a.id for a in reversed(annotations) if a.shape.contains(p, tolerance)), None)


def shapes_in(annotations: Iterable[Annotation], band: Rect) -> list[str]:
    """Ids of the annotations lying wholly inside a rubber band, in drawing order."""
    result = []
    for a in annotations:
        b = a.shape.bounds()
        if band.x1 <= b.x1 and band.y1 <= b.y1 and b.x2 <= band.x2 and b.y2 <= band.y2:
            result.append(a.id)
    return result


def handle_at(shape: Shape, p: Point, tolerance: float) -> int | None:
    """Index of the vertex (handle) within `tolerance` of p, the nearest one if several."""
    index, d = nearest_vertex(p, shape.vertices())
    return index if index >= 0 and d <= tolerance else None


def edge_at(shape: Shape, p: Point, tolerance: float) -> tuple[int, Point] | None:
    """The edge of a vertex-editable shape within `tolerance` of p, and the point on it where a vertex would go."""
    if not isinstance(shape, VertexEditable):
        return None
    edge, q, d = nearest_edge(p, shape.vertices())
    return (edge, q) if edge >= 0 and d <= tolerance else None
