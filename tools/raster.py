"""Painting brush strokes into boolean masks: a pixel is painted when its centre lies within the brush radius of
the stroke (the polyline through the pointer positions), so a stroke's footprint is exact and zoom-independent."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from core.geometry import Point


def paint_stroke(canvas: np.ndarray, stroke: Sequence[Point], radius: float, value: bool) -> None:
    """Set (value True) or clear the pixels of a 2-D boolean array within `radius` of the stroke, in place."""
    if not stroke:
        return
    points = list(stroke) if len(stroke) > 1 else [stroke[0], stroke[0]]
    for a, b in itertools.pairwise(points):
        _paint_segment(canvas, a, b, radius, value)


def _paint_segment(canvas: np.ndarray, a: Point, b: Point, radius: float, value: bool) -> None:
    height, width = canvas.shape
    (ax, ay), (bx, by) = a, b
    x0 = max(0, math.floor(min(ax, bx) - radius - 0.5))
    x1 = min(width - 1, math.ceil(max(ax, bx) + radius - 0.5))
    y0 = max(0, math.floor(min(ay, by) - radius - 0.5))
    y1 = min(height - 1, math.ceil(max(ay, by) + radius - 0.5))
    if x0 > x1 or y0 > y1:
        return
    xs = np.arange(x0, x1 + 1, dtype=np.float64)[None, :] + 0.5
    ys = np.arange(y0, y1 + 1, dtype=np.float64)[:, None] + 0.5
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = np.zeros(1) if length2 == 0 else np.clip(((xs - ax) * dx + (ys - ay) * dy) / length2, 0.0, 1.0)
    near = (xs - ax - t * dx) ** 2 + (ys - ay - t * dy) ** 2 <= radius * radius
    canvas[y0 : y1 + 1, x0 : x1 + 1][near] = value
