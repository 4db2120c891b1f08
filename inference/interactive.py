"""SAM-style clicking: encode an image once (slow, run it in the background), then decode each prompt (fast).

Prompts follow the official SAM ONNX export: points in the resized (longest side 1024) frame with labels 1 (include)
and 0 (exclude), a box as two points labelled 2 (top-left) and 3 (bottom-right), and a padding point labelled -1
when there is no box. The decoder's masks are logits; pixels above `mask_threshold` (0) are the object. A decoder
with `orig_im_size` returns masks at the image size; without it, the low-resolution mask of the padded square is cut
to the image's part and scaled up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from core.geometry import Point
from core.messages import translate
from core.shapes import Mask
from inference.cards import ModelCard
from inference.errors import ModelError
from inference.families.sam import check_decoder
from inference.graph import GraphInfo
from inference.loader import load_model, model_id, resolve_card
from inference.preprocess import as_bgr8
from inference.providers import RuntimeInfo, create_session

INCLUDE, EXCLUDE = 1, 0


@dataclass(frozen=True)
class ImageEmbedding:
    """The encoder's output for one image, with the image size and the resize scale the prompts need."""

    features: np.ndarray
    width: int
    height: int
    scale: float


class InteractiveSegmenter:
    def __init__(self, encoder: Path, decoder: Path, provider: str = "auto", overrides: Mapping[str, Any] | None = None,
                 card_path: str | Path | None = None) -> None:  # fmt: skip
        self._encoder = load_model(encoder, card_path, provider, {**(overrides or {}), "family": "sam"})
        self._decoder, _ = create_session(decoder, provider)
        graph = GraphInfo.from_session(decoder, self._decoder)
        check_decoder(graph, self._encoder.card)
        self._decoder_inputs = {t.name for t in graph.inputs}
        self._decoder_outputs = [t.name for t in graph.outputs]
        self.model_id = model_id(encoder, decoder)

    @classmethod
    def load(cls, encoder: str | Path, decoder: str | Path | None = None, provider: str = "auto",
             card_path: str | Path | None = None) -> InteractiveSegmenter:  # fmt: skip
        """Open an encoder and its decoder; without `decoder`, the encoder's card names it (`decoder: file`)."""
        encoder = Path(encoder)
        if decoder is None:
            session, _ = create_session(encoder, "cpu")
            _, card = resolve_card(GraphInfo.from_session(encoder, session), card_path, {"family": "sam"})
            name = str(card.options.get("decoder") or "")
            if not name:
                raise ModelError(card.source or encoder, translate("inference", 'the card must name the prompt '
                                                                   'decoder ("decoder": file)'))
            decoder = Path(card.source).parent / name
        return cls(encoder, Path(decoder), provider, card_path=card_path)

    @property
    def card(self) -> ModelCard:
        return self._encoder.card

    @property
    def runtime(self) -> RuntimeInfo:
        return self._encoder.runtime

    def encode(self, image: np.ndarray) -> ImageEmbedding:
        """Run the image encoder (hundreds of ms on a CPU for real SAM): do it when a task opens, off the UI thread."""
        prepared = self._encoder.family.prepare(as_bgr8(image), self.card)
        name = self._encoder.graph.inputs[0].name
        out = self._encoder.session.run(None, {name: prepared.tensor})[0]
        if not np.isfinite(out).all():
            raise ModelError(self._encoder.path, translate("inference", "the image embedding contains NaN or "
                                                           "infinite values"))
        return ImageEmbedding(out, image.shape[1], image.shape[0], prepared.transform.gain_x)

    def decode(
        self,
        embedding: ImageEmbedding,
        points: Sequence[Point] = (),
        labels: Sequence[int] = (),
        box: tuple[float, float, float, float] | None = None,
    ) -> Mask:
        """The mask for clicks (`labels`: 1 include, 0 exclude) and/or a box (x1, y1, x2, y2), in image pixels."""
        if len(points) != len(labels):
            raise ValueError(f"{len(points)} points but {len(labels)} labels")
        if not points and box is None:
            raise ValueError("give at least one point or a box")
        coords = [list(p) for p in points]
        kinds = [float(label) for label in labels]
        if box is not None:
            coords += [[box[0], box[1]], [box[2], box[3]]]
            kinds += [2.0, 3.0]
        else:
            coords.append([0.0, 0.0])
            kinds.append(-1.0)
        feeds = {
            "image_embeddings": embedding.features,
            "point_coords": (np.asarray(coords, dtype=np.float32) * embedding.scale)[None],
            "point_labels": np.asarray(kinds, dtype=np.float32)[None],
            "mask_input": np.zeros((1, 1, 256, 256), dtype=np.float32),
            "has_mask_input": np.zeros(1, dtype=np.float32),
            "orig_im_size": np.array([embedding.height, embedding.width], dtype=np.float32),
        }
        used = {k: v for k, v in feeds.items() if k in self._decoder_inputs}
        outputs = self._decoder.run(self._decoder_outputs, used)
        masks = outputs[0][0]
        if not np.isfinite(masks).all():
            raise ModelError(self._encoder.path, translate("inference", "the decoder's mask contains NaN or "
                                                           "infinite values"))
        best = int(np.argmax(outputs[1].reshape(-1))) if len(outputs) > 1 and masks.shape[0] > 1 else 0
        logits = self._to_image(masks[best], embedding)
        return Mask.from_array(logits > float(self.card.options["mask_threshold"]))

    def _to_image(self, logits: np.ndarray, e: ImageEmbedding) -> np.ndarray:
        if logits.shape == (e.height, e.width):
            return logits
        side = (self.card.input_size or (1024, 1024))[0]
        frame = logits.shape[0] / side  # mask pixels per resized-frame pixel
        h, w = max(1, round(e.height * e.scale * frame)), max(1, round(e.width * e.scale * frame))
        return cv2.resize(logits[:h, :w].astype(np.float32), (e.width, e.height), interpolation=cv2.INTER_LINEAR)
