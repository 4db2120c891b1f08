"""CVAT for images 1.1 XML (annotations.xml of a task, job or project export).

Schema: the `<labels>` block in `<meta>` (project, task or job) gives each label's attributes: checkbox ->
checkbox, radio and select -> select, text -> text, number -> number with CVAT's "min max step" values as bounds
(dropped, and reported, when they do not hold the default). Skeleton labels give a keypoint template (their
sublabels in order, edges from the skeleton's SVG). An import gives new labels these definitions.

Shapes: box -> Box (RotatedBox when it has a `rotation`), polygon, polyline, points (one PointShape per point, in
one group when there are several), ellipse, mask (CVAT's RLE: run lengths row by row over the box
left/top/width/height, background first) -> Mask, skeleton -> Keypoints (outside -> not labeled, occluded ->
occluded), tag -> Tag. On every shape: occluded -> the attribute `occluded`, z_order -> z, group_id -> group (0 is
none), source auto/semi-auto -> a model prediction; attribute values are typed by the schema; `mutable` is kept.
Tracks are read by the `cvat-video` format (core/formats/cvat_video.py), not here. The image's `subset` picks
images/<subset>/ where CVAT project exports keep the files.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.annotation import Source, SourceKind
from core.formats.checks import checked_shape
from core.formats.common import parse_float
from core.formats.cvat_export import write_cvat
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.untrusted import brief, parse_xml
from core.geometry import Point
from core.media import size_problem
from core.messages import translate
from core.schema import AttributeSpec, Label, SchemaError
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Shape, Tag, Visibility
from core.shapes.mask import MAX_MASK_BOX_PIXELS

TEMPLATE_COLOR = "#808080"
_NODE = re.compile(r'data-node-id="(\d+)"[^>]*?data-label-name="([^"]*)"')
_EDGE = re.compile(r'data-node-from="(\d+)"[^>]*?data-node-to="(\d+)"')


class CvatFormat:
    name = "cvat"
    description = translate("formats", "CVAT for images 1.1 XML (annotations.xml, or a folder holding it)")
    title = "CVAT for images 1.1"
    file_types = ("*.xml",)

    def read(self, path: Path) -> Dataset:
        return _Reader(*cvat_root(path, "images")).read()

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return write_cvat(dataset, Path(out_dir))


CVAT = CvatFormat()


def cvat_root(path: Path, kind: str) -> tuple[Path, ET.Element]:
    """The annotations.xml of a CVAT for `kind` ("images", "video") export, given it or its folder, and its root."""
    path = Path(path)
    file = path / "annotations.xml" if path.is_dir() else path
    if not file.is_file():
        raise FormatError(f"{path}: no such file, or a folder without annotations.xml")
    root = parse_xml(file)
    if root.tag != "annotations":
        raise FormatError(f"{file}: not a CVAT for {kind} file (root element <{root.tag}>, not <annotations>)")
    return file, root


class _Reader:
    occluded_attribute = True  # images keep CVAT's occluded flag as an attribute; a video annotation has a field

    def __init__(self, file: Path, root: ET.Element) -> None:
        self.file = file
        self.root = root
        self.dataset = Dataset()
        self.groups = 0

    def issue(self, where: str, message: str) -> None:
        self.dataset.issue(f"{self.file.name}: {where}", message)

    def read(self) -> Dataset:
        self.read_labels()
        tracks = len(self.root.findall("track"))
        if tracks:
            self.issue("track", f"{tracks} tracks (CVAT for video) are not read")
        for i, image in enumerate(self.root.iter("image")):
            self.read_image(f"image[{i}]", image)
        return self.dataset

    # -- schema ----------------------------------------------------------------------------------------------------

    def read_labels(self) -> None:
        elements = self.root.findall("meta/*/labels/label") or self.root.findall("meta/labels/label")
        children: dict[str, list[str]] = {}
        for element in elements:
            parent = (element.findtext("parent") or "").strip()
            if parent:
                children.setdefault(parent, []).append((element.findtext("name") or "").strip())
        for i, element in enumerate(elements):
            name = (element.findtext("name") or "").strip()
            if not name:
                self.issue(f"meta labels[{i}]", "label without a name; ignored")
                continue
            if (element.findtext("parent") or "").strip():
                continue
            specs = tuple(s for j, a in enumerate(element.findall("attributes/attribute"))
                          if (s := self.attribute_spec(f"label {brief(name)} attribute[{j}]", a)) is not None)
            if self.occluded_attribute and not any(s.name == "occluded" for s in specs):
                specs += (AttributeSpec("occluded", "checkbox", default=False),)  # CVAT's built-in flag
            points = tuple(children.get(name, ()))
            edges = _edges(element.findtext("svg") or "", points)
            self.dataset.add_label(name)
            self.dataset.label_defs[name] = Label(name, TEMPLATE_COLOR, attributes=specs, keypoints=points,
                                                  skeleton=edges)

    def attribute_spec(self, where: str, element: ET.Element) -> AttributeSpec | None:
        """The attribute's spec; CVAT's `mutable` (the value may change from frame to frame of a track) is kept."""
        spec = self._attribute_spec(where, element)
        if spec is not None and (element.findtext("mutable") or "").strip().lower() == "true":
            spec = dataclasses.replace(spec, mutable=True)
        return spec

    def _attribute_spec(self, where: str, element: ET.Element) -> AttributeSpec | None:
        name = (element.findtext("name") or "").strip()
        kind = (element.findtext("input_type") or "").strip()
        default = (element.findtext("default_value") or "").strip()
        raw = element.findtext("values") or ""
        values = [v.strip() for v in (raw.split("\n") if "\n" in raw else raw.split()) if v.strip()]
        try:
            if kind == "checkbox":
                return AttributeSpec(name, "checkbox", default=default.lower() == "true")
            if kind in ("radio", "select"):
                if not values:
                    raise SchemaError("no values")
                return AttributeSpec(name, "select", tuple(values), default if default in values else values[0])
            if kind == "text":
                return AttributeSpec(name, "text", default=default)
            if kind == "number":
                return self.number_spec(where, name, default, values)
        except SchemaError as exc:
            self.issue(where, f"{exc}; attribute ignored")
            return None
        self.issue(where, f"input_type {brief(kind)} is not checkbox, radio, select, text or number; attribute ignored")
        return None

    def number_spec(self, where: str, name: str, default: str, values: list[str]) -> AttributeSpec:
        value = parse_float(default)
        bounds = [parse_float(v) for v in values[:2]]
        low, high = [*bounds, None, None][:2]
        if low is not None and high is not None and low <= high and (value is None or low <= value <= high):
            return AttributeSpec(name, "number", default=value, minimum=low, maximum=high)
        if values:
            self.issue(where, f"number bounds {values[:2]} do not hold the default {brief(default)}; bounds dropped")
        return AttributeSpec(name, "number", default=value)

    # -- images ----------------------------------------------------------------------------------------------------

    def read_image(self, where: str, element: ET.Element) -> None:
        name = (element.get("name") or "").strip()
        width, height = parse_float(element.get("width")), parse_float(element.get("height"))
        if not name or not width or not height or width <= 0 or height <= 0:
            self.issue(where, "needs a name and a positive width and height; the image and its shapes are skipped")
            return
        if too_big := size_problem(int(width), int(height)):
            self.issue(f"{where} ({name})", f"{too_big}; the image and its shapes are skipped")
            return
        base = self.file.parent
        subset = (element.get("subset") or "").strip()
        dirs = tuple(dict.fromkeys([*([base / "images" / subset] if subset else []), base / "images", base]))
        item = DatasetItem(name, int(width), int(height), media_dirs=dirs)
        self.dataset.items.append(item)
        for j, child in enumerate(element):
            self.read_shape(f"{where} ({name}): <{child.tag}>[{j}]", child, item)

    def read_shape(self, where: str, element: ET.Element, item: DatasetItem) -> None:
        reader = _SHAPES.get(element.tag)
        if reader is None:
            return self.issue(where, f"<{element.tag}> shapes are not supported; skipped")
        label = (element.get("label") or "").strip()
        if not label:
            return self.issue(where, "no label; skipped")
        try:
            shapes = reader(self, element, item)
        except (ValueError, IndexError) as exc:
            return self.issue(where, f"{exc}; skipped")
        kept = []
        for shape in shapes:
            shape_kept, notes = checked_shape(shape, item.width, item.height)
            for note in notes:
                self.issue(where, note)
            if shape_kept is not None:
                kept.append(shape_kept)
        if not kept:
            return None
        self.dataset.add_label(label)
        group = int(parse_float(element.get("group_id")) or 0) or None
        if group is None and len(kept) > 1:
            self.groups += 1
            group = 1_000_000 + self.groups  # CVAT's own group ids are small; keep clear of them
        z = int(parse_float(element.get("z_order")) or 0)
        attributes = self.attributes(label, element)
        source = Source(SourceKind.MODEL) if element.get("source") in ("auto", "semi-auto") else Source()
        item.annotations += [DatasetAnnotation(label, s, dict(attributes), source, group, z) for s in kept]

    def attributes(self, label: str, element: ET.Element) -> dict[str, Any]:
        specs = {a.name: a for a in self.dataset.label_defs[label].attributes} if label in self.dataset.label_defs \
            else {}
        values: dict[str, Any] = {}
        if element.get("occluded") == "1":
            values["occluded"] = True
        for attribute in element.findall("attribute"):
            name, text = attribute.get("name") or "", (attribute.text or "").strip()
            values[name] = _typed(specs.get(name), text)
        return values


def _typed(spec: AttributeSpec | None, text: str) -> Any:
    """An attribute value from its text, by the schema's type (text stays text when the schema does not say)."""
    if spec is None or spec.type in ("text", "select"):
        return text
    if spec.type == "checkbox":
        return text.lower() == "true"
    value = parse_float(text)
    return text if value is None else (int(value) if value.is_integer() else value)


def _edges(svg: str, names: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    node_names = {node: label for node, label in _NODE.findall(svg)}
    index = {name: i for i, name in enumerate(names)}
    edges = []
    for a, b in _EDGE.findall(svg):
        ia, ib = index.get(node_names.get(a, "")), index.get(node_names.get(b, ""))
        if ia is not None and ib is not None:
            edges.append((ia, ib))
    return tuple(edges)


def _points(text: str | None) -> list[Point]:
    points = []
    for pair in (text or "").split(";"):
        x, y = (parse_float(v) for v in pair.split(","))
        if x is None or y is None:
            raise ValueError(f"points {brief(text)}: {brief(pair)} is not a pair of finite numbers")
        points.append((x, y))
    return points


def _num(element: ET.Element, key: str) -> float:
    value = parse_float(element.get(key))
    if value is None:
        raise ValueError(f"{key} {brief(element.get(key))} is not a number")
    return value


def _box(reader: _Reader, e: ET.Element, item: DatasetItem) -> list[Shape]:
    x1, y1, x2, y2 = (_num(e, k) for k in ("xtl", "ytl", "xbr", "ybr"))
    angle = parse_float(e.get("rotation")) or 0.0
    if angle % 360:
        return [RotatedBox((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, angle % 360)]
    return [Box(x1, y1, x2 - x1, y2 - y1)]


def _ellipse(reader: _Reader, e: ET.Element, item: DatasetItem) -> list[Shape]:
    cx, cy, rx, ry = (_num(e, k) for k in ("cx", "cy", "rx", "ry"))
    return [Ellipse(cx, cy, rx, ry, (parse_float(e.get("rotation")) or 0.0) % 360)]


def _mask(reader: _Reader, e: ET.Element, item: DatasetItem) -> list[Shape]:
    left, top, width, height = (int(_num(e, k)) for k in ("left", "top", "width", "height"))
    if not (0 < width <= item.width and 0 < height <= item.height):
        raise ValueError(f"mask box {width}x{height} is empty or larger than its {item.width}x{item.height} image")
    if width * height > MAX_MASK_BOX_PIXELS:
        raise ValueError(f"mask box {width}x{height} is past the limit of {MAX_MASK_BOX_PIXELS:,} pixels")
    text = e.get("rle") or ""
    # bounded before anything is parsed or allocated: at most one run a pixel (and a leading empty one), adding up
    # to the box, which the image bounds
    if text.count(",") > width * height:
        raise ValueError(f"mask rle has more runs than its {width}x{height} box has pixels")
    counts = [int(c) for c in text.replace(" ", "").split(",") if c]
    if any(c < 0 for c in counts) or sum(counts) != width * height:
        raise ValueError(f"mask rle does not cover its {width}x{height} box")
    bits = np.repeat(np.arange(len(counts)) % 2 == 1, counts).reshape(height, width)
    return [Mask.from_crop(bits, left, top, item.width, item.height)]


def _skeleton(reader: _Reader, e: ET.Element, item: DatasetItem) -> list[Shape]:
    label = reader.dataset.label_defs.get(e.get("label") or "")
    names = list(label.keypoints) if label else [p.get("label") or "" for p in e.findall("points")]
    points = [(0.0, 0.0, Visibility.SKIPPED)] * len(names)
    for child in e.findall("points"):
        name = child.get("label") or ""
        if name not in names:
            raise ValueError(f"skeleton point {brief(name)} is not in the label's template")
        if child.get("outside") == "1":
            continue
        (x, y), *_ = _points(child.get("points"))
        visibility = Visibility.OCCLUDED if child.get("occluded") == "1" else Visibility.VISIBLE
        points[names.index(name)] = (x, y, visibility)
    return [Keypoints(tuple(points))]


_SHAPES: dict[str, Callable[[_Reader, ET.Element, DatasetItem], list[Shape]]] = {
    "box": _box,
    "polygon": lambda r, e, i: [Polygon.from_points(_points(e.get("points")))],
    "polyline": lambda r, e, i: [Polyline(tuple(_points(e.get("points"))))],
    "points": lambda r, e, i: [PointShape(x, y) for x, y in _points(e.get("points"))],
    "ellipse": _ellipse,
    "mask": _mask,
    "skeleton": _skeleton,
    "tag": lambda r, e, i: [Tag()],
}
SHAPE_READERS = _SHAPES  # for the CVAT for video reader, which reads the same elements inside tracks
Reader = _Reader
