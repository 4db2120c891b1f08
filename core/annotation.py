"""Tasks and annotations: the records the workspace stores, the tools edit and the formats read and write."""

from __future__ import annotations

import dataclasses
import os
import re
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.shapes import Shape


class TaskStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ERROR = "error"


class SourceKind(StrEnum):
    HUMAN = "human"
    MODEL = "model"


@dataclass(frozen=True, slots=True)
class Source:
    """Who made a shape: a person, or a model with its id and confidence."""

    kind: SourceKind = SourceKind.HUMAN
    score: float | None = None
    model_id: str | None = None

    @property
    def is_model(self) -> bool:
        return self.kind is SourceKind.MODEL


HUMAN = Source()
MAX_FRAME = 2**31  # frame indexes are 0 <= frame < MAX_FRAME: a signed 32-bit int in any store or format
TRACK_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")  # a track id: new_id() gives one; safe in a file name or a URL


def video_field_error(name: str, value: Any) -> str | None:
    """Why `value` cannot be an annotation's `frame` or `track` (None when it can), so the workspace and the server
    refuse the same values with the same words."""
    if value is None:
        return None
    if name == "frame":
        if type(value) is not int or not 0 <= value < MAX_FRAME:
            return f"field 'frame' must be an integer 0 <= frame < 2**31 or null, not {value!r:.40}"
    elif type(value) is not str or TRACK_ID.fullmatch(value) is None:
        return f"field 'track' must be 1-64 of 0-9 A-Z a-z _ - or null, not {value!r:.80}"
    return None


@dataclass(frozen=True, slots=True)
class Annotation:
    """One shape on one task. Immutable: an edit makes a new value with `dataclasses.replace`."""

    id: str
    task_id: int
    label: str
    shape: Shape
    attributes: dict[str, Any] = field(default_factory=dict)
    author: str = ""
    source: Source = HUMAN
    revision: int = 0
    group: int | None = None  # ties shapes of one object together (CVAT group id)
    z: int = 0  # drawing order: higher is on top; equal z keeps insertion order
    hidden: bool = False
    locked: bool = False  # locked shapes cannot be selected by clicking, moved or deleted by accident
    # Video (docs/sync.md): the 0-based frame a shape is on (None on an image); a track's keyframes are one annotation
    # each, with its track id, so concurrent edits of different keyframes merge; a one-frame shape has no track.
    frame: int | None = None
    track: str | None = None
    outside: bool = False  # the track is out of view from this keyframe until its next one
    occluded: bool = False  # the object is hidden behind another at this keyframe

    @property
    def kind(self) -> str:
        return self.shape.kind

    def same_content(self, other: Annotation) -> bool:
        """Equal in everything a person edits (revision and author aside)."""
        return dataclasses.replace(self, author="", revision=0) == dataclasses.replace(other, author="", revision=0)


@dataclass(frozen=True, slots=True)
class Task:
    """One media item to annotate."""

    id: int
    media_path: str
    content_hash: str = ""
    size: int = 0
    width: int = 0
    height: int = 0
    status: TaskStatus = TaskStatus.NEW
    error: str = ""
    kind: str = "image"  # a name in core.media_kinds.MEDIA_KINDS
    frames: int = 1  # a video's frames; 1 for an image

    @property
    def name(self) -> str:
        return os.path.basename(self.media_path)


class _IdClock:
    """Time-ordered ids (48-bit ms clock, 16-bit counter, 64 random bits) so B-tree inserts append at the end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._counter = 0

    def next(self) -> str:
        with self._lock:
            ms = time.time_ns() // 1_000_000
            if ms <= self._last_ms:
                self._counter += 1
                if self._counter > 0xFFFF:
                    self._last_ms += 1
                    self._counter = 0
                ms = self._last_ms
            else:
                self._last_ms, self._counter = ms, 0
            return f"{ms:012x}{self._counter:04x}{os.urandom(8).hex()}"


_clock = _IdClock()


def new_id() -> str:
    """A new globally unique, time-sortable annotation id (32 hex digits)."""
    return _clock.next()
