"""Writing CVAT for images 1.1 XML: annotations.xml with the labels block (attribute specs, skeleton templates).

Every shape kind has a CVAT element: Box and RotatedBox -> box (with `rotation`), Polygon, Polyline, PointShape ->
points, Ellipse, Mask -> mask (CVAT's RLE over the mask's box), Keypoints -> skeleton, Tag -> tag. The attribute
`occluded` becomes CVAT's occluded flag; z and group are kept; model predictions are marked source="auto".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from core.formats.common import write_atomically
from core.formats.dataset import Dataset, DatasetAnnotation
from core.schema import AttributeSpec, Label
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Tag

_INPUT_TYPES = {"checkbox": "checkbox", "select": "select", "text": "text", "number": "number"}


def write_cvat(dataset: Dataset, out_dir: Path) -> list[Path]:
    root = ET.Element("annotations")
    ET.SubElement(root, "version").text = "1.1"
    meta = ET.SubElement(root, "meta")
    task = ET.SubElement(meta, "task")
    ET.SubElement(task, "name").text = "Annodesk export"
    ET.SubElement(task, "size").text = str(len(dataset.items))
    ET.SubElement(task, "mode").text = "annotation"
    labels = ET.SubElement(task, "labels")
    for name in dataset.all_labels():
        _label_xml(labels, name, dataset.label_defs.get(name))
    ET.SubElement(meta, "dumped").text = datetime.now(UTC).isoformat(sep=" ", timespec="seconds")
    for image_id, item in enumerate(dataset.items):
        image = ET.SubElement(root, "image", id=str(image_id), name=item.file_name,
                              width=str(item.width), height=str(item.height))
        for ann in item.annotations:
            image.append(_shape_xml(ann, dataset.label_defs.get(ann.label)))
    ET.indent(root)
    path = out_dir / "annotations.xml"
    write_atomically(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return [path]


def _label_xml(parent: ET.Element, name: str, label: Label | None) -> None:
    element = ET.SubElement(parent, "label")
    ET.SubElement(element, "name").text = name
    ET.SubElement(element, "type").text = "skeleton" if label and label.keypoints else "any"
    attributes = ET.SubElement(element, "attributes")
    for spec in label.attributes if label else ():
        if spec.name != "occluded":  # CVAT's built-in flag, written on each shape
            _attribute_xml(attributes, spec)
    if label and label.keypoints:
        nodes = "".join(f'<circle r="1.5" data-type="element node" data-element-id="{i + 1}" '
                        f'data-node-id="{i + 1}" data-label-name="{_escape(p)}"></circle>'
                        for i, p in enumerate(label.keypoints))
        edges = "".join(f'<line data-type="edge" data-node-from="{a + 1}" data-node-to="{b + 1}"></line>'
                        for a, b in label.skeleton)
        ET.SubElement(element, "svg").text = edges + nodes
        for point in label.keypoints:
            sub = ET.SubElement(parent, "label")
            ET.SubElement(sub, "name").text = point
            ET.SubElement(sub, "type").text = "points"
            ET.SubElement(sub, "parent").text = name


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _attribute_xml(parent: ET.Element, spec: AttributeSpec) -> None:
    element = ET.SubElement(parent, "attribute")
    ET.SubElement(element, "name").text = spec.name
    ET.SubElement(element, "mutable").text = "True" if spec.mutable else "False"
    ET.SubElement(element, "input_type").text = _INPUT_TYPES[spec.type]
    ET.SubElement(element, "default_value").text = _text(spec.initial())
    if spec.type == "select":
        values = list(spec.options)
    elif spec.type == "checkbox":
        values = ["false", "true"]
    elif spec.type == "number" and spec.minimum is not None and spec.maximum is not None:
        values = [_text(spec.minimum), _text(spec.maximum), "1"]
    else:
        values = []
    ET.SubElement(element, "values").text = "\n".join(values)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pairs(points: Any) -> str:
    return ";".join(f"{_text(float(x))},{_text(float(y))}" for x, y in points)


def _shape_xml(ann: DatasetAnnotation, label: Label | None) -> ET.Element:
    shape = ann.shape
    attrs: dict[str, Any] = {}
    if isinstance(shape, Box):
        tag = "box"
        attrs = {"xtl": shape.x, "ytl": shape.y, "xbr": shape.x + shape.w, "ybr": shape.y + shape.h}
    elif isinstance(shape, RotatedBox):
        tag = "box"
        attrs = {"xtl": shape.cx - shape.w / 2, "ytl": shape.cy - shape.h / 2, "xbr": shape.cx + shape.w / 2,
                 "ybr": shape.cy + shape.h / 2, "rotation": shape.angle}
    elif isinstance(shape, Polygon | Polyline):
        tag, attrs = shape.kind, {"points": _pairs(shape.points)}
    elif isinstance(shape, PointShape):
        tag, attrs = "points", {"points": _pairs([(shape.x, shape.y)])}
    elif isinstance(shape, Ellipse):
        tag = "ellipse"
        attrs = {"cx": shape.cx, "cy": shape.cy, "rx": shape.rx, "ry": shape.ry, "rotation": shape.angle}
    elif isinstance(shape, Mask):
        tag, attrs = "mask", _mask_attrs(shape)
    elif isinstance(shape, Keypoints):
        tag = "skeleton"
    elif isinstance(shape, Tag):
        tag = "tag"
    else:
        raise ValueError(f"no CVAT element for {shape.kind}")
    element = ET.Element(tag, label=ann.label, source="auto" if ann.source.is_model else "manual")
    if tag != "tag":
        element.set("occluded", "1" if ann.attributes.get("occluded") is True else "0")
        element.set("z_order", str(ann.z))
    for key, value in attrs.items():
        element.set(key, _text(value))
    if ann.group is not None:
        element.set("group_id", str(ann.group))
    if isinstance(shape, Keypoints):
        names = list(label.keypoints) if label and len(label.keypoints) == len(shape.points) else \
            [str(i) for i in range(1, len(shape.points) + 1)]
        for name, (x, y, v) in zip(names, shape.points, strict=True):
            ET.SubElement(element, "points", label=name, points=_pairs([(x, y)]), outside="0" if v else "1",
                          occluded="1" if v == 1 else "0")
    for name, value in ann.attributes.items():
        if name != "occluded":
            ET.SubElement(element, "attribute", name=name).text = _text(value)
    return element


def _mask_attrs(mask: Mask) -> dict[str, str]:
    """CVAT's mask: run lengths row by row over the mask's bounding box, starting with background."""
    bits, left, top = mask.crop()
    flat = bits.ravel()
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    counts = np.diff(np.concatenate(([0], changes, [flat.size]))).tolist()
    if flat.size and flat[0]:
        counts = [0, *counts]
    return {"rle": ", ".join(map(str, counts)), "left": str(left), "top": str(top),
            "width": str(bits.shape[1]), "height": str(bits.shape[0])}
