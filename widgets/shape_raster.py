"""Many shapes drawn into a numpy image with a handful of OpenCV calls, for the batched annotation layer.

One QPainter call per shape costs 5-12 us in Python, so 10,000 shapes take 50-120 ms a frame. Here the vertices live
in numpy arrays grouped by (colour, style, vertex count), and one `cv2.polylines` call draws a whole group: 10,000
outlines in about 10 ms. Updating one shape writes one slot of its group's arrays, so an edit costs O(1), and a
render culls by bounds with vectorised comparisons before drawing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from core.geometry import Point, Rect

# Shape kinds drawn as the outline through their vertices, and whether that outline is closed. Other kinds (points,
# keypoints, ellipses, masks, ...) keep their own graphics items, which know how to draw them.
BATCH_KINDS: dict[str, bool] = {"box": True, "polygon": True, "rotated_box": True, "polyline": False}
FILL_ALPHA = 64  # as the per-item style: translucent label colour inside human shapes
MODEL_FILL_ALPHA = 20
MODEL_LINE_ALPHA = 170  # predictions: a fainter, thinner outline (the items' dotted pen is too costly here)
_MAX_COORD = 1 << 24  # device pixels; clipped so no conversion to int32 can overflow at extreme zoom

BGR = tuple[int, int, int]


@dataclass(eq=False)
class _Group:
    """Shapes of one colour and style with up to `width` vertices (shorter ones repeat their last vertex)."""

    color: BGR
    model: bool
    closed: bool
    width: int
    points: np.ndarray = field(init=False)  # (capacity, width, 2) float64 image coordinates
    boxes: np.ndarray = field(init=False)  # (capacity, 4) x1, y1, x2, y2
    alive: np.ndarray = field(init=False)  # (capacity,) bool
    ids: list[str | None] = field(default_factory=list)
    free: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.points = np.zeros((0, self.width, 2))
        self.boxes = np.zeros((0, 4))
        self.alive = np.zeros(0, bool)

    def take_slot(self, annotation_id: str) -> int:
        if self.free:
            slot = self.free.pop()
            self.ids[slot] = annotation_id
            return slot
        return self.append_slots([annotation_id])

    def append_slots(self, ids: Sequence[str]) -> int:
        """Slots for `ids` at the end (growing by doubling: amortised O(1) a shape); returns the first."""
        start = len(self.ids)
        if start + len(ids) > len(self.alive):
            capacity = max(16, 2 * (start + len(ids)))
            self.points = np.resize(self.points, (capacity, self.width, 2))
            self.boxes = np.resize(self.boxes, (capacity, 4))
            alive = np.zeros(capacity, bool)
            alive[:start] = self.alive[:start]
            self.alive = alive
        self.ids.extend(ids)
        return start


Entry = tuple[str, Sequence[Point], BGR, bool, bool]  # id, vertices, colour, model, closed


class ShapeRaster:
    """The outlines (and, up close, fills) of many shapes, kept in a form OpenCV draws in bulk."""

    def __init__(self) -> None:
        self._groups: dict[tuple[BGR, bool, bool, int], _Group] = {}
        self._slots: dict[str, tuple[_Group, int]] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._slots

    def add_many(self, entries: Iterable[Entry]) -> None:
        """Add many shapes not yet here (a task opening): one array write per group instead of one per shape."""
        pending: dict[_Group, list[tuple[str, Sequence[Point]]]] = {}
        for annotation_id, vertices, color, model, closed in entries:
            if vertices:
                group = self._group(len(vertices), color, model, closed)
                pending.setdefault(group, []).append((annotation_id, vertices))
        for group, shapes in pending.items():
            width = group.width
            points = np.array([[*v, *[v[-1]] * (width - len(v))] for _, v in shapes], dtype=np.float64)
            start = group.append_slots([i for i, _ in shapes])
            end = start + len(shapes)
            group.points[start:end] = points
            group.boxes[start:end, :2] = points.min(axis=1)
            group.boxes[start:end, 2:] = points.max(axis=1)
            group.alive[start:end] = True
            self._slots.update((i, (group, start + n)) for n, (i, _) in enumerate(shapes))

    def set(self, annotation_id: str, vertices: Sequence[Point], color: BGR, *, model: bool, closed: bool) -> None:
        """Add a shape or replace one (same id); O(1)."""
        if not vertices:
            self.discard(annotation_id)
            return
        group = self._group(len(vertices), color, model, closed)
        current = self._slots.get(annotation_id)
        if current is not None and current[0] is not group:
            self.discard(annotation_id)
            current = None
        slot = current[1] if current is not None else group.take_slot(annotation_id)
        points = np.asarray(vertices, dtype=np.float64)
        group.points[slot, : len(points)] = points
        group.points[slot, len(points) :] = points[-1]
        group.boxes[slot] = (*points.min(axis=0), *points.max(axis=0))
        group.alive[slot] = True
        self._slots[annotation_id] = (group, slot)

    def _group(self, vertex_count: int, color: BGR, model: bool, closed: bool) -> _Group:
        width = 4 if vertex_count <= 4 else 1 << (vertex_count - 1).bit_length()
        key = (color, model, closed, width)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(color, model, closed, width)
        return group

    def extent(self) -> Rect | None:
        """Bounds of all the shapes, or None when there are none."""
        boxes = [g.boxes[: len(g.ids)][g.alive[: len(g.ids)]] for g in self._groups.values()]
        stacked = np.concatenate([np.zeros((0, 4)), *boxes])
        if not len(stacked):
            return None
        (x1, y1), (x2, y2) = stacked[:, :2].min(axis=0), stacked[:, 2:].max(axis=0)
        return Rect(float(x1), float(y1), float(x2), float(y2))

    def discard(self, annotation_id: str) -> None:
        found = self._slots.pop(annotation_id, None)
        if found is not None:
            group, slot = found
            group.alive[slot] = False
            group.ids[slot] = None
            group.free.append(slot)

    def bounds(self, annotation_id: str) -> Rect | None:
        found = self._slots.get(annotation_id)
        if found is None:
            return None
        x1, y1, x2, y2 = found[0].boxes[found[1]]
        return Rect(float(x1), float(y1), float(x2), float(y2))

    def count_in(self, region: Rect) -> int:
        return sum(int(np.count_nonzero(self._visible(g, region, ()))) for g in self._groups.values())

    def draw(
        self,
        target: np.ndarray,
        origin: Point,
        scale: float,
        region: Rect,
        *,
        hidden: Collection[str] = (),
        detail: bool = False,
        shift: tuple[int, int] = (0, 0),
    ) -> None:
        """Draw the shapes meeting `region` into a BGRA premultiplied image.

        Image point (x, y) lands on pixel round((x - origin) * scale) - shift, so a part of a larger image can be
        redrawn through a view of it with identical pixels. `detail` adds fills and thicker outlines: worth their
        per-shape cost only when few shapes are in view.
        """
        batches = []
        for group in self._groups.values():
            mask = self._visible(group, region, hidden)
            if mask.any():
                pixels = np.rint((group.points[: len(mask)][mask] - origin) * scale) - shift
                batches.append((group, np.clip(pixels, -_MAX_COORD, _MAX_COORD).astype(np.int32)))
        if detail:
            for group, pixels in batches:
                fill = _premultiplied(group.color, MODEL_FILL_ALPHA if group.model else FILL_ALPHA)
                for shape in pixels if group.closed else ():
                    cv2.fillPoly(target, [shape], fill)
        for group, pixels in batches:
            line = _premultiplied(group.color, MODEL_LINE_ALPHA if group.model else 255)
            thickness = 2 if detail and not group.model else 1
            cv2.polylines(target, pixels, group.closed, line, thickness)

    def _visible(self, group: _Group, region: Rect, hidden: Collection[str]) -> np.ndarray:
        n = len(group.ids)
        boxes = group.boxes[:n]
        mask = (
            group.alive[:n]
            & (boxes[:, 0] <= region.x2)
            & (boxes[:, 2] >= region.x1)
            & (boxes[:, 1] <= region.y2)
            & (boxes[:, 3] >= region.y1)
        )
        for annotation_id in hidden:
            found = self._slots.get(annotation_id)
            if found is not None and found[0] is group:
                mask[found[1]] = False
        return mask


def _premultiplied(color: BGR, alpha: int) -> tuple[int, int, int, int]:
    b, g, r = color
    return (b * alpha // 255, g * alpha // 255, r * alpha // 255, alpha)
