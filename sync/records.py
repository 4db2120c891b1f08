"""Conversion between workspace rows and core records (Annotation, Task).

The bulk import turns a million annotations into rows, so a box's numbers are stored as they are (x, y, w, h columns;
checked finite by subtraction) instead of being formatted as text: `repr` of four floats was most of the import's
Python time. Other kinds store JSON, formatted with `repr` (exactly JSON's float format for finite numbers).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

from core.annotation import Annotation, Source, SourceKind, Task, TaskStatus, video_field_error
from core.shapes import Box, ShapeError, shape_from_json

# What annotation_row gives and annotation_from_row reads; `deleted` and `updated_at` are written beside them. New
# columns go at the end, so the positions code such as the at-rest codec and sync/client/store.py uses keep meaning.
ANNOTATION_COLUMNS = (
    "id, task_id, label, kind, x, y, w, h, geometry_json, attributes, author, source_kind, source_score, source_model, "
    "revision, group_id, z, hidden, locked, frame, track_id, outside, occluded"
)
_NOT_A_BOX = (None, None, None, None)
TASK_COLUMNS = "id, media_path, content_hash, size, width, height, status, error, kind, frames"
_PLAIN_NUMBERS = re.compile(r"[-+0-9.e,]*")
_COMPACT = {"separators": (",", ":"), "ensure_ascii": False, "allow_nan": False}


class PayloadCodec(Protocol):
    """Encrypts what a lost laptop must not reveal: an annotation row's label, geometry and attributes, texts such
    as the schema, and blobs such as a recording's peaks (sync/peaks_at_rest.py). Rows are in ANNOTATION_COLUMNS
    order; the other columns pass through unchanged. `what` is bound to the ciphertext (a blob sealed for one use
    does not open as another); `open` raises WorkspaceError when a blob does not open."""

    def encode_row(self, row: tuple[Any, ...]) -> tuple[Any, ...]: ...
    def decode_rows(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]: ...
    def decode_label(self, stored: Any) -> str: ...
    def encode_text(self, what: str, text: str) -> bytes: ...
    def decode_text(self, what: str, stored: Any) -> str: ...
    def seal(self, what: str, data: bytes) -> bytes: ...
    def open(self, what: str, stored: Any) -> bytes: ...


class RecordError(ValueError):
    """An annotation that cannot be stored, or a stored row that cannot be read back; the message names its id."""


def geometry_json(annotation_id: str, values: Any) -> str:
    """JSON of a shape's payload (a list of numbers, or an object such as a mask's RLE); refuses NaN and infinity."""
    if not isinstance(values, (list, tuple)):
        return _checked_json(annotation_id, values)
    text = ",".join(map(repr, values))
    if _PLAIN_NUMBERS.fullmatch(text):  # plain ints and finite floats; anything else takes the checked path
        return f"[{text}]"
    try:
        return json.dumps([float(v) for v in values], **_COMPACT)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RecordError(f"annotation {annotation_id}: geometry is not a list of finite numbers: {exc}") from None


def _checked_json(annotation_id: str, value: Any, what: str = "geometry") -> str:
    try:
        return json.dumps(value, **_COMPACT)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RecordError(f"annotation {annotation_id}: {what} cannot be stored as JSON: {exc}") from None


def attributes_json(annotation_id: str, attributes: dict[str, Any]) -> str | None:
    """JSON of the attributes, or None when there are none (most pre-labels)."""
    return _checked_json(annotation_id, attributes, "attributes") if attributes else None


def annotation_row(a: Annotation, revision: int) -> tuple[Any, ...]:
    """Row values in ANNOTATION_COLUMNS order."""
    shape, source = a.shape, a.source
    box: tuple[float | None, ...]
    if type(shape) is Box:
        x, y, w, h = box = (shape.x, shape.y, shape.w, shape.h)
        try:
            bad = x - x or y - y or w - w or h - h  # NaN for NaN and infinity, 0 for finite numbers
        except TypeError:
            bad = True
        if bad:
            raise RecordError(f"annotation {a.id}: geometry is not a list of finite numbers: {list(box)}")
        data = None
    else:
        box, data = _NOT_A_BOX, geometry_json(a.id, shape.to_json())
    attrs = attributes_json(a.id, a.attributes) if a.attributes else None
    frame, track = a.frame, a.track
    if frame is not None or track is not None:
        problem = video_field_error("frame", frame) or video_field_error("track", track)
        if problem:
            raise RecordError(f"annotation {a.id}: {problem}")
    kind = source.kind.value
    return (a.id, a.task_id, a.label, shape.kind, *box, data, attrs, a.author, kind, source.score, source.model_id,
            revision, a.group, a.z, a.hidden, a.locked, frame, track, a.outside, a.occluded)  # fmt: skip


def annotation_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Annotation:
    """An Annotation from a row in ANNOTATION_COLUMNS order."""
    (ann_id, task_id, label, kind, x, y, w, h, data, attributes, author, source_kind, score, model_id, revision,
     group, z, hidden, locked, frame, track, outside, occluded) = row  # fmt: skip
    try:
        shape = shape_from_json(kind, json.loads(data) if data is not None else [x, y, w, h])
        attrs = json.loads(attributes) if attributes is not None else {}
        source = Source(SourceKind(source_kind), score, model_id)
    except (ShapeError, ValueError) as exc:
        raise RecordError(f"annotation {ann_id}: stored row cannot be read: {exc}") from None
    return Annotation(ann_id, task_id, label, shape, attrs, author, source, revision, group, z, bool(hidden),
                      bool(locked), frame, track, bool(outside), bool(occluded))


def task_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Task:
    """A Task from a row in TASK_COLUMNS order."""
    task_id, media_path, digest, size, width, height, status, error, kind, frames = row
    return Task(task_id, media_path, digest, size, width, height, TaskStatus(status), error, kind, frames)
