"""Checks every reader runs on every shape it read: degenerate geometry, self-crossing polygons, the image border.

Decisions (see docs/formats.md):
- degenerate shapes (a polygon with fewer than 3 distinct vertices or no area, a box or rotated box without area, a
  polyline with fewer than 2 distinct points, an empty mask) are skipped with a message;
- a self-intersecting polygon is kept as drawn, with a warning: it still marks the object and a person can fix it,
  while dropping it would lose the work. The check is cheap: an O(n) test passes every convex polygon, and only the
  others get an all-pairs edge test in numpy (proper crossings; polygons over 5,000 vertices are not checked);
- shapes reaching outside the image are clipped to it (vertices clamped; rotated boxes and ellipses, which cannot
  be clipped into their own kind, are kept and reported), shapes wholly outside are skipped; both are reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from core.geometry import Point, Rect, clamp_point, polygon_area
from core.messages import translate
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Shape

CLIP_TOLERANCE = 1e-3  # px; float noise at the border (x + w = 640.0000001) is clipped without a message
MAX_CROSSING_CHECK = 5000  # vertices; the all-pairs test of a bigger polygon would cost more than the import of it
_CHUNK = 256
_SMALL = 48  # vertices; up to here the pure-Python crossing test is faster

Checked = tuple[Shape | None, list[str]]


def checked_shape(shape: Shape, width: int, height: int) -> Checked:
    """The shape as an import should store it (clipped to the image, or None when skipped) and what was done."""
    if not all(math.isfinite(v) for point in shape.vertices() for v in point):
        return None, [translate("formats", "{kind} has coordinates that are not finite numbers; skipped").format(
            kind=shape.kind)]
    check = _CHECKS.get(shape.kind)
    return check(shape, Rect(0, 0, width, height)) if check else (shape, [])


def self_intersects(points: Sequence[Point]) -> bool:
    """Whether two edges of the closed polygon cross (touching is not crossing)."""
    n = len(points)
    if n < 4 or n > MAX_CROSSING_CHECK or _convex(points):
        return False
    if n <= _SMALL:
        return _crossing_small(points)
    p = np.asarray(points, dtype=np.float64)
    q = np.roll(p, -1, axis=0)
    d = q - p
    for start in range(0, n, _CHUNK):
        rows = slice(start, start + _CHUNK)
        side_p = _cross(d[rows, None, :], p[None, :, :] - p[rows, None, :])  # edge i against start of edge j
        side_q = _cross(d[rows, None, :], q[None, :, :] - p[rows, None, :])  # ... and against its end
        straddles = side_p * side_q < 0  # adjacent edges share a vertex: one side is exactly 0, never counted
        i, j = np.nonzero(straddles)
        if i.size:
            i = i + start
            back_p = _cross(d[j], p[i] - p[j])
            back_q = _cross(d[j], q[i] - p[j])
            if np.any(back_p * back_q < 0):
                return True
    return False


def _crossing_small(points: Sequence[Point]) -> bool:
    """The same test in plain Python: for the usual polygon of a few dozen vertices it beats numpy's overhead."""
    n = len(points)
    for i in range(n - 2):
        (ax, ay), (bx, by) = points[i], points[i + 1]
        dx, dy = bx - ax, by - ay
        for j in range(i + 2, n if i else n - 1):
            (cx, cy), (ex, ey) = points[j], points[(j + 1) % n]
            if (dx * (cy - ay) - dy * (cx - ax)) * (dx * (ey - ay) - dy * (ex - ax)) >= 0:
                continue
            fx, fy = ex - cx, ey - cy
            if (fx * (ay - cy) - fy * (ax - cx)) * (fx * (by - cy) - fy * (bx - cx)) < 0:
                return True
    return False


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    result: np.ndarray = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return result


def _convex(points: Sequence[Point]) -> bool:
    """Convex and simple: every turn the same way and x changes direction at most twice (a pentagram fails)."""
    sign = 0
    x_turns = 0
    last_dx = 0.0
    for i in range(len(points)):
        (ax, ay), (bx, by), (cx, cy) = points[i - 2], points[i - 1], points[i]
        cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx)
        if cross:
            turn = 1 if cross > 0 else -1
            if sign and turn != sign:
                return False
            sign = turn
        dx = cx - bx
        if dx:
            if last_dx and (dx > 0) != (last_dx > 0):
                x_turns += 1
            last_dx = dx
    return x_turns <= 2


def _collinear(points: Sequence[Point]) -> bool:
    """All points on one line (a zero shoelace area alone would also fit a symmetric bow-tie)."""
    (ax, ay) = points[0]
    far = max(points, key=lambda p: abs(p[0] - ax) + abs(p[1] - ay))
    dx, dy = far[0] - ax, far[1] - ay
    return all(abs(dx * (y - ay) - dy * (x - ax)) <= 1e-9 * (1 + dx * dx + dy * dy) for x, y in points)


def _size(image: Rect) -> str:
    return f"{image.width:g}x{image.height:g}"


def _moved(before: Sequence[Point], after: Sequence[Point]) -> bool:
    pairs = zip(before, after, strict=True)
    return any(abs(a[0] - b[0]) > CLIP_TOLERANCE or abs(a[1] - b[1]) > CLIP_TOLERANCE for a, b in pairs)


def _clamped(points: tuple[Point, ...], image: Rect) -> tuple[Point, ...]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    if min(xs) >= 0 and min(ys) >= 0 and max(xs) <= image.x2 and max(ys) <= image.y2:
        return points
    return tuple(clamp_point(p, image.x2, image.y2) for p in points)


def _box(box: Any, image: Rect) -> Checked:
    if box.w <= 0 or box.h <= 0:
        return None, [translate("formats", "box {box} has no area; skipped").format(box=box.to_json())]
    if box.x >= 0 and box.y >= 0 and box.x + box.w <= image.x2 and box.y + box.h <= image.y2:
        return box, []
    inside = box.rect().intersection(image)
    if inside is None or inside.area <= 0:
        return None, [translate("formats", "box {box} lies outside the {size} image; skipped").format(
            box=box.to_json(), size=_size(image))]
    if _moved(box.vertices(), inside.corners()):
        clipped = translate("formats", "box {box} reaches outside the {size} image; clipped")
        return Box.from_rect(inside), [clipped.format(box=box.to_json(), size=_size(image))]
    return Box.from_rect(inside), []


def _polygon(polygon: Any, image: Rect) -> Checked:
    distinct = len(set(polygon.points))
    if distinct < 3 or (polygon.area() <= 0 and _collinear(polygon.points)):
        return None, [translate("formats", "degenerate polygon ({distinct} distinct vertices, area {area:g}); "
                                 "skipped").format(distinct=distinct, area=polygon.area())]
    notes: list[str] = []
    if self_intersects(polygon.points):
        notes.append(translate("formats", "polygon crosses itself; kept as drawn"))
    clamped = _clamped(polygon.points, image)
    if polygon_area(clamped) <= 0 and _collinear(clamped):
        return None, [*notes, translate("formats", "polygon has no area inside the {size} image; skipped").format(
            size=_size(image))]
    if clamped is not polygon.points and _moved(polygon.points, clamped):
        notes.append(translate("formats", "polygon reaches outside the {size} image; clipped").format(
            size=_size(image)))
    return Polygon(clamped), notes


def _polyline(line: Any, image: Rect) -> Checked:
    if len(set(line.points)) < 2:
        return None, [translate("formats", "degenerate polyline (fewer than 2 distinct points); skipped")]
    if not line.bounds().intersects(image):
        return None, [translate("formats", "polyline lies outside the {size} image; skipped").format(size=_size(image))]
    clamped = _clamped(line.points, image)
    if clamped is not line.points and _moved(line.points, clamped):
        return Polyline(clamped), [translate("formats", "polyline reaches outside the {size} image; clipped").format(
            size=_size(image))]
    return line, []


def _point(point: Any, image: Rect) -> Checked:
    if not image.contains((point.x, point.y), CLIP_TOLERANCE):
        return None, [translate("formats", "point ({x:g}, {y:g}) lies outside the {size} image; skipped").format(
            x=point.x, y=point.y, size=_size(image))]
    return PointShape(*clamp_point((point.x, point.y), image.x2, image.y2)), []


def _oriented(shape: Any, image: Rect) -> Checked:
    """Rotated boxes and ellipses: skipped without area or wholly outside; kept (and reported) when reaching out."""
    if shape.area() <= 0:
        return None, [translate("formats", "{kind} {shape} has no area; skipped").format(kind=shape.kind,
                                                                                   shape=shape.to_json())]
    bounds = shape.bounds()
    inside = bounds.intersection(image)
    if inside is None or inside.area <= 0:
        return None, [translate("formats", "{kind} lies outside the {size} image; skipped").format(kind=shape.kind,
                                                                                             size=_size(image))]
    if _moved(bounds.corners(), inside.corners()):
        return shape, [translate("formats", "{kind} reaches outside the {size} image; kept (it cannot be "
                                  "clipped)").format(kind=shape.kind, size=_size(image))]
    return shape, []


def _keypoints(shape: Any, image: Rect) -> Checked:
    if not shape.count_labeled():
        return None, [translate("formats", "keypoints: no point is labeled; skipped")]
    points = tuple(
        (*clamp_point((x, y), image.x2, image.y2), v) if v else (x, y, v) for x, y, v in shape.points
    )
    if _moved([p[:2] for p in shape.points], [p[:2] for p in points]):
        return Keypoints(points), [translate("formats", "keypoints reach outside the {size} image; clamped to its "
                                              "border").format(size=_size(image))]
    return shape, []


def _mask(mask: Any, image: Rect) -> Checked:
    if (mask.width, mask.height) != (int(image.width), int(image.height)):
        return None, [translate("formats", "mask is {width}x{height}, not the {size} of its image; skipped").format(
            width=mask.width, height=mask.height, size=_size(image))]
    if mask.area() <= 0:
        return None, [translate("formats", "mask is empty; skipped")]
    return mask, []


_CHECKS: dict[str, Callable[[Any, Rect], Checked]] = {
    Box.kind: _box,
    Polygon.kind: _polygon,
    Polyline.kind: _polyline,
    PointShape.kind: _point,
    RotatedBox.kind: _oriented,
    Ellipse.kind: _oriented,
    Keypoints.kind: _keypoints,
    Mask.kind: _mask,
}
