"""YOLO instance segmentation: detections (1 x (4+C+M) x N) plus mask prototypes (1 x M x h x w), M = 32 usually.

Each kept detection's mask is sigmoid(coefficients . prototypes), brought up to the model input size, cut to its box
and thresholded at 0.5 (Ultralytics' `process_mask`). It is stored as a polygon (the largest outer contour, traced in
model pixels and mapped back to the image) or, with `mask_format: mask`, as an RLE mask at full image resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from core.geometry import polygon_area
from core.shapes import Mask, Polygon, Shape, polygons_from_mask
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
from inference.preprocess import Transform


def _split(graph: GraphInfo) -> tuple[int, int] | None:
    """Indices of the detection output (rank 3) and the prototype output (rank 4), whatever their order."""
    ranks = [len(t.shape) for t in graph.outputs]
    if len(graph.outputs) != 2 or sorted(ranks) != [3, 4]:
        return None
    return ranks.index(3), ranks.index(4)


@register_family
class YoloSeg(LetterboxFamily):
    name = "yolov8-seg"
    description = "YOLO segmentation: 1 x (4+C+M) x N detections + 1 x M x h x w prototypes"
    task = "segment"

    def matches(self, graph: GraphInfo) -> bool:
        return len(graph.inputs) == 1 and _split(graph) is not None

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        card = super().complete(graph, card)
        split = _split(graph)
        if split is None:
            raise mismatch(graph, card, "segmentation needs two outputs: detections (rank 3) and prototypes (rank 4)")
        det, proto = split
        rows = output_rows(graph, card, det)
        masks = graph.outputs[proto].shape[1]
        if masks is None or rows <= 4 + masks:
            raise mismatch(graph, card, f"detection rows ({rows}) must hold 4 box rows, the classes and {masks} "
                                        "mask coefficients")  # fmt: skip
        count = rows - 4 - masks
        return replace(card, classes=class_names(graph, card, count, f"{rows} rows minus 4 box and {masks} mask rows"))

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        pred, protos = (outputs[0], outputs[1]) if outputs[0].ndim == 2 else (outputs[1], outputs[0])
        m = protos.shape[0]
        classes = pred.shape[0] - 4 - m
        keep, ids, scores = select(pred[4 : 4 + classes], card.conf)
        kept, xyxy = kept_boxes(pred[:4, keep].T, ids, scores, card)
        coefficients = pred[4 + classes :, keep[kept]].T  # (K, M)
        size = prepared.tensor.shape[2:]
        out = []
        for i, box in enumerate(xyxy):
            logits = (coefficients[i] @ protos.reshape(m, -1)).reshape(protos.shape[1:])
            prob = _upsampled(logits, size)
            x1, y1, x2, y2 = np.clip(np.round(box), 0, [size[1], size[0], size[1], size[0]]).astype(int)
            shape = _shape(prob, (x1, y1, x2, y2), prepared.transform, card.mask_format)
            if shape is not None:
                cid = int(ids[kept[i]])
                out.append(Prediction(cid, card.class_name(cid), float(scores[kept[i]]), shape))
        return out


def _upsampled(logits: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    prob = 1.0 / (1.0 + np.exp(-logits.astype(np.float32)))
    return cv2.resize(prob, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)


def _shape(prob: np.ndarray, box: tuple[int, int, int, int], t: Transform, mask_format: str) -> Shape | None:
    """The object's polygon or full-resolution mask; None when nothing of it is left inside its box."""
    x1, y1, x2, y2 = box
    if mask_format == "polygon":
        inside = np.zeros(prob.shape, dtype=bool)
        inside[y1:y2, x1:x2] = prob[y1:y2, x1:x2] > 0.5
        polygons = polygons_from_mask(inside)
        if not polygons:
            return None
        largest = max(polygons, key=polygon_area)
        mapped = t.points(np.asarray(largest, dtype=np.float64))
        np.clip(mapped[:, 0], 0, t.width, out=mapped[:, 0])
        np.clip(mapped[:, 1], 0, t.height, out=mapped[:, 1])
        return Polygon.from_points([(float(x), float(y)) for x, y in mapped])
    # Full resolution: the letterbox content region of the probability map, resized to the image, cut to the box.
    cx1, cy1 = round(t.pad_x), round(t.pad_y)
    cx2, cy2 = round(t.pad_x + t.width * t.gain_x), round(t.pad_y + t.height * t.gain_y)
    content = cv2.resize(prob[cy1:cy2, cx1:cx2], (t.width, t.height), interpolation=cv2.INTER_LINEAR)
    (bx1, by1), (bx2, by2) = np.round(t.points(np.array([[x1, y1], [x2, y2]], dtype=np.float64))).astype(int)
    full = np.zeros((t.height, t.width), dtype=bool)
    full[max(0, by1) : by2, max(0, bx1) : bx2] = content[max(0, by1) : by2, max(0, bx1) : bx2] > 0.5
    return Mask.from_array(full) if full.any() else None
