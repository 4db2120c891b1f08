"""Run a batch model (detector, segmenter, pose, OBB, classifier, text detector) on images: the app's entry point.

`Predictor.predict(image)` is all the app needs for one task; the batch pipeline uses the three steps separately
(`prepare` in worker threads, `infer` on batches, `decode` in the writer thread) so they overlap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.messages import translate
from inference.cards import ModelCard
from inference.errors import ModelError
from inference.families import Family, Prediction, Prepared
from inference.loader import LoadedModel, load_model
from inference.preprocess import as_bgr8
from inference.providers import RuntimeInfo

_NUMPY_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64}


@dataclass(frozen=True)
class Preparer:
    """A model's preprocessing without its session (family and card only, picklable): what decode workers that
    hold no model need, on this machine or on a cluster's CPU nodes (farm/prelabel.py)."""

    family: Family
    card: ModelCard

    def needed_scale(self, width: int, height: int) -> float:
        return self.family.needed_scale(width, height, self.card)

    def prepare(
        self, image: np.ndarray, factors: tuple[float, float] = (1.0, 1.0), full_size: tuple[int, int] | None = None
    ) -> Prepared:
        """The input for one image; `factors` and `full_size` describe an image decoded smaller than the original."""
        prepared = self.family.prepare(as_bgr8(image), self.card)
        if factors == (1.0, 1.0):
            return prepared
        width, height = full_size or (prepared.transform.width, prepared.transform.height)
        transform = prepared.transform.of_original(factors[0], factors[1], width, height)
        return Prepared(prepared.tensor, transform)


class Predictor:
    """One batch model, ready to run. Safe to call from one thread at a time per method (ORT's `run` is
    thread-safe, so `infer` may overlap `prepare` and `decode` in other threads)."""

    def __init__(self, model: LoadedModel) -> None:
        if model.family.interactive:
            raise ModelError(model.path, translate("inference", "{family} models take prompts: open them with "
                                                   "InteractiveSegmenter").format(family=model.family.name))
        self.model = model
        first = model.graph.inputs[0]
        self._input = first.name
        self._dtype = _NUMPY_TYPES.get(first.dtype)
        if self._dtype is None:
            raise ModelError(model.path, translate("inference", "input {name} has type {dtype}; an image input must "
                                                   "be float").format(name=first.name, dtype=first.dtype))
        self._outputs = [t.name for t in model.graph.outputs]

    @classmethod
    def load(
        cls,
        path: str | Path,
        card_path: str | Path | None = None,
        provider: str = "auto",
        overrides: Mapping[str, Any] | None = None,
        *,
        spin: bool = True,
        threads: int | None = None,
    ) -> Predictor:
        """Open a model file; ModelError (naming the file and the problem) when it cannot be used. `threads`: ONNX
        Runtime's intra-op threads (default: one per core)."""
        return cls(load_model(path, card_path, provider, overrides, spin=spin, threads=threads))

    @property
    def path(self) -> Path:
        return self.model.path

    @property
    def model_id(self) -> str:
        return self.model.model_id

    @property
    def card(self) -> ModelCard:
        return self.model.card

    @property
    def runtime(self) -> RuntimeInfo:
        return self.model.runtime

    @property
    def max_batch(self) -> int | None:
        """The largest batch the graph takes: 1 when its batch dimension is fixed, None when any size goes."""
        return None if self.model.graph.batch_dynamic else 1

    @property
    def preparer(self) -> Preparer:
        return Preparer(self.model.family, self.card)

    def needed_scale(self, width: int, height: int) -> float:
        return self.preparer.needed_scale(width, height)

    def prepare(
        self, image: np.ndarray, factors: tuple[float, float] = (1.0, 1.0), full_size: tuple[int, int] | None = None
    ) -> Prepared:
        """The input for one image; `factors` and `full_size` describe an image decoded smaller than the original."""
        return self.preparer.prepare(image, factors, full_size)

    def infer(self, batch: Sequence[Prepared]) -> list[list[np.ndarray]]:
        """Run the session on images whose tensors share one shape; each image's outputs, batch dim removed."""
        tensor = batch[0].tensor if len(batch) == 1 else np.concatenate([p.tensor for p in batch])
        try:
            outputs = self.model.session.run(self._outputs, {self._input: tensor.astype(self._dtype, copy=False)})
        except Exception as exc:  # ORT's own error types: wrong rank, shape or a failing kernel
            raise ModelError(self.path, translate("inference", "inference failed: {error}").format(
                error=str(exc).strip().splitlines()[0])) from None
        for name, out in zip(self._outputs, outputs, strict=True):
            if out.ndim == 0 or out.shape[0] != len(batch):
                raise ModelError(self.path, translate("inference", "output {name} has shape {shape}, not one row "
                                                      "per image of the batch of {batch}").format(
                    name=name, shape=list(out.shape), batch=len(batch)))
        return [[out[i] for out in outputs] for i in range(len(batch))]

    def decode(self, outputs: Sequence[np.ndarray], prepared: Prepared) -> list[Prediction]:
        """Predictions for one image from its outputs; ModelError when the outputs hold NaN or infinity."""
        for name, out in zip(self._outputs, outputs, strict=True):
            if out.dtype.kind == "f" and not np.isfinite(out).all():
                raise ModelError(self.path, translate("inference", "output {name} contains NaN or infinite "
                                                      "values").format(name=name))
        try:
            return self.model.family.decode([np.asarray(o) for o in outputs], prepared, self.card)
        except (IndexError, ValueError) as exc:
            if isinstance(exc, ModelError):
                raise
            raise ModelError(self.path, translate("inference", "output does not fit the {family} layout: "
                                                  "{error}").format(family=self.card.family, error=exc)) from None

    def predict(self, image: np.ndarray) -> list[Prediction]:
        """Predictions for one decoded image (any of core.media.decode_image's layouts), in its pixel coordinates."""
        prepared = self.prepare(image)
        return self.decode(self.infer([prepared])[0], prepared)

    def predict_batch(self, images: Sequence[np.ndarray]) -> list[list[Prediction]]:
        """Predictions for several images, batched where the model allows and the inputs share a shape."""
        prepared = [self.prepare(image) for image in images]
        if self.max_batch == 1 or len({p.tensor.shape for p in prepared}) > 1:
            return [self.decode(self.infer([p])[0], p) for p in prepared]
        return [self.decode(out, p) for out, p in zip(self.infer(prepared), prepared, strict=True)]
