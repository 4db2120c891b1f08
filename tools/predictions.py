"""Reviewing model predictions: accept, reject, accept all, replace a model's pending predictions. Qt-free.

A prediction is an annotation whose source kind is `model`. Accepting one makes it human-confirmed: the source kind
becomes `human` (so it is drawn, exported and counted like any confirmed shape) while the source keeps the model id
and the score, so where a shape came from is never lost, and a batch pre-label run still sees that this model has
done the task. Each command is one undo step. "Accept all" takes the predictions on show: those the score threshold
hides stay predictions.

A mixin of `Editor`: its methods take the editor as a `PredictionHost`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from core.annotation import Annotation, Source, SourceKind
from core.document import AddAnnotations, Batch, Command, DeleteAnnotations, UpdateAnnotations
from tools.base import ToolHost


class PredictionHost(ToolHost, Protocol):
    def is_visible(self, annotation: Annotation) -> bool: ...

    def predictions(self) -> tuple[Annotation, ...]: ...


def below_threshold(annotation: Annotation, threshold: float) -> bool:
    """Whether a prediction's score is under the view's threshold (shapes without a score are never hidden)."""
    score = annotation.source.score
    return annotation.source.is_model and score is not None and score < threshold


def accepted(annotation: Annotation, author: str) -> Annotation:
    """The prediction confirmed by `author`: source kind human, model id and score kept."""
    source = Source(SourceKind.HUMAN, annotation.source.score, annotation.source.model_id)
    return dataclasses.replace(annotation, source=source, author=author or annotation.author)


class PredictionCommands:
    def predictions(self: PredictionHost) -> tuple[Annotation, ...]:
        """The predictions on show (not hidden by the threshold, their label or "hide all"), in drawing order."""
        return tuple(a for a in self.doc if a.source.is_model and self.is_visible(a))

    def accept_selected(self: PredictionHost) -> int:
        """Confirm the selected predictions (one undo step); returns how many. Other selected shapes are ignored."""
        chosen = [self.doc.get(i) for i in self.selection if i in self.doc]
        return _accept(self, [a for a in chosen if a.source.is_model and self.is_visible(a)])

    def accept_all(self: PredictionHost) -> int:
        """Confirm every prediction on show (one undo step); returns how many."""
        return _accept(self, self.predictions())

    def reject_selected(self: PredictionHost) -> int:
        """Delete the selected predictions (one undo step); returns how many. Other selected shapes stay."""
        doomed = tuple(i for i in self.selection if i in self.doc and self.doc.get(i).source.is_model)
        if doomed:
            n = len(doomed)
            self.execute(DeleteAnnotations(doomed, "Reject prediction" if n == 1 else f"Reject {n} predictions"))
        return len(doomed)

    def replace_predictions(self: PredictionHost, model_id: str, new: Sequence[Annotation]) -> int:
        """Put a model's new predictions in place of its pending ones (accepted shapes stay): one undo step, so
        pre-labelling a task twice leaves one set. Returns how many pending predictions were replaced."""
        old = tuple(a.id for a in self.doc if a.source.is_model and a.source.model_id == model_id)
        commands: list[Command] = []
        if old:
            commands.append(DeleteAnnotations(old, "Pre-label"))
        if new:
            commands.append(AddAnnotations(tuple(new), "Pre-label"))
        if commands:
            self.execute(Batch(tuple(commands), "Pre-label"))
        return len(old)


def _accept(host: PredictionHost, predictions: Sequence[Annotation]) -> int:
    if predictions:
        n = len(predictions)
        confirmed = tuple(accepted(a, host.author) for a in predictions)
        host.execute(UpdateAnnotations(confirmed, "Accept prediction" if n == 1 else f"Accept {n} predictions"))
    return len(predictions)
