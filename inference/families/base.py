"""What every model family provides, the one table of families, and the helpers the YOLO-style families share.

A family turns an image into the input tensor (`prepare`), checks a card against the graph and fills in what the
graph tells (`complete`), and turns one image's raw outputs into predictions (`decode`). Families are registered
with `@register_family` in `FAMILIES`; the loader looks them up there and nothing else branches on the family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from core.shapes import Box, Shape
from inference.cards import ModelCard
from inference.errors import ModelError
from inference.graph import GraphInfo, TensorInfo, ultralytics_names
from inference.nms import nms
from inference.preprocess import Transform, letterbox, to_tensor

DEFAULT_SIZE = 640


@dataclass(frozen=True)
class Prediction:
    """One predicted shape in original-image pixels, with the model's class and confidence."""

    class_id: int
    class_name: str
    score: float
    shape: Shape


@dataclass(frozen=True)
class Prepared:
    """One image ready for the session: the input tensor (1xCxHxW) and the way back to image coordinates."""

    tensor: np.ndarray
    transform: Transform


class Family:
    name: ClassVar[str]
    description: ClassVar[str]
    task: ClassVar[str | None] = None  # the Ultralytics metadata `task` this family reads
    defaults: ClassVar[dict[str, Any]] = {}  # card fields this family changes from ModelCard's defaults
    options: ClassVar[dict[str, Any]] = {}  # family-only card fields, with their defaults
    interactive: ClassVar[bool] = False  # prompt-driven (SAM): run through InteractiveSegmenter, not Predictor

    def matches(self, graph: GraphInfo) -> bool:
        """Whether the graph's layout alone identifies this family (used when there is no card or metadata)."""
        return False

    def from_metadata(self, graph: GraphInfo) -> dict[str, Any]:
        """Card fields that the model's own metadata gives."""
        layer: dict[str, Any] = {}
        names = ultralytics_names(graph)
        if names:
            layer["classes"] = list(names)
        imgsz = graph.literal("imgsz")
        if isinstance(imgsz, (list, tuple)) and len(imgsz) == 2 and all(isinstance(v, int) for v in imgsz):
            layer["input_size"] = list(imgsz)
        return layer

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        """The card checked against the graph, with what the graph tells filled in; ModelError on a mismatch."""
        raise NotImplementedError

    def needed_scale(self, width: int, height: int, card: ModelCard) -> float:
        """The fraction of an image's resolution that `prepare` keeps (for reduced JPEG decoding)."""
        raise NotImplementedError

    def prepare(self, image: np.ndarray, card: ModelCard) -> Prepared:
        raise NotImplementedError

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        """Predictions from one image's outputs (batch dimension removed), in original-image coordinates."""
        raise NotImplementedError


FAMILIES: dict[str, Family] = {}
ALIASES = {"yolo11": "yolov8", "yolov11": "yolov8", "yolo11-seg": "yolov8-seg", "yolo11-pose": "yolov8-pose",
           "yolo11-obb": "yolov8-obb", "ppocr-det": "dbnet"}  # fmt: skip


def register_family[F: type[Family]](cls: F) -> F:
    FAMILIES[cls.name] = cls()
    return cls


def mismatch(graph: GraphInfo, card: ModelCard, problem: str) -> ModelError:
    """An error naming the model, the card (when there is one) and the graph's real layout."""
    where = f" (card {card.source})" if card.source else ""
    return ModelError(graph.path, f"{problem}{where}; the graph has {graph.describe()}")


def single_input(graph: GraphInfo, card: ModelCard) -> TensorInfo:
    """The one image input (N x 3 x H x W) that the batch families need."""
    if len(graph.inputs) != 1:
        raise mismatch(graph, card, f"the {card.family} family expects one image input, not {len(graph.inputs)}")
    tensor = graph.inputs[0]
    if len(tensor.shape) != 4 or tensor.shape[1] not in (3, None):
        raise mismatch(graph, card, f"input {tensor.name} is not an N x 3 x H x W image")
    return tensor


def fixed_input_size(graph: GraphInfo, card: ModelCard, default: tuple[int, int] | None) -> tuple[int, int] | None:
    """The input size: the graph's fixed H x W (a card must agree), else the card's, else `default`."""
    h, w = graph.input_hw()
    if h is not None and w is not None:
        if card.input_size is not None and card.input_size != (h, w):
            raise mismatch(graph, card, f"input_size {list(card.input_size)} differs from the input's fixed {h}x{w}")
        return h, w
    return card.input_size or default


def class_names(graph: GraphInfo, card: ModelCard, count: int | None, what: str) -> tuple[str, ...]:
    """The card's class list checked against the `count` the output layout holds (None: dynamic)."""
    if card.classes:
        if count is not None and len(card.classes) != count:
            raise mismatch(graph, card, f"{len(card.classes)} class names given but {what} holds {count} classes")
        return card.classes
    if count is None:
        raise mismatch(graph, card, f"cannot tell the number of classes ({what} is dynamic); list them in a card")
    return tuple(f"class_{i}" for i in range(count))


def output_rows(graph: GraphInfo, card: ModelCard, index: int = 0) -> int:
    """The fixed feature count of a (1, F, N) output; ModelError when it is missing or dynamic."""
    if len(graph.outputs) <= index or len(graph.outputs[index].shape) != 3:
        raise mismatch(graph, card, f"the {card.family} family expects a (batch, features, anchors) output")
    rows = graph.outputs[index].shape[1]
    if rows is None:
        raise mismatch(graph, card, f"output {graph.outputs[index].name} has a dynamic feature dimension")
    return rows


class LetterboxFamily(Family):
    """YOLO-style input: letterboxed to a fixed square-ish size, RGB, 0-1."""

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        single_input(graph, card)
        size = fixed_input_size(graph, card, (DEFAULT_SIZE, DEFAULT_SIZE))
        return replace(card, input_size=size)

    def needed_scale(self, width: int, height: int, card: ModelCard) -> float:
        h, w = card.input_size or (DEFAULT_SIZE, DEFAULT_SIZE)
        return min(h / height, w / width)

    def prepare(self, image: np.ndarray, card: ModelCard) -> Prepared:
        canvas, transform = letterbox(image, card.input_size or (DEFAULT_SIZE, DEFAULT_SIZE), card.pad_value)
        return Prepared(to_tensor(canvas, card.channel_order, card.scale, card.mean, card.std), transform)


def select(scores: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From per-anchor class scores (C, N): indices of anchors whose best class reaches `conf`, that class, score."""
    best = scores.max(axis=0)
    keep = np.flatnonzero(best >= conf)
    return keep, scores[:, keep].argmax(axis=0), best[keep]


def xywh_to_xyxy(xywh: np.ndarray) -> np.ndarray:
    """(N, 4) centre/size boxes to corners."""
    half = xywh[:, 2:4] / 2
    return np.concatenate([xywh[:, :2] - half, xywh[:, :2] + half], axis=1)


def kept_boxes(
    xywh: np.ndarray, ids: np.ndarray, scores: np.ndarray, card: ModelCard
) -> tuple[np.ndarray, np.ndarray]:
    """NMS (class-aware) over model-space boxes: the kept indices and their xyxy boxes in model space."""
    xyxy = xywh_to_xyxy(xywh.astype(np.float64))
    keep = nms(xyxy, scores, card.iou, ids, card.max_detections)
    return keep, xyxy[keep]


def box_predictions(
    xyxy_model: np.ndarray, ids: np.ndarray, scores: np.ndarray, prepared: Prepared, card: ModelCard
) -> list[Prediction]:
    """Axis-aligned box predictions in image coordinates; boxes that clip to nothing are dropped."""
    boxes = prepared.transform.boxes(xyxy_model)
    out = []
    for (x1, y1, x2, y2), cid, score in zip(boxes, ids, scores, strict=True):
        if x2 > x1 and y2 > y1:
            out.append(Prediction(int(cid), card.class_name(int(cid)), float(score),
                                  Box(float(x1), float(y1), float(x2 - x1), float(y2 - y1))))  # fmt: skip
    return out
