"""Image classification: one 1 x C output of scores. Predictions are whole-image tags.

Ultralytics classifiers end in a softmax; other exports give logits. With `softmax: auto` the output is taken as
probabilities when it already is one (values in [0, 1] summing to 1), else a softmax is applied. The best `top_k`
classes whose probability reaches `conf` become tags. The input is the centre crop after scaling the short side to
the input size (Ultralytics' and torchvision's evaluation transform), or a plain resize with `resize: stretch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

import cv2
import numpy as np

from core.shapes import Tag
from inference.cards import ModelCard
from inference.families.base import (
    Family,
    Prediction,
    Prepared,
    class_names,
    fixed_input_size,
    mismatch,
    register_family,
    single_input,
)
from inference.graph import GraphInfo
from inference.preprocess import Transform, stretch, to_tensor

DEFAULT_CLASSIFY_SIZE = (224, 224)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def probabilities(scores: np.ndarray, mode: str) -> np.ndarray:
    """Scores as probabilities: `yes` applies a softmax, `no` keeps them, `auto` applies one when they are not."""
    scores = scores.astype(np.float64)
    if mode == "yes" or (mode == "auto" and not (scores.min() >= 0 and abs(scores.sum() - 1.0) < 1e-3)):
        return softmax(scores)
    return scores


def centre_crop(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, Transform]:
    """Scale so the image covers `size` (h, w), then cut the middle."""
    h, w = image.shape[:2]
    th, tw = size
    r = max(th / h, tw / w)
    nw, nh = max(tw, round(w * r)), max(th, round(h * r))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA if r < 1 else cv2.INTER_LINEAR)
    left, top = (nw - tw) // 2, (nh - th) // 2
    return resized[top : top + th, left : left + tw], Transform(nw / w, nh / h, -left, -top, w, h)


@register_family
class Classify(Family):
    name = "classify"
    description = "image classification: 1 x C scores -> tags"
    task = "classify"
    defaults: ClassVar[dict[str, Any]] = {"conf": 0.0, "top_k": 1}
    options: ClassVar[dict[str, Any]] = {"softmax": "auto", "resize": "crop"}

    def matches(self, graph: GraphInfo) -> bool:
        return len(graph.inputs) == 1 and len(graph.outputs) == 1 and len(graph.outputs[0].shape) == 2

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        single_input(graph, card)
        size = fixed_input_size(graph, card, DEFAULT_CLASSIFY_SIZE)
        if len(graph.outputs) != 1 or len(graph.outputs[0].shape) != 2:
            raise mismatch(graph, card, "classification expects one (batch, classes) output")
        if card.options["softmax"] not in ("auto", "yes", "no") or card.options["resize"] not in ("crop", "stretch"):
            raise mismatch(graph, card, "options: softmax must be auto, yes or no; resize must be crop or stretch")
        count = graph.outputs[0].shape[1]
        return replace(card, input_size=size, classes=class_names(graph, card, count, "the output"))

    def needed_scale(self, width: int, height: int, card: ModelCard) -> float:
        h, w = card.input_size or DEFAULT_CLASSIFY_SIZE
        return max(h / height, w / width)

    def prepare(self, image: np.ndarray, card: ModelCard) -> Prepared:
        size = card.input_size or DEFAULT_CLASSIFY_SIZE
        resized, transform = centre_crop(image, size) if card.options["resize"] == "crop" else stretch(image, size)
        return Prepared(to_tensor(resized, card.channel_order, card.scale, card.mean, card.std), transform)

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        probs = probabilities(outputs[0].reshape(-1), str(card.options["softmax"]))
        best = np.argsort(-probs, kind="stable")[: card.top_k]
        return [Prediction(int(i), card.class_name(int(i)), float(probs[i]), Tag()) for i in best
                if probs[i] >= card.conf]  # fmt: skip
