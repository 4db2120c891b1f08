"""YOLO oriented boxes: 1 x (4 + C + 1) x N, rows cx, cy, w, h, class scores, angle (radians, clockwise on screen).

Boxes are made canonical as Ultralytics does (w >= h, angle in [0, 180) degrees), suppressed with probabilistic IoU
per class, and stored as rotated boxes. Letterboxing scales both axes alike, so sizes map back by one gain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from core.shapes import RotatedBox
from inference.cards import ModelCard
from inference.families.base import (
    LetterboxFamily,
    Prediction,
    Prepared,
    class_names,
    mismatch,
    output_rows,
    register_family,
    select,
)
from inference.graph import GraphInfo
from inference.nms import nms_rotated


def regularized(xywhr: np.ndarray) -> np.ndarray:
    """Swap w and h where h > w (turning the angle by 90 degrees), then fold the angle into [0, pi)."""
    out = xywhr.astype(np.float64, copy=True)
    swap = out[:, 3] > out[:, 2]
    out[swap, 2], out[swap, 3] = xywhr[swap, 3], xywhr[swap, 2]
    out[swap, 4] += math.pi / 2
    out[:, 4] %= math.pi
    return out


@register_family
class YoloObb(LetterboxFamily):
    name = "yolov8-obb"
    description = "YOLO oriented boxes: 1 x (4 + C + 1) x N, angle last"
    task = "obb"

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        card = super().complete(graph, card)
        rows = output_rows(graph, card)
        if rows < 6:
            raise mismatch(graph, card, f"{rows} rows cannot hold 4 box rows, a class and the angle")
        return replace(card, classes=class_names(graph, card, rows - 5, f"{rows} rows minus 4 box rows and the angle"))

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        pred = outputs[0]
        keep, ids, scores = select(pred[4:-1], card.conf)
        boxes = regularized(np.concatenate([pred[:4, keep].T, pred[-1:, keep].T], axis=1))
        kept = nms_rotated(boxes, scores, card.iou, ids, card.max_detections)
        t = prepared.transform
        centres = t.points(boxes[kept, :2])
        out = []
        for (cx, cy), (_, _, w, h, r), cid, score in zip(centres, boxes[kept], ids[kept], scores[kept], strict=True):
            shape = RotatedBox(float(cx), float(cy), float(w / t.gain_x), float(h / t.gain_y), math.degrees(r) % 360)
            out.append(Prediction(int(cid), card.class_name(int(cid)), float(score), shape))
        return out
