"""SAM-style interactive segmentation: an image encoder (run once per image) and a prompt decoder (run per click).

This module holds the encoder side: the image is scaled so its longest side is `long_side` (1024), normalised with
SAM's pixel mean and std in RGB, and padded bottom-right with zeros to a square. The card of the encoder names the
decoder file (`decoder`, relative to the card); `inference.interactive.InteractiveSegmenter` runs the pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

import cv2
import numpy as np

from core.messages import translate
from inference.cards import ModelCard
from inference.errors import ModelError
from inference.families.base import Family, Prediction, Prepared, mismatch, register_family, single_input
from inference.graph import GraphInfo
from inference.preprocess import Transform, to_tensor

SAM_DECODER_INPUTS = ("image_embeddings", "point_coords", "point_labels")  # the official export's names
SAM_OPTIONAL_INPUTS = ("mask_input", "has_mask_input", "orig_im_size")


def sam_resize(image: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """Longest side to `long_side` (SAM's ResizeLongestSide rounding); returns the image and the scale used."""
    h, w = image.shape[:2]
    scale = long_side / max(h, w)
    size = (int(w * scale + 0.5), int(h * scale + 0.5))
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), scale


@register_family
class Sam(Family):
    name = "sam"
    description = "SAM-style interactive segmentation: image encoder + prompt decoder (points, box -> mask)"
    interactive = True
    defaults: ClassVar[dict[str, Any]] = {"channel_order": "rgb", "scale": 1.0, "mean": [123.675, 116.28, 103.53],
                "std": [58.395, 57.12, 57.375], "input_size": [1024, 1024], "classes": ["object"]}  # fmt: skip
    options: ClassVar[dict[str, Any]] = {"decoder": "", "mask_threshold": 0.0}

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        single_input(graph, card)
        h, w = graph.input_hw()
        size = card.input_size or (1024, 1024)
        if (h is not None and h != size[0]) or (w is not None and w != size[1]) or size[0] != size[1]:
            raise mismatch(graph, card, f"the encoder input must be a square of input_size {list(size)}")
        if not graph.outputs or len(graph.outputs[0].shape) != 4:
            raise mismatch(graph, card, "the encoder's first output must be an embedding (1 x C x h x w)")
        return replace(card, input_size=size)

    def needed_scale(self, width: int, height: int, card: ModelCard) -> float:
        side = (card.input_size or (1024, 1024))[0]
        return side / max(width, height)

    def prepare(self, image: np.ndarray, card: ModelCard) -> Prepared:
        side = (card.input_size or (1024, 1024))[0]
        resized, scale = sam_resize(image, side)
        tensor = np.zeros((1, 3, side, side), dtype=np.float32)
        body = to_tensor(resized, card.channel_order, card.scale, card.mean, card.std)
        tensor[:, :, : body.shape[2], : body.shape[3]] = body
        return Prepared(tensor, Transform(scale, scale, 0.0, 0.0, image.shape[1], image.shape[0]))

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared, card: ModelCard) -> list[Prediction]:
        raise ModelError(card.source or self.name, translate("inference", "a SAM-style model needs prompts: run it "
                                                             "with InteractiveSegmenter"))


def check_decoder(graph: GraphInfo, card: ModelCard) -> None:
    """The decoder must take the official export's prompt inputs (and may take the optional ones)."""
    names = [t.name for t in graph.inputs]
    missing = [n for n in SAM_DECODER_INPUTS if n not in names]
    unknown = [n for n in names if n not in SAM_DECODER_INPUTS + SAM_OPTIONAL_INPUTS]
    if missing or unknown:
        problems = [f"missing inputs {missing}"] if missing else []
        problem = "; ".join(problems + ([f"unknown inputs {unknown}"] if unknown else []))
        raise mismatch(graph, card, f"not a SAM prompt decoder: {problem}")
    if not graph.outputs or len(graph.outputs[0].shape) != 4:
        raise mismatch(graph, card, "the decoder's first output must be masks (1 x M x H x W)")
