"""The shape of a track between two keyframes: one interpolator per shape kind, in `INTERPOLATORS`.

`t` runs from 0 (the earlier keyframe `a`) to 1 (the later keyframe `b`). The rules, CVAT's where CVAT has one:
- box, point, ellipse: every number linear; angles (ellipse, rotated box) the short way round, so 350 -> 10 passes 0;
- keypoints: per point. A point labeled (visible or occluded) in both keyframes moves linearly and keeps `a`'s
  visibility; a point skipped in either keeps `a`'s state until `b`, so a point appears (or goes) at the keyframe
  where it is labeled (or skipped), as in CVAT, and is never slid from a meaningless (0, 0);
- polygon, polyline: with equal vertex counts each vertex moves to its counterpart (the annotator edited the same
  vertices). With different counts both outlines are sampled at the union of both shapes' vertex positions by
  arc-length fraction, so each keyframe's own outline is kept exactly and the vertices correspond by distance along
  the outline; a polygon's start vertex and direction on `b` are first chosen to match `a` (least total squared
  distance over the outline), so a polygon drawn the other way round or from another corner does not collapse;
- mask, tag and any kind without a row: carried from `a` (a raster cannot be blended meaningfully);
- keyframes of different kinds: `a` carried.
A new kind that can move is one row in `INTERPOLATORS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from core.geometry import Point
from core.shapes import Box, Ellipse, Keypoints, PointShape, Polygon, Polyline, RotatedBox, Shape

Outline = tuple[Point, ...]

ALIGN_SAMPLES = 64  # outline samples that score a polygon's start vertex: plenty for any shape drawn by hand
MAX_STARTS = 512  # start vertices tried (evenly spaced beyond that), so huge traced outlines stay cheap
CACHED_PAIRS = 1024  # keyframe pairs whose outline correspondence is kept (under 60 MB; hand-drawn ones a few)
CACHED_POINTS = 256  # outlines with more vertices than this (both keyframes together) are not cached


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def lerp_angle(a: float, b: float, t: float) -> float:
    """Degrees from a towards b the short way round, in [0, 360)."""
    angle = (a + ((b - a + 180.0) % 360.0 - 180.0) * t) % 360.0
    return 0.0 if angle >= 360.0 else angle  # -1e-15 % 360.0 rounds to 360.0


def _box(a: Any, b: Any, t: float) -> Shape:  # arithmetic inline: this runs for every box track on every frame
    return Box(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.w + (b.w - a.w) * t, a.h + (b.h - a.h) * t)


def _point(a: Any, b: Any, t: float) -> Shape:
    return PointShape(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)


def _rotated_box(a: Any, b: Any, t: float) -> Shape:
    return RotatedBox(lerp(a.cx, b.cx, t), lerp(a.cy, b.cy, t), lerp(a.w, b.w, t), lerp(a.h, b.h, t),
                      lerp_angle(a.angle, b.angle, t))


def _ellipse(a: Any, b: Any, t: float) -> Shape:
    return Ellipse(lerp(a.cx, b.cx, t), lerp(a.cy, b.cy, t), lerp(a.rx, b.rx, t), lerp(a.ry, b.ry, t),
                   lerp_angle(a.angle, b.angle, t))


def _keypoints(a: Any, b: Any, t: float) -> Shape:
    if len(a.points) != len(b.points):  # a different skeleton: nothing corresponds
        return a
    points = []
    for (xa, ya, va), (xb, yb, vb) in zip(a.points, b.points, strict=True):
        if not va or not vb:  # Visibility.SKIPPED is 0
            points.append((xa, ya, va))
        else:
            points.append((lerp(xa, xb, t), lerp(ya, yb, t), va))
    return Keypoints(tuple(points))


class _Outline:
    """An outline ready to be sampled by arc-length fraction: its vertices' fractions are worked out once, since a
    correspondence samples each outline several times (numpy's per-call cost, not the arithmetic, is what counts)."""

    __slots__ = ("closed", "fractions", "knots", "xs", "ys")

    def __init__(self, points: np.ndarray, closed: bool) -> None:
        ring = np.concatenate([points, points[:1]]) if closed else points
        step = ring[1:] - ring[:-1]
        steps = np.hypot(step[:, 0], step[:, 1])
        total = steps.sum()
        if total <= 0:  # every vertex on one spot: fractions by index
            self.fractions = np.arange(len(points)) / (len(points) if closed else max(len(points) - 1, 1))
        else:
            self.fractions = np.concatenate(([0.0], np.cumsum(steps)))[: len(points)] / total
        self.closed = closed
        self.knots = np.concatenate((self.fractions, [1.0])) if closed else self.fractions
        self.xs, self.ys = ring[:, 0], ring[:, 1]

    def sample(self, at: np.ndarray) -> np.ndarray:
        """Points on the outline at fractions `at` (taken modulo 1 on a closed outline), as an (n, 2) array."""
        if self.closed:
            at = np.mod(at, 1.0)
        out = np.empty((len(at), 2))
        out[:, 0], out[:, 1] = np.interp(at, self.knots, self.xs), np.interp(at, self.knots, self.ys)
        return out


def _aligned(a: _Outline, b: np.ndarray) -> tuple[_Outline, float]:
    """`b` in the direction, and from the vertex (as a fraction along it), that best match `a` from its start."""
    grid = np.arange(ALIGN_SAMPLES) / ALIGN_SAMPLES
    sa = a.sample(grid)
    best: tuple[float, _Outline, float] | None = None
    for candidate in (_Outline(b, True), _Outline(b[::-1], True)):
        starts = candidate.fractions[:: math.ceil(len(b) / MAX_STARTS)]
        sb = candidate.sample((starts[:, None] + grid[None, :]).ravel()).reshape(len(starts), -1, 2)
        costs = ((sb - sa[None]) ** 2).sum(axis=(1, 2))
        k = int(costs.argmin())
        if best is None or costs[k] < best[0]:
            best = (float(costs[k]), candidate, float(starts[k]))
    assert best is not None
    return best[1], best[2]


def matched_outlines(a: Outline, b: Outline, closed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Matching points on both outlines (at the union of both shapes' vertex fractions), as two (n, 2) arrays."""
    pa = _Outline(np.asarray(a, dtype=float), closed)
    offset = 0.0
    if closed:
        pb, offset = _aligned(pa, np.asarray(b, dtype=float))
    else:
        pb = _Outline(np.asarray(b, dtype=float), False)
    own_b = np.mod(pb.fractions - offset, 1.0) if closed else pb.fractions
    at = np.round(np.concatenate([pa.fractions, own_b]), 12)
    at = np.unique(np.mod(at, 1.0) if closed else at)
    return pa.sample(at), pb.sample(at + offset)


def _correspondence(a: Outline, b: Outline, closed: bool) -> tuple[Outline, Outline]:
    pa, pb = matched_outlines(a, b, closed)
    return _pairs(pa), _pairs(pb)


def _pairs(points: np.ndarray) -> Outline:
    return tuple((x, y) for x, y in points.tolist())


# Every frame between two keyframes needs the same correspondence, so it is made once per pair; huge traced outlines
# are remade each time instead, so the cache stays a few MB.
_cached_correspondence = lru_cache(maxsize=CACHED_PAIRS)(_correspondence)


def _outlines(a: Outline, b: Outline, closed: bool, t: float) -> Outline:
    """Plain Python, not numpy: outlines drawn by hand are short, and numpy's per-call cost would dominate."""
    if len(a) != len(b):
        a, b = (_cached_correspondence if len(a) + len(b) <= CACHED_POINTS else _correspondence)(a, b, closed)
    return tuple([(xa + (xb - xa) * t, ya + (yb - ya) * t) for (xa, ya), (xb, yb) in zip(a, b, strict=True)])


def _polygon(a: Any, b: Any, t: float) -> Shape:
    return Polygon(_outlines(a.points, b.points, True, t))


def _polyline(a: Any, b: Any, t: float) -> Shape:
    return Polyline(_outlines(a.points, b.points, False, t))


INTERPOLATORS: dict[str, Callable[[Shape, Shape, float], Shape]] = {
    Box.kind: _box,
    PointShape.kind: _point,
    RotatedBox.kind: _rotated_box,
    Ellipse.kind: _ellipse,
    Keypoints.kind: _keypoints,
    Polygon.kind: _polygon,
    Polyline.kind: _polyline,
}


def interpolate(a: Shape, b: Shape, t: float) -> Shape:
    """The shape at fraction `t` from keyframe `a` to keyframe `b`; exactly `a` at t <= 0 and `b` at t >= 1."""
    if t <= 0.0:
        return a
    if t >= 1.0:
        return b
    if a.kind != b.kind:
        return a
    step = INTERPOLATORS.get(a.kind)
    return step(a, b, t) if step else a
