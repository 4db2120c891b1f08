"""The image stage of server-side pre-labeling on Ray (farm/prelabel.py wires it): CPU tasks that read each image
from the media store and prepare it with the desktop's own functions, and actors that hold one ONNX Runtime session
and turn batches of prepared images into each task's predictions (or its failure)."""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from typing import Any

import numpy as np

from core.media import MediaError
from farm.media_tasks import unpack_model
from inference import ModelError, Predictor
from inference.families import Prepared
from inference.predictor import Preparer
from inference.preprocess import Transform, decode_reduced
from sync.server.config import ServerConfig
from sync.server.errors import ApiError
from sync.server.media_seal import MediaKeys
from sync.server.media_store import MediaStore, open_media

_MEDIA: dict[tuple[Any, ...], MediaStore] = {}
_LOW = threading.local()


def read_images(batch: dict[str, np.ndarray], config: ServerConfig, keys: MediaKeys,
                preparer: Preparer) -> dict[str, np.ndarray]:  # fmt: skip
    """In a CPU task: each task's media bytes from the store, decoded (reduced where the model needs fewer pixels)
    and preprocessed; a task that cannot be read carries its reason instead."""
    if not getattr(_LOW, "done", False) and hasattr(os, "setpriority"):  # decode yields to inference, as on the desktop
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        _LOW.done = True
    key = (config.data_dir, config.media, config.s3_endpoint)
    media = _MEDIA.get(key)
    if media is None:
        media = _MEDIA[key] = open_media(config, keys)
    tensors: list[np.ndarray | None] = []
    transforms, errors = [], []
    for sha, name, size, width, height in zip(batch["sha"], batch["name"], batch["size"], batch["width"],
                                               batch["height"], strict=True):  # fmt: skip
        try:
            data = b"".join(media.read(str(sha), 0, int(size)))
            full = (int(width), int(height)) if int(width) > 0 else None
            image, fx, fy = decode_reduced(data, str(name), full, preparer.needed_scale)
            prepared = preparer.prepare(image, (fx, fy), full)
            tensors.append(prepared.tensor[0])
            t = prepared.transform
            transforms.append((t.gain_x, t.gain_y, t.pad_x, t.pad_y, t.width, t.height))
            errors.append("")
        except (MediaError, ModelError, ApiError, OSError) as exc:
            tensors.append(None)
            transforms.append((1.0, 1.0, 0.0, 0.0, 0, 0))
            errors.append(getattr(exc, "reason", None) or getattr(exc, "problem", None)
                          or getattr(exc, "detail", None) or str(exc))  # fmt: skip
    return {"task_id": batch["task_id"], "tensor": _tensor_column(tensors),
            "transform": np.array(transforms, np.float64), "error": np.array(errors, dtype=object)}


def _tensor_column(tensors: list[np.ndarray | None]) -> np.ndarray:
    """One array (Ray Data keeps it as an Arrow tensor column, no pickling) where the inputs share a shape, which
    letterboxing models make the rule; an object array of arrays (a variable-shaped column) otherwise. A failed task
    holds zeros of its neighbours' shape."""
    ok = [t for t in tensors if t is not None]
    like = ok[0] if ok else np.zeros((1, 1, 1), np.float32)
    filled = [t if t is not None else np.zeros_like(like) for t in tensors]
    if all(t.shape == like.shape and t.dtype == like.dtype for t in filled):
        return np.stack(filled)
    column = np.empty(len(filled), dtype=object)
    column[:] = filled
    return column


class ImageInfer:
    """A Ray actor holding one ONNX Runtime session: batches in, each task's predictions (or its failure) out."""

    def __init__(self, files: Any, provider: str, threads: int, batch: int, model_id: str) -> None:
        self._dir, model, card = unpack_model(files)
        self.predictor = Predictor.load(model, card, provider, spin=False, threads=threads)
        if self.predictor.model_id != model_id:
            raise ModelError(model, "the model's bytes changed on the way to the worker")
        self.batch = 1 if self.predictor.max_batch == 1 else max(1, batch)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = len(batch["task_id"])
        predictions: list[bytes] = [b""] * n
        errors = [str(e) for e in batch["error"]]
        ready = [(i, Prepared(np.asarray(batch["tensor"][i])[None], _transform(batch["transform"][i])))
                 for i in range(n) if not errors[i]]
        while ready:
            shape = ready[0][1].tensor.shape
            chunk = [item for item in ready if item[1].tensor.shape == shape][: self.batch]
            ready = [item for item in ready if item not in chunk]
            try:
                outputs = self.predictor.infer([p for _, p in chunk])
            except ModelError as exc:
                for i, _ in chunk:
                    errors[i] = exc.problem
                continue
            for (i, prepared), out in zip(chunk, outputs, strict=True):
                try:
                    predictions[i] = pickle.dumps(self.predictor.decode(out, prepared), protocol=5)
                except ModelError as exc:
                    errors[i] = exc.problem
        return {"task_id": batch["task_id"], "result": np.array(predictions, dtype=object),
                "error": np.array(errors, dtype=object)}


def _transform(values: np.ndarray) -> Transform:
    gain_x, gain_y, pad_x, pad_y, width, height = (float(v) for v in values)
    return Transform(gain_x, gain_y, pad_x, pad_y, int(width), int(height))
