"""The crash classes found by hand (issue 9), each a valid seed with one deliberate defect: they are the first import
cases of every run, so that a fix that regresses is seen whatever the seed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from tests.fuzz.audio_seeds import audio_specials
from tests.fuzz.files import (
    LONG,
    SURROGATE_BYTES,
    RawJson,
    dump_json,
    image,
    image_bytes,
    nested,
    png_header,
    put,
    raw_path,
)
from tests.fuzz.seeds import (
    CVAT_IMAGE,
    FAMILIES,
    Seed,
    coco_seed,
    cvat_seed,
    cvat_text,
    labelme_seed,
    labelme_shapes,
    video_specials,
    voc_seed,
    voc_text,
    yolo_list_seed,
    yolo_seed,
)

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
DEEP = (5_000, 100_000)

Build = Callable[[Path], Path]  # writes a case's dataset into the folder, returns the path import is given


def _json_edit(seed: Callable[[Path], Seed], edit: Callable[[Any], Any], ensure_ascii: bool = True) -> Build:
    """The seed with its first document's JSON changed by `edit` (which returns the new document)."""

    def build(folder: Path) -> Path:
        s = seed(folder)
        path = s.documents[0]
        path.write_bytes(dump_json(edit(json.loads(path.read_bytes())), ensure_ascii))
        return s.root

    return build


def _json_set(seed: Callable[[Path], Seed], path: tuple[Any, ...], value: Any, ensure_ascii: bool = True) -> Build:
    """The seed with the JSON value at `path` (keys and indexes) of its first document replaced by `value`."""

    def edit(data: Any) -> Any:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return data

    return _json_edit(seed, edit, ensure_ascii)


def _labelme_shape(index: int, key: str, value: Any) -> Build:
    return _json_set(labelme_seed, ("shapes", index, key), value)


def _text_seed(seed: Callable[..., Seed], text: str | bytes, **kwargs: Any) -> Build:
    """The seed with its annotation text replaced by `text`."""
    return lambda folder: seed(folder, text, **kwargs).root


def _cvat_named(name: str) -> Build:
    """CVAT whose first image is named `name` (as written into the XML: entities stay entities)."""
    return _text_seed(cvat_seed, cvat_text().replace('name="img0.jpg"', f'name="{name}"'))


def _cvat_edited(old: str, new: str) -> Build:
    """CVAT with `old` in its images' XML replaced by `new`."""
    return _text_seed(cvat_seed, cvat_text(CVAT_IMAGE.replace(old, new)))


def _cvat_one(shape: str, side: int | None = None) -> Build:
    """CVAT of one image (side x side, or the seed's 48 x 32) holding `shape`."""
    size = f'width="{side}" height="{side}"' if side else 'width="48" height="32"'
    return _text_seed(cvat_seed, cvat_text(f'<image id="0" name="img0.jpg" {size}>\n{shape}\n</image>'))


def _cvat_mask(rle: str, left: int, top: int, width: int, height: int) -> str:
    return f'<mask label="car" rle="{rle}" left="{left}" top="{top}" width="{width}" height="{height}"/>'


def _voc(**text: Any) -> Build:
    """VOC with parts of its annotation XML replaced (voc_text's arguments)."""
    return _text_seed(voc_seed, voc_text(**text))


def _yolo(config: str | None = None, task: str = "detect", first: str | bytes = "a.jpg") -> Build:
    """YOLO with `config` as its data.yaml and `first` naming its first image (yolo_seed's arguments)."""
    return lambda folder: yolo_seed(folder, task, config, first).root


def _then(seed: Callable[[Path], Seed], then: Callable[[Path], Any]) -> Build:
    """The seed, then `then(folder)` damages it."""

    def build(folder: Path) -> Path:
        s = seed(folder)
        then(folder)
        return s.root

    return build


def _yolo_list(line: str) -> Build:
    """YOLO whose file list names `line` after its first image."""
    return _then(yolo_list_seed, lambda folder: put(folder / "train.txt", f"images/a.jpg\n{line}\n"))


def _rename(folder: Path, old: str, new: bytes) -> None:
    """Rename a file to `new`, raw bytes: a name that is not UTF-8."""
    source = folder / old
    source.rename(raw_path(source.parent, new))


def _undecodable_names(folder: Path) -> None:
    """The image and the labelme JSON of _no_image_path under names that are not UTF-8, so they meet by name only."""
    _rename(folder, "img0.jpg", SURROGATE_BYTES + b".jpg")
    _rename(folder, "img0.json", SURROGATE_BYTES + b".json")


def _no_image_path(folder: Path, bomb: bool = False) -> Seed:
    """labelme with neither imagePath nor the image size: the reader finds the image by name and reads its header."""
    media = [put(folder / "img0.jpg", png_header(100_000, 100_000) if bomb else image_bytes(48, 32, ".jpg"))]
    doc = put(folder / "img0.json", dump_json({"shapes": labelme_shapes()[:1]}))
    return Seed(folder, doc, [doc], media)


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


def _labelme_mask_on(side: int) -> Callable[[Any], Any]:
    """The labelme mask alone, on an image declared side x side."""

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


def _deep_json(depth: int) -> RawJson:
    return RawJson(nested(depth, "0"))


def _deep_tags(depth: int) -> str:
    return nested(depth, "", "<a>", "</a>")


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """YAML whose aliases expand to width**levels strings: tiny as text, 387 million items when walked."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


@cache
def specials() -> list[tuple[str, str, Build]]:
    """(format, class, builder) of every known case, in case order."""
    nul = "img0.jpg\x00.png"
    bomb, bomb30 = png_header(100_000, 100_000), png_header(30_000, 30_000)
    return [
        # -- names with NUL, lone surrogates, 300 characters
        ("coco", "nul-name", _json_set(coco_seed, ("images", 0, "file_name"), nul)),
        ("coco", "nul-name", _json_set(coco_seed, ("categories", 0, "name"), "car\x00x")),
        ("labelme", "nul-name", _json_set(labelme_seed, ("imagePath",), nul)),
        ("labelme", "nul-name", _labelme_shape(0, "label", "car\x00")),
        ("cvat", "nul-name", _cvat_named("img0.jpg&#0;.png")),
        ("cvat", "nul-name", _cvat_named(nul)),
        ("voc", "nul-name", _voc(filename=nul)),
        ("voc", "nul-name", _then(voc_seed, lambda f: put(f / "ImageSets/Main/train.txt", "img0\x00.png\nb\n"))),
        ("yolo", "nul-name", _yolo('train: images/train\nnames: ["car\\0x", "person"]\n')),
        ("yolo", "nul-name", _yolo('train: "images/train\\0x"\nval: images/val\nnames: [car]\n')),
        ("yolo", "nul-name", _yolo_list("images/a.jpg\x00.png")),
        ("coco", "surrogate", _json_set(coco_seed, ("images", 0, "file_name"), "\ud800.jpg")),
        ("coco", "surrogate", _json_set(coco_seed, ("categories", 0, "name"), "\ud800")),
        ("coco", "surrogate", _json_set(coco_seed, ("annotations", 0, "attributes"), {"\ud800": "\udfff"})),
        ("coco", "surrogate", _json_set(coco_seed, ("images", 0, "file_name"), "\ud800.jpg", ensure_ascii=False)),
        ("labelme", "surrogate", _json_set(labelme_seed, ("imagePath",), "\ud800.jpg")),
        ("labelme", "surrogate", _labelme_shape(0, "label", "\ud800")),
        ("labelme", "surrogate", _then(labelme_seed, lambda f: _rename(f, "img0.json", SURROGATE_BYTES + b".json"))),
        ("labelme", "surrogate", _then(_no_image_path, _undecodable_names)),
        ("cvat", "surrogate", _cvat_named("&#xD800;.jpg")),
        ("cvat", "surrogate", _text_seed(cvat_seed, cvat_text().encode().replace(b"img0.jpg", SURROGATE_BYTES))),
        ("voc", "surrogate", _text_seed(voc_seed, voc_text().encode().replace(b"img0.jpg", SURROGATE_BYTES + b".jpg"))),
        ("voc", "surrogate", _text_seed(voc_seed, voc_text().replace("<filename>img0.jpg</filename>", ""),
                                        stem=SURROGATE_BYTES)),
        ("yolo", "surrogate", _yolo(first=SURROGATE_BYTES + b".jpg")),
        ("yolo", "surrogate", _yolo('train: images/train\nnames: ["\\ud800", "person"]\n')),
        ("coco", "long-name", _json_set(coco_seed, ("images", 0, "file_name"), LONG)),
        ("labelme", "long-name", _json_set(labelme_seed, ("imagePath",), LONG)),
        ("cvat", "long-name", _cvat_named(LONG)),
        ("voc", "long-name", _voc(filename=LONG)),
        ("yolo", "long-name", _yolo(f"train: images/train\nnames: [{'n' * 300}, person]\n")),
        ("yolo", "long-name", _yolo_list(LONG)),
        ("yolo", "long-name", _yolo(first="a" * 251 + ".jpg")),
        # -- nesting 5,000 to 100,000 deep: at the top, in attributes, in names
        *(("coco", "deep-nesting", _json_edit(coco_seed, lambda d, n=n: _deep_json(n))) for n in DEEP),
        *(("coco", "deep-nesting", _json_set(coco_seed, ("annotations", 0, "attributes"), {"a": _deep_json(n)}))
          for n in DEEP),
        ("coco", "deep-nesting", _json_set(coco_seed, ("annotations", 1, "segmentation"), _deep_json(5_000))),
        *(("labelme", "deep-nesting", _json_edit(labelme_seed, lambda d, n=n: _deep_json(n))) for n in DEEP),
        *(("labelme", "deep-nesting", _labelme_shape(1, "attributes", {"a": _deep_json(n)})) for n in DEEP),
        ("labelme", "deep-nesting", _labelme_shape(0, "flags", {"a": _deep_json(5_000)})),
        ("labelme", "deep-nesting", _labelme_shape(0, "points", _deep_json(5_000))),
        *(("yolo", "deep-nesting", _yolo(nested(n) + "\n")) for n in DEEP),
        *(("yolo", "deep-nesting", _yolo(f"train: images/train\nnames: {nested(n, 'a')}\n")) for n in DEEP),
        ("yolo-pose", "deep-nesting", _yolo("train: images/train\nnames: [a]\nkpt_shape: " + nested(5000))),
        ("cvat", "deep-nesting", _cvat_one(_deep_tags(100_000))),
        ("voc", "deep-nesting", _text_seed(voc_seed, voc_text().replace("<segmented>",
                                                                        _deep_tags(100_000) + "<segmented>"))),
        # -- numbers too big for SQLite's 64 bits
        *(("labelme", "huge-int", _labelme_shape(0, "group_id", v)) for v in (10**30, 2**63, 1e308)),
        *(("cvat", "huge-int", _cvat_edited('z_order="1" group_id="2"', f'{key}="{v}"'))
          for key in ("group_id", "z_order") for v in ("1" + "0" * 30, str(2**63), "1e308")),
        # -- labelme values of the wrong JSON type
        *(("labelme", "wrong-type", _labelme_shape(0, "shape_type", v)) for v in (["polygon"], {"a": 1}, "banana", 5)),
        *(("labelme", "wrong-type", _labelme_shape(0, "flags", v))
          for v in (["occluded"], "occluded", {"occluded": [1]})),
        *(("labelme", "wrong-type", _json_set(labelme_seed, ("flags",), v)) for v in (["day"], "day", 7)),
        *(("labelme", "wrong-type", _labelme_shape(4, "points", v))
          for v in ([[]], [["x"]], [[], [1, 2]], [["x", "y"]], {"x": 1}, [[1, 2, 3]])),
        # -- masks on huge images, RLE of 10^10
        *(("labelme", "huge-mask", _json_edit(labelme_seed, _labelme_mask_on(side))) for side in (30_000, 100_000)),
        *(("cvat", "huge-mask", _cvat_one(_cvat_mask("1, 2, 3, 2", 2, 3, 4, 2), side)) for side in (30_000, 100_000)),
        ("cvat", "huge-mask", _cvat_one(_cvat_mask("10000000000", 0, 0, 100_000, 100_000), 100_000)),
        ("cvat", "huge-mask", _cvat_one(_cvat_mask("0, 10000000000", 0, 0, 100_000, 100_000))),
        ("cvat", "huge-mask", _cvat_one(_cvat_mask(", ".join(["1"] * 1_000_000), 0, 0, 1000, 1000), 1000)),
        ("cvat", "huge-mask", _cvat_one(_cvat_mask("99999999999999999999999", 0, 0, 4, 2))),
        ("cvat", "huge-mask", _cvat_edited('width="48" height="32"', 'width="1e308" height="1e308"')),
        *(("coco", "huge-mask", _json_edit(coco_seed, _coco_mask_on(side))) for side in (30_000, 100_000)),
        ("labelme", "huge-int", _json_edit(labelme_seed, lambda d: {**d, "imageWidth": 2**63, "imageHeight": 2**63})),
        ("coco", "huge-int", _json_set(coco_seed, ("images", 0, "width"), 2**63)),
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
        ("voc", "unknown-encoding", _voc(declaration="x-nonsense")),
        ("voc", "unknown-encoding", _voc(declaration="utf-16")),
        ("cvat", "unknown-encoding", _text_seed(cvat_seed, cvat_text(declaration="x-nonsense"))),
        # -- CVAT coordinates that are not numbers
        *(("cvat", "nan-points", _cvat_one(shape))
          for shape in ('<polygon label="car" points="nan"/>', '<polygon label="car" points="nan,nan;1,1;2,2"/>',
                        '<points label="car" points="nan,1"/>', '<polyline label="car" points="inf,inf;1,1"/>',
                        '<box label="car" xtl="nan" ytl="0" xbr="4" ybr="4"/>',
                        '<skeleton label="person"><points label="nose" points="nan"/></skeleton>')),
        *audio_specials(),
        *video_specials(),
    ]
