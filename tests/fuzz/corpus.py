"""Generated malformed datasets (for every importer) and damaged media folders (for `add`).

A case is rebuilt from (seed, index) alone, so a worker process builds only the cases it runs and a failure is
reproduced by its index (`python -m tests.fuzz --only INDEX`). The first import cases are the crash classes found by
hand (issue 9, `SPECIAL_CLASSES`); the rest are random mutations of valid datasets of every format: deleted keys and
elements, wrong types, huge and non-finite numbers, deep nesting, odd names, truncated and flipped bytes, damaged or
missing images. Datumaro's sample files (shared/data/format-samples) join the seeds where that folder exists.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import os
import random
import shutil
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from core.formats import FORMATS

SAMPLES = Path("/work/shared/data/format-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "format-samples"

FAMILIES = ("coco", "cvat", "labelme", "voc", "yolo")
# The classes every run holds (each at least once, for the formats named); tests/test_fuzz.py checks they are here.
SPECIAL_CLASSES = {
    "nul-name": FAMILIES,
    "surrogate": FAMILIES,
    "long-name": FAMILIES,
    "deep-nesting": ("coco", "labelme", "yolo"),
    "huge-int": ("labelme", "cvat"),
    "wrong-type": ("labelme",),
    "huge-mask": ("labelme", "cvat"),
    "yaml-bomb": ("yolo",),
    "kpt-shape": ("yolo",),
    "symlink-outside": ("yolo",),
    "png-bomb-header": ("yolo",),
    "unknown-encoding": ("voc",),
    "nan-points": ("cvat",),
}
ADD_CLASSES = ("truncated", "zero-byte", "wrong-extension", "png-bomb-header", "fifo", "unreadable", "symlink-loop",
               "directory", "text-as-image")
SURROGATE_BYTES = b"\xed\xa0\x80"  # U+D800 encoded as if it were a character: Python reads it as '\udced\udca0\udc80'
LONG = "a" * 296 + ".jpg"  # 300 characters: longer than a file name may be
DEEP = (5_000, 100_000)


def family(format_name: str) -> str:
    """The seed family of a registered format (yolo-pose -> yolo); KeyError for a format the corpus cannot seed."""
    base = format_name.split("-")[0]
    if base not in FAMILIES:
        raise KeyError(f"format {format_name!r} has no seed datasets in tests/fuzz/corpus.py")
    return base


@dataclass
class Written:
    """What a case wrote: the path import is given, and for an add case what each file must become."""

    target: Path
    notes: list[str] = field(default_factory=list)  # the mutations applied, for the report
    inputs: list[Path] = field(default_factory=list)  # add: the paths given to add_media
    good: dict[str, tuple[int, int]] = field(default_factory=dict)  # add: path -> size; must become a NEW task
    bad: list[str] = field(default_factory=list)  # add: paths that are skipped or become one ERROR task
    skip: list[str] = field(default_factory=list)  # add: paths that must not become a task at all
    either: list[str] = field(default_factory=list)  # add: a task or not (a complete bomb, a non-UTF-8 name)


@dataclass(frozen=True)
class Case:
    index: int
    kind: str  # "import" or "add"
    format: str  # a name in core.formats.FORMATS; "media" for add
    klass: str  # what is wrong with it: a SPECIAL_CLASSES key, "mutate:<seed>" (Written.notes has the ops), "add:..."
    write: Callable[[Path], Written]  # builds the case's files under `folder` (which it creates)


def cases(seed: int, count: int, kind: str = "import") -> Iterator[Case]:
    for index in range(count):
        yield case(seed, index, kind)


def case(seed: int, index: int, kind: str = "import") -> Case:
    if kind == "add":
        return _add_case(seed, index)
    specials = _specials()
    if index < len(specials):
        fmt, klass, build = specials[index]
        return Case(index, "import", fmt, klass, lambda folder: Written(build(folder)))
    return _mutation_case(seed, index)


# ---------------------------------------------------------------------------------------------- files and images


def put(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


@cache
def image_bytes(width: int, height: int, ext: str = ".png", depth: type = np.uint8) -> bytes:
    top = 255 if depth is np.uint8 else 65535
    pixels = np.random.default_rng(width * 7919 + height).integers(0, top, (height, width, 3), dtype=depth)
    ok, data = cv2.imencode(ext, pixels)
    assert ok, ext
    return data.tobytes()


def image(path: Path, width: int, height: int) -> Path:
    ext = path.suffix.lower() if path.suffix.lower() in (".jpg", ".png", ".bmp", ".webp", ".tif") else ".png"
    return put(path, image_bytes(width, height, ext))


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_header(width: int, height: int) -> bytes:
    """A PNG whose valid header claims width x height, with pixel data for a few rows only: a bomb's header."""
    rows = zlib.compress(b"\x00" * (min(width, 1 << 16) + 1) * 4)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


@cache
def png_bomb(side: int = 20_000) -> bytes:
    """A complete, valid PNG of side x side black pixels in well under a megabyte: a real decompression bomb."""
    z = zlib.compressobj(9)
    row = bytes(side + 1)
    body = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def truncated(data: bytes, rng: random.Random) -> bytes:
    """`data` cut inside its pixel data (never only the trailer: a PNG loses at least IEND, a JPEG a data byte)."""
    end = len(data) - (12 if data.startswith(b"\x89PNG") else 3)
    return data[: rng.randrange(1, max(2, end))]


def png_mask_b64(width: int, height: int) -> str:
    bits = np.zeros((height, width), np.uint8)
    bits[1:-1, 1:-1] = 255
    return base64.b64encode(cv2.imencode(".png", bits)[1].tobytes()).decode()


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """YAML whose aliases expand to width**levels strings: tiny as text, 387 million items when walked."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


class RawJson:
    """A value written into the JSON text as it is: nesting deeper than json.dumps recurses, digits past int's limit."""

    def __init__(self, text: str) -> None:
        self.text = text


def dump_json(data: Any, ensure_ascii: bool = True) -> bytes:
    """JSON as the fuzzer wants it: NaN and Infinity allowed, RawJson spliced in, lone surrogates kept as escapes
    (ensure_ascii) or as the invalid UTF-8 that encodes them."""
    raws: list[str] = []

    def default(value: Any) -> str:
        if not isinstance(value, RawJson):
            raise TypeError(type(value).__name__)
        raws.append(value.text)
        return f"\x01{len(raws) - 1}\x01"

    text = json.dumps(data, ensure_ascii=ensure_ascii, allow_nan=True, default=default)
    for i, raw in enumerate(raws):
        text = text.replace(f'"\\u0001{i}\\u0001"', raw, 1)
    return text.encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------------------------------- valid seeds


@dataclass
class Seed:
    """A valid dataset on disk: its folder, the file a reader also takes alone, and what mutations may damage."""

    root: Path
    file: Path
    documents: list[Path]
    media: list[Path]


def coco_seed(folder: Path) -> Seed:
    media = [image(folder / "images" / "img0.jpg", 48, 32), image(folder / "images" / "sub" / "b.png", 32, 40)]
    data = {
        "info": {"description": "fuzz seed"},
        "licenses": [],
        "images": [{"id": 1, "file_name": "img0.jpg", "width": 48, "height": 32},
                   {"id": 2, "file_name": "sub/b.png", "width": 32, "height": 40}],
        "categories": [{"id": 1, "name": "car", "supercategory": ""},
                       {"id": 2, "name": "person", "keypoints": ["nose", "neck"], "skeleton": [[1, 2]]}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 3, 10, 8], "area": 80, "iscrowd": 0,
             "segmentation": [], "attributes": {"occluded": False, "color": "red"}},
            {"id": 2, "image_id": 1, "category_id": 1, "segmentation": [[5, 5, 20, 5, 20, 20, 5, 20]],
             "bbox": [5, 5, 15, 15], "area": 225, "iscrowd": 0, "score": 0.8},
            {"id": 3, "image_id": 2, "category_id": 1, "segmentation": {"counts": [10, 20, 1250], "size": [40, 32]},
             "bbox": [0, 0, 2, 30], "area": 20, "iscrowd": 1},
            {"id": 4, "image_id": 2, "category_id": 2, "keypoints": [5, 5, 2, 10, 12, 1], "num_keypoints": 2,
             "bbox": [3, 3, 10, 12], "area": 120, "iscrowd": 0, "segmentation": []},
        ],
    }
    doc = put(folder / "annotations" / "instances_default.json", dump_json(data))
    return Seed(folder, doc, [doc], media)


def _labelme_shapes() -> list[dict[str, Any]]:
    def shape(label: str, kind: str, points: list[list[float]], **extra: Any) -> dict[str, Any]:
        return {"label": label, "points": points, "group_id": None, "description": "", "shape_type": kind,
                "flags": {}, **extra}

    return [
        shape("car", "rectangle", [[2, 3], [12, 11]], group_id=1, flags={"occluded": True}),
        shape("car", "polygon", [[5, 5], [20, 5], [20, 20], [5, 20]], attributes={"color": "red"}),
        shape("lane", "line", [[1, 20], [30, 25]]),
        shape("lane", "linestrip", [[1, 20], [10, 25], [20, 20]]),
        shape("dot", "point", [[7, 7]], score=0.9),
        shape("wheel", "circle", [[30, 20], [33, 20]]),
        shape("blob", "mask", [[4, 4], [11, 11]], mask=png_mask_b64(8, 8)),
        shape("car", "rotation", [[25, 5], [35, 8], [33, 15], [23, 12]], direction=0.3),
    ]


def labelme_seed(folder: Path) -> Seed:
    media = [image(folder / "img0.jpg", 48, 32), image(folder / "images" / "b.png", 32, 40)]
    one = {"version": "5.5.0", "flags": {"day": True, "night": False}, "shapes": _labelme_shapes(),
           "imagePath": "img0.jpg", "imageData": None, "imageHeight": 32, "imageWidth": 48}
    two = {"version": "5.5.0", "shapes": _labelme_shapes()[:2], "imagePath": "../images/b.png"}
    docs = [put(folder / "img0.json", dump_json(one)), put(folder / "sub" / "b.json", dump_json(two))]
    return Seed(folder, docs[0], docs, media)


CVAT_META = """<meta><task><labels>
<label><name>car</name><attributes>
<attribute><name>speed</name><input_type>number</input_type><default_value>5</default_value><values>0
100
1</values></attribute>
<attribute><name>kind</name><input_type>radio</input_type><default_value>sedan</default_value><values>sedan
van</values></attribute>
<attribute><name>parked</name><input_type>checkbox</input_type><default_value>false</default_value></attribute>
<attribute><name>note</name><input_type>text</input_type><default_value></default_value></attribute>
</attributes></label>
<label><name>person</name><type>skeleton</type><attributes/>
<svg>&lt;line data-type="edge" data-node-from="1" data-node-to="2"&gt;&lt;/line&gt;&lt;circle data-node-id="1"
data-label-name="nose"&gt;&lt;/circle&gt;&lt;circle data-node-id="2" data-label-name="neck"&gt;&lt;/circle&gt;</svg>
</label>
<label><name>nose</name><type>points</type><parent>person</parent></label>
<label><name>neck</name><type>points</type><parent>person</parent></label>
</labels></task></meta>"""

CVAT_IMAGE = """<image id="0" name="img0.jpg" width="48" height="32">
<box label="car" occluded="1" source="manual" xtl="2" ytl="3" xbr="12" ybr="11" z_order="1" group_id="2">
<attribute name="speed">42</attribute><attribute name="kind">van</attribute><attribute name="parked">true</attribute>
</box>
<box label="car" xtl="20" ytl="5" xbr="30" ybr="15" rotation="30"/>
<polygon label="car" points="1,1;10,1;10,10" z_order="0"/>
<polyline label="car" points="1,20;10,25;20,20"/>
<points label="car" points="3,3;6,6"/>
<ellipse label="car" cx="30" cy="20" rx="5" ry="3" rotation="10"/>
<mask label="car" source="auto" rle="1, 2, 3, 2" left="2" top="3" width="4" height="2"/>
<skeleton label="person"><points label="nose" points="5,5" occluded="0"/><points label="neck" points="8,9"
occluded="1"/></skeleton>
<tag label="car"/>
</image>
<image id="1" name="b.png" subset="train" width="32" height="40">
<box label="car" xtl="1" ytl="1" xbr="9" ybr="9"/>
</image>"""


def cvat_text(images: str = CVAT_IMAGE, meta: str = CVAT_META, declaration: str = "utf-8") -> str:
    return (f'<?xml version="1.0" encoding="{declaration}"?>\n<annotations><version>1.1</version>\n{meta}\n{images}\n'
            "</annotations>\n")


def cvat_seed(folder: Path, text: str | bytes | None = None) -> Seed:
    media = [image(folder / "images" / "img0.jpg", 48, 32), image(folder / "images" / "train" / "b.png", 32, 40)]
    doc = put(folder / "annotations.xml", cvat_text() if text is None else text)
    return Seed(folder, doc, [doc], media)


VOC_OBJECTS = """<object><name>car</name><pose>Left</pose><truncated>1</truncated><difficult>0</difficult>
<occluded>0</occluded><bndbox><xmin>2</xmin><ymin>3</ymin><xmax>12</xmax><ymax>11</ymax></bndbox>
<part><name>head</name><bndbox><xmin>3</xmin><ymin>4</ymin><xmax>6</xmax><ymax>7</ymax></bndbox></part>
<actions><jumping>1</jumping><other>0</other></actions>
<attributes><attribute><name>color</name><value>red</value></attribute></attributes></object>
<object><name>person</name><bndbox><xmin>20</xmin><ymin>5</ymin><xmax>30</xmax><ymax>30</ymax></bndbox></object>"""


def voc_text(filename: str = "img0.jpg", size: str = "<width>48</width><height>32</height><depth>3</depth>",
             declaration: str = "utf-8") -> str:
    return (f'<?xml version="1.0" encoding="{declaration}"?>\n<annotation><folder>VOC</folder>'
            f"<filename>{filename}</filename><size>{size}</size><segmented>0</segmented>\n{VOC_OBJECTS}\n"
            "</annotation>\n")


def voc_seed(folder: Path, text: str | bytes | None = None, stem: str | bytes = "img0") -> Seed:
    name = os.fsdecode(stem)
    media = [image(folder / "JPEGImages" / (name + ".jpg"), 48, 32), image(folder / "JPEGImages" / "b.png", 32, 40)]
    doc = put(folder / "Annotations" / (name + ".xml"), voc_text() if text is None else text)
    listing = put(folder / "ImageSets" / "Main" / "train.txt", "img0\nb\n")
    return Seed(folder, doc, [doc, listing], media)


YOLO_YAML = "path: .\ntrain: images/train\nval: images/val\nnames:\n  0: car\n  1: person\n"
YOLO_LINES = {
    "detect": ("0 0.5 0.5 0.25 0.25\n1 0.2 0.3 0.1 0.1\n", "0 0.5 0.5 0.5 0.5\n"),
    "segment": ("0 0.1 0.1 0.4 0.1 0.4 0.4 0.1 0.4\n1 0.5 0.5 0.9 0.5 0.7 0.9\n", "0 0.1 0.1 0.5 0.1 0.3 0.6\n"),
    "pose": ("0 0.5 0.5 0.4 0.4 0.4 0.4 2 0.6 0.6 1\n", "0 0.5 0.5 0.2 0.2 0.5 0.5 2 0 0 0\n"),
    "obb": ("0 0.2 0.2 0.6 0.2 0.6 0.5 0.2 0.5\n", "1 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n"),
}
YOLO_EXTRA = {"detect": "", "segment": "task: segment\n", "pose": "kpt_shape: [2, 3]\n", "obb": "task: obb\n"}


def yolo_seed(folder: Path, task: str = "detect", config: str | None = None, first: str | bytes = "a.jpg") -> Seed:
    name = os.fsdecode(first)
    media = [image(folder / "images" / "train" / name, 64, 48), image(folder / "images" / "val" / "b.png", 32, 40)]
    a, b = YOLO_LINES[task]
    docs = [put(folder / "data.yaml", YOLO_YAML + YOLO_EXTRA[task] if config is None else config),
            put(folder / "labels" / "train" / (Path(name).stem + ".txt"), a),
            put(folder / "labels" / "val" / "b.txt", b)]
    return Seed(folder, docs[0], docs, media)


def yolo_darknet_seed(folder: Path) -> Seed:
    media = [image(folder / "a.jpg", 64, 48), image(folder / "b.png", 32, 40)]
    docs = [put(folder / "classes.txt", "car\nperson\n"), put(folder / "a.txt", YOLO_LINES["detect"][0]),
            put(folder / "b.txt", YOLO_LINES["segment"][1])]
    return Seed(folder, folder, docs, media)


def yolo_list_seed(folder: Path) -> Seed:
    media = [image(folder / "images" / "a.jpg", 64, 48), image(folder / "images" / "b.png", 32, 40)]
    docs = [put(folder / "data.yaml", "train: train.txt\nnames: [car, person]\n"),
            put(folder / "train.txt", "images/a.jpg\n./images/b.png\n"),
            put(folder / "labels" / "a.txt", YOLO_LINES["detect"][0]),
            put(folder / "labels" / "b.txt", "1 .5 .5 .2 .2\n")]
    return Seed(folder, docs[0], docs, media)


def _sample_seed(name: str, documents: tuple[str, ...]) -> Callable[[Path], Seed]:

    def build(folder: Path) -> Seed:
        shutil.copytree(SAMPLES / name, folder)
        docs = sorted(p for pattern in documents for p in folder.glob(pattern))
        media = sorted(p for p in folder.rglob("*") if p.suffix in (".jpg", ".png"))
        return Seed(folder, docs[0], docs, media)

    return build


def _seeds() -> dict[str, dict[str, Callable[[Path], Seed]]]:
    """Family -> seed name -> builder; the samples by other tools only where their folder exists."""
    samples = {"coco": {"coco_instances": ("annotations/*.json",), "coco_person_keypoints": ("annotations/*.json",)},
               "cvat": {"cvat_images_project": ("annotations.xml",)},
               "voc": {"voc_dataset1": ("Annotations/*.xml", "ImageSets/Main/*.txt")}}
    seeds: dict[str, dict[str, Callable[[Path], Seed]]] = {
        "coco": {"coco": coco_seed},
        "cvat": {"cvat": cvat_seed},
        "labelme": {"labelme": labelme_seed},
        "voc": {"voc": voc_seed},
        "yolo": {**{f"yolo_{t}": lambda f, t=t: yolo_seed(f, t) for t in YOLO_LINES},
                 "yolo_darknet": yolo_darknet_seed, "yolo_list": yolo_list_seed},
    }
    for fam, found in samples.items():
        seeds[fam].update({name: _sample_seed(name, docs) for name, docs in found.items() if (SAMPLES / name).is_dir()})
    return seeds


SEEDS = _seeds()


# ---------------------------------------------------------------------------------------------- the known classes


def _json_edit(seed: Callable[[Path], Seed], edit: Callable[[Any], Any], ensure_ascii: bool = True,
               doc: int = 0) -> Callable[[Path], Path]:
    """A builder: the seed with one document's JSON changed by `edit` (which returns the new document)."""

    def build(folder: Path) -> Path:
        s = seed(folder)
        path = s.documents[doc]
        path.write_bytes(dump_json(edit(json.loads(path.read_bytes())), ensure_ascii))
        return s.root

    return build


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], Any]:
    def edit(data: Any) -> Any:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return data

    return edit


def _text_seed(seed: Callable[..., Seed], text: str | bytes, **kwargs: Any) -> Callable[[Path], Path]:
    return lambda folder: seed(folder, text, **kwargs).root


def _yolo(config: str | None = None, task: str = "detect", first: str | bytes = "a.jpg") -> Callable[[Path], Path]:
    return lambda folder: yolo_seed(folder, task, config, first).root


def _then(seed: Callable[[Path], Seed], then: Callable[[Path], Any]) -> Callable[[Path], Path]:
    """A builder: the seed, then `then(folder)` damages it."""

    def build(folder: Path) -> Path:
        s = seed(folder)
        then(folder)
        return s.root

    return build


def _yolo_list(line: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        s = yolo_list_seed(folder)
        put(folder / "train.txt", f"images/a.jpg\n{line}\n")
        return s.root

    return build


def _rename(folder: Path, old: str, new: bytes) -> None:
    """Rename a file to `new`, raw bytes: a name that is not UTF-8."""
    source = folder / old
    os.rename(os.fsencode(source), os.path.join(os.fsencode(source.parent), new))


def _labelme_undecodable(folder: Path) -> Seed:
    """labelme JSON and image whose names are not UTF-8, found by name (no imagePath)."""
    s = _no_image_path(folder)
    _rename(folder, "img0.jpg", SURROGATE_BYTES + b".jpg")
    _rename(folder, "img0.json", SURROGATE_BYTES + b".json")
    return s


def _outside_link(folder: Path, inside: str, directory: bool = False) -> None:
    """Replace `inside` with a symlink to a file (or folder) outside the dataset folder."""
    outside = folder.parent / "outside"
    secret = image(outside / "a.jpg", 64, 48)
    put(outside / "a.txt", "0 0.5 0.5 0.5 0.5\n")
    path = folder / inside
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    target = outside if directory else outside / path.name if path.suffix == ".txt" else secret
    path.symlink_to(target, target_is_directory=directory)


def _labelme_shape(index: int, key: str, value: Any) -> Callable[[Any], Any]:
    return _set(("shapes", index, key), value)


def _labelme_mask_on(side: int) -> Callable[[Any], Any]:
    def edit(data: Any) -> Any:
        data.update(imageWidth=side, imageHeight=side, shapes=[s for s in data["shapes"] if s["shape_type"] == "mask"])
        return data

    return edit


def _coco_mask_on(side: int) -> Callable[[Any], Any]:
    """The RLE annotation on an image declared side x side, every pixel of it in the mask."""

    def edit(data: Any) -> Any:
        data["images"][1].update(width=side, height=side)
        data["annotations"][2]["segmentation"] = {"counts": [0, side * side], "size": [side, side]}
        return data

    return edit


def _cvat_image(side: int | None = None, shape: str = "") -> str:
    size = f'width="{side}" height="{side}"' if side else 'width="48" height="32"'
    return f'<image id="0" name="img0.jpg" {size}>\n{shape}\n</image>'


def _cvat_attr(name: str, value: str) -> str:
    return cvat_text(CVAT_IMAGE.replace('z_order="1" group_id="2"', f'{name}="{value}"'))


def _deep_json(depth: int, leaf: str = "0") -> RawJson:
    return RawJson("[" * depth + leaf + "]" * depth)


def _deep_xml(depth: int) -> str:
    return _cvat_image(None, "<a>" * depth + "</a>" * depth)


@cache
def _specials() -> list[tuple[str, str, Callable[[Path], Path]]]:
    nul = "img0.jpg\x00.png"
    bomb, bomb30 = png_header(100_000, 100_000), png_header(30_000, 30_000)
    cases: list[tuple[str, str, Callable[[Path], Path]]] = [
        # -- names with NUL, lone surrogates, 300 characters
        ("coco", "nul-name", _json_edit(coco_seed, _set(("images", 0, "file_name"), nul))),
        ("coco", "nul-name", _json_edit(coco_seed, _set(("categories", 0, "name"), "car\x00x"))),
        ("labelme", "nul-name", _json_edit(labelme_seed, _set(("imagePath",), nul))),
        ("labelme", "nul-name", _json_edit(labelme_seed, _labelme_shape(0, "label", "car\x00"))),
        ("cvat", "nul-name", _text_seed(cvat_seed, cvat_text().replace('name="img0.jpg"', 'name="img0.jpg&#0;.png"'))),
        ("cvat", "nul-name", _text_seed(cvat_seed, cvat_text().replace('name="img0.jpg"', f'name="{nul}"'))),
        ("voc", "nul-name", _text_seed(voc_seed, voc_text(filename=nul))),
        ("voc", "nul-name", _then(voc_seed, lambda f: put(f / "ImageSets/Main/train.txt", "img0\x00.png\nb\n"))),
        ("yolo", "nul-name", _yolo('train: images/train\nnames: ["car\\0x", "person"]\n')),
        ("yolo", "nul-name", _yolo('train: "images/train\\0x"\nval: images/val\nnames: [car]\n')),
        ("yolo", "nul-name", _yolo_list("images/a.jpg\x00.png")),
        ("coco", "surrogate", _json_edit(coco_seed, _set(("images", 0, "file_name"), "\ud800.jpg"))),
        ("coco", "surrogate", _json_edit(coco_seed, _set(("categories", 0, "name"), "\ud800"))),
        ("coco", "surrogate", _json_edit(coco_seed, _set(("annotations", 0, "attributes"), {"\ud800": "\udfff"}))),
        ("coco", "surrogate", _json_edit(coco_seed, _set(("images", 0, "file_name"), "\ud800.jpg"), False)),
        ("labelme", "surrogate", _json_edit(labelme_seed, _set(("imagePath",), "\ud800.jpg"))),
        ("labelme", "surrogate", _json_edit(labelme_seed, _labelme_shape(0, "label", "\ud800"))),
        ("labelme", "surrogate", _then(labelme_seed, lambda f: _rename(f, "img0.json", SURROGATE_BYTES + b".json"))),
        ("labelme", "surrogate", lambda f: _labelme_undecodable(f).root),
        ("cvat", "surrogate", _text_seed(cvat_seed, cvat_text().replace('name="img0.jpg"', 'name="&#xD800;.jpg"'))),
        ("cvat", "surrogate", _text_seed(cvat_seed, cvat_text().encode().replace(b"img0.jpg", SURROGATE_BYTES))),
        ("voc", "surrogate", _text_seed(voc_seed, voc_text().encode().replace(b"img0.jpg", SURROGATE_BYTES + b".jpg"))),
        ("voc", "surrogate", _text_seed(voc_seed, voc_text().replace("<filename>img0.jpg</filename>", ""),
                                        stem=SURROGATE_BYTES)),
        ("yolo", "surrogate", _yolo(first=SURROGATE_BYTES + b".jpg")),
        ("yolo", "surrogate", _yolo('train: images/train\nnames: ["\\ud800", "person"]\n')),
        ("coco", "long-name", _json_edit(coco_seed, _set(("images", 0, "file_name"), LONG))),
        ("labelme", "long-name", _json_edit(labelme_seed, _set(("imagePath",), LONG))),
        ("cvat", "long-name", _text_seed(cvat_seed, cvat_text().replace('name="img0.jpg"', f'name="{LONG}"'))),
        ("voc", "long-name", _text_seed(voc_seed, voc_text(filename=LONG))),
        ("yolo", "long-name", _yolo(f"train: images/train\nnames: [{'n' * 300}, person]\n")),
        ("yolo", "long-name", _yolo_list(LONG)),
        ("yolo", "long-name", _yolo(first="a" * 251 + ".jpg")),
        # -- nesting 5,000 to 100,000 deep: at the top, in attributes, in names
        *(("coco", "deep-nesting", _json_edit(coco_seed, lambda d, n=n: _deep_json(n))) for n in DEEP),
        *(("coco", "deep-nesting", _json_edit(coco_seed, _set(("annotations", 0, "attributes"), {"a": _deep_json(n)})))
          for n in DEEP),
        ("coco", "deep-nesting", _json_edit(coco_seed, _set(("annotations", 1, "segmentation"), _deep_json(5_000)))),
        *(("labelme", "deep-nesting", _json_edit(labelme_seed, lambda d, n=n: _deep_json(n))) for n in DEEP),
        *(("labelme", "deep-nesting", _json_edit(labelme_seed, _labelme_shape(1, "attributes", {"a": _deep_json(n)})))
          for n in DEEP),
        ("labelme", "deep-nesting", _json_edit(labelme_seed, _labelme_shape(0, "flags", {"a": _deep_json(5_000)}))),
        ("labelme", "deep-nesting", _json_edit(labelme_seed, _labelme_shape(0, "points", _deep_json(5_000)))),
        *(("yolo", "deep-nesting", _yolo("[" * n + "]" * n + "\n")) for n in DEEP),
        *(("yolo", "deep-nesting", _yolo("train: images/train\nnames: " + "[" * n + "a" + "]" * n + "\n"))
          for n in DEEP),
        ("yolo-pose", "deep-nesting", _yolo("train: images/train\nnames: [a]\nkpt_shape: " + "[" * 5000 + "]" * 5000)),
        ("cvat", "deep-nesting", _text_seed(cvat_seed, cvat_text(_deep_xml(100_000)))),
        ("voc", "deep-nesting", _text_seed(voc_seed, voc_text().replace("<segmented>", "<a>" * 100_000 + "</a>" *
                                                                        100_000 + "<segmented>"))),
        # -- numbers too big for SQLite's 64 bits
        *(("labelme", "huge-int", _json_edit(labelme_seed, _labelme_shape(0, "group_id", v)))
          for v in (10**30, 2**63, 1e308)),
        *(("cvat", "huge-int", _text_seed(cvat_seed, _cvat_attr(key, v)))
          for key in ("group_id", "z_order") for v in ("1" + "0" * 30, str(2**63), "1e308")),
        # -- labelme values of the wrong JSON type
        *(("labelme", "wrong-type", _json_edit(labelme_seed, _labelme_shape(0, "shape_type", v)))
          for v in (["polygon"], {"a": 1}, "banana", 5)),
        *(("labelme", "wrong-type", _json_edit(labelme_seed, _labelme_shape(0, "flags", v)))
          for v in (["occluded"], "occluded", {"occluded": [1]})),
        *(("labelme", "wrong-type", _json_edit(labelme_seed, _set(("flags",), v))) for v in (["day"], "day", 7)),
        *(("labelme", "wrong-type", _json_edit(labelme_seed, _labelme_shape(4, "points", v)))
          for v in ([[]], [["x"]], [[], [1, 2]], [["x", "y"]], {"x": 1}, [[1, 2, 3]])),
        # -- masks on huge images, RLE of 10^10
        *(("labelme", "huge-mask", _json_edit(labelme_seed, _labelme_mask_on(side))) for side in (30_000, 100_000)),
        *(("cvat", "huge-mask", _text_seed(cvat_seed, cvat_text(_cvat_image(
            side, '<mask label="car" rle="1, 2, 3, 2" left="2" top="3" width="4" height="2"/>'))))
          for side in (30_000, 100_000)),
        ("cvat", "huge-mask", _text_seed(cvat_seed, cvat_text(_cvat_image(100_000,
         '<mask label="car" rle="10000000000" left="0" top="0" width="100000" height="100000"/>')))),
        ("cvat", "huge-mask", _text_seed(cvat_seed, cvat_text(_cvat_image(None,
         '<mask label="car" rle="0, 10000000000" left="0" top="0" width="100000" height="100000"/>')))),
        ("cvat", "huge-mask", _text_seed(cvat_seed, cvat_text(_cvat_image(1000,
         f'<mask label="car" rle="{", ".join(["1"] * 1_000_000)}" left="0" top="0" width="1000" height="1000"/>')))),
        ("cvat", "huge-mask", _text_seed(cvat_seed, cvat_text(_cvat_image(None,
         '<mask label="car" rle="99999999999999999999999" left="0" top="0" width="4" height="2"/>')))),
        ("cvat", "huge-mask", _text_seed(cvat_seed, cvat_text(CVAT_IMAGE.replace(
            'width="48" height="32"', 'width="1e308" height="1e308"')))),
        *(("coco", "huge-mask", _json_edit(coco_seed, _coco_mask_on(side))) for side in (30_000, 100_000)),
        ("labelme", "huge-int", _json_edit(labelme_seed, lambda d: {**d, "imageWidth": 2**63, "imageHeight": 2**63})),
        ("coco", "huge-int", _json_edit(coco_seed, _set(("images", 0, "width"), 2**63))),
        # -- YAML alias bombs and keypoint templates of a billion points
        ("yolo", "yaml-bomb", _yolo(billion_laughs() + "train: images/train\nnames: *a8\n")),
        ("yolo", "yaml-bomb", _yolo(billion_laughs() + "train: *a8\nnames: [car]\n")),
        ("yolo-pose", "yaml-bomb", _yolo(billion_laughs() + "train: images/train\nnames: [a]\nkpt_shape: *a8\n")),
        *(("yolo-pose", "kpt-shape", _yolo(f"train: images/train\nnames: [person]\nkpt_shape: {shape}\n", task="pose"))
          for shape in ("[1000000000, 3]", "[1000000000, 2]", f"[{2**63}, 3]")),
        # -- symlinks out of the dataset, bomb headers
        *(("yolo", "symlink-outside", _then(yolo_seed, lambda f, p=p, d=d: _outside_link(f, p, d)))
          for p, d in (("images/train/a.jpg", False), ("images/train", True), ("labels/train/a.txt", False))),
        ("yolo", "png-bomb-header", _then(yolo_seed, lambda f: put(f / "images/train/a.jpg", bomb))),
        ("yolo", "png-bomb-header", _then(yolo_seed, lambda f: put(f / "images/val/b.png", bomb30))),
        ("labelme", "png-bomb-header", lambda f: _no_image_path(f, bomb=True).root),
        ("voc", "png-bomb-header", _then(lambda f: voc_seed(f, voc_text(size="")),
                                         lambda f: put(f / "JPEGImages/img0.jpg", bomb))),
        ("coco", "png-bomb-header", _then(coco_seed, lambda f: put(f / "images/img0.jpg", bomb))),
        ("cvat", "png-bomb-header", _then(cvat_seed, lambda f: put(f / "images/img0.jpg", bomb))),
        # -- XML declarations of encodings that do not exist or do not fit
        ("voc", "unknown-encoding", _text_seed(voc_seed, voc_text(declaration="x-nonsense"))),
        ("voc", "unknown-encoding", _text_seed(voc_seed, voc_text(declaration="utf-16"))),
        ("cvat", "unknown-encoding", _text_seed(cvat_seed, cvat_text(declaration="x-nonsense"))),
        # -- CVAT coordinates that are not numbers
        *(("cvat", "nan-points", _text_seed(cvat_seed, cvat_text(_cvat_image(None, shape))))
          for shape in ('<polygon label="car" points="nan"/>', '<polygon label="car" points="nan,nan;1,1;2,2"/>',
                        '<points label="car" points="nan,1"/>', '<polyline label="car" points="inf,inf;1,1"/>',
                        '<box label="car" xtl="nan" ytl="0" xbr="4" ybr="4"/>',
                        '<skeleton label="person"><points label="nose" points="nan"/></skeleton>')),
    ]
    return cases


def _no_image_path(folder: Path, bomb: bool = False) -> Seed:
    """labelme with neither imagePath nor the image size: the reader finds the image by name and reads its header."""
    media = [put(folder / "img0.jpg", png_header(100_000, 100_000) if bomb else image_bytes(48, 32, ".jpg"))]
    doc = put(folder / "img0.json", dump_json({"shapes": _labelme_shapes()[:1]}))
    return Seed(folder, doc, [doc], media)


# ---------------------------------------------------------------------------------------------- random mutations

HUGE = [10**30, 2**63, -(2**63) - 1, 2**64, 1e308, -1e308, 1.7976931348623157e308, 5e-324, -0.0, RawJson("9" * 5000)]
NON_FINITE = [math.nan, math.inf, -math.inf]
STRINGS = ["", " ", "\x00", "img0.jpg\x00.png", "\ud800", "\udcff.jpg", LONG, "../../../../etc/passwd",
           "/etc/passwd", "C:\\x.jpg", "..", ".", "\n", "\U0001f600.jpg", "1e308", "nan", "true", "<x>", "%s%n",
           "images/", "a" * 10_000]
WRONG = [None, True, False, 0, -1, 0.5, "x", "", [], {}, [[]], [None], {"": None}, [1, "x"], "[]", [[1, 2]],
         {"a": {"b": []}}]
XML_VALUES = ["nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e30", str(2**63), str(-(2**63) - 1), "-1", "0", "",
              " ", "x", "1,2", "1;2", "1,2;3,4;", ";", ",", "1,2,3", "nan,nan", "1e308,1e308;-1e308,1e308;0,0",
              "9" * 5000, "0x10", "1_000", "\u0661\u0662", "true", "\ud800", LONG, "../../x.jpg", "/etc/passwd",
              "1, -2, 3", "0, 0", "1" + ", 1" * 5000, "\x00", "&", "2.5"]
TEXT_VALUES = ["nan", "inf", "-inf", "1e308", "-1e308", "1e-400", "-1", "0", "1", "2", "1.5", "99999999999999999999",
               "9" * 5000, "0x1p3", "1_0", "\u0661", "x", "\x00", "1e30", "-0", "+1", "0.5e", "\u221e", "1.0000001"]
ODD_NAMES = [SURROGATE_BYTES, b"\xff\xfe", b"a\nb", b"a\rb", b" ", b"-x", b"..", b"x" * 245, b"\xe2\x80\xae", b"a\\b",
             b"a;b,c", b"$(x)", b"%00", b"a\tb", b"\xef\xbb\xbfbom"]
TAGS = ["box", "polygon", "polyline", "points", "mask", "skeleton", "ellipse", "tag", "image", "label", "object",
        "bndbox", "part", "size", "annotation", "annotations", "meta", "attribute", "name", "track", "width"]


def _json_nodes(holder: list[Any], limit: int = 5000) -> list[tuple[Any, Any]]:
    """(container, key) of every value in the document, breadth first, the document itself as holder[0]."""
    nodes: list[tuple[Any, Any]] = [(holder, 0)]
    i = 0
    while i < len(nodes) and len(nodes) < limit:
        container, key = nodes[i]
        value = container[key]
        if isinstance(value, dict):
            nodes += [(value, k) for k in value]
        elif isinstance(value, list):
            nodes += [(value, j) for j in range(len(value))]
        i += 1
    return nodes


def _mutate_json(data: Any, rng: random.Random, ops: list[str]) -> Any:
    holder = [data]
    op = rng.choice(["delete", "wrong-type", "huge-number", "non-finite", "string", "duplicate", "nest", "swap",
                     "big-list", "empty"])
    ops.append(f"json-{op}")
    nodes = _json_nodes(holder)
    container, key = rng.choice(nodes[1:] or nodes)
    value = container[key]
    if op == "delete" and container is not holder:
        del container[key]
    elif op == "wrong-type":
        container[key] = copy.deepcopy(rng.choice(WRONG))
    elif op == "huge-number":
        container[key] = rng.choice(HUGE)
    elif op == "non-finite":
        container[key] = rng.choice(NON_FINITE)
    elif op == "string":
        container[key] = rng.choice(STRINGS)
    elif op == "duplicate" and isinstance(container, list):
        container.insert(key, copy.deepcopy(value))
    elif op == "nest":
        depth = rng.choice([10, 100, 990, 1100, 3000])
        container[key] = RawJson("[" * depth + json.dumps(rng.choice([0, "x", None])) + "]" * depth)
    elif op == "swap" and isinstance(container, (list, dict)) and len(container) > 1:
        other = rng.choice(list(container) if isinstance(container, dict) else range(len(container)))
        container[key], container[other] = container[other], value
    elif op == "big-list":
        container[key] = [copy.deepcopy(value) for _ in range(rng.choice([100, 1000, 20_000]))]
    elif op == "empty":
        container[key] = type(value)() if isinstance(value, (list, dict, str)) else None
    return holder[0]


def _mutate_xml(root: ET.Element, rng: random.Random, ops: list[str]) -> None:
    parents = {child: parent for parent in root.iter() for child in parent}
    elements = list(root.iter())
    element = rng.choice(elements)
    op = rng.choice(["delete-attr", "set-attr", "set-attr", "set-text", "delete-element", "duplicate", "rename",
                     "nest", "add-child", "big-repeat"])
    ops.append(f"xml-{op}")
    if op == "delete-attr" and element.attrib:
        del element.attrib[rng.choice(list(element.attrib))]
    elif op == "set-attr":
        keys = list(element.attrib) or ["points", "width", "rle", "label", "name", "xtl", "group_id", "z_order"]
        element.set(rng.choice(keys), rng.choice(XML_VALUES))
    elif op == "set-text":
        element.text = rng.choice(XML_VALUES)
    elif op == "delete-element" and element in parents:
        parents[element].remove(element)
    elif op == "duplicate" and element in parents:
        parents[element].append(copy.deepcopy(element))
    elif op == "rename":
        element.tag = rng.choice(TAGS)
    elif op == "nest" and element in parents:
        parent, outer = parents[element], element
        for _ in range(rng.choice([10, 100, 400])):
            wrapper = ET.Element(element.tag)
            wrapper.append(outer)
            outer = wrapper
        parent.remove(element)
        parent.append(outer)
    elif op == "add-child":
        ET.SubElement(element, rng.choice(TAGS), {"label": "car", "points": rng.choice(XML_VALUES)}).text = "1"
    elif op == "big-repeat" and element in parents:
        parents[element].extend(copy.deepcopy(element) for _ in range(rng.choice([100, 2000])))


def _mutate_lines(text: str, rng: random.Random, ops: list[str]) -> str:
    lines = [line.split(" ") for line in text.splitlines()] or [[]]
    line = rng.choice(lines)
    op = rng.choice(["token", "token", "delete-token", "add-token", "duplicate-line", "many-lines", "garbage-line",
                     "long-line", "blank"])
    ops.append(f"text-{op}")
    if op == "token" and line:
        line[rng.randrange(len(line))] = rng.choice(TEXT_VALUES)
    elif op == "delete-token" and line:
        line.pop(rng.randrange(len(line)))
    elif op == "add-token":
        line.insert(rng.randrange(len(line) + 1), rng.choice(TEXT_VALUES))
    elif op == "duplicate-line":
        lines.append(list(line))
    elif op == "many-lines":
        lines += [list(line) for _ in range(rng.choice([1000, 20_000]))]
    elif op == "garbage-line":
        lines.append([bytes(rng.randrange(256) for _ in range(20)).decode("latin-1")])
    elif op == "long-line":
        lines.append(["0"] + ["0.5"] * rng.choice([1001, 20_000]))
    elif op == "blank":
        lines.insert(rng.randrange(len(lines) + 1), [" \t "])
    return "\n".join(" ".join(tokens) for tokens in lines) + rng.choice(["\n", "\r\n", ""])


YAML_TRICKS = ["names: *undefined\n", "train: !!python/object/apply:os.system ['true']\n", "train: !!binary AAAA\n",
               "? [a, b]\n: c\n", "names: [car]\nnames: {0: a}\n", "---\n---\n", "\tnames: [a]\n", "<<: *x\n",
               "kpt_shape: [17]\n", "kpt_shape: [-1, 3]\n", "kpt_shape: [2, 3.5]\n", "names: {-1: a, 1e3: b}\n",
               "names: {0: [a]}\n", "path: /\n", "path: ../../..\n", "train: /etc\n", "train: ../../../etc/passwd\n",
               "train: [images/train, 5, null, [x]]\n", "task: pose\n", "task: [segment]\n", "names: 5\n",
               "train: train.txt\n", "val: ''\n", "names: !!set {a, b}\n", "train: !!timestamp 2001-12-14\n"]


def _mutate_yaml(text: str, rng: random.Random, ops: list[str]) -> str:
    if rng.random() < 0.4:
        ops.append("yaml-trick")
        return text + rng.choice(YAML_TRICKS) if rng.random() < 0.5 else rng.choice(YAML_TRICKS)
    data = yaml.safe_load(text) or {}
    data = _mutate_json(data, rng, ops)
    try:
        return yaml.safe_dump(data, allow_unicode=rng.random() < 0.5)
    except (yaml.YAMLError, TypeError, ValueError):  # RawJson or a lone surrogate: YAML flow style reads JSON
        return dump_json(data).decode("utf-8", "surrogatepass")


_UNPARSABLE = (ValueError, RecursionError, LookupError, ET.ParseError, yaml.YAMLError)


def _mutate_document(path: Path, rng: random.Random, ops: list[str]) -> None:
    data = path.read_bytes()
    try:
        data = _mutate_syntax(data, path.suffix.lower(), rng, ops)
    except _UNPARSABLE:  # an earlier mutation of this case broke its syntax: only its bytes are damaged further
        ops.append("unparsable")
    path.write_bytes(_mutate_bytes(data, rng, ops))


def _mutate_syntax(data: bytes, suffix: str, rng: random.Random, ops: list[str]) -> bytes:
    if suffix == ".json":
        return dump_json(_mutate_json(json.loads(data), rng, ops), rng.random() < 0.7)
    if suffix == ".xml":
        root = ET.fromstring(data)
        _mutate_xml(root, rng, ops)
        declaration = rng.choice(["utf-8"] * 8 + ["utf-16", "latin-1", "x-nonsense", "ascii"])
        return (f'<?xml version="1.0" encoding="{declaration}"?>\n'.encode()
                + ET.tostring(root, encoding="unicode").encode("utf-8", "surrogatepass"))
    if suffix in (".yaml", ".yml"):
        return _mutate_yaml(data.decode("utf-8", "surrogatepass"), rng, ops).encode("utf-8", "surrogatepass")
    return _mutate_lines(data.decode("utf-8", "surrogateescape"), rng, ops).encode("utf-8", "surrogateescape")


def _mutate_bytes(data: bytes, rng: random.Random, ops: list[str]) -> bytes:
    """Damage below the syntax, now and then: truncation, flipped bytes, a BOM, another encoding, nothing at all."""
    roll = rng.random()
    if roll < 0.12:
        ops.append("truncate")
        return data[: rng.randrange(max(1, len(data)))]
    if roll < 0.18 and data:
        ops.append("flip-bytes")
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 5)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        return bytes(damaged)
    if roll < 0.20:
        ops.append("bom")
        return b"\xef\xbb\xbf" + data
    if roll < 0.22:
        ops.append("utf-16")
        return data.decode("utf-8", "replace").encode("utf-16")
    if roll < 0.23:
        ops.append("empty-file")
        return b""
    return data


def _mutate_media(seed: Seed, rng: random.Random, ops: list[str]) -> None:
    """Damage one image of the dataset: the import adds it as a task and reads its header."""
    path = rng.choice(seed.media)
    op = rng.choice(["truncate", "zero-byte", "text", "other-format", "bomb-header", "resized", "fifo", "unreadable",
                     "directory", "symlink-outside", "symlink-loop", "missing", "renamed", "renamed"])
    ops.append(f"media-{op}")
    data = path.read_bytes()
    if op not in ("unreadable", "resized", "other-format", "truncate"):
        path.unlink()
    if op == "truncate":
        path.write_bytes(truncated(data, rng))
    elif op == "zero-byte":
        path.write_bytes(b"")
    elif op == "text":
        path.write_text("not an image\n")
    elif op == "other-format":
        path.write_bytes(image_bytes(48, 32, rng.choice([".png", ".jpg", ".bmp", ".webp", ".tif"])))
    elif op == "bomb-header":
        path.write_bytes(png_header(rng.choice([30_000, 100_000, 2**31 - 1]), rng.choice([30_000, 100_000, 1])))
    elif op == "resized":
        path.write_bytes(image_bytes(rng.randint(1, 70), rng.randint(1, 70), ".png"))
    elif op == "fifo":
        os.mkfifo(path)
    elif op == "unreadable":
        path.chmod(0)
    elif op == "directory":
        path.mkdir()
    elif op == "symlink-outside":
        outside = seed.root.parent / "outside" / "secret.png"
        put(outside, data)
        path.symlink_to(outside)
    elif op == "symlink-loop":
        other = path.with_name("loop-" + path.name)
        path.symlink_to(other.name)
        other.symlink_to(path.name)
    elif op == "renamed":  # the file list of YOLO and the name match of every format meet names people do not write
        name = rng.choice(ODD_NAMES) + os.fsencode(path.suffix)
        Path(os.fsdecode(os.path.join(os.fsencode(path.parent), name))).write_bytes(data)


def _mutation_case(seed: int, index: int) -> Case:
    rng = random.Random(f"{seed}/import/{index}")
    fam = rng.choice(FAMILIES)
    fmt = rng.choice(sorted(name for name in FORMATS if family(name) == fam))
    seed_family = rng.choice(FAMILIES) if rng.random() < 0.08 else fam  # now and then another format's files
    name = rng.choice(sorted(SEEDS[seed_family]))

    def write(folder: Path) -> Written:
        r = random.Random(f"{seed}/import/{index}/write")
        s = SEEDS[seed_family][name](folder)
        ops: list[str] = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            _mutate_document(r.choice(s.documents), r, ops)
        if s.media and r.random() < 0.25:
            _mutate_media(s, r, ops)
        return Written(s.file if r.random() < 0.3 else s.root, notes=ops)

    return Case(index, "import", fmt, f"mutate:{name}", write)


# ---------------------------------------------------------------------------------------------- add over damaged media

GOOD_NAMES = ["photo.jpg", "scan.png", "x ray.bmp", "\u00fcn\u00efcode.webp", "tile.tif", "UPPER.JPG", "deep16.png"]


def _add_case(seed: int, index: int) -> Case:
    """Cases 0 and 1 hold one file of every damage class (0 adds the folder, 1 lists the files); the rest a mix."""
    every = index < 2
    klass = "add:every-class" if every else "add:mix"

    def write(folder: Path) -> Written:
        rng = random.Random(f"{seed}/add/{index}")
        media = folder / "media"
        media.mkdir(parents=True)
        written = Written(media)
        for name in GOOD_NAMES if every else rng.sample(GOOD_NAMES, rng.randint(1, 4)):
            width, height = rng.randint(1, 80), rng.randint(1, 80)
            depth = np.uint16 if name.startswith("deep16") else np.uint8
            suffix = Path(name).suffix.lower()
            ext = suffix if suffix in (".jpg", ".webp", ".bmp", ".tif") else ".png"
            written.good[str(put(media / name, image_bytes(width, height, ext, depth)))] = (width, height)
        kinds = [*ADD_CLASSES, "complete-bomb", "undecodable-name", "long-name"] if every else [
            rng.choice(ADD_CLASSES) for _ in range(rng.randint(2, 6))]
        for i, kind in enumerate(kinds):
            _damaged(media, f"{i}-{kind}", kind, rng, written)
        written.notes = kinds
        direct = index == 1 or (not every and rng.random() < 0.5)
        written.inputs = sorted(media.iterdir()) if direct else [media]
        return written

    return Case(index, "add", "media", klass, write)


def _damaged(media: Path, stem: str, kind: str, rng: random.Random, written: Written) -> None:
    """One damaged file of `kind`, filed under what add must make of it."""
    source = image_bytes(rng.randint(8, 64), rng.randint(8, 64), rng.choice([".png", ".jpg"]))
    ext = ".png" if source.startswith(b"\x89PNG") else ".jpg"
    path = media / (stem + ext)
    if kind == "truncated":
        written.bad.append(str(put(path, truncated(source, rng))))
    elif kind == "zero-byte":
        written.bad.append(str(put(path, b"")))
    elif kind == "wrong-extension":  # decoded by content, so still an image; an image named .txt is no media file
        other = rng.choice([".jpg", ".png", ".PNG", ".bmp", ".txt"] if ext == ".png" else [".png", ".JPEG", ".txt"])
        path = put(media / (stem + other), source)
        if other == ".txt":
            written.skip.append(str(path))
        else:
            written.good[str(path)] = _size(source)
    elif kind == "png-bomb-header":
        written.bad.append(str(put(media / (stem + rng.choice([".png", ".jpg"])), png_header(100_000, 100_000))))
    elif kind == "fifo":
        os.mkfifo(path)
        written.bad.append(str(path))
    elif kind == "unreadable":  # as root the permissions stop nothing: then it must be read like any image
        put(path, source).chmod(0)
        if os.access(path, os.R_OK):
            written.good[str(path)] = _size(source)
        else:
            written.bad.append(str(path))
    elif kind == "symlink-loop":
        other = media / (stem + "-b" + ext)
        path.symlink_to(other.name)
        other.symlink_to(path.name)
        written.bad += [str(path), str(other)]
    elif kind == "directory":
        path.mkdir()
        written.skip.append(str(path))
    elif kind == "text-as-image":
        written.bad.append(str(put(path, "this is not an image\n" * rng.randint(0, 50))))
    elif kind == "complete-bomb":
        written.either.append(str(put(media / (stem + ".png"), png_bomb())))
    elif kind == "undecodable-name":
        raw = os.path.join(os.fsencode(media), SURROGATE_BYTES + b".png")
        Path(os.fsdecode(raw)).write_bytes(source)
        written.either.append(os.fsdecode(raw))
    elif kind == "long-name":
        written.good[str(put(media / ("n" * (255 - len(ext)) + ext), source))] = _size(source)


def _size(data: bytes) -> tuple[int, int]:
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return pixels.shape[1], pixels.shape[0]
