"""Move and scale a shape so that its bounds go from one box to another (what a box tracker tells about any shape).

A tracker follows a box; the shape a person drew may be a polygon, keypoints or a mask. Every point is mapped by the
same axis-aligned affine map that takes the old box to the new one, so a polygon keeps its outline relative to the
object. Rotated boxes and ellipses keep their angle and scale by the mean of the two factors (a rotated shape scaled
by different x and y factors is no longer a rotated box). Shapes without extent in the image (tags, audio segments)
are returned unchanged.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import cv2
import numpy as np

from core.geometry import Point, Rect
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Shape

SPATIAL_KINDS = frozenset({"box", "polygon", "polyline", "point", "rotated_box", "ellipse", "keypoints", "mask"})


def fit_shape(shape: Shape, old: Rect, new: Rect) -> Shape:
    """`shape` mapped by the affine map taking `old` onto `new` (translation and per-axis scale)."""
    sx = new.width / old.width if old.width > 0 else 1.0
    sy = new.height / old.height if old.height > 0 else 1.0
    ox, oy = (old.x1 + old.x2) / 2, (old.y1 + old.y2) / 2
    nx, ny = (new.x1 + new.x2) / 2, (new.y1 + new.y2) / 2

    def move(p: Point) -> Point:
        return (nx + (p[0] - ox) * sx, ny + (p[1] - oy) * sy)

    mean = math.sqrt(sx * sy)
    match shape:
        case Box():
            (x1, y1), (x2, y2) = move((shape.x, shape.y)), move((shape.x + shape.w, shape.y + shape.h))
            return Box(x1, y1, x2 - x1, y2 - y1)
        case Polygon() | Polyline():
            return dataclasses.replace(shape, points=tuple(move(p) for p in shape.points))
        case PointShape():
            x, y = move((shape.x, shape.y))
            return PointShape(x, y)
        case Keypoints():
            return Keypoints(tuple((*move((x, y)), v) if v else (x, y, v) for x, y, v in shape.points))
        case RotatedBox():
            cx, cy = move((shape.cx, shape.cy))
            return dataclasses.replace(shape, cx=cx, cy=cy, w=shape.w * mean, h=shape.h * mean)
        case Ellipse():
            cx, cy = move((shape.cx, shape.cy))
            return dataclasses.replace(shape, cx=cx, cy=cy, rx=shape.rx * mean, ry=shape.ry * mean)
        case Mask():
            return _fit_mask(shape, move, sx, sy)
    return shape


def _fit_mask(mask: Mask, move: Callable[[Point], Point], sx: float, sy: float) -> Mask:
    """A mask's crop resampled (nearest neighbour) and placed where its corner maps to; never the whole image."""
    bits, left, top = mask.crop()
    if bits.size == 0:
        return mask
    x, y = move((float(left), float(top)))
    if abs(sx - 1.0) < 1e-3 and abs(sy - 1.0) < 1e-3:
        return Mask.from_crop(bits, round(x), round(y), mask.width, mask.height)
    w, h = max(1, round(bits.shape[1] * sx)), max(1, round(bits.shape[0] * sy))
    scaled = cv2.resize(bits.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)
    return Mask.from_crop(scaled, round(x), round(y), mask.width, mask.height)
