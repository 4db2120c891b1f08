"""YOLO in Ultralytics layout: detect, segment, pose and OBB label files, one .txt per image.

Each line is `class` followed by coordinates that are fractions of the image size; the reader turns them into
pixels with each image's real (EXIF-rotated) size from its header. The task is told by the count of numbers after
the class: 4 detect (cx cy w h), 4 + K*D pose (with `kpt_shape: [K, D]` in data.yaml), 8 OBB (four corners) or
segment (a 4-vertex polygon), other even counts >= 6 segment. Eight numbers are read as OBB unless the dataset
also has longer polygons, `task: segment` is in data.yaml, or the format variant `yolo-segment` is used.

Pose lines give a Box and a Keypoints shape in one group; visibility (D = 3) is COCO's 0/1/2; with D = 2 a point
at (0, 0) counts as not labeled. Values above 1 mean the file holds pixels, not fractions: those lines are skipped
with one "coordinates not normalized" message per file. Unknown class ids become labels `class_<id>` (reported).
Layout discovery is in core.formats.yolo_layout, writing in core.formats.yolo_export.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from core.formats.checks import checked_shape
from core.formats.common import image_size
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.untrusted import brief
from core.formats.yolo_export import TASKS, write_yolo
from core.formats.yolo_layout import YoloLayout, find_layout
from core.messages import translate
from core.schema import Label
from core.shapes import Box, Keypoints, Polygon, RotatedBox, Shape, Visibility

_NORMALIZED_SLACK = 1e-6
TEMPLATE_COLOR = "#808080"


class YoloFormat:
    """`yolo` reads any task and writes the task its shapes call for; `yolo-<task>` reads 8-number lines as that
    task and writes that task."""

    title = "YOLO (Ultralytics)"
    file_types = ("*.yaml", "*.yml")

    def __init__(self, task: str | None = None) -> None:
        self.task = task
        self.name = f"yolo-{task}" if task else "yolo"
        self.options = {"Task": task or "auto"}
        self.description = (translate("formats", "YOLO (Ultralytics): {task} labels; a dataset folder or its data.yaml")
                            .format(task=task) if task else translate(
                                "formats", "YOLO (Ultralytics): detect, segment, pose or OBB labels (task from the "
                                "shapes); a dataset folder or its data.yaml"))

    def read(self, path: Path) -> Dataset:
        return _Reader(find_layout(Path(path), self.task)).read()

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return write_yolo(dataset, Path(out_dir), self.task)


YOLO_FORMATS = (YoloFormat(), *(YoloFormat(task) for task in TASKS))


@dataclass
class _Line:
    number: int
    cls: int
    values: list[float]


class _Reader:
    def __init__(self, layout: YoloLayout) -> None:
        self.layout = layout
        self.dataset = Dataset(labels=list(layout.names.values()), issues=list(layout.issues))
        self.unknown: set[int] = set()
        kpt = layout.kpt_shape
        self.pose_count = 4 + kpt[0] * kpt[1] if kpt else -1

    def rel(self, path: Path) -> str:
        return path.relative_to(self.layout.root).as_posix()

    def read(self) -> Dataset:
        parsed = [(image, self.lines(image)) for image in self.layout.images]
        counts = Counter(len(line.values) for _, (_, lines) in parsed for line in lines)
        self.eight = self.eight_as(counts)
        for image, (label_file, lines) in parsed:
            self.read_image(image, label_file, lines)
        if self.layout.kpt_shape:
            k = self.layout.kpt_shape[0]
            names = tuple(str(i) for i in range(1, k + 1))
            for label in self.dataset.all_labels():
                self.dataset.label_defs[label] = Label(label, TEMPLATE_COLOR, keypoints=names)
        if not self.layout.names and self.unknown:
            self.dataset.issue(self.layout.root.name, "no class names (data.yaml names or classes.txt): labels are "
                               "named class_0, class_1, ...")
        self.report_orphans({lf for _, (lf, _) in parsed if lf})
        return self.dataset

    def eight_as(self, counts: Counter[int]) -> str:
        if self.layout.task in ("obb", "segment"):
            return self.layout.task
        longer = any(n >= 6 and n % 2 == 0 and n not in (8, self.pose_count) for n in counts)
        if counts[8] and not longer and self.pose_count != 8:
            self.dataset.issue(self.layout.root.name, f"{counts[8]} lines with 8 coordinates read as oriented boxes "
                               "(OBB); use format yolo-segment (or task: segment in data.yaml) for 4-point polygons")
        return "segment" if longer else "obb"

    def lines(self, image: Path) -> tuple[Path | None, list[_Line]]:
        label_file = self.layout.label_file(image)
        if label_file is None:
            return None, []
        where = self.rel(label_file)
        try:
            text = label_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.dataset.issue(where, f"cannot read: {exc}; its labels are skipped")
            return label_file, []
        lines = []
        for number, line in enumerate(text.splitlines(), 1):
            fields = line.split()
            if not fields:
                continue
            try:
                cls_value, values = float(fields[0]), [float(f) for f in fields[1:]]
            except ValueError:
                self.dataset.issue(f"{where}:{number}", f"not a line of numbers: {brief(line.strip())}; skipped")
                continue
            if not cls_value.is_integer() or cls_value < 0:
                self.dataset.issue(f"{where}:{number}", f"class {brief(fields[0])} is not a class id; skipped")
                continue
            if any(v != v or v in (float("inf"), float("-inf")) for v in values):
                self.dataset.issue(f"{where}:{number}", "coordinates must be finite numbers; skipped")
                continue
            lines.append(_Line(number, int(cls_value), values))
        return label_file, lines

    def read_image(self, image: Path, label_file: Path | None, lines: list[_Line]) -> None:
        name = self.rel(image)
        try:
            width, height = image_size(image)
        except FormatError as exc:
            extra = f"; its {len(lines)} labels are skipped" if lines else ""
            self.dataset.issue(name, f"{exc.args[0].split(': ', 1)[-1]}{extra}")
            return
        item = DatasetItem(name, width, height, media_dirs=(self.layout.root,), media_path=image)
        self.dataset.items.append(item)
        if label_file is None:
            return
        where = self.rel(label_file)
        not_normalized, worst = 0, 0.0
        for line in lines:
            shapes = self.shapes(f"{where}:{line.number}", line.values, width, height)
            if shapes is None:
                continue
            coords = _coordinates(line.values, self.layout.kpt_shape if len(line.values) == self.pose_count else None)
            if max(coords) > 1 + _NORMALIZED_SLACK:
                not_normalized, worst = not_normalized + 1, max(worst, max(coords))
                continue
            place = f"{where}:{line.number}"
            self.add(item, place, self.label(line.cls, place), shapes, line.number)
        if not_normalized:
            self.dataset.issue(where, f"coordinates not normalized on {not_normalized} lines (values up to "
                               f"{worst:g}; YOLO wants fractions 0-1 of the image size); those lines skipped")

    def label(self, cls: int, where: str) -> str:
        name = self.layout.names.get(cls)
        if name is None:
            name = f"class_{cls}"
            if cls not in self.unknown and self.layout.names:
                self.dataset.issue(where, f"class {cls} is not in names ({len(self.layout.names)} classes); "
                                   f"imported as label {brief(name)}")
            self.unknown.add(cls)
        self.dataset.add_label(name)
        return name

    def shapes(self, where: str, v: list[float], width: int, height: int) -> list[Shape] | None:
        """The line's shapes in pixels, or None (reported) when its count of numbers fits no task."""
        n = len(v)
        if n == self.pose_count and self.layout.kpt_shape:
            return [_box(v, width, height), _keypoints(v[4:], self.layout.kpt_shape, width, height)]
        if n == 4:
            return [_box(v, width, height)]
        points = [(v[i] * width, v[i + 1] * height) for i in range(0, n - 1, 2)]
        if n == 8 and self.eight == "obb":
            return [RotatedBox.from_corners(points)]
        if n >= 6 and n % 2 == 0:
            return [Polygon(tuple(points))]
        expected = "4 (box), 8 (OBB), an even count >= 6 (polygon)"
        if self.layout.kpt_shape:
            expected += f" or {self.pose_count} (pose with kpt_shape {list(self.layout.kpt_shape)})"
        self.dataset.issue(where, f"{n} coordinates fit no YOLO task (expected {expected}); skipped")
        return None

    def add(self, item: DatasetItem, where: str, label: str, shapes: list[Shape], number: int) -> None:
        """Checked shapes of one line; the shapes of a pose line share a group, numbered by the line."""
        kept = []
        for shape in shapes:
            shape_kept, notes = checked_shape(shape, item.width, item.height)
            for note in notes:
                self.dataset.issue(where, note)
            if shape_kept is not None:
                kept.append(shape_kept)
        group = number if len(kept) > 1 else None
        item.annotations += [DatasetAnnotation(label, shape, group=group) for shape in kept]

    def report_orphans(self, used: set[Path]) -> None:
        root = self.layout.root
        for file in sorted(root.rglob("*.txt")):
            if "labels" in file.relative_to(root).parts[:-1] and file not in used and file.name != "classes.txt":
                self.dataset.issue(self.rel(file), "no image for this label file; skipped")


def _coordinates(values: list[float], kpt_shape: tuple[int, int] | None) -> list[float]:
    """The values that must be fractions: all of them, except the visibility flags of pose keypoints."""
    if kpt_shape is None or kpt_shape[1] == 2:
        return values
    return values[:4] + [c for i in range(4, len(values), 3) for c in values[i : i + 2]]


def _box(v: list[float], width: int, height: int) -> Box:
    cx, cy, w, h = v[0] * width, v[1] * height, v[2] * width, v[3] * height
    return Box(cx - w / 2, cy - h / 2, w, h)


def _keypoints(v: list[float], kpt_shape: tuple[int, int], width: int, height: int) -> Keypoints:
    count, dims = kpt_shape
    points = []
    for k in range(count):
        x, y = v[k * dims], v[k * dims + 1]
        if dims == 3:
            visibility = Visibility(min(2, max(0, round(v[k * dims + 2]))))
        else:
            visibility = Visibility.SKIPPED if x == 0 and y == 0 else Visibility.VISIBLE
        points.append((x * width, y * height, visibility) if visibility else (0.0, 0.0, visibility))
    return Keypoints(tuple(points))
