"""Conversion between workspace rows and core records (Annotation, Task).

The bulk import turns a million annotations into rows, so the geometry is formatted with `repr` (which is exactly
JSON's float format for finite numbers) and checked with one regular expression, instead of `json.dumps` per row.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from core.annotation import Annotation, Source, SourceKind, Task, TaskStatus
from core.shapes import ShapeError, shape_from_json

ANNOTATION_COLUMNS = (
    "id, task_id, label, kind, geometry, attributes, author, source_kind, source_score, source_model, revision, "
    "deleted, updated_at"
)
TASK_COLUMNS = "id, media_path, content_hash, size, width, height, status, error"
_PLAIN_NUMBERS = re.compile(r"[-+0-9.e,]*")
_COMPACT = {"separators": (",", ":"), "ensure_ascii": False, "allow_nan": False}


class RecordError(ValueError):
    """An annotation that cannot be stored, or a stored row that cannot be read back; the message names its id."""


def geometry_json(annotation_id: str, values: Sequence[float]) -> str:
    """JSON of a shape's numbers; refuses NaN and infinity, which JSON cannot hold."""
    text = ",".join(map(repr, values))
    if _PLAIN_NUMBERS.fullmatch(text):  # plain ints and finite floats; anything else takes the checked path
        return f"[{text}]"
    try:
        return json.dumps([float(v) for v in values], **_COMPACT)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RecordError(f"annotation {annotation_id}: geometry is not a list of finite numbers: {exc}") from None


def attributes_json(annotation_id: str, attributes: dict[str, Any]) -> str:
    if not attributes:
        return "{}"
    try:
        return json.dumps(attributes, **_COMPACT)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RecordError(f"annotation {annotation_id}: attributes cannot be stored as JSON: {exc}") from None


def annotation_row(a: Annotation, revision: int, deleted: bool, now: float) -> tuple[Any, ...]:
    """Row values in ANNOTATION_COLUMNS order."""
    source = a.source
    return (
        a.id,
        a.task_id,
        a.label,
        a.shape.kind,
        geometry_json(a.id, a.shape.to_json()),
        attributes_json(a.id, a.attributes),
        a.author,
        source.kind.value,
        source.score,
        source.model_id,
        revision,
        int(deleted),
        now,
    )


def annotation_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Annotation:
    """An Annotation from a row in ANNOTATION_COLUMNS order (the `deleted` and time columns are not part of it)."""
    ann_id, task_id, label, kind, geometry, attributes, author, source_kind, score, model_id, revision = row[:11]
    try:
        shape = shape_from_json(kind, json.loads(geometry))
        attrs = json.loads(attributes)
        source = Source(SourceKind(source_kind), score, model_id)
    except (ShapeError, ValueError) as exc:
        raise RecordError(f"annotation {ann_id}: stored row cannot be read: {exc}") from None
    return Annotation(ann_id, task_id, label, shape, attrs, author, source, revision)


def task_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Task:
    """A Task from a row in TASK_COLUMNS order."""
    task_id, media_path, digest, size, width, height, status, error = row
    return Task(task_id, media_path, digest, size, width, height, TaskStatus(status), error)
