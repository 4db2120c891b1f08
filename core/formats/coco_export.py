"""Writing COCO JSON the way CVAT does: annotations/instances_default.json, images not copied.

- Box: `bbox` with `segmentation: []`; Polygon: one polygon part; Mask: RLE with compressed counts (`iscrowd` 1 when
  the attribute `is_crowd` is true); Keypoints: `keypoints` with `num_keypoints`, the category carries the label's
  template (names, 1-based skeleton).
- Shapes of one object (same label and group) become one record: keypoints with their box and polygons/mask, or
  several polygon parts; any other annotation is its own record (its group is not kept; COCO has none).
- Rotated boxes and ellipses are written as polygons, polylines, points and tags are left out; both are reported
  in `dataset.issues`. `info.images_root` says where the images are.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.formats.common import Leftovers, outline, write_atomically
from core.formats.dataset import Dataset, DatasetAnnotation
from core.geometry import Rect, polygon_area
from core.shapes import Box, Keypoints, Mask, Polygon

_MERGED = {Box.kind, Polygon.kind, Mask.kind, Keypoints.kind}
_AS_POLYGON = {"rotated_box", "ellipse"}


def write_coco(dataset: Dataset, out_dir: Path) -> list[Path]:
    labels = dataset.all_labels()
    category_ids = {name: i for i, name in enumerate(labels, 1)}
    leftovers = Leftovers("coco")
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    keypoint_counts: dict[str, int] = {}
    for image_id, item in enumerate(dataset.items, 1):
        images.append({"id": image_id, "file_name": item.file_name, "width": item.width, "height": item.height})
        for members in _objects(item.annotations, leftovers):
            record = _record(members, leftovers)
            if record is None:
                continue
            first = members[0]
            if "keypoints" in record:
                keypoint_counts[first.label] = len(record["keypoints"]) // 3
            head = {"id": len(annotations) + 1, "image_id": image_id, "category_id": category_ids[first.label]}
            annotations.append(head | record | _extras(first))
    leftovers.report(dataset)
    document = {
        "info": {
            "description": "Exported by Annodesk",
            "version": "1.0",
            "date_created": datetime.now(UTC).isoformat(timespec="seconds"),
            "images_root": str(dataset.media_root) if dataset.media_root else "",
        },
        "licenses": [],
        "categories": [_category(dataset, name, i, keypoint_counts) for name, i in category_ids.items()],
        "images": images,
        "annotations": annotations,
    }
    path = out_dir / "annotations" / "instances_default.json"
    write_atomically(path, json.dumps(document, allow_nan=False, ensure_ascii=False))
    return [path]


def _category(dataset: Dataset, name: str, cid: int, keypoint_counts: dict[str, int]) -> dict[str, Any]:
    category: dict[str, Any] = {"id": cid, "name": name, "supercategory": ""}
    label = dataset.label_defs.get(name)
    if label is not None and label.keypoints:
        category["keypoints"] = list(label.keypoints)
        category["skeleton"] = [[a + 1, b + 1] for a, b in label.skeleton]
    elif name in keypoint_counts:
        category["keypoints"] = [str(i) for i in range(1, keypoint_counts[name] + 1)]
        category["skeleton"] = []
    return category


def _objects(annotations: list[DatasetAnnotation], leftovers: Leftovers) -> list[list[DatasetAnnotation]]:
    """Annotations in records: one object's grouped shapes together when COCO can hold them as one, else alone."""
    buckets: dict[tuple[str, int], list[DatasetAnnotation]] = {}
    order: list[list[DatasetAnnotation]] = []
    for ann in annotations:
        if ann.group is None or ann.shape.kind not in _MERGED:
            order.append([ann])
            continue
        key = (ann.label, ann.group)
        if key not in buckets:
            buckets[key] = []
            order.append(buckets[key])
        buckets[key].append(ann)
    records: list[list[DatasetAnnotation]] = []
    for members in order:
        kinds = [a.shape.kind for a in members]
        one_object = kinds.count("keypoints") <= 1 and kinds.count("box") <= 1 and kinds.count("mask") <= 1
        one_object = one_object and not ("mask" in kinds and "polygon" in kinds)
        worth_it = "keypoints" in kinds or kinds.count("polygon") == len(kinds)
        records += [members] if one_object and worth_it else [[a] for a in members]
    return records


def _record(members: list[DatasetAnnotation], leftovers: Leftovers) -> dict[str, Any] | None:
    """The COCO fields of one object: segmentation, bbox, area, iscrowd and keypoints."""
    polygons: list[list[tuple[float, float]]] = []
    box: Box | None = None
    mask: Mask | None = None
    keypoints: Keypoints | None = None
    for ann in members:
        shape = ann.shape
        if isinstance(shape, Box):
            box = shape
        elif isinstance(shape, Polygon):
            polygons.append(list(shape.points))
        elif isinstance(shape, Mask):
            mask = shape
        elif isinstance(shape, Keypoints):
            keypoints = shape
        elif shape.kind in _AS_POLYGON:
            polygons.append(outline(shape))
            leftovers.add(f"{shape.kind} shapes written as polygons (COCO has no {shape.kind})")
        else:
            leftovers.add(f"{shape.kind} shapes left out (COCO holds boxes, polygons, masks and keypoints)")
    record: dict[str, Any] = {"segmentation": [], "iscrowd": 0}
    if mask is not None:
        record["segmentation"] = mask.to_json()
        record["iscrowd"] = int(bool(members[0].attributes.get("is_crowd")))
        bounds, area = mask.bounds(), mask.area()
    elif polygons:
        record["segmentation"] = [[c for p in polygon for c in p] for polygon in polygons]
        bounds = Rect.around([p for polygon in polygons for p in polygon])
        area = sum(polygon_area(polygon) for polygon in polygons)
    elif box is not None:
        bounds, area = box.rect(), box.area()
    elif keypoints is not None:
        bounds = keypoints.bounds()
        area = bounds.area
    else:
        return None
    if box is not None:
        bounds = box.rect()
    record["bbox"] = [bounds.x1, bounds.y1, bounds.width, bounds.height]
    record["area"] = area
    if keypoints is not None:
        record["keypoints"] = keypoints.to_json()
        record["num_keypoints"] = keypoints.count_labeled()
    return record


def _extras(ann: DatasetAnnotation) -> dict[str, Any]:
    attributes = {k: v for k, v in ann.attributes.items() if k != "is_crowd"}
    extras: dict[str, Any] = {"attributes": attributes}
    if ann.source.is_model and ann.source.score is not None:
        extras["score"] = ann.source.score
    return extras
