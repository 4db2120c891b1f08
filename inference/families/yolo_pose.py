"""YOLO pose: 1 x (4 + C + K*D) x N, K keypoints of D = 3 (x, y, confidence) or D = 2 (x, y) values each.

`kpt_shape` [K, D] comes from the Ultralytics metadata or the card (`kpt_shape`, or the length of `keypoints`).
A keypoint whose confidence is under `keypoint_conf`, or that falls outside the image, is stored as not labeled
(COCO visibility 0), so the annotator places it; the others are visible (2). Seventeen keypoints without names get
COCO's names and skeleton.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from core.shapes import Keypoints, Visibility
from inference.cards import ModelCard
from inference.families.base import (
    LetterboxFamily,
    Prediction,
    Prepared,
    class_names,
    kept_boxes,
    mismatch,
    output_rows,
    register_family,
    select,
)
from inference.graph import GraphInfo

COCO_KEYPOINTS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle",
)  # fmt: skip
COCO_SKELETON = (
    (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8), (7, 9), (8, 10),
    (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
)  # fmt: skip


@register_family
class YoloPose(LetterboxFamily):
    name = "yolov8-pose"
    description = "YOLO pose: 1 x (4 + C + K*D) x N"
    task = "pose"
    options: ClassVar[dict[str, Any]] = {"kpt_shape": [0, 3]}  # [K, D]; K = 0: from the metadata or the keypoint names

    def from_metadata(self, graph: GraphInfo) -> dict[str, Any]:
        layer = super().from_metadata(graph)
        kpt_shape = graph.literal("kpt_shape")
        if isinstance(kpt_shape, (list, tuple)) and len(kpt_shape) == 2:
            layer["kpt_shape"] = list(kpt_shape)
        return layer

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        card = super().complete(graph, card)
        rows = output_rows(graph, card)
        k, d = _kpt_shape(card)
        if d not in (2, 3):
            raise mismatch(graph, card, f"kpt_shape {[k, d]}: each keypoint needs 2 (x, y) or 3 (x, y, conf) values")
        if not k:
            if not card.keypoints:
                raise mismatch(graph, card, "the number of keypoints is unknown: give kpt_shape or keypoint names")
            k = len(card.keypoints)
        count = rows - 4 - k * d
        if count < 1:
            raise mismatch(graph, card, f"{rows} rows cannot hold 4 box rows, a class and {k} x {d} keypoint values")
        names = card.keypoints or (COCO_KEYPOINTS if k == 17 else tuple(f"kp{i}" for i in range(k)))
        if len(names) != k:
            raise mismatch(graph, card, f"{len(names)} keypoint names given but kpt_shape says {k}")
        skeleton = card.skeleton or (COCO_SKELETON if names == COCO_KEYPOINTS else ())
        if any(max(edge) >= k for edge in skeleton):
            raise mismatch(graph, card, f"a skeleton edge refers to a keypoint beyond the {k} there are")
        classes = class_names(graph, card, count, f"{rows} rows minus 4 box rows and {k} x {d} keypoint values")
        return replace(card, classes=classes, keypoints=names, skeleton=skeleton,
                       options={**card.options, "kpt_shape": [k, d]})  # fmt: skip

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        pred = outputs[0]
        k, d = _kpt_shape(card)
        classes = pred.shape[0] - 4 - k * d
        keep, ids, scores = select(pred[4 : 4 + classes], card.conf)
        kept, _ = kept_boxes(pred[:4, keep].T, ids, scores, card)
        values = pred[4 + classes :, keep[kept]].T.reshape(-1, k, d)  # (K objects, k points, d)
        t = prepared.transform
        out = []
        for i, points in enumerate(values):
            xy = t.points(points[:, :2].astype(np.float64))
            confident = points[:, 2] >= card.keypoint_conf if d == 3 else np.ones(k, dtype=bool)
            inside = (xy[:, 0] >= 0) & (xy[:, 0] <= t.width) & (xy[:, 1] >= 0) & (xy[:, 1] <= t.height)
            shown = confident & inside
            kps = tuple(
                (float(x), float(y), Visibility.VISIBLE) if ok else (0.0, 0.0, Visibility.SKIPPED)
                for (x, y), ok in zip(xy, shown, strict=True)
            )
            if any(shown):
                cid = int(ids[kept[i]])
                out.append(Prediction(cid, card.class_name(cid), float(scores[kept[i]]), Keypoints(kps)))
        return out


def _kpt_shape(card: ModelCard) -> tuple[int, int]:
    k, d = card.options.get("kpt_shape", [0, 3])
    return int(k), int(d)
