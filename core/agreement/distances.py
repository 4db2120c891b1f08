"""Similarity of shapes without area: keypoints (OKS), single points and polylines (distance within a tolerance).

OKS is COCO's: exp(-d_i^2 / (2 s^2 k_i^2)) averaged over the keypoints, with k_i = 2 sigma_i and s^2 the object's
area. With no reference side (two annotators), it is made symmetric: a point counts when either side labeled it
(occluded or visible, COCO's v > 0) and scores 0 when only one did; points skipped by both are left out; s^2 is the
mean of both objects' areas (the box of their labeled points, at least 1 px^2). COCO's per-point sigmas are used
for 17-point skeletons (COCO's person), a uniform `DEFAULT_SIGMA` for any other template.

Points and polylines have no scale of their own, so they are compared at a stated tolerance in pixels:
similarity = max(0, 1 - d / POINT_TOLERANCE), where d is the distance between two points, or for polylines the
symmetric mean distance (each line sampled along its length, the mean distance of one's samples to the other line,
averaged both ways). 1 at the same place, 0.5 at half the tolerance, 0 from the tolerance on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core.shapes import Keypoints, PointShape, Polyline, Shape

COCO_SIGMAS = np.array([0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87,
                        0.89, 0.89]) / 10.0  # fmt: skip
DEFAULT_SIGMA = 0.1  # about COCO's knees and hips: lenient, since what a template's points mean is not known here
POINT_TOLERANCE = 10.0  # pixels
POLYLINE_SAMPLES = 32  # points along each polyline, besides its vertices


def sigmas_for(count: int) -> np.ndarray:
    return COCO_SIGMAS if count == len(COCO_SIGMAS) else np.full(count, DEFAULT_SIGMA)


def _labeled_area(points: np.ndarray) -> float:
    labeled = points[points[:, 2] > 0, :2]
    if not len(labeled):
        return 0.0
    span = labeled.max(axis=0) - labeled.min(axis=0)
    return float(span[0] * span[1])


def oks(a: Shape, b: Shape, sigmas: Sequence[float] | None = None) -> float:
    """Object keypoint similarity of two keypoint sets of one template (0 when the templates differ in length)."""
    assert isinstance(a, Keypoints) and isinstance(b, Keypoints)
    if len(a.points) != len(b.points) or not a.points:
        return 0.0
    pa = np.array([(x, y, int(v)) for x, y, v in a.points], dtype=np.float64)
    pb = np.array([(x, y, int(v)) for x, y, v in b.points], dtype=np.float64)
    in_a, in_b = pa[:, 2] > 0, pb[:, 2] > 0
    either = in_a | in_b
    if not either.any():
        return 0.0
    k = 2 * (np.asarray(sigmas, dtype=np.float64) if sigmas is not None else sigmas_for(len(pa)))
    scale = max(1.0, (_labeled_area(pa) + _labeled_area(pb)) / 2)
    d2 = ((pa[:, :2] - pb[:, :2]) ** 2).sum(axis=1)
    e = np.exp(-d2 / (2 * scale * k**2))
    return float(e[in_a & in_b].sum() / either.sum())


def point_similarity(a: Shape, b: Shape) -> float:
    assert isinstance(a, PointShape) and isinstance(b, PointShape)
    return max(0.0, 1.0 - math.hypot(a.x - b.x, a.y - b.y) / POINT_TOLERANCE)


def _samples(points: np.ndarray) -> np.ndarray:
    """The vertices and POLYLINE_SAMPLES points evenly spaced by length along the line."""
    lengths = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate(([0.0], np.cumsum(lengths)))
    at = np.linspace(0.0, along[-1], POLYLINE_SAMPLES)
    even = np.column_stack((np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1])))
    return np.concatenate((points, even))


def _mean_distance(samples: np.ndarray, line: np.ndarray) -> float:
    """Mean distance of sample points to the nearest point of a polyline."""
    a, d = line[:-1], np.diff(line, axis=0)
    length2 = (d**2).sum(axis=1)
    rel = samples[:, None, :] - a[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip(np.where(length2 > 0, (rel * d).sum(axis=2) / length2, 0.0), 0.0, 1.0)
    gap = rel - t[:, :, None] * d[None, :, :]
    return float(np.sqrt((gap**2).sum(axis=2)).min(axis=1).mean())


def polyline_similarity(a: Shape, b: Shape) -> float:
    assert isinstance(a, Polyline) and isinstance(b, Polyline)
    pa, pb = np.asarray(a.points, dtype=np.float64), np.asarray(b.points, dtype=np.float64)
    d = (_mean_distance(_samples(pa), pb) + _mean_distance(_samples(pb), pa)) / 2
    return max(0.0, 1.0 - d / POINT_TOLERANCE)
