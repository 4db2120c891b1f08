"""Writing YOLO (Ultralytics): data.yaml, labels/<image path>.txt per image, the images linked into images/.

The task is the format variant's (`yolo-detect`, `yolo-segment`, `yolo-pose`, `yolo-obb`) or, for plain `yolo`,
the one the shapes call for: pose if there are keypoints, else OBB if there are rotated boxes, else segment if
there are polygons or masks, else detect. Shapes the task cannot hold are converted where the meaning survives
(anything with an area to its bounding box for detect, boxes and rotated boxes to 4-point polygons and masks to
their outlines for segment, boxes and polygons to their minimum-area rotated box for OBB) and left out otherwise;
both are reported in `dataset.issues`. Every image gets a label file (an empty one is a background image).
data.yaml names the absolute dataset folder (Ultralytics reads a relative `path` from its own datasets folder),
uses the one folder for train and val (we have no splits), and adds our `task:` key so a re-import knows it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from core.formats.common import Leftovers, copy_media, export_name, outline, write_atomically
from core.formats.dataset import Dataset, DatasetItem
from core.geometry import Point
from core.shapes import Box, Keypoints, Mask, RotatedBox, polygons_from_mask

TASKS = ("detect", "segment", "pose", "obb")
_AREA_KINDS = {"box", "rotated_box", "polygon", "mask", "ellipse"}

LineWriter = Callable[[DatasetItem, dict[str, int], Leftovers, int], list[str]]


def infer_task(dataset: Dataset) -> str:
    kinds = {a.shape.kind for item in dataset.items for a in item.annotations}
    if "keypoints" in kinds:
        return "pose"
    if "rotated_box" in kinds:
        return "obb"
    return "segment" if kinds & {"polygon", "mask"} else "detect"


def write_yolo(dataset: Dataset, out_dir: Path, task: str | None) -> list[Path]:
    task = task or infer_task(dataset)
    names = dataset.all_labels()
    index = {name: i for i, name in enumerate(names)}
    leftovers = Leftovers(f"yolo-{task}")
    keypoint_count = _keypoint_count(dataset) if task == "pose" else 0
    files = []
    for item in dataset.items:
        path = label_path(out_dir, image_path(out_dir, item.file_name))
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = _WRITERS[task](item, index, leftovers, keypoint_count)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        files.append(path)
    final = dataset.destination or out_dir
    config: dict[str, Any] = {"path": str(final.resolve()), "train": "images", "val": "images", "task": task}
    if task == "pose":
        config["kpt_shape"] = [keypoint_count, 3]
    config["names"] = dict(enumerate(names))
    data_yaml = out_dir / "data.yaml"
    write_atomically(data_yaml, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    copy_media(dataset, lambda name: image_path(out_dir, name))
    leftovers.report(dataset)
    return [data_yaml, *files]


def image_path(out_dir: Path, file_name: str) -> Path:
    """Where an exported image goes: images/<file name>, a leading images/ not doubled, never outside out_dir."""
    rel = export_name(out_dir, file_name)
    return out_dir / "images" / rel.removeprefix("images/")


def label_path(out_dir: Path, image: Path) -> Path:
    """Ultralytics' rule: the last images/ folder of the image's path becomes labels/, the suffix .txt."""
    parts = list(image.relative_to(out_dir).parts)
    at = len(parts) - 2 - parts[-2::-1].index("images")
    return out_dir.joinpath(*parts[:at], "labels", *parts[at + 1 :]).with_suffix(".txt")


def _keypoint_count(dataset: Dataset) -> int:
    counts = [len(d.keypoints) for d in dataset.label_defs.values()]
    counts += [len(a.shape.points) for i in dataset.items for a in i.annotations if isinstance(a.shape, Keypoints)]
    return max(counts, default=0)


def _fmt(values: list[float]) -> str:
    return " ".join(f"{min(max(v, 0.0), 1.0):.6g}" for v in values)


def _normalized(points: list[Point], item: DatasetItem) -> list[float]:
    return [c for x, y in points for c in (x / item.width, y / item.height)]


def _box_line(cls: int, shape_bounds: Any, item: DatasetItem) -> str:
    b = shape_bounds
    cx, cy = (b.x1 + b.x2) / 2 / item.width, (b.y1 + b.y2) / 2 / item.height
    return f"{cls} {_fmt([cx, cy, b.width / item.width, b.height / item.height])}"


def _detect(item: DatasetItem, index: dict[str, int], leftovers: Leftovers, _: int) -> list[str]:
    lines = []
    for ann in item.annotations:
        kind = ann.shape.kind
        if kind not in _AREA_KINDS:
            leftovers.add(f"{kind} shapes left out (YOLO detect holds boxes)")
            continue
        if kind != "box":
            leftovers.add(f"{kind} shapes written as their bounding boxes")
        lines.append(_box_line(index[ann.label], ann.shape.bounds(), item))
    return lines


def _segment(item: DatasetItem, index: dict[str, int], leftovers: Leftovers, _: int) -> list[str]:
    lines = []
    for ann in item.annotations:
        shape = ann.shape
        if isinstance(shape, Mask):
            outlines = polygons_from_mask(shape)
        elif shape.kind == "polygon":
            outlines = [list(shape.vertices())]
        elif shape.kind in ("box", "rotated_box", "ellipse"):
            outlines = [outline(shape)]
            leftovers.add(f"{shape.kind} shapes written as polygons")
        else:
            leftovers.add(f"{shape.kind} shapes left out (YOLO segment holds polygons)")
            continue
        lines += [f"{index[ann.label]} {_fmt(_normalized(points, item))}" for points in outlines if len(points) >= 3]
    return lines


def _obb(item: DatasetItem, index: dict[str, int], leftovers: Leftovers, _: int) -> list[str]:
    lines = []
    for ann in item.annotations:
        shape = ann.shape
        if isinstance(shape, (RotatedBox, Box)):
            corners = list(shape.vertices())
        elif shape.kind in ("polygon", "mask", "ellipse"):
            corners = _min_area_corners(_mask_points(shape) if isinstance(shape, Mask) else outline(shape))
            leftovers.add(f"{shape.kind} shapes written as their minimum-area rotated boxes")
        else:
            leftovers.add(f"{shape.kind} shapes left out (YOLO OBB holds rotated boxes)")
            continue
        lines.append(f"{index[ann.label]} {_fmt(_normalized(corners, item))}")
    return lines


def _mask_points(mask: Mask) -> list[Point]:
    """Two opposite corners of every pixel of the mask (from its crop: a huge image has no room for a full one)."""
    bits, left, top = mask.crop()
    ys, xs = np.nonzero(bits)
    xs, ys = xs + left, ys + top
    return [(float(x) + dx, float(y) + dy) for x, y in zip(xs, ys, strict=True) for dx, dy in ((0, 0), (1, 1))]


def _min_area_corners(points: list[Point]) -> list[Point]:
    rect = cv2.minAreaRect(np.asarray(points, dtype=np.float32))
    return [(float(x), float(y)) for x, y in cv2.boxPoints(rect)]


def _pose(item: DatasetItem, index: dict[str, int], leftovers: Leftovers, count: int) -> list[str]:
    boxes: dict[tuple[str, int | None], Box] = {
        (a.label, a.group): a.shape for a in item.annotations if isinstance(a.shape, Box) and a.group
    }
    used: set[tuple[str, int | None]] = set()
    lines = []
    for ann in item.annotations:
        if not isinstance(ann.shape, Keypoints):
            continue
        key = (ann.label, ann.group)
        box = boxes.get(key) if ann.group else None
        if box is not None:
            used.add(key)
        bounds = box.rect() if isinstance(box, Box) else ann.shape.bounds()
        values = []
        for x, y, v in ann.shape.points:
            values += [min(max(x / item.width, 0.0), 1.0), min(max(y / item.height, 0.0), 1.0), float(v)]
        values += [0.0] * (3 * count - len(values))
        lines.append(f"{_box_line(index[ann.label], bounds, item)} {' '.join(f'{v:.6g}' for v in values)}")
    for ann in item.annotations:
        if not isinstance(ann.shape, Keypoints) and (ann.label, ann.group) not in used:
            leftovers.add(f"{ann.shape.kind} shapes left out (YOLO pose holds keypoints with their box)")
    return lines


_WRITERS: dict[str, LineWriter] = {"detect": _detect, "segment": _segment, "obb": _obb, "pose": _pose}
