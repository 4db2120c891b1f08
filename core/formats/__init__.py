"""Import/export formats, registered by name in one table; nothing branches on a format's name.

A new format is a module with an object that has `name`, `description`, `read(path) -> Dataset` and
`write(dataset, out_dir) -> list[Path]`; add it to `_BUILTIN` (or call `register_format` from a plugin). A format
that holds videos says so with `media_kinds = ("video",)` (without it, a format holds images: `media_kinds_of`).
What the app's import and export dialogs show of a row (its title, options, file types) is declared on the row too
(core/formats/entries.py).
"""

from __future__ import annotations

from pathlib import Path

from core.formats.audacity import AUDACITY
from core.formats.coco import COCO
from core.formats.cvat import CVAT
from core.formats.cvat_video import CVAT_VIDEO
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, Format, FormatError, Issue
from core.formats.entries import FormatEntry, format_entries
from core.formats.labelme import LABELME
from core.formats.labelstudio import LABELSTUDIO
from core.formats.mot import MOT
from core.formats.nemo import NEMO
from core.formats.rttm import RTTM
from core.formats.subtitles import SRT, VTT
from core.formats.textgrid import TEXTGRID
from core.formats.untrusted import checked_dataset
from core.formats.video_frames import FRAMES_FORMATS
from core.formats.voc import VOC
from core.formats.yolo import YOLO_FORMATS
from core.messages import translate

__all__ = [
    "FORMATS",
    "Dataset",
    "DatasetAnnotation",
    "DatasetItem",
    "Format",
    "FormatEntry",
    "FormatError",
    "Issue",
    "format_entries",
    "get_format",
    "media_kinds_of",
    "read_dataset",
    "register_format",
]

FORMATS: dict[str, Format] = {}


def register_format(fmt: Format) -> Format:
    """Add a format to `FORMATS` under its name; a second format with the same name is refused."""
    existing = FORMATS.get(fmt.name)
    if existing is not None and existing is not fmt:
        raise ValueError(f"format {fmt.name!r} is already registered")
    FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> Format:
    """The format called `name`; the error lists the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATS)) or "none"
        raise FormatError(translate("formats", "unknown format {name!r}; known formats: {known}").format(
            name=name, known=known)) from None


def media_kinds_of(fmt: Format) -> tuple[str, ...]:
    """The media kinds a format's items are: its `media_kinds`, or images for formats that do not say."""
    return tuple(getattr(fmt, "media_kinds", ("image",)))


def read_dataset(name: str, path: Path) -> Dataset:
    """What the format `name` reads at `path`, held to what a workspace can store (core.formats.untrusted)."""
    return checked_dataset(get_format(name).read(path))


_BUILTIN: tuple[Format, ...] = (COCO, *FRAMES_FORMATS, CVAT, CVAT_VIDEO, LABELME, MOT, VOC,
                               *YOLO_FORMATS, AUDACITY, TEXTGRID, RTTM, VTT, SRT,
                               NEMO, LABELSTUDIO)
for _fmt in _BUILTIN:
    register_format(_fmt)
