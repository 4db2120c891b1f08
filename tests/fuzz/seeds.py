"""Valid datasets of every format, the start of every import case: one hand-written seed per format (YOLO's in each
task and layout), joined by Datumaro's sample files (shared/data/format-samples) where that folder exists.

Each seed holds what the readers take (attributes, groups, masks, skeletons, subsets) so that a mutation reaches
code past the first check."""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from tests.fuzz.audio_seeds import AUDIO_FAMILIES, AUDIO_SEEDS
from tests.fuzz.files import dump_json, image, put

SAMPLES = Path("/work/shared/data/format-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "format-samples"

FAMILIES = ("coco", "cvat", "cvat-video", "labelme", "mot", "voc", "yolo", *AUDIO_FAMILIES)


def family(format_name: str) -> str:
    """The seed family of a registered format (yolo-pose -> yolo); KeyError for a format the corpus cannot seed."""
    if format_name in FAMILIES:
        return format_name
    base = format_name.split("-")[0]
    if base not in FAMILIES:
        raise KeyError(f"format {format_name!r} has no seed datasets in tests/fuzz/seeds.py")
    return base


@dataclass
class Seed:
    """A valid dataset on disk: its folder, the file a reader also takes alone, and what mutations may damage."""

    root: Path
    file: Path
    documents: list[Path]
    media: list[Path]


def png_mask_b64(width: int, height: int) -> str:
    """A labelme mask: a filled rectangle inside a one-pixel border, as base64 PNG."""
    bits = np.zeros((height, width), np.uint8)
    bits[1:-1, 1:-1] = 255
    return base64.b64encode(cv2.imencode(".png", bits)[1].tobytes()).decode()


def coco_seed(folder: Path) -> Seed:
    """COCO with a box, a polygon, an RLE mask and keypoints over two images, one of them in a subfolder."""
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


def labelme_shapes() -> list[dict[str, Any]]:
    """One shape of every labelme shape_type, built fresh for each document (mutations edit them in place)."""
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
    """labelme: a document with every shape, and one in a subfolder whose imagePath leads out of it."""
    media = [image(folder / "img0.jpg", 48, 32), image(folder / "images" / "b.png", 32, 40)]
    one = {"version": "5.5.0", "flags": {"day": True, "night": False}, "shapes": labelme_shapes(),
           "imagePath": "img0.jpg", "imageData": None, "imageHeight": 32, "imageWidth": 48}
    two = {"version": "5.5.0", "shapes": labelme_shapes()[:2], "imagePath": "../images/b.png"}
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
    """The CVAT seed's XML, its images (or declaration) replaced where a known class damages them."""
    return (f'<?xml version="1.0" encoding="{declaration}"?>\n<annotations><version>1.1</version>\n{meta}\n{images}\n'
            "</annotations>\n")


def cvat_seed(folder: Path, text: str | bytes | None = None) -> Seed:
    """CVAT for images; `text` replaces the annotation XML."""
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
    """The VOC seed's annotation XML, its file name, size (or declaration) replaced where a known class damages them."""
    return (f'<?xml version="1.0" encoding="{declaration}"?>\n<annotation><folder>VOC</folder>'
            f"<filename>{filename}</filename><size>{size}</size><segmented>0</segmented>\n{VOC_OBJECTS}\n"
            "</annotation>\n")


def voc_seed(folder: Path, text: str | bytes | None = None, stem: str | bytes = "img0") -> Seed:
    """Pascal VOC with an image list; `text` replaces the annotation XML, `stem` (raw bytes too) names its image."""
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
    """Ultralytics YOLO of one task with train and val subsets; `config` replaces data.yaml, `first` names an image."""
    name = os.fsdecode(first)
    media = [image(folder / "images" / "train" / name, 64, 48), image(folder / "images" / "val" / "b.png", 32, 40)]
    a, b = YOLO_LINES[task]
    docs = [put(folder / "data.yaml", YOLO_YAML + YOLO_EXTRA[task] if config is None else config),
            put(folder / "labels" / "train" / (Path(name).stem + ".txt"), a),
            put(folder / "labels" / "val" / "b.txt", b)]
    return Seed(folder, docs[0], docs, media)


def yolo_darknet_seed(folder: Path) -> Seed:
    """Darknet YOLO: classes.txt and labels beside the images, no data.yaml."""
    media = [image(folder / "a.jpg", 64, 48), image(folder / "b.png", 32, 40)]
    docs = [put(folder / "classes.txt", "car\nperson\n"), put(folder / "a.txt", YOLO_LINES["detect"][0]),
            put(folder / "b.txt", YOLO_LINES["segment"][1])]
    return Seed(folder, folder, docs, media)


def yolo_list_seed(folder: Path) -> Seed:
    """YOLO whose data.yaml names a file list instead of an image folder."""
    media = [image(folder / "images" / "a.jpg", 64, 48), image(folder / "images" / "b.png", 32, 40)]
    docs = [put(folder / "data.yaml", "train: train.txt\nnames: [car, person]\n"),
            put(folder / "train.txt", "images/a.jpg\n./images/b.png\n"),
            put(folder / "labels" / "a.txt", YOLO_LINES["detect"][0]),
            put(folder / "labels" / "b.txt", "1 .5 .5 .2 .2\n")]
    return Seed(folder, docs[0], docs, media)


@cache
def clip_bytes() -> bytes:
    """A 64x48 H.264 clip of 30 frames, made once per process (ffmpeg), for the video seeds' tasks."""
    from tests.video_samples import make_video

    with tempfile.TemporaryDirectory() as folder:
        return make_video(Path(folder) / "clip.mp4", size=(64, 48), frames=30).read_bytes()


CVAT_VIDEO_META = """<meta><task><name>clip</name><size>30</size><mode>interpolation</mode><start_frame>0</start_frame>
<stop_frame>29</stop_frame><labels>
<label><name>car</name><attributes>
<attribute><name>speed</name><mutable>True</mutable><input_type>number</input_type><default_value>5</default_value>
<values>0\n100\n1</values></attribute>
<attribute><name>kind</name><mutable>False</mutable><input_type>select</input_type><default_value>sedan</default_value>
<values>sedan\nvan</values></attribute></attributes></label>
<label><name>person</name><type>skeleton</type><attributes/><svg>&lt;line data-type="edge" data-node-from="1"
data-node-to="2"&gt;&lt;/line&gt;&lt;circle data-type="element node" data-node-id="1" data-label-name="nose"&gt;
&lt;/circle&gt;&lt;circle data-type="element node" data-node-id="2" data-label-name="neck"&gt;&lt;/circle&gt;
</svg></label>
<label><name>nose</name><type>points</type><parent>person</parent></label>
<label><name>neck</name><type>points</type><parent>person</parent></label>
</labels><original_size><width>64</width><height>48</height></original_size></task><source>clip.mp4</source></meta>"""
CVAT_VIDEO_TRACKS = """<track id="0" label="car" source="manual" group_id="3">
<box frame="0" outside="0" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="9" ybr="9" z_order="0">
<attribute name="speed">10</attribute><attribute name="kind">van</attribute></box>
<box frame="1" outside="0" occluded="0" keyframe="0" xtl="2" ytl="1" xbr="10" ybr="9" z_order="0">
<attribute name="speed">10</attribute><attribute name="kind">van</attribute></box>
<box frame="4" outside="0" occluded="1" keyframe="1" xtl="20" ytl="5" xbr="30" ybr="15" z_order="0">
<attribute name="speed">20</attribute><attribute name="kind">van</attribute></box>
<box frame="8" outside="1" occluded="0" keyframe="1" xtl="20" ytl="5" xbr="30" ybr="15" z_order="0"/>
</track>
<track id="1" label="car" source="auto">
<polygon frame="2" outside="0" occluded="0" keyframe="1" points="1,1;20,1;10,15" z_order="0"/>
<polygon frame="9" outside="0" occluded="0" keyframe="1" points="5,5;25,5;15,20;5,18" z_order="0"/>
</track>
<track id="2" label="car"><points frame="3" outside="0" occluded="0" keyframe="1" points="1,1;5,5"/>
<points frame="4" outside="1" occluded="0" keyframe="1" points="1,1;5,5"/></track>
<track id="3" label="person"><skeleton frame="0" keyframe="1" z_order="0">
<points label="nose" outside="0" occluded="0" keyframe="1" points="10,10"/>
<points label="neck" outside="0" occluded="1" keyframe="1" points="10,20"/></skeleton>
<skeleton frame="6" keyframe="1" z_order="0"><points label="nose" outside="1" occluded="0" keyframe="1" points="12,10"/>
<points label="neck" outside="0" occluded="0" keyframe="1" points="12,20"/></skeleton></track>
<track id="4" label="car"><mask frame="5" outside="0" occluded="0" keyframe="1" rle="0, 4, 2, 4" left="2" top="3"
width="5" height="2"/></track>
<tag frame="7" label="car" source="manual"><attribute name="kind">sedan</attribute></tag>"""


def cvat_video_text(tracks: str = CVAT_VIDEO_TRACKS, meta: str = CVAT_VIDEO_META) -> str:
    """The CVAT for video seed's XML, its tracks (or meta) replaced where a known class damages them."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<annotations><version>1.1</version>\n{meta}\n{tracks}\n'
            "</annotations>\n")


def cvat_video_seed(folder: Path, text: str | bytes | None = None) -> Seed:
    """CVAT for video: box, polygon, points, skeleton and mask tracks, a tag, and the video beside the XML."""
    put(folder / "clip.mp4", clip_bytes())
    doc = put(folder / "annotations.xml", cvat_video_text() if text is None else text)
    return Seed(folder, doc, [doc], [])


MOT_GT = "1,1,1,1,8,8,1,1,1\n2,1,2,1,8,8,1,1,0.5\n3,1,3,1,8,8,0,1,0\n7,1,9,9,8,8,1,1,1\n2,2,30,20,10,10,1,2,1\n" \
         "4,-1,5,5,4,4,1,2,1\n"
MOT_INFO = "[Sequence]\nname=clip\nimDir=img1\nframeRate=30\nseqLength=30\nimWidth=64\nimHeight=48\nimExt=.jpg\n"


def mot_seed(folder: Path, gt: str | bytes = MOT_GT, info: str | bytes = MOT_INFO) -> Seed:
    """A MOT sequence (gt.txt, labels.txt, seqinfo.ini) beside the video its name matches."""
    put(folder / "clip.mp4", clip_bytes())
    docs = [put(folder / "gt" / "gt.txt", gt), put(folder / "gt" / "labels.txt", "car\nperson\n"),
            put(folder / "seqinfo.ini", info)]
    return Seed(folder, docs[0], docs, [])


def cvat_video_named(name: str) -> Callable[[Path], Path]:
    """A known-class builder: CVAT for video whose <source> is `name` as written into the XML (entities stay)."""
    text = cvat_video_text(meta=CVAT_VIDEO_META.replace("<source>clip.mp4</source>", f"<source>{name}</source>"))
    return lambda folder: cvat_video_seed(folder, text).root


def mot_named(name: str | bytes) -> Callable[[Path], Path]:
    """A known-class builder: MOT whose seqinfo.ini names the sequence `name` (raw bytes too)."""
    raw = name if isinstance(name, bytes) else name.encode("utf-8", "surrogatepass")
    info = MOT_INFO.encode().replace(b"name=clip", b"name=" + raw)
    return lambda folder: mot_seed(folder, info=info).root


def video_specials() -> list[tuple[str, str, Callable[[Path], Path]]]:
    """The known name classes for the video formats, as known.specials() lists them (its `*video_specials()`)."""
    from tests.fuzz.files import LONG, SURROGATE_BYTES

    return [("cvat-video", "nul-name", cvat_video_named("clip.mp4&#0;")),
            ("cvat-video", "nul-name", cvat_video_named("clip\x00.mp4")),
            ("cvat-video", "surrogate", cvat_video_named("&#xD800;.mp4")),
            ("cvat-video", "long-name", cvat_video_named(LONG)),
            ("mot", "nul-name", mot_named("clip\x00x")),
            ("mot", "surrogate", mot_named(SURROGATE_BYTES)),
            ("mot", "long-name", mot_named(LONG))]


def _sample_seed(name: str, documents: tuple[str, ...]) -> Callable[[Path], Seed]:
    """A builder copying Datumaro's sample `name`; `documents` are the globs of the files mutations may damage."""

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
               "cvat-video": {"cvat_video": ("annotations.xml",)},
               "mot": {"mot": ("*/gt/gt.txt", "*/seqinfo.ini")},
               "voc": {"voc_dataset1": ("Annotations/*.xml", "ImageSets/Main/*.txt")}}
    seeds: dict[str, dict[str, Callable[[Path], Seed]]] = {
        "coco": {"coco": coco_seed},
        "cvat": {"cvat": cvat_seed},
        "cvat-video": {"cvat_video_seed": cvat_video_seed},
        "mot": {"mot_seed": mot_seed},
        "labelme": {"labelme": labelme_seed},
        "voc": {"voc": voc_seed},
        "yolo": {**{f"yolo_{t}": lambda f, t=t: yolo_seed(f, t) for t in YOLO_LINES},
                 "yolo_darknet": yolo_darknet_seed, "yolo_list": yolo_list_seed},
        **AUDIO_SEEDS,
    }
    for fam, found in samples.items():
        seeds[fam].update({name: _sample_seed(name, docs) for name, docs in found.items() if (SAMPLES / name).is_dir()})
    return seeds


SEEDS = _seeds()
