"""labelme JSON: every shape type, image flags as tags, imagePath resolution and traversal, bad files, round trip."""

import base64
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.annotation import Source, SourceKind
from core.formats import Dataset, DatasetAnnotation, DatasetItem, FormatError, get_format
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Tag, Visibility

LABELME = get_format("labelme")


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def image(path: Path, width: int, height: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.zeros((height, width, 3), np.uint8))
    return path


def shape(label, kind, points, **extra):
    return {"label": label, "points": points, "group_id": None, "shape_type": kind, "flags": {}, **extra}


def png_b64(bits: np.ndarray) -> str:
    ok, png = cv2.imencode(".png", bits.astype(np.uint8) * 255)
    assert ok
    return base64.b64encode(png.tobytes()).decode()


def test_every_shape_type_flags_groups_and_scores(tmp_path):
    bits = np.zeros((3, 4), bool)
    bits[1, 1:3] = True
    write_json(tmp_path / "a.json", {
        "version": "5.4.1", "flags": {"night": True, "rain": False},
        "imagePath": "a.jpg", "imageData": "aGVsbG8=", "imageWidth": 40, "imageHeight": 30,
        "shapes": [
            shape("car", "rectangle", [[10, 12], [2, 4]], group_id=3, flags={"occluded": True}),
            shape("road", "polygon", [[0, 0], [10, 0], [10, 10]], attributes={"lanes": 2}),
            shape("lane", "line", [[0, 0], [5, 5]]),
            shape("lane", "linestrip", [[0, 0], [5, 5], [9, 2]]),
            shape("eye", "point", [[3, 4]], score=0.5),
            shape("ball", "circle", [[20, 20], [23, 24]]),
            shape("blob", "mask", [[5, 6], [8, 8]], mask=png_b64(bits)),
            shape("plate", "rotation", [[10, 10], [20, 10], [20, 15], [10, 15]]),
        ],
    })  # fmt: skip
    dataset = LABELME.read(tmp_path)
    (item,) = dataset.items
    assert (item.file_name, item.width, item.height, item.media_path) == ("a.jpg", 40, 30, None)
    got = [(a.label, a.shape) for a in item.annotations]
    expected_mask = np.zeros((30, 40), bool)
    expected_mask[7, 6:8] = True
    assert got == [
        ("car", Box(2, 4, 8, 8)),
        ("road", Polygon(((0, 0), (10, 0), (10, 10)))),
        ("lane", Polyline(((0, 0), (5, 5)))),
        ("lane", Polyline(((0, 0), (5, 5), (9, 2)))),
        ("eye", PointShape(3, 4)),
        ("ball", Ellipse(20, 20, 5, 5)),
        ("blob", Mask.from_array(expected_mask)),
        ("plate", RotatedBox(15, 12.5, 10, 5, 0)),
        ("night", Tag()),
    ]
    assert item.annotations[0].group == 3 and item.annotations[0].attributes == {"occluded": True}
    assert item.annotations[1].attributes == {"lanes": 2}
    assert item.annotations[4].source == Source(SourceKind.MODEL, 0.5)
    assert dataset.issues == []


def test_image_path_is_resolved_relative_to_the_json_and_never_outside_the_folder(tmp_path):
    root = tmp_path / "project"
    image(root / "images" / "a.jpg", 16, 8)
    image(tmp_path / "outside.jpg", 16, 8)
    write_json(root / "json" / "a.json", {"imagePath": "..\\images\\a.jpg", "shapes": []})  # Windows separators
    write_json(root / "json" / "evil.json", {"imagePath": "../../outside.jpg", "imageWidth": 16, "imageHeight": 8,
                                             "shapes": [shape("x", "point", [[1, 1]])]})
    image(root / "json" / "c.png", 5, 5)
    write_json(root / "json" / "c.json", {"shapes": []})  # no imagePath: the image beside it with the same name
    dataset = LABELME.read(root)
    items = {i.file_name: i for i in dataset.items}
    assert (items["images/a.jpg"].width, items["images/a.jpg"].height) == (16, 8)  # size from the image file
    assert items["images/a.jpg"].media_path == root.resolve() / "images" / "a.jpg"
    assert items["outside.jpg"].media_path is None and items["outside.jpg"].media_dirs == ()
    assert items["json/c.png"].media_path == root.resolve() / "json" / "c.png"
    assert [str(i) for i in dataset.issues] == [
        "json/evil.json: imagePath '../../outside.jpg' leads outside the imported folder; not followed"]


def test_bad_files_and_shapes_are_reported_and_the_rest_is_read(tmp_path):
    write_json(tmp_path / "broken.json", "{not json")
    write_json(tmp_path / "coco.json", {"images": []})
    write_json(tmp_path / "nosize.json", {"imagePath": "missing.jpg", "shapes": []})
    write_json(tmp_path / "ok.json", {"imagePath": "ok.jpg", "imageWidth": 20, "imageHeight": 20, "shapes": [
        shape("a", "rectangle", [[1, 1], [5, 5]]),
        shape("", "point", [[1, 1]]),
        shape("a", "cuboid", [[1, 1]]),
        shape("a", "polygon", [[1, "x"], [2, 2]]),
        shape("a", "polygon", [[1, 1], [2, 2], [3, 3]]),
        shape("a", "rectangle", [[1, 1]]),
        shape("a", "mask", [[1, 1], [2, 2]], mask="%%%"),
        shape("a", "rectangle", [[15, 15], [30, 30]]),
        "not a shape",
    ]})  # fmt: skip
    dataset = LABELME.read(tmp_path)
    got = [str(i) for i in dataset.issues]
    assert got[0].startswith("broken.json: not valid JSON")
    assert got[1:] == [
        "coco.json: not a labelme file (no 'shapes' list); file skipped",
        "nosize.json: imageWidth/imageHeight missing and the image cannot be read; file skipped",
        "ok.json: shapes[1]: label '' is not a non-empty string; skipped",
        "ok.json: shapes[2]: shape_type 'cuboid' is not supported (rectangle, polygon, line, linestrip, point, "
        "circle, mask, rotation); skipped",
        "ok.json: shapes[3]: points must be a list of [x, y] pairs of numbers; skipped",
        "ok.json: shapes[4]: degenerate polygon (3 distinct vertices, area 0); skipped",
        "ok.json: shapes[5]: rectangle: needs at least 2 points, got 1; skipped",
        "ok.json: shapes[6]: mask: mask is not base64 data; skipped",
        "ok.json: shapes[7]: box [15.0, 15.0, 15.0, 15.0] reaches outside the 20x20 image; clipped",
        "ok.json: shapes[8]: expected an object, got str",
    ]
    assert [(a.label, a.shape) for a in dataset.items[0].annotations] == [("a", Box(1, 1, 4, 4)),
                                                                          ("a", Box(15, 15, 5, 5))]
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError, match=r"no labelme \.json files"):
        LABELME.read(tmp_path / "empty")


def test_round_trip_keeps_kinds_groups_attributes_and_masks(tmp_path):
    bits = np.zeros((20, 30), bool)
    bits[4:9, 10:17] = True
    media = tmp_path / "media"
    image(media / "sub" / "a.png", 30, 20)
    original = [
        DatasetAnnotation("car", Box(1, 2, 3, 4), {"occluded": True, "color": "red"}, group=2),
        DatasetAnnotation("road", Polygon(((0, 0), (10, 0), (10, 10))), group=2),
        DatasetAnnotation("lane", Polyline(((0, 0), (5, 5), (9, 2)))),
        DatasetAnnotation("eye", PointShape(3, 4), source=Source(SourceKind.MODEL, 0.25)),
        DatasetAnnotation("ball", Ellipse(15, 10, 3, 3)),
        DatasetAnnotation("blob", Mask.from_array(bits)),
        DatasetAnnotation("plate", RotatedBox(15, 10, 10, 4, 30)),
        DatasetAnnotation("night", Tag()),
        DatasetAnnotation("person", Keypoints(((1, 1, Visibility.VISIBLE),))),
    ]
    dataset = Dataset(media_root=media, items=[DatasetItem("sub/a.png", 30, 20, list(original))])
    out = tmp_path / "out"
    (path,) = LABELME.write(dataset, out)
    doc = json.loads(path.read_text())
    assert path == out / "sub" / "a.json" and doc["imageData"] is None
    assert doc["imagePath"] == "../../media/sub/a.png" and doc["flags"] == {"night": True}
    assert [str(i) for i in dataset.issues] == ["labelme: keypoints shapes left out (labelme has no keypoints) (1 "
                                                "annotations)"]
    again = LABELME.read(tmp_path)  # the JSON in out/ points back into media/, both inside tmp_path
    (item,) = again.items
    assert item.file_name == "media/sub/a.png" and item.media_path == (media / "sub" / "a.png").resolve()
    got = item.annotations
    for before, after in zip(original[:8], got, strict=True):
        if isinstance(before.shape, RotatedBox):
            assert np.allclose(after.shape.to_json(), before.shape.to_json())
        else:
            assert after.shape == before.shape
        assert (after.label, after.attributes, after.group, after.source) == (
            before.label, before.attributes, before.group, before.source)
