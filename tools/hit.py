"""Hit-testing in one place: which shape is under the pointer, which lie inside a rubber band, which handle or edge.

With 100,000 shapes a linear scan costs tens of milliseconds per mouse move, so a document's shapes are kept in a
`SpatialIndex` (a multi-level grid over their bounds) that follows the document's changes as they happen: a query
looks at a few grid cells and tests only the shapes there.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

from core.annotation import Annotation
from core.document import AnnotationDoc, Change, ChangeOp
from core.geometry import Point, Rect, nearest_edge, nearest_vertex
from core.shapes import Keypoints, Shape

BASE_CELL = 32.0  # image pixels: the finest grid; each coarser level has cells 4 times wider
LEVELS = 12  # the coarsest cell is 32 * 4**11 px wide, more than any image
Cell = tuple[int, int]
Accept = Callable[[Annotation], bool]  # which annotations a query may return (e.g. not hidden, not locked)


@runtime_checkable
class VertexEditable(Protocol):
    """A shape whose vertices can be inserted and deleted (a polygon, not a box)."""

    def with_inserted(self, edge: int, p: Point) -> Shape: ...

    def without_vertex(self, index: int) -> Shape | None: ...


class SpatialIndex:
    """Annotations by their bounds, for point and rectangle queries that touch only nearby shapes.

    Each shape sits in the grid level whose cells are at least as wide as the shape, so it covers at most 2 x 2
    cells: adding, moving or deleting one shape is O(1) whatever its size. The index also keeps each shape's place
    in drawing order, because the topmost shape under the pointer wins.
    """

    def __init__(self, annotations: Iterable[Annotation] = ()) -> None:
        self._cells: list[dict[Cell, set[str]]] = [{} for _ in range(LEVELS)]
        self._level_ids: list[set[str]] = [set() for _ in range(LEVELS)]
        self._where: dict[str, tuple[int, tuple[Cell, ...]]] = {}
        self._items: dict[str, Annotation] = {}
        self._bounds: dict[str, Rect] = {}
        self._order: dict[str, int] = {}
        self._next_order = 0
        self._doc: weakref.ref[AnnotationDoc] | None = None
        self._order_stale = False
        for a in annotations:
            self.put(a)

    @classmethod
    def following(cls, doc: AnnotationDoc) -> SpatialIndex:
        """An index of `doc` that applies each of the document's changes as it happens."""
        index = cls(doc)
        index._doc = weakref.ref(doc)  # a weak reference: the document owns the index, not the other way round
        doc.listen(index.apply)
        return index

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._items

    def bounds(self, annotation_id: str) -> Rect:
        return self._bounds[annotation_id]

    def annotation(self, annotation_id: str) -> Annotation:
        return self._items[annotation_id]

    # --- changes --------------------------------------------------------------------------------------------------

    def apply(self, change: Change, inserted: bool = False) -> None:
        """Follow one document change; `inserted` means it went somewhere other than the end of the drawing order."""
        if change.op is ChangeOp.DELETE:
            self.discard(change.annotation.id)
            return
        self.put(change.annotation)
        if inserted:
            self._order_stale = True  # the drawing order of the others shifted: renumber lazily from the document

    def put(self, annotation: Annotation) -> None:
        """Add an annotation at the top of the drawing order, or replace one in place."""
        annotation_id = annotation.id
        if annotation_id in self._items:
            self._unlink(annotation_id)
        else:
            self._order[annotation_id] = self._next_order
            self._next_order += 1
        bounds = annotation.shape.bounds()
        level = _level_for(bounds)
        cell = BASE_CELL * 4.0**level
        x0, x1 = math.floor(bounds.x1 / cell), math.floor(bounds.x2 / cell)
        y0, y1 = math.floor(bounds.y1 / cell), math.floor(bounds.y2 / cell)
        if x0 == x1 and y0 == y1:
            cells: tuple[Cell, ...] = ((x0, y0),)
        else:
            cells = tuple((ix, iy) for ix in range(x0, x1 + 1) for iy in range(y0, y1 + 1))
        grid = self._cells[level]
        for key in cells:
            members = grid.get(key)
            if members is None:
                grid[key] = {annotation_id}
            else:
                members.add(annotation_id)
        self._level_ids[level].add(annotation_id)
        self._where[annotation_id] = (level, cells)
        self._items[annotation_id] = annotation
        self._bounds[annotation_id] = bounds

    def discard(self, annotation_id: str) -> None:
        if annotation_id in self._items:
            self._unlink(annotation_id)
            del self._items[annotation_id], self._bounds[annotation_id], self._order[annotation_id]

    def _unlink(self, annotation_id: str) -> None:
        level, cells = self._where.pop(annotation_id)
        grid = self._cells[level]
        for key in cells:
            members = grid[key]
            members.discard(annotation_id)
            if not members:
                del grid[key]
        self._level_ids[level].discard(annotation_id)

    # --- queries --------------------------------------------------------------------------------------------------

    def candidates(self, rect: Rect) -> set[str]:
        """Ids of the annotations whose bounds intersect `rect`."""
        found: set[str] = set()
        for level in range(LEVELS):
            ids = self._level_ids[level]
            if not ids:
                continue
            cell = BASE_CELL * 4.0**level
            x0, x1 = math.floor(rect.x1 / cell), math.floor(rect.x2 / cell)
            y0, y1 = math.floor(rect.y1 / cell), math.floor(rect.y2 / cell)
            if (x1 - x0 + 1) * (y1 - y0 + 1) > len(ids):
                found.update(ids)  # a rectangle wider than this level's population: scanning it is cheaper
                continue
            grid = self._cells[level]
            for ix in range(x0, x1 + 1):
                for iy in range(y0, y1 + 1):
                    members = grid.get((ix, iy))
                    if members:
                        found.update(members)
        bounds = self._bounds
        return {i for i in found if bounds[i].intersects(rect)}

    def at(self, p: Point, tolerance: float, accept: Accept | None = None) -> str | None:
        """Id of the topmost annotation under p (within `tolerance`) that `accept` takes, or None."""
        x, y = p
        pad = tolerance + 1e-6  # bounds must not be stricter than `contains` when rounding differs
        near = self.candidates(Rect(x - pad, y - pad, x + pad, y + pad))
        for annotation_id in sorted(near, key=self._stacking(), reverse=True):
            a = self._items[annotation_id]
            if (accept is None or accept(a)) and a.shape.contains(p, tolerance):
                return annotation_id
        return None

    def inside(self, band: Rect, accept: Accept | None = None) -> list[str]:
        """Ids of the annotations lying wholly inside `band` that `accept` takes, in drawing order."""
        bounds = self._bounds
        ids = [
            i for i in self.candidates(band) if _within(bounds[i], band) and (accept is None or accept(self._items[i]))
        ]
        return sorted(ids, key=self._stacking())

    def _stacking(self) -> Callable[[str], tuple[int, int]]:
        """Sort key of drawing order: by z, then by place in the document (as the document iterates)."""
        order, items = self._ordering(), self._items
        return lambda annotation_id: (items[annotation_id].z, order[annotation_id])

    def _ordering(self) -> dict[str, int]:
        doc = self._doc() if self._doc is not None else None
        if self._order_stale and doc is not None:
            self._order = {annotation_id: n for n, annotation_id in enumerate(doc.ids())}
            self._next_order = len(self._order)
        self._order_stale = False
        return self._order


def _level_for(bounds: Rect) -> int:
    """The finest grid level whose cells are at least as wide and tall as `bounds`."""
    size = max(bounds.x2 - bounds.x1, bounds.y2 - bounds.y1)
    level, cell = 0, BASE_CELL
    while size > cell and level < LEVELS - 1:
        level, cell = level + 1, cell * 4.0
    return level


_INDEXES: weakref.WeakKeyDictionary[AnnotationDoc, SpatialIndex] = weakref.WeakKeyDictionary()


def index_of(doc: AnnotationDoc) -> SpatialIndex:
    """The spatial index of a document: built on first use (O(n)), then kept current by the document's changes."""
    index = _INDEXES.get(doc)
    if index is None:
        index = _INDEXES[doc] = SpatialIndex.following(doc)
    return index


def shape_at(
    annotations: AnnotationDoc | Sequence[Annotation], p: Point, tolerance: float, accept: Accept | None = None
) -> str | None:
    """Id of the topmost annotation under p that `accept` takes (hidden and locked shapes are not picked): the last
    in drawing order wins. A document answers from its index."""
    if isinstance(annotations, AnnotationDoc):
        return index_of(annotations).at(p, tolerance, accept)
    return next(
        (a.id for a in reversed(annotations) if (accept is None or accept(a)) and a.shape.contains(p, tolerance)), None
    )


def shapes_in(annotations: AnnotationDoc | Iterable[Annotation], band: Rect, accept: Accept | None = None) -> list[str]:
    """Ids of the annotations lying wholly inside a rubber band that `accept` takes, in drawing order."""
    if isinstance(annotations, AnnotationDoc):
        return index_of(annotations).inside(band, accept)
    return [a.id for a in annotations if _within(a.shape.bounds(), band) and (accept is None or accept(a))]


def _within(b: Rect, band: Rect) -> bool:
    return band.x1 <= b.x1 and band.y1 <= b.y1 and b.x2 <= band.x2 and b.y2 <= band.y2


def handle_at(shape: Shape, p: Point, tolerance: float) -> int | None:
    """Index of the vertex (handle) within `tolerance` of p, the nearest one if several."""
    vertices = shape.vertices()
    if isinstance(shape, Keypoints):  # a skipped keypoint has no place on the image, so no handle
        far = (math.inf, math.inf)
        vertices = tuple(v if point[2] else far for v, point in zip(vertices, shape.points, strict=True))
    index, d = nearest_vertex(p, vertices)
    return index if index >= 0 and d <= tolerance else None


def edge_at(shape: Shape, p: Point, tolerance: float) -> tuple[int, Point] | None:
    """The edge of a vertex-editable shape within `tolerance` of p, and the point on it where a vertex would go."""
    if not isinstance(shape, VertexEditable):
        return None
    edge, q, d = nearest_edge(p, shape.vertices())
    return (edge, q) if edge >= 0 and d <= tolerance else None
