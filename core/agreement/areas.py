"""Area overlap (IoU) of region shapes: box, rotated box, polygon, ellipse and mask, each with any other.

Polygon IoU is exact (to floating point), not rasterised: a raster at any fixed resolution is wrong by about the
outline's length over the pixel size, which for the small, thin objects where annotators disagree most is a large
share of the area, and a finer raster costs memory by the square. The exact overlap comes from the trapezoid
decomposition: each edge with its vertical drop to a common baseline is a signed trapezoid, the polygon is their sum
(by winding number), and two trapezoids over a common x-interval overlap in the area under the lower of two lines.
That is one vectorised pass over every edge pair, with no special case for concave outlines, shared or collinear
edges, or identical polygons. A self-intersecting outline is counted by winding number (a figure-eight's lobes both
count once), the same way on both sides, so a polygon's IoU with itself is 1.

Masks are compared on their run-length encoding: the overlap is the total length common to the two run lists, so
memory and time follow the runs, never the image (and the result equals the pixel IoU on the boxes' union). A
region compared with a mask is rasterised first (`mask_from_polygons`, over its own box only). Ellipses become
polygons of `ELLIPSE_VERTICES` vertices whose radii are scaled to keep the ellipse's exact area.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core.shapes import Box, Ellipse, Mask, Polygon, RotatedBox, Shape, mask_from_polygons

ELLIPSE_VERTICES = 128
_CHUNK = 1 << 18  # edge pairs per vectorised step: about 30 MB of temporaries at most


def outline(shape: Shape) -> np.ndarray:
    """The shape's outline as a k x 2 array of vertices (counter-clockwise on screen or not: callers normalise)."""
    if isinstance(shape, Ellipse):
        n = ELLIPSE_VERTICES
        grow = math.sqrt(2 * math.pi / (n * math.sin(2 * math.pi / n)))  # polygon area == ellipse area
        t = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
        a = math.radians(shape.angle)
        lx, ly = shape.rx * grow * np.cos(t), shape.ry * grow * np.sin(t)
        return np.column_stack((shape.cx + lx * math.cos(a) - ly * math.sin(a),
                                shape.cy + lx * math.sin(a) + ly * math.cos(a)))  # fmt: skip
    if isinstance(shape, (Box, RotatedBox, Polygon)):
        return np.asarray(shape.vertices(), dtype=np.float64)
    raise TypeError(f"{shape.kind} has no outline")


def _edges(points: np.ndarray, y0: float) -> tuple[np.ndarray, ...]:
    """Non-vertical edges as left x, right x, heights above y0 at both ends, and the sign of their x direction."""
    x, y = points[:, 0], points[:, 1]
    if np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y) < 0:  # shoelace: one orientation for both sides
        points = points[::-1]
    a, b = points, np.roll(points, -1, axis=0)
    sign = np.sign(b[:, 0] - a[:, 0])
    keep = sign != 0
    a, b, sign = a[keep], b[keep], sign[keep]
    flip = sign < 0
    left, right = np.where(flip, b[:, 0], a[:, 0]), np.where(flip, a[:, 0], b[:, 0])
    h_left, h_right = np.where(flip, b[:, 1], a[:, 1]) - y0, np.where(flip, a[:, 1], b[:, 1]) - y0
    return left, right, h_left, h_right, sign


def _height(x: np.ndarray, left: np.ndarray, right: np.ndarray, h0: np.ndarray, h1: np.ndarray) -> np.ndarray:
    return h0 + (h1 - h0) * (x - left) / (right - left)


def polygon_overlap(p: np.ndarray, q: np.ndarray) -> float:
    """The area common to two outlines (k x 2 arrays), exact; each counted by winding number made positive."""
    y0 = float(min(p[:, 1].min(), q[:, 1].min()))
    pl, pr, ph0, ph1, ps = _edges(p, y0)
    ql, qr, qh0, qh1, qs = _edges(q, y0)
    total = 0.0
    step = max(1, _CHUNK // max(1, len(ql)))
    for i in range(0, len(pl), step):
        l_p, r_p = pl[i : i + step, None], pr[i : i + step, None]
        lo, hi = np.maximum(l_p, ql), np.minimum(r_p, qr)
        a_lo = _height(lo, l_p, r_p, ph0[i : i + step, None], ph1[i : i + step, None])
        a_hi = _height(hi, l_p, r_p, ph0[i : i + step, None], ph1[i : i + step, None])
        b_lo, b_hi = _height(lo, ql, qr, qh0, qh1), _height(hi, ql, qr, qh0, qh1)
        d_lo, d_hi = a_lo - b_lo, a_hi - b_hi
        m_lo, m_hi = np.minimum(a_lo, b_lo), np.minimum(a_hi, b_hi)
        cross = d_lo * d_hi < 0  # the lines cross inside the interval: the lower one changes there
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(cross, d_lo / (d_lo - d_hi), 0.0)
        xc, hc = lo + t * (hi - lo), a_lo + t * (a_hi - a_lo)
        area = np.where(cross, (xc - lo) * (m_lo + hc) + (hi - xc) * (hc + m_hi), (hi - lo) * (m_lo + m_hi)) / 2
        signs = ps[i : i + step, None] * qs
        total += float(np.sum(np.where(hi > lo, signs * area, 0.0)))
    return max(0.0, total)


def polygon_iou(p: np.ndarray, q: np.ndarray) -> float:
    inter = polygon_overlap(p, q)
    own_p, own_q = polygon_overlap(p, p), polygon_overlap(q, q)
    inter = min(inter, own_p, own_q)
    union = own_p + own_q - inter
    return inter / union if union > 0 else 0.0


def box_iou_matrix(a: Sequence[Shape], b: Sequence[Shape]) -> np.ndarray:
    """IoU of every box of `a` with every box of `b`, vectorised (10^6 pairs in a few tens of ms)."""
    ra = np.array([s.to_json() for s in a], dtype=np.float64).reshape(-1, 4)
    rb = np.array([s.to_json() for s in b], dtype=np.float64).reshape(-1, 4)
    ax2, ay2, bx2, by2 = ra[:, 0] + ra[:, 2], ra[:, 1] + ra[:, 3], rb[:, 0] + rb[:, 2], rb[:, 1] + rb[:, 3]
    w = np.clip(np.minimum(ax2[:, None], bx2) - np.maximum(ra[:, 0, None], rb[:, 0]), 0, None)
    h = np.clip(np.minimum(ay2[:, None], by2) - np.maximum(ra[:, 1, None], rb[:, 1]), 0, None)
    inter = w * h
    union = (ra[:, 2] * ra[:, 3])[:, None] + rb[:, 2] * rb[:, 3] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def _runs(mask: Mask) -> tuple[np.ndarray, np.ndarray]:
    ends = np.cumsum(np.asarray(mask.counts, dtype=np.int64))
    starts = ends - np.asarray(mask.counts, dtype=np.int64)
    return starts[1::2], ends[1::2]


def mask_iou(a: Mask, b: Mask) -> float:
    """Pixel IoU from the two run lists (same image size; masks of different images share nothing)."""
    if (a.width, a.height) != (b.width, b.height):
        return 0.0
    (sa, ea), (sb, eb) = _runs(a), _runs(b)
    where = np.concatenate((sa, ea, sb, eb))
    step = np.concatenate((np.ones_like(sa), -np.ones_like(ea), np.ones_like(sb), -np.ones_like(eb)))
    order = np.argsort(where, kind="stable")
    covered = np.cumsum(step[order])[:-1]  # how many masks cover each stretch between two run edges
    inter = int(np.diff(where[order])[covered == 2].sum()) if where.size else 0
    union = int((ea - sa).sum() + (eb - sb).sum()) - inter
    return inter / union if union > 0 else 0.0


def _as_mask(shape: Shape, like: Mask) -> Mask:
    if isinstance(shape, Mask):
        return shape
    points = [(float(x), float(y)) for x, y in outline(shape)]
    return mask_from_polygons([points], like.width, like.height)


def area_iou(a: Shape, b: Shape) -> float:
    """IoU of any two region shapes."""
    if isinstance(a, Box) and isinstance(b, Box):
        return float(box_iou_matrix([a], [b])[0, 0])
    if isinstance(a, Mask) or isinstance(b, Mask):
        like = a if isinstance(a, Mask) else b
        assert isinstance(like, Mask)
        return mask_iou(_as_mask(a, like), _as_mask(b, like))
    return polygon_iou(outline(a), outline(b))
