"""A format-neutral dataset in memory: what every reader produces and every writer consumes.

Readers validate while they parse, so a bad record becomes an `Issue` (naming the file and the record) and the rest
of the file still loads; only a file that is not of the format at all raises `FormatError`. Nothing here touches a
workspace: the import into one (sync/transfer.py) starts only after a reader returned, so a refused file changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.annotation import HUMAN, Source
from core.messages import Message, compose
from core.schema import Label
from core.shapes import Shape
from core.tracks import Track


class FormatError(ValueError):
    """A file or folder that cannot be read as the format at all; the message names the file."""


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem with one record, e.g. where='instances.json: annotations[12]'; that record was skipped or fixed."""

    where: str
    message: str

    def __str__(self) -> str:
        return self.text()

    def text(self) -> Message:
        """"where: message", translatable where the app shows it (core.messages)."""
        return compose("{where}: {message}", where=self.where, message=self.message)


@dataclass(frozen=True, slots=True)
class DatasetAnnotation:
    """One shape of one item; `attributes` are as the file gave them (the importer checks them against a schema).

    `group` ties shapes of one object together (COCO keypoints and their box, VOC parts, CVAT and labelme group ids);
    `z` is the drawing order (CVAT z_order). On a video item, `frame` is the 0-based frame the shape is on (a shape of
    one frame; what moves is a `Track` of the item) and `occluded` the annotation's own flag.
    """

    label: str
    shape: Shape
    attributes: dict[str, Any] = field(default_factory=dict)
    source: Source = HUMAN
    group: int | None = None
    z: int = 0
    frame: int | None = None
    occluded: bool = False


@dataclass(slots=True)
class DatasetItem:
    """One image: its name as the file spells it (may contain sub-folders), size and annotations.

    `media_dirs` are the folders where the reader expects the image file itself, best first; `media_path` is the
    image file when the reader already found it (YOLO and labelme readers look for it while they read).

    A video item has `kind` "video", the frame count its file states in `frames` (None when it does not say) and its
    `tracks` (core.tracks values: keyframes, outside, occluded, per-track and per-frame attributes); a width or
    height of 0 means the file does not say (MOT without seqinfo.ini) and the task's size is taken.
    """

    file_name: str
    width: int
    height: int
    annotations: list[DatasetAnnotation] = field(default_factory=list)
    media_dirs: tuple[Path, ...] = ()
    media_path: Path | None = None
    kind: str = "image"
    frames: int | None = None
    tracks: list[Track] = field(default_factory=list)
    fps: float | None = None  # a video's average frame rate when known (MOT's seqinfo.ini states one)

    def shape_count(self) -> int:
        """Shapes, counting each keyframe of a track as one (as the workspace stores them)."""
        return len(self.annotations) + sum(len(t.keyframes) for t in self.tracks)


@dataclass(slots=True)
class Dataset:
    """Items, the label names in their declared order (unused ones included) and the issues met while reading.

    `media_root` (for export) is the folder that item file names are relative to, when there is one.
    `label_defs` holds what a file declares about a label beyond its name (CVAT attribute specs, a COCO keypoint
    template); an import gives new labels these definitions. Writers append to `issues` what they had to leave out
    or convert. `destination` (for export) is the folder the written files are moved to when the writer is given a
    staging folder first (sync/transfer_export.py): what a file says about its own place (YOLO's data.yaml `path`,
    labelme's relative `imagePath`) must name where it ends up.
    """

    items: list[DatasetItem] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    media_root: Path | None = None
    label_defs: dict[str, Label] = field(default_factory=dict)
    destination: Path | None = None

    def annotation_count(self) -> int:
        """Shapes, counting each keyframe of a track as one (as the workspace stores them)."""
        return sum(item.shape_count() for item in self.items)

    def add_label(self, name: str) -> None:
        if name not in self.labels:
            self.labels.append(name)

    def all_labels(self) -> list[str]:
        """Declared labels, then any label that only annotations use, in first-use order."""
        labels = dict.fromkeys(self.labels)
        for item in self.items:
            labels.update(dict.fromkeys(a.label for a in item.annotations))
            labels.update(dict.fromkeys(t.label for t in item.tracks))
        return list(labels)

    def issue(self, where: str, message: str) -> None:
        self.issues.append(Issue(where, message))


class Format(Protocol):
    """An import/export format, registered by name in core.formats.FORMATS."""

    name: str

    @property
    def description(self) -> str: ...  # a core.messages text: the app shows it in its language

    def read(self, path: Path) -> Dataset: ...
    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]: ...
