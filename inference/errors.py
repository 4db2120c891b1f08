"""The one error type of the inference layer: it names the model (or card) file and what is wrong with it."""

from __future__ import annotations

from pathlib import Path

from core.messages import compose


class ModelError(ValueError):
    """A model file, card or output that cannot be used. `problem` is the reason without the path."""

    def __init__(self, model: str | Path, problem: str) -> None:
        super().__init__(compose("{model}: {problem}", model=model, problem=problem))
        self.model = str(model)
        self.problem = problem
