"""Each malformed input the fuzzing of issue 9 found, through the real import into a real workspace.

Every case ends in a report or a FormatError naming the file, never another exception; the good records beside a
bad one are imported, and a refused file leaves the workspace as it was.
"""

import json
import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.formats import FormatError
from core.schema import LabelSchema
from sync.transfer import export_dataset, import_dataset
from sync.workspace import Workspace

BAD_NAMES = ["img0.jpg\x00.png", "\ud800.jpg", "x" * 300 + ".jpg"]


def image(path: Path, width: int = 32, height: int = 24) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full((height, width, 3), 90, np.uint8))
    return path


def state(ws: Workspace) -> tuple:
    return ws.task_count(), ws.stats()["annotations"]["total"], json.dumps(ws.schema.to_json(), sort_keys=True)


@pytest.fixture
def ws(tmp_path):
    with Workspace.create(tmp_path / "ws", LabelSchema()) as workspace:
        yield workspace


def labelme_file(folder: Path, name: str, shapes: list, image_name: str = "good.png", **extra) -> Path:
    image(folder / image_name)
    document = {"shapes": shapes, "imagePath": image_name, "imageWidth": 32, "imageHeight": 24, **extra}
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def box(label: str = "car", **extra) -> dict:
    return {"label": label, "points": [[1, 1], [10, 10]], "shape_type": "rectangle", **extra}


def cvat_file(folder: Path, body: str, name: str = "good.png") -> Path:
    image(folder / name)
    path = folder / "annotations.xml"
    path.write_text(f'<annotations><image id="0" name="{name}" width="32" height="24">{body}</image></annotations>')
    return path


def coco_file(folder: Path, names: list[str]) -> Path:
    images = [{"id": i, "file_name": n, "width": 32, "height": 24} for i, n in enumerate(names, 1)]
    anns = [{"id": i, "image_id": i, "category_id": 1, "bbox": [1, 1, 5, 5]} for i in range(1, len(names) + 1)]
    path = folder / "instances.json"
    path.write_text(json.dumps({"images": images, "annotations": anns, "categories": [{"id": 1, "name": "car"}]}))
    return path


# ---------------------------------------------------------------- names


@pytest.mark.parametrize("bad", BAD_NAMES, ids=["nul", "surrogate", "300 chars"])
def test_a_bad_file_name_in_coco_skips_that_image_only(tmp_path, ws, bad):
    image(tmp_path / "d" / "good.png")
    report = import_dataset(ws, "coco", coco_file(tmp_path / "d", ["good.png", bad]))
    assert report.annotations_added == 1 and ws.task_count() == 1
    assert any("the image and its" in m for m in report.messages)


@pytest.mark.parametrize("bad", BAD_NAMES, ids=["nul", "surrogate", "300 chars"])
def test_a_bad_image_path_in_labelme_skips_that_file_only(tmp_path, ws, bad):
    folder = tmp_path / "d"
    labelme_file(folder, "good.json", [box()])
    bad_file = folder / "bad.json"
    bad_file.write_text(json.dumps({"shapes": [box()], "imagePath": bad, "imageWidth": 32, "imageHeight": 24}))
    report = import_dataset(ws, "labelme", folder)
    assert report.annotations_added == 1
    assert any(m.startswith("bad.json: imagePath") for m in report.messages)


@pytest.mark.parametrize("bad", BAD_NAMES, ids=["nul", "surrogate", "300 chars"])
def test_a_bad_name_in_cvat_and_voc_is_refused_cleanly(tmp_path, ws, bad):
    escaped = bad.replace("\x00", "&#0;")  # XML cannot hold NUL: the parser refuses the file, naming it
    folder = tmp_path / "cvat"
    image(folder / "good.png")
    (folder / "annotations.xml").write_text(
        f'<annotations><image id="0" name="good.png" width="32" height="24"><box label="car" xtl="1" ytl="1" '
        f'xbr="9" ybr="9"/></image><image id="1" name="{escaped}" width="32" height="24"/></annotations>',
        encoding="utf-8", errors="surrogatepass",
    )
    try:
        report = import_dataset(ws, "cvat", folder)
    except FormatError as exc:
        assert "annotations.xml" in str(exc)
    else:
        assert report.annotations_added == 1


def test_a_bad_line_in_a_yolo_split_list_is_reported(tmp_path, ws):
    root = tmp_path / "yolo"
    image(root / "images" / "a.png")
    (root / "labels").mkdir()
    (root / "labels" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "train.txt").write_text("images/a.png\nimages/b\x00.png\n" + "x" * 300 + ".png\n")
    (root / "data.yaml").write_text("names: [car]\ntrain: train.txt\n")
    report = import_dataset(ws, "yolo", root)
    assert report.annotations_added == 1
    assert sum("train.txt:" in m for m in report.messages) == 2


# ---------------------------------------------------------------- nesting, sizes, numbers


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deep_nesting_is_refused_or_read_without_a_crash(tmp_path, ws, depth):
    """Past what the parser reads the file is refused; below, only typed fields are read, so depth cannot crash."""
    before = state(ws)
    refused = "refused: JSON nested deeper" if depth > 20_000 else "not a COCO file"
    coco = tmp_path / "instances.json"
    coco.write_text(nested(depth))
    with pytest.raises(FormatError, match=f"instances.json: {refused}"):
        import_dataset(ws, "coco", coco)
    yolo = tmp_path / "yolo"
    image(yolo / "images" / "a.png")
    (yolo / "data.yaml").write_text("names: " + nested(depth) + "\n")
    with pytest.raises(FormatError, match=r"data\.yaml: refused"):
        import_dataset(ws, "yolo", yolo)
    assert state(ws) == before
    folder = tmp_path / "lm"
    labelme_file(folder, "a.json", [])
    (folder / "a.json").write_text(
        '{"imagePath": "good.png", "shapes": [{"label": "car", "points": [[1, 1], [9, 9]], "shape_type": '
        '"rectangle", "attributes": {"x": ' + nested(depth) + "}}]}"
    )
    report = import_dataset(ws, "labelme", folder)
    if depth > 20_000:
        assert "a.json: refused: JSON nested deeper than this program can read; file skipped" in report.messages
    else:
        assert report.annotations_added == 1
        assert "attribute 'x' of label 'car' is not in the schema; dropped (1 annotations)" in report.messages


@pytest.mark.parametrize("value", [10**30, 2**63, 1e308])
def test_huge_group_ids_and_z_orders_keep_the_shape_and_drop_the_number(tmp_path, ws, value):
    folder = tmp_path / "lm"
    labelme_file(folder, "a.json", [box(group_id=value), box("person", group_id=3)])
    report = import_dataset(ws, "labelme", folder)
    assert report.annotations_added == 2  # a float 1e308 is no group id at all; an int past int64 is reported
    if isinstance(value, int):
        assert any("group id" in m and "64-bit" in m for m in report.messages)
    ws2 = Workspace.create(tmp_path / "ws2", LabelSchema())
    number = f"{value:.0f}" if isinstance(value, float) else str(value)
    xml = cvat_file(tmp_path / "cv", f'<box label="car" xtl="1" ytl="1" xbr="9" ybr="9" z_order="{number}" '
                                     f'group_id="{number}"/><box label="car" xtl="2" ytl="2" xbr="9" ybr="9"/>')
    report = import_dataset(ws2, "cvat", xml)
    assert report.annotations_added == 2
    assert any("z order" in m for m in report.messages) and any("group id" in m for m in report.messages)
    ws2.close()


@pytest.mark.parametrize(
    "record, message",
    [
        ({"shape_type": ["polygon"]}, "shape_type ['polygon'] is not supported"),
        ({"shape_type": {"a": 1}}, "shape_type {'a': 1} is not supported"),
        ({"points": [[]]}, "points must be a list of [x, y] pairs"),
        ({"points": [["x"]]}, "points must be a list of [x, y] pairs"),
        ({"points": [], "shape_type": "rotation"}, "rotation: needs at least 4 points, got 0"),
        ({"points": [], "shape_type": "point"}, "point: needs at least 1 points, got 0"),
    ],
)
def test_labelme_fields_of_the_wrong_type_skip_that_shape(tmp_path, ws, record, message):
    folder = tmp_path / "lm"
    labelme_file(folder, "a.json", [box(), {**box("person"), **record}])
    report = import_dataset(ws, "labelme", folder)
    assert report.annotations_added == 1
    assert any(message in m for m in report.messages), report.messages


@pytest.mark.parametrize("flags", ["yes", ["a"], 3])
def test_labelme_flags_that_are_not_an_object_are_ignored(tmp_path, ws, flags):
    folder = tmp_path / "lm"
    labelme_file(folder, "a.json", [box(flags=flags)], flags=flags)
    assert import_dataset(ws, "labelme", folder).annotations_added == 1


def test_a_yaml_alias_bomb_is_refused_fast(tmp_path, ws):
    root = tmp_path / "yolo"
    image(root / "images" / "a.png")
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (root / "data.yaml").write_text("\n".join(levels) + "\nnames: *a9\n")
    start = time.monotonic()
    with pytest.raises(FormatError, match=r"data.yaml: refused: more than 1,000,000 values"):
        import_dataset(ws, "yolo", root)
    assert time.monotonic() - start < 5


def test_an_absurd_kpt_shape_is_refused(tmp_path, ws):
    root = tmp_path / "yolo"
    image(root / "images" / "a.png")
    (root / "data.yaml").write_text("names: [person]\nkpt_shape: [1000000000, 3]\n")
    with pytest.raises(FormatError, match=r"data.yaml: kpt_shape must be \[number of keypoints \(1 to 1000\)"):
        import_dataset(ws, "yolo", root)


def test_a_yolo_image_linking_outside_the_dataset_is_not_read(tmp_path, ws):
    root = tmp_path / "yolo"
    image(root / "images" / "a.png")
    os.symlink(image(tmp_path / "secret.png"), root / "images" / "b.png")
    (root / "labels").mkdir()
    (root / "labels" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "labels" / "b.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text("names: [car]\n")
    report = import_dataset(ws, "yolo", root)
    assert report.annotations_added == 1 and ws.task_count() == 1
    assert "images/b.png: links to a file outside the dataset folder; not read" in report.messages


def test_voc_with_an_unknown_encoding_is_refused_naming_the_file(tmp_path, ws):
    folder = tmp_path / "voc" / "Annotations"
    folder.mkdir(parents=True)
    (folder / "a.xml").write_text('<?xml version="1.0" encoding="x-nonsense"?><annotation/>')
    report = None
    try:
        report = import_dataset(ws, "voc", tmp_path / "voc")
    except FormatError as exc:
        assert "a.xml" in str(exc) and "encoding" in str(exc)
    if report is not None:
        assert any("a.xml" in m and "encoding" in m for m in report.messages)


@pytest.mark.parametrize("points", ["nan", "nan,nan;1,2;3,4", "1,2;inf,4;5,6", "1;2"])
def test_one_bad_cvat_shape_is_skipped_and_the_others_imported(tmp_path, ws, points):
    xml = cvat_file(tmp_path, f'<polygon label="car" points="{points}"/>'
                              '<box label="car" xtl="1" ytl="1" xbr="9" ybr="9"/>'
                              '<polygon label="car" points="1,1;20,1;20,20"/>')
    report = import_dataset(ws, "cvat", xml)
    assert report.annotations_added == 2
    assert any("<polygon>[0]" in m and "skipped" in m for m in report.messages), report.messages


def test_a_coco_file_matching_no_image_changes_nothing(tmp_path, ws):
    before = state(ws)
    report = import_dataset(ws, "coco", coco_file(tmp_path, ["elsewhere.png"]))
    assert report.annotations_added == 0 and report.labels_added == []
    assert state(ws) == before


def test_a_labelme_line_comes_back_as_a_line(tmp_path, ws):
    folder = tmp_path / "lm"
    line = {"label": "lane", "points": [[1, 1], [20, 10]], "shape_type": "line"}
    strip = {"label": "lane", "points": [[1, 1], [20, 10], [25, 20]], "shape_type": "linestrip"}
    labelme_file(folder, "good.json", [line, strip])
    assert import_dataset(ws, "labelme", folder).annotations_added == 2
    out = tmp_path / "out"
    [written] = export_dataset(ws, "labelme", out)
    kinds = sorted(s["shape_type"] for s in json.loads(written.read_text())["shapes"])
    assert kinds == ["line", "linestrip"]


# ---------------------------------------------------------------- adding media


def test_add_reports_a_pipe_and_a_name_that_is_not_utf8_and_adds_the_rest(tmp_path, ws):
    folder = image(tmp_path / "media" / "good.png").parent
    (folder / "b.png").write_bytes(b"")
    os.mkfifo(folder / "pipe.png")
    os.link(folder / "good.png", os.fsencode(folder) + b"/bad\xff.png")
    start = time.monotonic()
    report = ws.add_media([folder, folder / "pipe.png"])
    assert time.monotonic() - start < 10  # a pipe is never opened, so nothing blocks
    reasons = dict(report.errors)
    assert reasons[str(folder / "pipe.png")] == "not a regular file (a pipe, device or folder)"
    assert reasons[f"{folder}/bad\\udcff.png"] == "the file name is not valid UTF-8; rename the file to add it"
    assert reasons[str(folder / "b.png")] == "empty file (0 bytes)"
    assert report.added == 3  # good.png, and the empty and the pipe as error tasks
