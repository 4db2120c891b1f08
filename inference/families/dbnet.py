"""Text-region detection in the DBNet / PP-OCR layout: a 1 x 1 x H x W text probability map.

As in PaddleOCR's DBPostProcess: the map is binarised at `thresh` (and dilated 2x2), each contour's minimum-area
rectangle is scored by the mean probability inside it (kept when >= `conf`, PaddleOCR's box_thresh), then "unclipped":
grown by d = area * unclip_ratio / perimeter on every side, which is what offsetting a rectangle by d and taking the
minimum-area rectangle again gives. Regions are stored as 4-point polygons, clockwise from the top-left corner.

The input keeps the aspect ratio: the longest side is brought down to `limit_side_len` (`limit_type: max`, as
PaddleOCR by default) or the shortest side up to it (`min`, as RapidOCR), each side a multiple of 32; a model with a
fixed input size gets exactly that size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

import cv2
import numpy as np

from core.shapes import Polygon
from inference.cards import ModelCard
from inference.families.base import Family, Prediction, Prepared, mismatch, register_family, single_input
from inference.graph import GraphInfo
from inference.preprocess import limited_size, stretch, to_tensor

_MIN_SIDE = 3


@register_family
class DBNet(Family):
    name = "dbnet"
    description = "text regions (DBNet / PP-OCR det): 1 x 1 x H x W probability map -> polygons"
    defaults: ClassVar[dict[str, Any]] = {
        "channel_order": "bgr", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "conf": 0.5, "classes": ["text"],
        "max_detections": 1000,
    }  # fmt: skip
    options: ClassVar[dict[str, Any]] = {
        "thresh": 0.3, "unclip_ratio": 1.6, "limit_side_len": 960, "limit_type": "max", "dilate": True,
    }  # fmt: skip

    def matches(self, graph: GraphInfo) -> bool:
        return (len(graph.inputs) == 1 and len(graph.outputs) == 1 and len(graph.outputs[0].shape) == 4
                and graph.outputs[0].shape[1] == 1)  # fmt: skip

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        single_input(graph, card)
        out = graph.outputs[0].shape if len(graph.outputs) == 1 else ()
        if len(out) != 4 or out[1] != 1:
            raise mismatch(graph, card, "text detection expects one (batch, 1, H, W) probability map")
        if card.options["limit_type"] not in ("max", "min"):
            raise mismatch(graph, card, "limit_type must be max or min")
        if len(card.classes) != 1:
            raise mismatch(graph, card, f"a text detector has one class, not {len(card.classes)}")
        h, w = graph.input_hw()
        fixed = (h, w) if h is not None and w is not None else None
        if fixed and card.input_size and card.input_size != fixed:
            raise mismatch(graph, card, f"input_size {list(card.input_size)} differs from the input's fixed {h}x{w}")
        return replace(card, input_size=fixed or card.input_size)

    def _size(self, width: int, height: int, card: ModelCard) -> tuple[int, int]:
        if card.input_size:
            return card.input_size
        return limited_size(width, height, int(card.options["limit_side_len"]), str(card.options["limit_type"]))

    def needed_scale(self, width: int, height: int, card: ModelCard) -> float:
        h, w = self._size(width, height, card)
        return max(h / height, w / width)

    def prepare(self, image: np.ndarray, card: ModelCard) -> Prepared:
        resized, transform = stretch(image, self._size(image.shape[1], image.shape[0], card))
        return Prepared(to_tensor(resized, card.channel_order, card.scale, card.mean, card.std), transform)

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        map_h, map_w = outputs[0].shape[-2:]
        prob = outputs[0].reshape(map_h, map_w).astype(np.float32)
        bitmap: np.ndarray = (prob > float(card.options["thresh"])).astype(np.uint8)
        if card.options["dilate"]:
            bitmap = cv2.dilate(bitmap, np.ones((2, 2), np.uint8))
        contours = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)[0]
        in_h, in_w = prepared.tensor.shape[2:]
        to_model = np.array([in_w / map_w, in_h / map_h])
        found = []
        for contour in contours[: card.max_detections]:
            (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
            if min(w, h) < _MIN_SIDE:
                continue
            score = box_score(prob, cv2.boxPoints(((cx, cy), (w, h), angle)))
            if score < card.conf:
                continue
            grow = w * h * float(card.options["unclip_ratio"]) / (2 * (w + h))
            if min(w, h) + 2 * grow < _MIN_SIDE + 2:
                continue
            corners = clockwise(cv2.boxPoints(((cx, cy), (w + 2 * grow, h + 2 * grow), angle)))
            found.append((score, corners))
        return self._predictions(found, to_model, prepared, card)

    def _predictions(self, found: list[tuple[float, np.ndarray]], to_model: np.ndarray, prepared: Prepared,
                     card: ModelCard) -> list[Prediction]:  # fmt: skip
        t = prepared.transform
        out = []
        for score, corners in found:
            xy = t.points(corners * to_model)
            np.clip(xy[:, 0], 0, t.width, out=xy[:, 0])
            np.clip(xy[:, 1], 0, t.height, out=xy[:, 1])
            polygon = Polygon.from_points([(float(x), float(y)) for x, y in xy])
            if polygon.area() > 0:
                out.append(Prediction(0, card.class_name(0), float(score), polygon))
        return out


def box_score(prob: np.ndarray, corners: np.ndarray) -> float:
    """Mean probability inside a quadrilateral (PaddleOCR's fast score: the polygon rasterised on its bounding box)."""
    h, w = prob.shape
    x1, x2 = np.clip([np.floor(corners[:, 0].min()), np.ceil(corners[:, 0].max())], 0, w - 1).astype(int)
    y1, y2 = np.clip([np.floor(corners[:, 1].min()), np.ceil(corners[:, 1].max())], 0, h - 1).astype(int)
    mask = np.zeros((y2 - y1 + 1, x2 - x1 + 1), dtype=np.uint8)
    cv2.fillPoly(mask, [(corners - [x1, y1]).astype(np.int32)], 1)
    return float(cv2.mean(prob[y1 : y2 + 1, x1 : x2 + 1], mask)[0])


def clockwise(corners: np.ndarray) -> np.ndarray:
    """Four corners ordered top-left, top-right, bottom-right, bottom-left (on screen, y down)."""
    by_x = corners[np.argsort(corners[:, 0], kind="stable")]
    left, right = by_x[:2], by_x[2:]
    tl, bl = left[np.argsort(left[:, 1], kind="stable")]
    tr, br = right[np.argsort(right[:, 1], kind="stable")]
    return np.array([tl, tr, br, bl], dtype=np.float64)
