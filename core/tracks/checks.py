"""Checks for track JSON, which comes from files and from the network: each refusal names the field it is about."""

from __future__ import annotations

import math
from typing import Any

from core.annotation import HUMAN, MAX_FRAME, TRACK_ID, Source, SourceKind

MAX_TEXT = 4096  # ids, labels, attribute names and string values: far above real ones, small enough to hold many
MAX_INT = 2**63  # attribute integers must fit a signed 64-bit column


class TrackError(ValueError):
    """A track operation or payload that cannot describe a valid track."""


def required(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise TrackError(f"{where}.{key}: missing")
    return data[key]


def as_dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TrackError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise TrackError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def as_text(value: Any, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise TrackError(f"{where}: expected a string, got {type(value).__name__}")
    if not value and not empty:
        raise TrackError(f"{where}: must not be empty")
    if len(value) > MAX_TEXT:
        raise TrackError(f"{where}: longer than {MAX_TEXT} characters")
    return value


def as_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise TrackError(f"{where}: expected true or false, got {type(value).__name__}")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def as_frame(value: Any, where: str) -> int:
    if not _is_int(value) or not 0 <= value < MAX_FRAME:
        raise TrackError(f"{where}: expected an integer frame number 0 <= frame < 2**31, got {value!r:.40}")
    return int(value)


def as_group(value: Any, where: str) -> int | None:
    if value is not None and (not _is_int(value) or not -MAX_INT <= value < MAX_INT):
        raise TrackError(f"{where}: expected a 64-bit integer or null, got {value!r:.40}")
    return value


def as_attributes(value: Any, where: str) -> dict[str, Any]:
    """Attribute values as CVAT's schema has them: text, numbers, booleans (null for unset)."""
    out: dict[str, Any] = {}
    for name, item in as_dict(value, where).items():
        at = f"{where}.{as_text(name, f'{where} (a name)')}"
        if isinstance(item, str):
            as_text(item, at, empty=True)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise TrackError(f"{at}: must be a finite number")
        elif _is_int(item):
            if not -MAX_INT <= item < MAX_INT:
                raise TrackError(f"{at}: integer out of the 64-bit range")
        elif item is not None and not isinstance(item, bool):
            raise TrackError(f"{at}: expected text, a number, true/false or null, got {type(item).__name__}")
        out[name] = item
    return out


def source_to_json(source: Source) -> dict[str, Any]:
    return {"kind": source.kind.value, "score": source.score, "model_id": source.model_id}


def as_source(value: Any, where: str) -> Source:
    if value is None:
        return HUMAN
    data = as_dict(value, where)
    kind = data.get("kind", SourceKind.HUMAN.value)
    if kind not in {k.value for k in SourceKind}:
        raise TrackError(f"{where}.kind: expected one of {', '.join(k.value for k in SourceKind)}, got {kind!r:.40}")
    score = data.get("score")
    if score is not None and not (isinstance(score, (int, float)) and not isinstance(score, bool)
                                  and math.isfinite(score) and 0.0 <= score <= 1.0):
        raise TrackError(f"{where}.score: expected a number from 0 to 1 or null, got {score!r:.40}")
    model_id = data.get("model_id")
    if model_id is not None:
        as_text(model_id, f"{where}.model_id")
    return Source(SourceKind(kind), None if score is None else float(score), model_id)


def as_track_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or TRACK_ID.fullmatch(value) is None:
        raise TrackError(f"{where}: expected 1-64 of 0-9 A-Z a-z _ -, got {value!r:.80}")
    return value
