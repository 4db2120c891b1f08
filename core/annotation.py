"""Tasks and annotations: the records the workspace stores, the tools edit and the formats read and write."""

from __future__ import annotations

import dataclasses
import os
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
