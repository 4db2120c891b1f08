"""Open an audio model (session, graph, family, checked card) and run it on a recording; open a model of either kind.

The family comes from the card's `family` (or the caller's override), else from the graph's layout when exactly one
audio family fits it (the Silero VAD file needs no card). `open_model` is for callers that take any model file (the
CLI, the app): an audio family's model opens as an AudioModel, anything else as an image Predictor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from core.audio import Source
from inference.audio.families import AUDIO_FAMILIES, AudioFamily
from inference.audio.stream import mono_chunks
from inference.cards import ModelCard, build_card, card_beside, read_card_file
from inference.errors import ModelError
from inference.families import ALIASES, FAMILIES, Prediction
from inference.graph import GraphInfo
from inference.loader import LoadedModel, model_id, resolve_card
from inference.predictor import Predictor
from inference.providers import RuntimeInfo, create_session


@dataclass(frozen=True)
class AudioModel:
    path: Path
    model_id: str  # content hash of the .onnx: predictions name it, and a resumed run skips what it predicted
    session: ort.InferenceSession
    runtime: RuntimeInfo
    graph: GraphInfo
    family: AudioFamily
    card: ModelCard

    @classmethod
    def load(cls, path: str | Path, card_path: str | Path | None = None, provider: str = "auto",
             overrides: Mapping[str, Any] | None = None, *, spin: bool = True,
             settings: Mapping[str, Any] | None = None) -> AudioModel:  # fmt: skip
        """Open an audio model file; ModelError naming the file when it cannot be used. `settings` are card fields
        from the app's settings, taken where the family has them (the VAD rules do not apply to every model)."""
        model = open_model(path, card_path, provider, overrides, spin=spin, settings=settings)
        if not isinstance(model, AudioModel):
            raise ModelError(path, f"a {model.card.family} model takes images, not audio")
        return model

    @property
    def tier(self) -> str:
        return str(self.card.options["tier"])

    def detect(self, source: Source, *, cancel: Callable[[], bool] | None = None,
               progress: Callable[[float], None] | None = None) -> list[Prediction]:  # fmt: skip
        """The model's segments of a recording, decoded by streaming; `progress(seconds decoded)` as it goes.
        AudioError when the file cannot be decoded, AudioCancelled when `cancel` returns True, ModelError."""
        rate = self.family.sample_rate
        chunks = mono_chunks(source, rate, cancel)
        if progress is not None:
            chunks = _counted(chunks, rate, progress)
        return self.family.detect(self.session, self.graph, self.card, chunks)


def _counted(chunks: Iterator[np.ndarray], rate: int, progress: Callable[[float], None]) -> Iterator[np.ndarray]:
    done = 0
    for chunk in chunks:
        done += len(chunk)
        progress(done / rate)
        yield chunk


def audio_family_of(graph: GraphInfo, family: str | None) -> AudioFamily | None:
    """The audio family a graph belongs to (named by the card, or alone in fitting its layout), else None."""
    if family:
        return AUDIO_FAMILIES.get(family.lower())
    if graph.metadata.get("task"):  # Ultralytics metadata: an image model
        return None
    fitting = [f for f in AUDIO_FAMILIES.values() if f.matches(graph)]
    return fitting[0] if len(fitting) == 1 else None


def open_model(path: str | Path, card_path: str | Path | None = None, provider: str = "auto",
               overrides: Mapping[str, Any] | None = None, *, spin: bool = True,
               settings: Mapping[str, Any] | None = None) -> Predictor | AudioModel:  # fmt: skip
    """A model file of either kind, ready to run; ModelError naming the file (and card) when it cannot be used.
    `settings` (audio models only) are card fields laid under `overrides`, each taken where the family has it."""
    path = Path(path)
    session, runtime = create_session(path, provider, spin=spin)
    graph = GraphInfo.from_session(path, session)
    card_file = Path(card_path) if card_path else card_beside(path)
    if card_file is not None and not card_file.is_file():
        raise ModelError(card_file, "no such card file")
    raw = read_card_file(card_file) if card_file else {}
    overrides = dict(overrides or {})
    named = overrides.get("family") or raw.get("family")
    family = audio_family_of(graph, str(named) if named else None)
    if family is None:
        if named and str(named).lower() not in FAMILIES and str(named).lower() not in ALIASES:
            known = sorted(FAMILIES) + sorted(AUDIO_FAMILIES)
            raise ModelError(card_file or path, f"unknown model family {named!r}; known: {', '.join(known)}")
        image_family, card = resolve_card(graph, card_file, overrides)
        return Predictor(LoadedModel(path, model_id(path), session, runtime, graph, image_family, card))
    source = str(card_file) if card_file else ""
    taken = {k: v for k, v in (settings or {}).items() if k in family.options or k == "conf"}
    card = build_card([family.defaults, raw, taken, overrides], family.options, source)
    card = family.complete(graph, replace(card, family=family.name))
    return AudioModel(path, model_id(path), session, runtime, graph, family, card)
