"""YOLO detection: the v8/v11 layout (1 x (4+C) x N, no objectness) and the v5 layout (1 x N x (5+C)).

Both give boxes as centre x, centre y, width, height in letterboxed model pixels; v5 multiplies each class score by
the anchor's objectness. Anchors below `conf` are dropped before a class-aware NMS keeps at most `max_detections`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from inference.cards import ModelCard
from inference.families.base import (
    LetterboxFamily,
    Prediction,
    Prepared,
    box_predictions,
    class_names,
    kept_boxes,
    mismatch,
    output_rows,
    register_family,
    select,
)
from inference.graph import GraphInfo


def _one_output_of_rank_3(graph: GraphInfo) -> bool:
    return len(graph.inputs) == 1 and len(graph.outputs) == 1 and len(graph.outputs[0].shape) == 3


@register_family
class YoloV8(LetterboxFamily):
    name = "yolov8"
    description = "YOLO detection, v8/v11 layout: 1 x (4+C) x N"
    task = "detect"

    def matches(self, graph: GraphInfo) -> bool:
        if not _one_output_of_rank_3(graph):
            return False
        _, rows, anchors = graph.outputs[0].shape
        return rows is not None and (anchors is None or rows < anchors)

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        card = super().complete(graph, card)
        rows = output_rows(graph, card)
        if rows <= 4:
            raise mismatch(graph, card, f"output has {rows} rows per anchor; the v8 layout needs 4 box rows + classes")
        return replace(card, classes=class_names(graph, card, rows - 4, f"the output's {rows} rows minus 4 box rows"))

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        pred = outputs[0]  # (4 + C, N)
        keep, ids, scores = select(pred[4:], card.conf)
        kept, xyxy = kept_boxes(pred[:4, keep].T, ids, scores, card)
        return box_predictions(xyxy, ids[kept], scores[kept], prepared, card)


@register_family
class YoloV5(LetterboxFamily):
    name = "yolov5"
    description = "YOLO detection, v5 layout with objectness: 1 x N x (5+C)"

    def matches(self, graph: GraphInfo) -> bool:
        if not _one_output_of_rank_3(graph):
            return False
        _, anchors, cols = graph.outputs[0].shape
        return cols is not None and (anchors is None or cols < anchors)

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        card = super().complete(graph, card)
        shape = graph.outputs[0].shape if graph.outputs else ()
        if len(graph.outputs) != 1 or len(shape) != 3 or shape[2] is None or shape[2] <= 5:
            raise mismatch(graph, card, "the v5 layout needs one (batch, anchors, 5 + classes) output")
        cols = shape[2]
        return replace(card, classes=class_names(graph, card, cols - 5, f"the output's {cols} columns minus 5"))

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        pred = outputs[0]  # (N, 5 + C)
        candidates = np.flatnonzero(pred[:, 4] >= card.conf)  # objectness bounds every class score from above
        rows = pred[candidates]
        keep, ids, scores = select((rows[:, 5:] * rows[:, 4:5]).T, card.conf)
        kept, xyxy = kept_boxes(rows[keep, :4], ids, scores, card)
        return box_predictions(xyxy, ids[kept], scores[kept], prepared, card)
