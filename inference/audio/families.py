"""The table of audio model families: a family turns a recording into labelled time segments.

A row per family, as `inference.families.FAMILIES` is for images: the rate it takes (audio arrives as mono float32
chunks at that rate, inference/audio/stream.py), its card defaults and options (checked by inference/cards.py like
an image family's), how it recognises its graph, and `detect`. A team's own model (a sound-event classifier, a
speaker-change detector) is one more class with `@register_audio_family`; the job, the CLI and the app need nothing
else. Every audio family has the `tier` option: the tier its segments go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np
import onnxruntime as ort

from inference.cards import ModelCard
from inference.families import Prediction
from inference.graph import GraphInfo

AUDIO_FAMILIES: dict[str, AudioFamily] = {}


class AudioFamily:
    name: ClassVar[str]
    description: ClassVar[str]
    sample_rate: ClassVar[int] = 16000  # what `detect` gets: mono float32 in [-1, 1] at this rate
    defaults: ClassVar[dict[str, Any]] = {}  # card fields this family changes from ModelCard's defaults
    options: ClassVar[dict[str, Any]] = {"tier": ""}  # family-only card fields with their defaults (keep `tier`)

    def matches(self, graph: GraphInfo) -> bool:
        """Whether the graph's layout alone identifies this family (a model without a card)."""
        return False

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        """The card checked against the graph (ModelError on a mismatch), with what the graph tells filled in."""
        return card

    def detect(self, session: ort.InferenceSession, graph: GraphInfo, card: ModelCard,
               chunks: Iterable[np.ndarray]) -> list[Prediction]:  # fmt: skip
        """Predictions (core.shapes.Segment on the card's tier, seconds from the start) for one recording given as
        consecutive chunks; ModelError when the model's output cannot be used."""
        raise NotImplementedError


def register_audio_family(cls: type[AudioFamily]) -> type[AudioFamily]:
    AUDIO_FAMILIES[cls.name] = cls()
    return cls
