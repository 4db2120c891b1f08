"""The table of similarity measures, one row per shape kind (`MEASURES`); a new kind is a row.

A row names its measure (for reports), its family and a score in [0, 1]. Kinds of one family are compared with
each other through the family's score (a box against a polygon or a mask: IoU); kinds of different families score
0. `matrix`, where given, scores many shapes of that kind at once (boxes, segments); `reach` says how far apart two
shapes' bounds may be and still score above 0, so the other kinds are scored only on the pairs whose bounds come
that near (None: every pair is scored).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.agreement.areas import area_iou, box_iou_matrix
from core.agreement.distances import POINT_TOLERANCE, oks, point_similarity, polyline_similarity
from core.agreement.timing import INSTANT_TOLERANCE, instant_similarity, temporal_iou, temporal_iou_matrix
from core.shapes import Shape

Score = Callable[[Shape, Shape], float]
Matrix = Callable[[Sequence[Shape], Sequence[Shape]], np.ndarray]


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    family: str
    score: Score
    matrix: Matrix | None = None
    reach: float | None = 0.0


def _same_tag(a: Shape, b: Shape) -> float:
    return 1.0  # a tag has no geometry: which label it carries is what the matching compares


_AREA = ("IoU", "area")
MEASURES: dict[str, Measure] = {
    "box": Measure(*_AREA, area_iou, box_iou_matrix),
    "rotated_box": Measure(*_AREA, area_iou),
    "polygon": Measure(*_AREA, area_iou),
    "ellipse": Measure(*_AREA, area_iou),
    "mask": Measure(*_AREA, area_iou),
    "keypoints": Measure("OKS", "keypoints", oks, reach=None),
    "point": Measure("distance", "point", point_similarity, reach=POINT_TOLERANCE),
    "polyline": Measure("mean distance", "polyline", polyline_similarity, reach=POINT_TOLERANCE),
    "segment": Measure("temporal IoU", "segment", temporal_iou, temporal_iou_matrix),
    "instant": Measure("time distance", "instant", instant_similarity, reach=INSTANT_TOLERANCE),
    "tag": Measure("exact match", "tag", _same_tag, reach=None),
}


def register_measure(kind: str, measure: Measure) -> None:
    MEASURES[kind] = measure


def similarity(a: Shape, b: Shape) -> float:
    """How alike two shapes are, in [0, 1]; 0 for kinds of different families or without a measure."""
    ma, mb = MEASURES.get(a.kind), MEASURES.get(b.kind)
    if ma is None or mb is None or ma.family != mb.family:
        return 0.0
    return ma.score(a, b)


def _bounds(shapes: Sequence[Shape]) -> np.ndarray:
    return np.array([(r.x1, r.y1, r.x2, r.y2) for r in (s.bounds() for s in shapes)], dtype=np.float64)


def _pairwise(score: Score, a: Sequence[Shape], b: Sequence[Shape], reach: float | None) -> np.ndarray:
    out = np.zeros((len(a), len(b)))
    if reach is None:
        near = np.ones((len(a), len(b)), dtype=bool)
    else:
        ba, bb = _bounds(a), _bounds(b)
        near = ((ba[:, 0, None] - reach <= bb[:, 2]) & (bb[:, 0] - reach <= ba[:, 2, None])
                & (ba[:, 1, None] - reach <= bb[:, 3]) & (bb[:, 1] - reach <= ba[:, 3, None]))  # fmt: skip
    for i, j in zip(*np.nonzero(near), strict=True):
        out[i, j] = score(a[int(i)], b[int(j)])
    return out


def _by_kind(shapes: Sequence[Shape]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(shapes):
        groups[s.kind].append(i)
    return groups


def similarity_matrix(a: Sequence[Shape], b: Sequence[Shape]) -> np.ndarray:
    """`similarity` of every shape of `a` with every shape of `b`, a len(a) x len(b) array."""
    out = np.zeros((len(a), len(b)))
    for ka, ia in _by_kind(a).items():
        for kb, ib in _by_kind(b).items():
            ma, mb = MEASURES.get(ka), MEASURES.get(kb)
            if ma is None or mb is None or ma.family != mb.family:
                continue
            sa, sb = [a[i] for i in ia], [b[j] for j in ib]
            if ka == kb and ma.matrix is not None:
                block = ma.matrix(sa, sb)
            else:
                reach = None if ma.reach is None or mb.reach is None else max(ma.reach, mb.reach)
                block = _pairwise(ma.score, sa, sb, reach)
            out[np.ix_(ia, ib)] = block
    return out
