"""Pascal VOC detection: Annotations/*.xml, JPEGImages/, ImageSets/Main/*.txt.

Coordinates: VOC's bndbox holds 1-based, inclusive pixel indices (the devkit: "pixel indices are 1-based"), so a
box covering the top-left pixel only is xmin=1 xmax=1. Our coordinates are continuous with the origin at the
top-left corner of that pixel, so xmin, xmax become x = xmin - 1, w = xmax - xmin + 1 (the same for y), and a write
rounds to whole pixels the other way. (Datumaro reads xmin as x unchanged: its boxes are half a pixel to one
pixel off ours.) Sub-pixel positions are lost on export: VOC tools read integers.

`truncated`, `difficult` and `occluded` become checkbox attributes (new labels get them declared), `pose` a text
attribute, `<actions>` and CVAT's `<attributes>` block attributes as well; a `<part>` (head, hand...) becomes a Box
with the part's name as label, in one group with its object. Images listed in ImageSets/Main without an XML are
imported without annotations. Segmentation PNGs are not read. XML is parsed with defusedxml (no DTD, no entities).
On export, shapes with an area are written as their bounding boxes (reported), others are left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath
from typing import Any

from core.formats.checks import checked_shape
from core.formats.common import Leftovers, copy_media, export_name, image_size, inside, parse_float, write_atomically
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.untrusted import brief, name_problem, parse_xml
from core.media import IMAGE_EXTENSIONS
from core.messages import translate
from core.schema import AttributeSpec, Label
from core.shapes import Box

_FLAGS = ("truncated", "difficult", "occluded")
_FLAG_SPECS = tuple(AttributeSpec(name, "checkbox", default=False) for name in _FLAGS)
_AREA_KINDS = {"box", "rotated_box", "polygon", "mask", "ellipse"}
TEMPLATE_COLOR = "#808080"


class VocFormat:
    name = "voc"
    description = translate(
        "formats", "Pascal VOC XML boxes (a VOC folder with Annotations/, a folder of .xml files, or one .xml)")
    title = "Pascal VOC"
    file_types = ("*.xml",)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        root = path.parent.parent if path.is_file() and path.parent.name == "Annotations" else path
        if path.is_file():
            files, root = [path], root if path.parent.name == "Annotations" else path.parent
        elif path.is_dir():
            folder = path / "Annotations" if (path / "Annotations").is_dir() else path
            files = sorted(folder.rglob("*.xml"))
        else:
            raise FormatError(f"{path}: no such file or folder")
        listed = _listed_ids(root)
        if not files and not listed:
            raise FormatError(f"{path}: no VOC annotation files (expected Annotations/*.xml)")
        reader = _Reader(root)
        for file in files:
            reader.read_file(file)
        for image_id, list_file in listed.items():
            if image_id not in reader.ids:
                reader.read_unannotated(image_id, list_file)
        return reader.dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return _write(dataset, Path(out_dir))


VOC = VocFormat()


def _listed_ids(root: Path) -> dict[str, str]:
    """Image ids of ImageSets/Main/<subset>.txt (not the per-class <class>_<subset>.txt lists) -> the list's name."""
    ids: dict[str, str] = {}
    main = root / "ImageSets" / "Main"
    for file in sorted(main.glob("*.txt")) if main.is_dir() else []:
        if "_" in file.stem:
            continue
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.split():
                ids.setdefault(line.split()[0], f"ImageSets/Main/{file.name}")
    return ids


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.dataset = Dataset()
        self.ids: set[str] = set()
        self.dirs = (root / "JPEGImages", root)

    def read_file(self, file: Path) -> None:
        where = file.relative_to(self.root).as_posix() if file.is_relative_to(self.root) else file.name
        image_id = file.relative_to(file.parent).with_suffix("").as_posix()
        self.ids.add(image_id)
        try:
            element = parse_xml(file)
        except FormatError as exc:
            self.dataset.issue(where, f"{exc.args[0].split(': ', 1)[-1]}; file skipped")
            return
        if element.tag != "annotation":
            self.dataset.issue(where, f"not a VOC annotation (root element <{element.tag}>); file skipped")
            return
        name = (element.findtext("filename") or "").strip() or self.image_name(image_id)
        if name is None:
            self.dataset.issue(where, "no <filename> and no image with the same name in JPEGImages; file skipped")
            return
        size = self.size(element, name)
        if size is None:
            self.dataset.issue(
                where, f"<size> is missing or not positive and {brief(name)} cannot be read; file skipped"
            )
            return
        item = DatasetItem(name, size[0], size[1], media_dirs=self.dirs)
        self.dataset.items.append(item)
        for i, obj in enumerate(element.iter("object")):
            self.read_object(f"{where}: object[{i}]", obj, item, i + 1)

    def read_unannotated(self, image_id: str, list_file: str) -> None:
        name = self.image_name(image_id)
        size = self.size(None, name) if name else None
        if name is None or size is None:
            self.dataset.issue(list_file, f"{image_id} has no annotation file and no readable image; skipped")
            return
        self.dataset.items.append(DatasetItem(name, size[0], size[1], media_dirs=self.dirs))

    def image_name(self, image_id: str) -> str | None:
        if name_problem(f"{image_id}.jpeg"):  # no file can have this name (NUL, too long, ...)
            return None
        for suffix in sorted(IMAGE_EXTENSIONS):
            if (self.root / "JPEGImages" / (image_id + suffix)).is_file():
                return image_id + suffix
        return None

    def size(self, element: ET.Element | None, name: str) -> tuple[int, int] | None:
        if element is not None:
            width = parse_float(element.findtext("size/width"))
            height = parse_float(element.findtext("size/height"))
            if width and height and width > 0 and height > 0 and width.is_integer() and height.is_integer():
                return int(width), int(height)
        rel = inside(self.root, name)
        try:
            return image_size(self.root / "JPEGImages" / rel) if rel else None
        except FormatError:
            return None

    def read_object(self, where: str, obj: ET.Element, item: DatasetItem, group: int) -> None:
        label = (obj.findtext("name") or "").strip()
        if not label:
            self.dataset.issue(where, "<name> is missing or empty; skipped")
            return
        box = self.box(where, obj)
        if box is None:
            return
        parts = [(p, (p.findtext("name") or "").strip()) for p in obj.findall("part")]
        self.add(where, item, label, box, _attributes(obj), group if parts else None)
        self.dataset.label_defs.setdefault(label, Label(label, TEMPLATE_COLOR, attributes=_FLAG_SPECS))
        for j, (part, part_label) in enumerate(parts):
            part_box = self.box(f"{where}.part[{j}]", part)
            if part_box is not None and part_label:
                self.add(f"{where}.part[{j}]", item, part_label, part_box, {}, group)

    def box(self, where: str, element: ET.Element) -> Box | None:
        values = [parse_float(element.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")]
        if any(v is None for v in values):
            self.dataset.issue(where, "<bndbox> needs numbers xmin, ymin, xmax and ymax; skipped")
            return None
        xmin, ymin, xmax, ymax = (float(v) for v in values if v is not None)
        if xmax < xmin or ymax < ymin:
            self.dataset.issue(where, f"bndbox ({xmin:g}, {ymin:g}, {xmax:g}, {ymax:g}) has max below min; skipped")
            return None
        return Box(xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1)

    def add(
        self, where: str, item: DatasetItem, label: str, box: Box, attrs: dict[str, Any], group: int | None
    ) -> None:
        kept, notes = checked_shape(box, item.width, item.height)
        for note in notes:
            self.dataset.issue(where, note)
        if kept is not None:
            self.dataset.add_label(label)
            item.annotations.append(DatasetAnnotation(label, kept, attrs, group=group))


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() in ("1", "true", "yes")


def _attributes(obj: ET.Element) -> dict[str, Any]:
    attributes: dict[str, Any] = {name: _flag(obj.findtext(name)) for name in _FLAGS if obj.find(name) is not None}
    pose = (obj.findtext("pose") or "").strip()
    if pose:
        attributes["pose"] = pose
    actions = obj.find("actions")
    for action in actions if actions is not None else []:
        attributes[action.tag] = _flag(action.text)
    for attribute in obj.findall("attributes/attribute"):
        name = (attribute.findtext("name") or "").strip()
        if name:
            attributes[name] = (attribute.findtext("value") or "").strip()
    return attributes


def _write(dataset: Dataset, out_dir: Path) -> list[Path]:
    leftovers = Leftovers("voc")
    files, ids = [], []
    for item in dataset.items:
        rel = export_name(out_dir, item.file_name)
        image_id = PurePosixPath(rel).with_suffix("").as_posix()
        ids.append(image_id)
        element = _annotation_xml(item, rel, leftovers)
        ET.indent(element)
        path = out_dir / "Annotations" / f"{image_id}.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(ET.tostring(element, encoding="utf-8", xml_declaration=True))
        files.append(path)
    listing = out_dir / "ImageSets" / "Main" / "default.txt"
    write_atomically(listing, "".join(f"{i}\n" for i in ids))
    copy_media(dataset, lambda name: out_dir / "JPEGImages" / export_name(out_dir, name))
    leftovers.report(dataset)
    return [*files, listing]


def _annotation_xml(item: DatasetItem, rel: str, leftovers: Leftovers) -> ET.Element:
    root = ET.Element("annotation")
    ET.SubElement(root, "folder").text = ""
    ET.SubElement(root, "filename").text = rel
    ET.SubElement(ET.SubElement(root, "source"), "database").text = "Annodesk"
    size = ET.SubElement(root, "size")
    for key, value in (("width", item.width), ("height", item.height), ("depth", 3)):
        ET.SubElement(size, key).text = str(value)
    ET.SubElement(root, "segmented").text = "0"
    for ann in item.annotations:
        if ann.shape.kind not in _AREA_KINDS:
            leftovers.add(f"{ann.shape.kind} shapes left out (VOC holds boxes)")
            continue
        if ann.shape.kind != "box":
            leftovers.add(f"{ann.shape.kind} shapes written as their bounding boxes")
        root.append(_object_xml(ann, item))
    return root


def _object_xml(ann: DatasetAnnotation, item: DatasetItem) -> ET.Element:
    obj = ET.Element("object")
    ET.SubElement(obj, "name").text = ann.label
    ET.SubElement(obj, "pose").text = str(ann.attributes.get("pose", "Unspecified"))
    for flag in _FLAGS:
        ET.SubElement(obj, flag).text = str(int(bool(ann.attributes.get(flag, False))))
    b = ann.shape.bounds()
    xmin = min(max(round(b.x1) + 1, 1), item.width)
    ymin = min(max(round(b.y1) + 1, 1), item.height)
    corners = (xmin, ymin, min(max(round(b.x2), xmin), item.width), min(max(round(b.y2), ymin), item.height))
    bndbox = ET.SubElement(obj, "bndbox")
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), corners, strict=True):
        ET.SubElement(bndbox, key).text = str(value)
    extra = {k: v for k, v in ann.attributes.items() if k not in (*_FLAGS, "pose")}
    if extra:
        block = ET.SubElement(obj, "attributes")
        for name, value in extra.items():
            attribute = ET.SubElement(block, "attribute")
            ET.SubElement(attribute, "name").text = name
            ET.SubElement(attribute, "value").text = str(value).lower() if isinstance(value, bool) else str(value)
    return obj
