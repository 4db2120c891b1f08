"""COCO instances and person_keypoints JSON, read the way Datumaro (and so CVAT) reads them.

Reading, per annotation:
- a non-empty polygon `segmentation` gives one Polygon per part (COCO splits an occluded object into parts; the
  parts share a group) and the `bbox` is dropped, since it is only the polygons' bounds; an empty segmentation
  (`[]`, `[[]]` or none) gives a Box.
- an RLE `segmentation` (a dict, counts compressed or not) gives a Mask; `iscrowd: 1` becomes the attribute
  `is_crowd: true` (CVAT's name), which the export turns back into `iscrowd`.
- `keypoints` give a Keypoints shape in the order of the category's `keypoints` names, which become the label's
  template (its `skeleton` is 1-based in COCO; a skeleton with a 0 index is read as 0-based, as Datumaro writes
  it). The object's box is kept as a Box in the same group as the keypoints (as Datumaro and CVAT do), so the
  person box survives a round trip; all-zero keypoints (num_keypoints 0) add no Keypoints shape.
- `attributes` (CVAT and Datumaro write occluded etc. there) are passed on as they are; `score` marks a model
  prediction with that confidence.
- every shape then goes through core.formats.checks (clipping, degenerate and self-crossing polygons).
A bad record becomes an Issue naming the file and the record; a file that is not a COCO file raises FormatError.
Writing is in core.formats.coco_export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.annotation import Source, SourceKind
from core.formats.checks import checked_shape
from core.formats.coco_export import write_coco
from core.formats.common import is_int, numbers, positive_int
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError, Issue
from core.formats.untrusted import brief, load_json
from core.messages import translate
from core.schema import Label
from core.shapes import Box, Keypoints, Mask, Polygon, Shape, ShapeError

_TASK_PREFIXES = ("instances", "person_keypoints")
TEMPLATE_COLOR = "#808080"  # placeholder: an import gives a new label the schema's next colour


class CocoFormat:
    name = "coco"
    description = translate(
        "formats", "COCO JSON: boxes, polygons, RLE masks, keypoints (a .json file, or a folder with annotations/)")
    title = "COCO JSON"
    file_types = ("*.json",)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        files, skipped = _annotation_files(path)
        dataset = Dataset(issues=[Issue(f.name, "not an instances or keypoints file: skipped") for f in skipped])
        for file in files:
            _FileReader(file, _load(file), dataset).read()
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return write_coco(dataset, Path(out_dir))


COCO = CocoFormat()


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
    data = load_json(file)
    if not isinstance(data, dict):
        raise FormatError(
            f"{file}: not a COCO file: expected an object with images, annotations and categories, "
            f"got a {type(data).__name__}"
        )
    for key in ("images", "annotations", "categories"):
        if not isinstance(data.get(key), list):
            problem = "is missing" if key not in data else f"is a {type(data[key]).__name__}, not a list"
            raise FormatError(f"{file}: not a COCO file: {brief(key)} {problem}")
    return data


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
        self.templates: dict[str, tuple[list[str], list[Any]]] = {}  # label -> keypoint names, raw skeleton
        self.keypoint_counts: dict[str, int] = {}
        self.items: dict[int, DatasetItem] = {}
        self.skipped_images: dict[int, str] = {}
        self.groups = 0

    def issue(self, where: str, message: str) -> None:
        self.dataset.issue(f"{self.file.name}: {where}", message)

    def read(self) -> None:
        for i, record in enumerate(self.data["categories"]):
            self.read_category(f"categories[{i}]", record)
        dirs = _media_dirs(self.file)
        for i, record in enumerate(self.data["images"]):
            self.read_image(f"images[{i}]", record, dirs)
        for i, record in enumerate(self.data["annotations"]):
            self.read_annotation(f"annotations[{i}]", record)
        for label in dict.fromkeys([*self.templates, *self.keypoint_counts]):
            names, skeleton = self.templates.get(label, ([], []))
            self.define_template(label, names, skeleton)

    def read_category(self, where: str, record: Any) -> None:
        if not isinstance(record, dict):
            return self.issue(where, f"expected an object, got {type(record).__name__}")
        cid, name = record.get("id"), record.get("name")
        if not is_int(cid):
            return self.issue(where, f"id {brief(cid)} is not an integer")
        if not isinstance(name, str) or not name.strip():
            return self.issue(where, f"name {brief(name)} is not a non-empty string")
        if cid in self.categories:
            return self.issue(where, f"id {cid} is used twice; the first ({brief(self.categories[cid])}) is kept")
        self.categories[cid] = name.strip()
        self.dataset.add_label(name.strip())
        names, skeleton = record.get("keypoints"), record.get("skeleton")
        if names or skeleton:
            if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
                self.issue(where, f"keypoints must be a list of point names, got {brief(names)}; names ignored")
                names = []
            self.templates[name.strip()] = (list(names), skeleton if isinstance(skeleton, list) else [])

    def define_template(self, label: str, names: list[str], raw_skeleton: list[Any]) -> None:
        """The label's keypoint template: names (numbered when the file gives none) and 0-based skeleton edges."""
        count = len(names) or self.keypoint_counts.get(label, 0)
        if not count or label in self.dataset.label_defs:
            return  # no names and no keypoints in this file, or another file defined it
        names = names or [str(i) for i in range(1, count + 1)]
        edges = [e for e in raw_skeleton if isinstance(e, list) and len(e) == 2 and all(is_int(i) for i in e)]
        base = 0 if any(0 in e for e in edges) else 1
        skeleton = tuple((a - base, b - base) for a, b in edges)
        if len(edges) != len(raw_skeleton) or any(not 0 <= i < count for e in skeleton for i in e):
            self.issue(f"category {brief(label)}",
                       f"skeleton {brief(raw_skeleton)} does not fit {count} keypoints; ignored")
            skeleton = ()
        elif base == 0 and skeleton:
            self.issue(f"category {brief(label)}", "skeleton has a 0 index: read as 0-based (COCO's is 1-based)")
        self.dataset.label_defs[label] = Label(label, TEMPLATE_COLOR, keypoints=tuple(names), skeleton=skeleton)

    def read_image(self, where: str, record: Any, dirs: tuple[Path, ...]) -> None:
        if not isinstance(record, dict):
            return self.issue(where, f"expected an object, got {type(record).__name__}")
        iid, name = record.get("id"), record.get("file_name")
        if not is_int(iid):
            return self.issue(where, f"id {brief(iid)} is not an integer")
        problem = ""
        if not isinstance(name, str) or not name.strip():
            problem = f"file_name {brief(name)} is not a non-empty string"
        for key in ("height", "width"):
            if positive_int(record.get(key)) is None:
                problem = f"{key} {brief(record.get(key))} is not a positive integer"
        if not problem and iid in self.items:
            problem = f"id {iid} is used twice (first by {brief(self.items[iid].file_name)})"
        if problem:
            self.skipped_images.setdefault(iid, where)
            return self.issue(where, problem + "; the image and its annotations are skipped")
        width, height = positive_int(record["width"]), positive_int(record["height"])
        assert width is not None and height is not None
        item = DatasetItem(str(name).strip(), width, height, media_dirs=dirs)
        self.items[iid] = item
        self.dataset.items.append(item)

    def read_annotation(self, where: str, record: Any) -> None:
        if not isinstance(record, dict):
            return self.issue(where, f"expected an object, got {type(record).__name__}")
        image_id, category_id = record.get("image_id"), record.get("category_id")
        item = self.items.get(image_id) if is_int(image_id) else None
        if item is None:
            skipped = self.skipped_images.get(image_id) if is_int(image_id) else None
            reason = f"refers to {skipped}, which was skipped" if skipped else "is not in images"
            return self.issue(where, f"image_id {brief(image_id)} {reason}")
        label = self.categories.get(category_id) if is_int(category_id) else None
        if label is None:
            return self.issue(where, f"category_id {brief(category_id)} is not in categories")
        attributes = record.get("attributes", {})
        if not isinstance(attributes, dict):
            self.issue(where, f"attributes must be an object, got {type(attributes).__name__}; ignored")
            attributes = {}
        if record.get("iscrowd") == 1:
            attributes = {**attributes, "is_crowd": True}
        source = self.source(where, record)
        keypoints = self.keypoints(where, label, record.get("keypoints"))
        found = self.shapes(where, record, keypoints is not None)
        if keypoints is not None:
            found.append((where + ".keypoints", keypoints))
        shapes = []
        for place, shape in found:
            kept, notes = checked_shape(shape, item.width, item.height)
            for note in notes:
                self.issue(place, note)
            if kept is not None:
                shapes.append(kept)
        group = None
        if len(shapes) > 1:
            self.groups += 1
            group = self.groups
        item.annotations += [DatasetAnnotation(label, s, dict(attributes), source, group) for s in shapes]

    def source(self, where: str, record: dict[str, Any]) -> Source:
        if "score" not in record:
            return Source()
        score = record["score"]
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
            self.issue(where, f"score {brief(score)} is not a number in [0, 1]; imported without a score")
            return Source(SourceKind.MODEL)
        return Source(SourceKind.MODEL, float(score))

    def keypoints(self, where: str, label: str, values: Any) -> Keypoints | None:
        if values is None or values == []:
            return None
        try:
            shape = Keypoints.from_json(values)
        except ShapeError as exc:
            self.issue(where, f"{exc}; keypoints skipped")
            return None
        names = self.templates.get(label, ([], []))[0]
        if names and len(shape.points) != len(names):
            self.issue(where, f"{len(shape.points)} keypoints, but category {brief(label)} names {len(names)}; skipped")
            return None
        self.keypoint_counts[label] = max(self.keypoint_counts.get(label, 0), len(shape.points))
        return shape if shape.count_labeled() else None

    def shapes(self, where: str, record: dict[str, Any], optional: bool) -> list[tuple[str, Shape]]:
        """The record's box, polygons or mask; with `optional` (it has keypoints) a missing bbox is no problem."""
        segmentation = record.get("segmentation")
        if isinstance(segmentation, dict):
            try:
                return [(where, Mask.from_json(segmentation))]
            except ShapeError as exc:
                self.issue(where, f"RLE segmentation: {exc}")
                return []
        if segmentation is not None and not isinstance(segmentation, list):
            self.issue(where, f"segmentation must be a list of polygons or an RLE object, not {brief(segmentation)}")
            return []
        parts = [part for part in segmentation or [] if part != []]
        if not parts:
            if optional and record.get("bbox") is None:
                return []
            box = self.box(where, record.get("bbox"))
            return [(where, box)] if box else []
        if not all(isinstance(part, list) for part in parts):
            self.issue(where, "segmentation must be a list of polygons [[x1, y1, x2, y2, ...], ...]")
            return []
        polygons: list[tuple[str, Shape]] = []
        for j, part in enumerate(parts):
            polygon = self.polygon(f"{where}.segmentation[{j}]", part)
            if polygon:
                polygons.append((f"{where}.segmentation[{j}]", polygon))
        return polygons

    def box(self, where: str, bbox: Any) -> Box | None:
        values = numbers(bbox)
        if bbox is None:
            self.issue(where, "has neither a bbox nor a polygon segmentation")
        elif values is None or len(values) != 4:
            self.issue(where, f"bbox must be [x, y, width, height] of finite numbers, got {brief(bbox)}")
        elif values[2] <= 0 or values[3] <= 0:
            self.issue(where, f"bbox {bbox} has no area (width and height must be positive)")
        else:
            return Box(*values)
        return None

    def polygon(self, where: str, part: Any) -> Polygon | None:
        values = numbers(part)
        if values is None:
            self.issue(where, f"expected a list [x1, y1, x2, y2, ...] of finite numbers, got {brief(part)}")
        elif len(values) % 2 or len(values) < 6:
            self.issue(where, f"a polygon needs an even count of at least 6 numbers, got {len(values)}")
        else:
            return Polygon(tuple(zip(values[::2], values[1::2], strict=True)))
        return None
