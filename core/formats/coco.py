"""COCO instances JSON: boxes and polygons, read the way Datumaro (and so CVAT) reads them, written the way CVAT does.

Reading, per annotation:
- a non-empty polygon `segmentation` gives one Polygon per part (COCO splits an occluded object into parts) and the
  `bbox` is dropped, since it is only the polygons' bounds; an empty segmentation (`[]`, `[[]]` or none) gives a Box.
- an RLE `segmentation` (a dict; the crowd regions) is skipped and reported, box and all: the box of a mask is only
  its bounds, and masks get their own shape kind in a later issue, so importing a box now would only duplicate the
  mask later. Keypoints are not read yet either; a file that has them is still read and the skip is reported.
- `attributes` (CVAT and Datumaro write occluded etc. there) are passed on as they are; `score` marks a model
  prediction with that confidence.
- shapes reaching outside the image are clipped to it, shapes with no area inside it are skipped; both are reported.
A bad record becomes an Issue naming the file and the record; a file that is not a COCO file raises FormatError.

Writing gives annotations/instances_default.json (CVAT's layout); the images are not copied, `info.images_root`
says where they are.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeGuard

from core.annotation import Source, SourceKind
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError, Issue
from core.geometry import Rect, clamp_point
from core.shapes import Box, Polygon, Shape

_TASK_PREFIXES = ("instances", "person_keypoints")
_CLIP_TOLERANCE = 1e-3  # px; float noise at the border (x + w = 640.0000001) is clipped without a message


class CocoFormat:
    name = "coco"
    description = "COCO instances JSON: boxes and polygons (a .json file, or a folder with annotations/*.json)"

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        files, skipped = _annotation_files(path)
        dataset = Dataset(issues=[Issue(f.name, "not an instances or keypoints file: skipped") for f in skipped])
        for file in files:
            _FileReader(file, _load(file), dataset).read()
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        labels = list(dataset.labels)
        labels += sorted({a.label for item in dataset.items for a in item.annotations} - set(labels))
        category_ids = {name: i for i, name in enumerate(labels, 1)}
        images: list[dict[str, Any]] = []
        annotations: list[dict[str, Any]] = []
        for image_id, item in enumerate(dataset.items, 1):
            images.append({"id": image_id, "file_name": item.file_name, "width": item.width, "height": item.height})
            for ann in item.annotations:
                record = {"id": len(annotations) + 1, "image_id": image_id, "category_id": category_ids[ann.label]}
                annotations.append(record | _shape_json(ann.shape) | _extras_json(ann))
        info = {
            "description": "Exported by Annodesk",
            "version": "1.0",
            "date_created": datetime.now(UTC).isoformat(timespec="seconds"),
            "images_root": str(dataset.media_root) if dataset.media_root else "",
        }
        document = {
            "info": info,
            "licenses": [],
            "categories": [{"id": i, "name": name, "supercategory": ""} for name, i in category_ids.items()],
            "images": images,
            "annotations": annotations,
        }
        path = Path(out_dir) / "annotations" / "instances_default.json"
        _write_atomically(path, json.dumps(document, allow_nan=False, ensure_ascii=False))
        return [path]


COCO = CocoFormat()


# ---------------------------------------------------------------- reading


def _annotation_files(path: Path) -> tuple[list[Path], list[Path]]:
    """The JSON files to read and those left out (captions, panoptic...): a file, or annotations/*.json of a folder."""
    if path.is_file():
        return [path], []
    if not path.is_dir():
        raise FormatError(f"{path}: no such file or folder")
    folder = path / "annotations" if (path / "annotations").is_dir() else path
    files = sorted(folder.glob("*.json"))
    wanted = [f for f in files if f.stem.startswith(_TASK_PREFIXES)] or files
    if not wanted:
        raise FormatError(f"{path}: no COCO annotation files (expected annotations/instances_*.json)")
    return wanted, [f for f in files if f not in wanted]


def _load(file: Path) -> dict[str, Any]:
    """The parsed file, or FormatError when it is not a COCO file at all."""
    try:
        data = json.loads(file.read_bytes())
    except OSError as exc:
        raise FormatError(f"{file}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{file}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise FormatError(
            f"{file}: not a COCO file: expected an object with images, annotations and categories, "
            f"got a {type(data).__name__}"
        )
    for key in ("images", "annotations", "categories"):
        if not isinstance(data.get(key), list):
            problem = "is missing" if key not in data else f"is a {type(data[key]).__name__}, not a list"
            raise FormatError(f"{file}: not a COCO file: {key!r} {problem}")
    return data


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _numbers(value: Any) -> list[float] | None:
    """The values as floats when `value` is a list of finite numbers (no strings, no booleans), else None."""
    if not isinstance(value, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return None
    floats = [float(v) for v in value]
    return floats if all(math.isfinite(v) for v in floats) else None


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value) if value == int(value) and value > 0 else None


def _subset(stem: str) -> str:
    """'instances_train' -> 'train' (Datumaro's images/<subset>/ folder)."""
    for prefix in _TASK_PREFIXES:
        if stem.startswith(prefix + "_"):
            return stem[len(prefix) + 1 :]
    return stem


def _media_dirs(file: Path) -> tuple[Path, ...]:
    """Where the images of `file` are expected: images/<subset>/, images/ beside annotations/, then the root."""
    root = file.parent.parent if file.parent.name == "annotations" else file.parent
    dirs = (root / "images" / _subset(file.stem), root / "images", root, file.parent)
    return tuple(dict.fromkeys(dirs))


class _FileReader:
    """Reads one JSON file into the dataset, turning each bad record into an Issue."""

    def __init__(self, file: Path, data: dict[str, Any], dataset: Dataset) -> None:
        self.file = file
        self.data = data
        self.dataset = dataset
        self.categories: dict[int, str] = {}
        self.items: dict[int, DatasetItem] = {}
        self.skipped_images: dict[int, str] = {}

    def issue(self, where: str, message: str) -> None:
        self.dataset.issues.append(Issue(f"{self.file.name}: {where}", message))

    def read(self) -> None:
        for i, record in enumerate(self.data["categories"]):
            self.read_category(f"categories[{i}]", record)
        dirs = _media_dirs(self.file)
        for i, record in enumerate(self.data["images"]):
            self.read_image(f"images[{i}]", record, dirs)
        keypoints = 0
        for i, record in enumerate(self.data["annotations"]):
            self.read_annotation(f"annotations[{i}]", record)
            keypoints += isinstance(record, dict) and bool(record.get("keypoints"))
        if keypoints:
            self.dataset.issues.append(
                Issue(self.file.name, f"keypoints of {keypoints} annotations skipped (keypoints are not supported yet)")
            )

    def read_category(self, where: str, record: Any) -> None:
        if not isinstance(record, dict):
            return self.issue(where, f"expected an object, got {type(record).__name__}")
        cid, name = record.get("id"), record.get("name")
        if not _is_int(cid):
            return self.issue(where, f"id {cid!r} is not an integer")
        if not isinstance(name, str) or not name.strip():
            return self.issue(where, f"name {name!r} is not a non-empty string")
        if cid in self.categories:
            return self.issue(where, f"id {cid} is used twice; the first ({self.categories[cid]!r}) is kept")
        self.categories[cid] = name.strip()
        self.dataset.add_label(name.strip())

    def read_image(self, where: str, record: Any, dirs: tuple[Path, ...]) -> None:
        if not isinstance(record, dict):
            return self.issue(where, f"expected an object, got {type(record).__name__}")
        iid, name = record.get("id"), record.get("file_name")
        if not _is_int(iid):
            return self.issue(where, f"id {iid!r} is not an integer")
        problem = ""
        if not isinstance(name, str) or not name.strip():
            problem = f"file_name {name!r} is not a non-empty string"
        for key in ("height", "width"):
            if _positive_int(record.get(key)) is None:
                problem = f"{key} {record.get(key)!r} is not a positive integer"
        if not problem and iid in self.items:
            problem = f"id {iid} is used twice (first by {self.items[iid].file_name!r})"
        if problem:
            self.skipped_images.setdefault(iid, where)
            return self.issue(where, problem + "; the image and its annotations are skipped")
        width, height = _positive_int(record["width"]), _positive_int(record["height"])
        assert width is not None and height is not None
        item = DatasetItem(str(name).strip(), width, height, media_dirs=dirs)
        self.items[iid] = item
        self.dataset.items.append(item)

    def read_annotation(self, where: str, record: Any) -> None:
        if not isinstance(record, dict):
            return self.issue(where, f"expected an object, got {type(record).__name__}")
        image_id, category_id = record.get("image_id"), record.get("category_id")
        item = self.items.get(image_id) if _is_int(image_id) else None
        if item is None:
            skipped = self.skipped_images.get(image_id) if _is_int(image_id) else None
            reason = f"refers to {skipped}, which was skipped" if skipped else "is not in images"
            return self.issue(where, f"image_id {image_id!r} {reason}")
        label = self.categories.get(category_id) if _is_int(category_id) else None
        if label is None:
            return self.issue(where, f"category_id {category_id!r} is not in categories")
        attributes = record.get("attributes", {})
        if not isinstance(attributes, dict):
            self.issue(where, f"attributes must be an object, got {type(attributes).__name__}; ignored")
            attributes = {}
        source = self.source(where, record)
        for shape in self.shapes(where, record, Rect(0, 0, item.width, item.height)):
            item.annotations.append(DatasetAnnotation(label, shape, dict(attributes), source))

    def source(self, where: str, record: dict[str, Any]) -> Source:
        if "score" not in record:
            return Source()
        score = record["score"]
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
            self.issue(where, f"score {score!r} is not a number in [0, 1]; imported without a score")
            return Source(SourceKind.MODEL)
        return Source(SourceKind.MODEL, float(score))

    def shapes(self, where: str, record: dict[str, Any], image: Rect) -> list[Shape]:
        segmentation = record.get("segmentation")
        if isinstance(segmentation, dict):
            self.issue(where, "RLE mask segmentation skipped (masks are not supported yet)")
            return []
        if segmentation is not None and not isinstance(segmentation, list):
            self.issue(where, f"segmentation must be a list of polygons or an RLE object, not {segmentation!r:.40}")
            return []
        parts = [part for part in segmentation or [] if part != []]
        if not parts:
            box = self.box(where, record.get("bbox"))
            clipped_box = self.clip_box(where, box, image) if box else None
            return [clipped_box] if clipped_box else []
        if not all(isinstance(part, list) for part in parts):
            self.issue(where, "segmentation must be a list of polygons [[x1, y1, x2, y2, ...], ...]")
            return []
        polygons: list[Shape] = []
        for j, part in enumerate(parts):
            polygon = self.polygon(f"{where}.segmentation[{j}]", part)
            clipped = self.clip_polygon(f"{where}.segmentation[{j}]", polygon, image) if polygon else None
            if clipped:
                polygons.append(clipped)
        return polygons

    def box(self, where: str, bbox: Any) -> Box | None:
        values = _numbers(bbox)
        if bbox is None:
            self.issue(where, "has neither a bbox nor a polygon segmentation")
        elif values is None or len(values) != 4:
            self.issue(where, f"bbox must be [x, y, width, height] of finite numbers, got {bbox!r:.60}")
        elif values[2] <= 0 or values[3] <= 0:
            self.issue(where, f"bbox {bbox} has no area (width and height must be positive)")
        else:
            return Box(*values)
        return None

    def polygon(self, where: str, part: Any) -> Polygon | None:
        values = _numbers(part)
        if values is None:
            self.issue(where, f"expected a list [x1, y1, x2, y2, ...] of finite numbers, got {part!r:.60}")
        elif len(values) % 2 or len(values) < 6:
            self.issue(where, f"a polygon needs an even count of at least 6 numbers, got {len(values)}")
        else:
            return Polygon(tuple(zip(values[::2], values[1::2], strict=True)))
        return None

    def clip_box(self, where: str, box: Box, image: Rect) -> Box | None:
        inside = box.rect().intersection(image)
        if inside is None or inside.area <= 0:
            self.issue(where, f"box {box.to_json()} lies outside the {_size(image)} image; skipped")
            return None
        if _moved(box.vertices(), inside.corners()):
            self.issue(where, f"box {box.to_json()} reaches outside the {_size(image)} image; clipped")
        return Box.from_rect(inside)

    def clip_polygon(self, where: str, polygon: Polygon, image: Rect) -> Polygon | None:
        clamped = Polygon(tuple(clamp_point(p, image.x2, image.y2) for p in polygon.points))
        if clamped.area() <= 0:
            problem = "has no area inside" if polygon.area() > 0 else "has no area in"
            self.issue(where, f"polygon {problem} the {_size(image)} image; skipped")
            return None
        if _moved(polygon.points, clamped.points):
            self.issue(where, f"polygon reaches outside the {_size(image)} image; clipped")
        return clamped


def _size(image: Rect) -> str:
    return f"{image.width:g}x{image.height:g}"


def _moved(before: tuple[tuple[float, float], ...], after: tuple[tuple[float, float], ...]) -> bool:
    pairs = zip(before, after, strict=True)
    return any(abs(a[0] - b[0]) > _CLIP_TOLERANCE or abs(a[1] - b[1]) > _CLIP_TOLERANCE for a, b in pairs)


# ---------------------------------------------------------------- writing


def _box_json(box: Box) -> dict[str, Any]:
    return {"segmentation": [], "bbox": box.to_json(), "area": box.area()}


def _polygon_json(polygon: Polygon) -> dict[str, Any]:
    b = polygon.bounds()
    return {"segmentation": [polygon.to_json()], "bbox": [b.x1, b.y1, b.width, b.height], "area": polygon.area()}


_SHAPE_WRITERS: dict[str, Callable[[Any], dict[str, Any]]] = {"box": _box_json, "polygon": _polygon_json}


def _shape_json(shape: Shape) -> dict[str, Any]:
    try:
        writer = _SHAPE_WRITERS[shape.kind]
    except KeyError:
        raise FormatError(f"COCO cannot store {shape.kind} shapes; it stores {', '.join(_SHAPE_WRITERS)}") from None
    return writer(shape)


def _extras_json(ann: DatasetAnnotation) -> dict[str, Any]:
    extras: dict[str, Any] = {"iscrowd": 0, "attributes": dict(ann.attributes)}
    if ann.source.is_model and ann.source.score is not None:
        extras["score"] = ann.source.score
    return extras


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path` and rename it, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
