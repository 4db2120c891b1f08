"""ONNX Runtime pre-labeling. Imports only `core`; no Qt.

The app's entry points:
- `Predictor.load(model, card=None, provider="auto")`, then `predict(image) -> list[Prediction]`: batch families.
- `InteractiveSegmenter.load(encoder, decoder=None)`, then `encode(image)` once and `decode(embedding, points, labels,
  box) -> Mask` per click: SAM-style models.
- `LabelMapper(schema, renames, locked=...)`, then `annotations(task_id, predictions, model_id, author)`.
- `PrelabelJob(predictor, workspace, PrelabelOptions(...), progress).run() -> PrelabelReport`: many tasks.
- Audio (inference/audio/, inference/audio_prelabel.py): `open_model(path)` opens a model of either kind;
  `AudioModel.load(path)`, then `detect(source) -> list[Prediction]` (segments); `AudioPrelabelJob(model, workspace,
  AudioPrelabelOptions(...), progress).run()` over the recordings.
"""

from inference.cards import ModelCard
from inference.errors import ModelError
from inference.families import FAMILIES, Prediction
from inference.interactive import EXCLUDE, INCLUDE, ImageEmbedding, InteractiveSegmenter
from inference.labels import LabelMapper, parse_renames
from inference.loader import load_model, model_id
from inference.pipeline import PrelabelJob, PrelabelOptions, PrelabelReport, PrelabelStore, TaskFailure
from inference.predictor import Predictor
from inference.providers import PROVIDER_CHOICES, RuntimeInfo, create_session

__all__ = [
    "EXCLUDE",
    "FAMILIES",
    "INCLUDE",
    "PROVIDER_CHOICES",
    "ImageEmbedding",
    "InteractiveSegmenter",
    "LabelMapper",
    "ModelCard",
    "ModelError",
    "Prediction",
    "Predictor",
    "PrelabelJob",
    "PrelabelOptions",
    "PrelabelReport",
    "PrelabelStore",
    "RuntimeInfo",
    "TaskFailure",
    "create_session",
    "load_model",
    "model_id",
    "parse_renames",
]
