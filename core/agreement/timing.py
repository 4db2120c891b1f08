"""Similarity of audio time shapes: temporal IoU of segments, time distance of instants.

Shapes on different tiers never match (a speaker turn is not a word). Instants have no extent, so two marks are
compared at a stated tolerance: max(0, 1 - |dt| / INSTANT_TOLERANCE). Zero-length segments at the same time score 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.shapes import Instant, Segment, Shape

INSTANT_TOLERANCE = 0.2  # seconds: a syllable; marks further apart are different events


def temporal_iou_matrix(a: Sequence[Shape], b: Sequence[Shape]) -> np.ndarray:
    """Temporal IoU of every segment of `a` with every segment of `b`, 0 across tiers."""
    sa = np.array([(s.start, s.end) for s in a if isinstance(s, Segment)], dtype=np.float64).reshape(-1, 2)
    sb = np.array([(s.start, s.end) for s in b if isinstance(s, Segment)], dtype=np.float64).reshape(-1, 2)
    inter = np.clip(np.minimum(sa[:, 1, None], sb[:, 1]) - np.maximum(sa[:, 0, None], sb[:, 0]), 0, None)
    union = (sa[:, 1] - sa[:, 0])[:, None] + (sb[:, 1] - sb[:, 0]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        same_point = (sa[:, 0, None] == sb[:, 0]) & (sa[:, 1, None] == sb[:, 1])
        iou = np.where(union > 0, inter / union, same_point.astype(np.float64))
    tiers_a = np.array([getattr(s, "tier", "") for s in a], dtype=object)
    tiers_b = np.array([getattr(s, "tier", "") for s in b], dtype=object)
    return np.where(tiers_a[:, None] == tiers_b[None, :], iou, 0.0)


def temporal_iou(a: Shape, b: Shape) -> float:
    return float(temporal_iou_matrix([a], [b])[0, 0])


def instant_similarity(a: Shape, b: Shape) -> float:
    assert isinstance(a, Instant) and isinstance(b, Instant)
    if a.tier != b.tier:
        return 0.0
    return max(0.0, 1.0 - abs(a.time - b.time) / INSTANT_TOLERANCE)
