"""Model classes onto workspace labels, and predictions into annotations.

A class maps to the label of the same name (or, failing that, the one label whose name matches ignoring case); the
card's `rename` and the run's `--map CLASS=LABEL` choose another name first (the run's wins). A class with no label
gets one, added to the schema, unless the schema is locked by the server: then its predictions are skipped and
counted. A label that does not allow the predicted shape kind skips those predictions too, and says so.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from core.annotation import Annotation, Source, SourceKind, new_id
from core.schema import Label, LabelSchema
from inference.families import Prediction


class LabelMapper:
    def __init__(
        self,
        schema: LabelSchema,
        renames: Mapping[str, str] | None = None,
        *,
        locked: bool = False,
        keypoints: tuple[str, ...] = (),
        skeleton: tuple[tuple[int, int], ...] = (),
    ) -> None:
        self.schema = schema  # grows as classes without a label are met (unless locked)
        self.renames = dict(renames or {})
        self.locked = locked
        self.added: list[str] = []
        self.skipped: Counter[str] = Counter()  # reason -> number of predictions skipped for it
        self._keypoints = keypoints
        self._skeleton = skeleton
        self._resolved: dict[str, str | None] = {}

    def label_for(self, class_name: str) -> str | None:
        """The label name a class's predictions get (adding it to the schema when allowed), or None."""
        if class_name not in self._resolved:
            self._resolved[class_name] = self._resolve(self.renames.get(class_name, class_name))
        return self._resolved[class_name]

    def _resolve(self, name: str) -> str | None:
        if self.schema.get(name) is not None:
            return name
        folded = [n for n in self.schema.names() if n.casefold() == name.casefold()]
        if len(folded) == 1:
            return folded[0]
        if self.locked:
            return None
        grown = self.schema.with_label(name)
        if self._keypoints:
            last = dataclasses.replace(grown.labels[-1], keypoints=self._keypoints, skeleton=self._skeleton)
            grown = grown.with_last_label(last)
        self.schema = grown
        self.added.append(name)
        return name

    def annotations(
        self, task_id: int, predictions: Iterable[Prediction], model_id: str, author: str = ""
    ) -> list[Annotation]:
        """New annotations (source: this model, with each prediction's score) for the predictions that map."""
        out = []
        for p in predictions:
            name = self.label_for(p.class_name)
            if name is None:
                self.skipped[f"class {p.class_name!r} has no label and the schema is locked"] += 1
                continue
            label: Label | None = self.schema.get(name)
            if label is not None and not label.allows(p.shape.kind):
                self.skipped[f"label {name!r} does not allow {p.shape.kind} shapes"] += 1
                continue
            source = Source(SourceKind.MODEL, round(p.score, 6), model_id)
            attributes = label.initial_attributes() if label is not None else {}
            out.append(Annotation(new_id(), task_id, name, p.shape, attributes, author, source))
        return out

    def messages(self) -> list[str]:
        lines = [f"labels added to the schema: {', '.join(self.added)}"] if self.added else []
        return lines + [f"skipped {n} predictions: {reason}" for reason, n in sorted(self.skipped.items())]


def parse_renames(pairs: Sequence[str]) -> dict[str, str]:
    """`CLASS=LABEL` strings (the CLI's --map) as a mapping; ValueError naming a malformed one."""
    out = {}
    for pair in pairs:
        cls, sep, label = pair.partition("=")
        if not sep or not cls.strip() or not label.strip():
            raise ValueError(f"--map {pair!r}: expected CLASS=LABEL")
        out[cls.strip()] = label.strip()
    return out
