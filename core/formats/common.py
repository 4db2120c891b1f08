"""Helpers every format shares: safe file writing, number checks, image sizes, paths, leftovers."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeGuard

from PIL import UnidentifiedImageError

from core.formats.dataset import Dataset, FormatError
from core.geometry import Point
from core.media import MediaError, displayed_size, open_image
from core.messages import compose, translate
from core.names import MAX_NAME_BYTES, safe_item_name
from core.shapes import Ellipse, Shape

# ---------------------------------------------------------------- values


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def numbers(value: Any) -> list[float] | None:
    """The values as floats when `value` is a list of finite numbers (no strings, no booleans), else None."""
    if not isinstance(value, list) or not all(type(v) is float or type(v) is int for v in value):
        return None
    floats = [float(v) for v in value]
    return floats if math.isfinite(sum(floats)) or all(map(math.isfinite, floats)) else None


def positive_int(value: Any) -> int | None:
    if not is_number(value):
        return None
    return int(value) if value == int(value) and value > 0 else None


def parse_float(text: str | None) -> float | None:
    """A finite float from text (XML attributes), else None."""
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def plain_number(value: float) -> float | int:
    """An integral float as int, so files read `12` rather than `12.0`."""
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------- files


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path` and rename it, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name[:64], suffix=".tmp")  # a long name leaves no room
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def image_size(path: Path) -> tuple[int, int]:
    """Displayed (EXIF-rotated) width and height from the image header, without decoding the pixels.

    Readers of formats that store no size (YOLO) or may omit it (labelme, VOC) need it per image; a full
    `core.media.probe_image` would hash and decode every file that the workspace probes again when adding it.
    Raises FormatError when the file is missing, not an image, or past the app's size limits (core.media, not
    Pillow's 179 MP "decompression bomb" limit).
    """
    try:
        with open_image(path) as im:
            return displayed_size(im)
    except FileNotFoundError:
        raise FormatError(translate("formats", "{path}: image not found").format(path=path)) from None
    except MediaError as exc:
        raise FormatError(compose("{path}: {reason}", path=path, reason=exc.reason)) from None
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
        raise FormatError(translate("formats", "{path}: not a readable image: {error}").format(path=path,
                                                                                         error=exc)) from None


def inside(root: Path, relative: str) -> str | None:
    """`relative` (either slash) as a normalised posix path under `root`, or None when it leads outside it."""
    text = relative.replace("\\", "/")
    if not text or text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return None
    parts: list[str] = []
    for part in PurePosixPath(text).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts) or None


def export_name(out_dir: Path, file_name: str) -> str:
    """The relative posix path an item's files get under `out_dir`: its own when that stays inside (`inside`), else
    its last part; every part a safe file name (core.names) with room for the suffix a writer puts in its place, so
    no item name, wherever it came from, writes outside `out_dir`."""
    rel = inside(out_dir, file_name) or file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return "/".join(safe_item_name(part, max_bytes=MAX_NAME_BYTES - 16) for part in rel.split("/"))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name the file system cannot hold (too long): no such file
        return False


def copy_media(dataset: Dataset, target_of: Callable[[str], Path]) -> list[Path]:
    """Hard-link (or copy) each item's image to `target_of(file_name)`, for formats whose tools expect the images
    beside the labels (YOLO, VOC); items without a media root or a file, or named outside it, are left alone."""
    if dataset.media_root is None:
        return []
    written = []
    for item in dataset.items:
        rel = inside(dataset.media_root, item.file_name)
        source = dataset.media_root / rel if rel else None
        target = target_of(item.file_name)
        if source is None or not _is_file(source) or target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        written.append(target)
    return written


# ---------------------------------------------------------------- writing what a format cannot hold


def outline(shape: Shape, segments: int = 32) -> list[Point]:
    """A rotated box's corners or an ellipse sampled at `segments` points: for formats without those kinds."""
    if isinstance(shape, Ellipse):
        c, s = math.cos(math.radians(shape.angle)), math.sin(math.radians(shape.angle))
        points = []
        for k in range(segments):
            t = 2 * math.pi * k / segments
            lx, ly = shape.rx * math.cos(t), shape.ry * math.sin(t)
            points.append((shape.cx + lx * c - ly * s, shape.cy + lx * s + ly * c))
        return points
    return list(shape.vertices())


class Leftovers:
    """Counts shapes a writer converted or left out, and reports each reason once with its count."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.counts: Counter[str] = Counter()

    def add(self, reason: str) -> None:
        self.counts[reason] += 1

    def report(self, dataset: Dataset) -> None:
        for reason, count in self.counts.items():
            dataset.issue(self.fmt, translate("formats", "{reason} ({count} annotations)").format(reason=reason,
                                                                                                 count=count))
