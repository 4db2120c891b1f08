"""labelme JSON: one file per image, usually beside the image (or in a folder of their own with `imagePath`
pointing back, e.g. `../images/a.jpg`).

Shapes: rectangle -> Box, polygon -> Polygon, line and linestrip -> Polyline, point -> PointShape, circle (centre and
a point on the circle) -> Ellipse, mask (a base64 PNG of the shape's box, at `points`) -> Mask, and X-AnyLabeling's
rotation (4 corners) -> RotatedBox. `group_id` -> group; shape `flags` (booleans) and X-AnyLabeling's
`attributes` -> attributes; `score` -> a model prediction. The image's `flags` that are true become Tag shapes.
`imagePath` is resolved relative to the JSON file and must stay inside the imported folder (else only its file
name is used to match a task); `imageData` may be present but is never needed; a missing `imageWidth` or
`imageHeight` is read from the image file. Export writes one JSON per image (`imagePath` relative to it), with
`imageData: null` and a two-point polyline as `line`; keypoints are left out (labelme has no skeletons) and
non-circular ellipses become polygons.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import struct
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import cv2
import numpy as np

from core.annotation import Source, SourceKind
from core.formats.checks import checked_shape
from core.formats.common import (
    Leftovers,
    export_name,
    image_size,
    inside,
    is_int,
    is_number,
    numbers,
    outline,
    positive_int,
    write_atomically,
)
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.untrusted import brief, load_json, name_problem
from core.geometry import Point, Rect
from core.media import IMAGE_EXTENSIONS, size_problem
from core.messages import translate
from core.shapes import Box, Ellipse, Mask, PointShape, Polygon, Polyline, RotatedBox, Shape, ShapeError, Tag
from core.shapes.mask import MAX_MASK_BOX_PIXELS


class LabelmeFormat:
    name = "labelme"
    description = translate(
        "formats", "labelme JSON, one file per image (a folder, searched recursively, or one .json)")
    title = "labelme"
    file_types = ("*.json",)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        if path.is_file():
            root, files = path.parent.resolve(), [path.resolve()]
        elif path.is_dir():
            root = path.resolve()
            files = sorted(root.rglob("*.json"))
        else:
            raise FormatError(f"{path}: no such file or folder")
        if not files:
            raise FormatError(f"{path}: no labelme .json files")
        dataset = Dataset()
        for file in files:
            _read_file(dataset, root, file)
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return _write(dataset, Path(out_dir))


LABELME = LabelmeFormat()


def _read_file(dataset: Dataset, root: Path, file: Path) -> None:
    where = file.relative_to(root).as_posix()
    try:
        data = load_json(file)
    except FormatError as exc:
        return dataset.issue(where, f"{str(exc).removeprefix(f'{file}: ')}; file skipped")
    if not isinstance(data, dict) or not isinstance(data.get("shapes"), list):
        return dataset.issue(where, "not a labelme file (no 'shapes' list); file skipped")
    image_path = data.get("imagePath")
    problem = name_problem(image_path) if isinstance(image_path, str) and image_path.strip() else None
    if problem:
        return dataset.issue(where, f"imagePath {problem}; file skipped")
    name, media = _image(dataset, root, file, where, image_path)
    width, height = positive_int(data.get("imageWidth")), positive_int(data.get("imageHeight"))
    if (width is None or height is None) and media is not None:
        try:
            width, height = image_size(media)
        except FormatError:
            width = height = None
    if width is None or height is None:
        return dataset.issue(where, "imageWidth/imageHeight missing and the image cannot be read; file skipped")
    if too_big := size_problem(width, height, ("imageWidth", "imageHeight")):
        return dataset.issue(where, f"{too_big}; file skipped")
    item = DatasetItem(name, width, height, media_dirs=(root,) if media else (), media_path=media)
    dataset.items.append(item)
    for i, record in enumerate(data["shapes"]):
        _read_shape(dataset, item, f"{where}: shapes[{i}]", record)
    flags = data.get("flags")
    for flag, value in (flags.items() if isinstance(flags, dict) else []):
        if value is True:
            dataset.add_label(flag)
            item.annotations.append(DatasetAnnotation(flag, Tag()))


def _image(dataset: Dataset, root: Path, file: Path, where: str, image_path: Any) -> tuple[str, Path | None]:
    """The item's name relative to the imported folder and its image file, never outside that folder."""
    if isinstance(image_path, str) and image_path.strip():
        relative = file.parent.relative_to(root).as_posix()
        rel = inside(root, f"{relative}/{image_path.strip()}" if relative != "." else image_path.strip())
        if rel is None:
            dataset.issue(where, f"imagePath {brief(image_path)} leads outside the imported folder; not followed")
            return PurePosixPath(image_path.replace("\\", "/")).name, None
        return rel, (root / rel) if (root / rel).is_file() else None
    for suffix in sorted(IMAGE_EXTENSIONS):
        if file.with_suffix(suffix).is_file():
            return file.with_suffix(suffix).relative_to(root).as_posix(), file.with_suffix(suffix)
    return file.with_suffix(".jpg").relative_to(root).as_posix(), None


def _read_shape(dataset: Dataset, item: DatasetItem, where: str, record: Any) -> None:
    if not isinstance(record, dict):
        return dataset.issue(where, f"expected an object, got {type(record).__name__}")
    label = record.get("label")
    if not isinstance(label, str) or not label.strip():
        return dataset.issue(where, f"label {brief(label)} is not a non-empty string; skipped")
    kind = record.get("shape_type") or "polygon"
    if not isinstance(kind, str) or kind not in _READERS:
        return dataset.issue(where, f"shape_type {brief(kind)} is not supported ({', '.join(_READERS)}); skipped")
    least, reader = _READERS[kind]
    raw = record.get("points")
    values = numbers([c for p in raw for c in p]) if isinstance(raw, list) and all(
        isinstance(p, list) and len(p) == 2 for p in raw) else None
    if values is None:
        return dataset.issue(where, "points must be a list of [x, y] pairs of numbers; skipped")
    points = list(zip(values[::2], values[1::2], strict=True))
    if len(points) < least:
        return dataset.issue(where, f"{kind}: needs at least {least} points, got {len(points)}; skipped")
    try:
        shape = reader(points, record, item)
    except (ShapeError, ValueError) as exc:
        return dataset.issue(where, f"{kind}: {exc}; skipped")
    kept, notes = checked_shape(shape, item.width, item.height)
    for note in notes:
        dataset.issue(where, note)
    if kept is None:
        return None
    flags = record.get("flags")
    attributes = {k: v for k, v in flags.items() if isinstance(v, bool)} if isinstance(flags, dict) else {}
    if isinstance(record.get("attributes"), dict):
        attributes.update(record["attributes"])
    group = record.get("group_id")
    score = record.get("score")
    source = Source(SourceKind.MODEL, float(score)) if is_number(score) and 0 <= score <= 1 else Source()
    dataset.add_label(label.strip())
    group_id = group if is_int(group) else None
    item.annotations.append(DatasetAnnotation(label.strip(), kept, attributes, source, group_id))


def _rectangle(points: list[Point], record: dict[str, Any], item: DatasetItem) -> Shape:
    return Box.from_rect(Rect.around(points))


def _point(points: list[Point], record: dict[str, Any], item: DatasetItem) -> Shape:
    return PointShape(*points[0])


def _circle(points: list[Point], record: dict[str, Any], item: DatasetItem) -> Shape:
    (cx, cy), (px, py) = points[0], points[1]
    radius = math.hypot(px - cx, py - cy)
    return Ellipse(cx, cy, radius, radius)


def _mask(points: list[Point], record: dict[str, Any], item: DatasetItem) -> Shape:
    try:
        png = base64.b64decode(str(record.get("mask")), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("mask is not base64 data") from None
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("mask is not a PNG image")
    w, h = struct.unpack(">II", png[16:24])
    if w > item.width or h > item.height:  # before decoding: the header may claim any size
        raise ValueError(f"mask PNG is {w}x{h}, larger than its {item.width}x{item.height} image")
    if w * h > MAX_MASK_BOX_PIXELS:
        raise ValueError(f"mask PNG is {w}x{h}, past the limit of {MAX_MASK_BOX_PIXELS:,} pixels")
    try:
        crop = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        crop = None
    if crop is None:
        raise ValueError("mask is not a PNG image")
    bits = (crop if crop.ndim == 2 else crop[..., 0]) > 0
    return Mask.from_crop(bits, round(points[0][0]), round(points[0][1]), item.width, item.height)


_READERS: dict[str, tuple[int, Callable[[list[Point], dict[str, Any], DatasetItem], Shape]]] = {
    # shape_type: (the fewest points it needs, the reader)
    "rectangle": (2, _rectangle),
    "polygon": (1, lambda p, r, i: Polygon.from_points(p)),
    "line": (1, lambda p, r, i: Polyline(tuple(p))),
    "linestrip": (1, lambda p, r, i: Polyline(tuple(p))),
    "point": (1, _point),
    "circle": (2, _circle),
    "mask": (1, _mask),
    "rotation": (4, lambda p, r, i: RotatedBox.from_corners(p)),
}


# ---------------------------------------------------------------- writing


def _write(dataset: Dataset, out_dir: Path) -> list[Path]:
    leftovers = Leftovers("labelme")
    files = []
    for item in dataset.items:
        rel = export_name(out_dir, item.file_name)
        path = (out_dir / rel).with_suffix(".json")
        final = ((dataset.destination or out_dir) / rel).with_suffix(".json")  # where it ends up: imagePath's base
        image = dataset.media_root / item.file_name if dataset.media_root else final.with_name(PurePosixPath(rel).name)
        shapes, flags = [], {}
        for ann in item.annotations:
            if isinstance(ann.shape, Tag):
                flags[ann.label] = True
            elif (record := _shape_json(ann, item, leftovers)) is not None:
                shapes.append(record)
        document = {
            "version": "5.5.0",
            "flags": flags,
            "shapes": shapes,
            "imagePath": Path(os.path.relpath(image, final.parent)).as_posix(),
            "imageData": None,
            "imageHeight": item.height,
            "imageWidth": item.width,
        }
        write_atomically(path, json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False))
        files.append(path)
    leftovers.report(dataset)
    return files


def _shape_json(ann: DatasetAnnotation, item: DatasetItem, leftovers: Leftovers) -> dict[str, Any] | None:
    shape = ann.shape
    extra: dict[str, Any] = {}
    if isinstance(shape, Box):
        kind, points = "rectangle", [(shape.x, shape.y), (shape.x + shape.w, shape.y + shape.h)]
    elif isinstance(shape, (Polygon, Polyline)):
        kind, points = _outline_kind(shape), list(shape.points)
    elif isinstance(shape, PointShape):
        kind, points = "point", [(shape.x, shape.y)]
    elif isinstance(shape, Ellipse) and shape.rx == shape.ry:
        kind, points = "circle", [(shape.cx, shape.cy), (shape.cx + shape.rx, shape.cy)]
    elif isinstance(shape, Ellipse):
        leftovers.add("non-circular ellipse shapes written as polygons")
        kind, points = "polygon", outline(shape)
    elif isinstance(shape, RotatedBox):
        kind, points = "rotation", list(shape.vertices())
        extra["direction"] = math.radians(shape.angle)
    elif isinstance(shape, Mask):
        kind, points, extra["mask"] = _mask_json(shape)
    else:
        leftovers.add(f"{shape.kind} shapes left out (labelme has no {shape.kind})")
        return None
    flags = {k: v for k, v in ann.attributes.items() if isinstance(v, bool)}
    others = {k: v for k, v in ann.attributes.items() if not isinstance(v, bool)}
    record: dict[str, Any] = {
        "label": ann.label,
        "points": [[x, y] for x, y in points],
        "group_id": ann.group,
        "description": "",
        "shape_type": kind,
        "flags": flags,
        **extra,
    }
    if others:
        record["attributes"] = others
    if ann.source.is_model and ann.source.score is not None:
        record["score"] = ann.source.score
    return record


def _outline_kind(shape: Polygon | Polyline) -> str:
    """labelme's name: a two-point polyline is a `line`, a longer one a `linestrip`, so both come back as read."""
    if isinstance(shape, Polygon):
        return "polygon"
    return "line" if len(shape.points) == 2 else "linestrip"


def _mask_json(mask: Mask) -> tuple[str, list[Point], str]:
    """labelme's mask: a PNG of the mask's box, placed by the box's corners."""
    bits, x0, y0 = mask.crop()
    ok, png = cv2.imencode(".png", bits.astype(np.uint8) * 255)
    if not ok:
        raise FormatError("labelme: could not encode a mask as PNG")
    x1, y1 = x0 + bits.shape[1], y0 + bits.shape[0]
    return "mask", [(float(x0), float(y0)), (float(x1 - 1), float(y1 - 1))], base64.b64encode(png.tobytes()).decode()
