"""Non-maximum suppression in numpy: greedy, class-aware, vectorised.

Candidates are grouped by class (boxes of different classes never suppress each other); within a group the pairwise
IoU matrix is computed at once and the greedy pass walks it row by row, so the Python loop does one vector operation
per candidate. Groups larger than `_MATRIX_LIMIT` (a single-class model with thousands of candidates) use one IoU
row per kept box instead, to keep memory bounded. Rotated boxes use the probabilistic IoU of Ultralytics (boxes as
Gaussians), which YOLO OBB models are trained and evaluated with.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_EPS = 1e-7
_MATRIX_LIMIT = 2048  # above this, n x n IoUs take too much memory: one row per kept box instead
Pairwise = Callable[[np.ndarray, np.ndarray], np.ndarray]


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of xyxy boxes `a` (N, 4) with `b` (M, 4): an N x M matrix (a single box `a` (4,) gives M values)."""
    a = a[..., None, :]
    ix = np.minimum(a[..., 2], b[:, 2]) - np.maximum(a[..., 0], b[:, 0])
    iy = np.minimum(a[..., 3], b[:, 3]) - np.maximum(a[..., 1], b[:, 1])
    inter = np.maximum(ix, 0) * np.maximum(iy, 0)
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    iou: np.ndarray = inter / np.maximum(area_a + area_b - inter, _EPS)
    return iou


def _covariance(xywhr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b, r = xywhr[..., 2] ** 2 / 12, xywhr[..., 3] ** 2 / 12, xywhr[..., 4]
    cos, sin = np.cos(r), np.sin(r)
    return a * cos**2 + b * sin**2, a * sin**2 + b * cos**2, (a - b) * cos * sin


def probiou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Probabilistic IoU of (cx, cy, w, h, radians) boxes `a` (N, 5) with `b` (M, 5), or of one box (5,) with `b`."""
    a = a[..., None, :]
    a1, b1, c1 = _covariance(a)
    a2, b2, c2 = _covariance(b)
    dx, dy = a[..., 0] - b[:, 0], a[..., 1] - b[:, 1]
    denom = (a1 + a2) * (b1 + b2) - (c1 + c2) ** 2 + _EPS
    t1 = ((a1 + a2) * dy**2 + (b1 + b2) * dx**2) / denom * 0.25
    t2 = ((c1 + c2) * -dx * dy) / denom * 0.5
    det = np.sqrt(np.maximum(a1 * b1 - c1**2, 0) * np.maximum(a2 * b2 - c2**2, 0))
    t3 = np.log(denom / (4 * det + _EPS) + _EPS) * 0.5
    bd = np.clip(t1 + t2 + t3, _EPS, 100.0)
    iou: np.ndarray = 1.0 - np.sqrt(1.0 - np.exp(-bd) + _EPS)
    return iou


def _greedy(items: np.ndarray, threshold: float, pairwise: Pairwise) -> np.ndarray:
    """Positions kept among `items` sorted best first."""
    n = len(items)
    if n > _MATRIX_LIMIT:
        order, keep = np.arange(n), []
        while order.size:
            best, order = order[0], order[1:]
            keep.append(best)
            order = order[pairwise(items[best], items[order]) <= threshold]
        return np.asarray(keep, dtype=np.int64)
    overlaps = pairwise(items, items) > threshold
    suppressed = np.zeros(n, dtype=bool)
    kept = []
    for i in range(n):
        if not suppressed[i]:
            kept.append(i)
            suppressed |= overlaps[i]
    return np.asarray(kept, dtype=np.int64)


def _nms(items: np.ndarray, scores: np.ndarray, threshold: float, classes: np.ndarray | None, max_det: int,
         pairwise: Pairwise) -> np.ndarray:  # fmt: skip
    if len(items) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(-scores, kind="stable")
    if classes is None:
        groups = [order]
    else:
        by_class = order[np.argsort(classes[order], kind="stable")]  # class by class, best first within each
        groups = np.split(by_class, np.flatnonzero(np.diff(classes[by_class])) + 1)
    kept = np.concatenate([g[_greedy(items[g], threshold, pairwise)] for g in groups])
    return kept[np.argsort(-scores[kept], kind="stable")][:max_det]


def nms(
    boxes: np.ndarray, scores: np.ndarray, threshold: float, classes: np.ndarray | None = None, max_det: int = 300
) -> np.ndarray:
    """Indices of the xyxy `boxes` kept, best score first; per class when `classes` is given."""
    return _nms(boxes.astype(np.float32, copy=False), scores, threshold, classes, max_det, box_iou)


def nms_rotated(
    boxes: np.ndarray, scores: np.ndarray, threshold: float, classes: np.ndarray | None = None, max_det: int = 300
) -> np.ndarray:
    """Indices of the (cx, cy, w, h, radians) `boxes` kept, best score first; per class when `classes` is given."""
    return _nms(boxes.astype(np.float64, copy=False), scores, threshold, classes, max_det, probiou)
