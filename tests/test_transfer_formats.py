"""Arriving with an existing dataset folder: `annodesk import WS --format yolo|labelme DIR` adds the images as tasks
and the labels as annotations; every format round-trips a workspace; bad input never harms what is stored."""

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.annotation import Annotation, new_id
from core.schema import LabelSchema
from core.shapes import Box, PointShape, Polygon
from desktop.cli import main
from sync.transfer import export_dataset, import_dataset
from sync.workspace import Workspace


def image(path: Path, width: int, height: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    assert cv2.imwrite(str(path), pixels)
    return path


def content(ws: Workspace) -> dict[str, list]:
    return {t.name: sorted((a.label, a.kind, tuple(np.round(a.shape.to_json(), 3))) for a in ws.annotations(t.id))
            for t in ws.tasks(limit=1000)}


def test_cli_imports_an_ultralytics_folder_adding_the_images_as_tasks(tmp_path, capsys):
    data = tmp_path / "yolo"
    image(data / "images" / "train" / "a.jpg", 64, 32, 1)
    image(data / "images" / "val" / "b.png", 20, 20, 2)
    (data / "labels" / "train").mkdir(parents=True)
    lines = "0 0.5 0.5 0.5 0.5\n1 0.1 0.1 0.4 0.1 0.4 0.4\n9 0.5 0.5 0.1 0.1\n"
    (data / "labels" / "train" / "a.txt").write_text(lines)
    (data / "data.yaml").write_text("train: images/train\nval: images/val\nnames: {0: car, 1: person}\n")
    ws_dir = tmp_path / "ws"
    assert main(["init", str(ws_dir)]) == 0
    assert main(["import", str(ws_dir), "--format", "yolo", str(data)]) == 0
    out = capsys.readouterr()
    assert "imported 3 annotations on 2 of 2 images (2 images added" in out.out
    assert "class 9 is not in names (2 classes); imported as label 'class_9'" in out.err
    with Workspace.open(ws_dir) as ws:
        assert ws.task_count() == 2 and ws.schema.names() == ["car", "person", "class_9"]
        a = ws.find_task("a.jpg")
        assert [(x.label, x.shape) for x in ws.annotations(a.id)] == [
            ("car", Box(16, 8, 32, 16)),
            ("person", Polygon(((6.4, 3.2), (25.6, 3.2), (25.6, 12.8)))),
            ("class_9", Box(28.8, 14.4, 6.4, 3.2)),
        ]
    assert main(["import", str(ws_dir), "--format", "yolo", str(data)]) == 0  # again: nothing new
    assert "imported 0 annotations" in capsys.readouterr().out


def test_a_labelme_folder_with_json_beside_the_images_just_works(tmp_path):
    data = tmp_path / "labelme"
    image(data / "one.jpg", 40, 30)
    image(data / "nested" / "two.jpg", 30, 40)
    shapes = [{"label": "cat", "points": [[1, 1], [10, 10]], "shape_type": "rectangle", "group_id": 4, "flags": {}}]
    (data / "one.json").write_text(json.dumps({"imagePath": "one.jpg", "imageData": None, "imageWidth": 40,
                                               "imageHeight": 30, "shapes": shapes, "flags": {}}))
    (data / "nested" / "two.json").write_text(json.dumps({"imagePath": "two.jpg", "imageWidth": 99, "imageHeight": 40,
                                                          "shapes": shapes}))
    with Workspace.create(tmp_path / "ws") as ws:
        report = import_dataset(ws, "labelme", data)
        assert (report.media_added, report.tasks_matched, report.annotations_added) == (2, 1, 1)
        # the size in the file differs from the image: not scaled, the annotations are skipped and said so
        assert any(m.startswith("nested/two.jpg: the file says 99x40 but the image") for m in report.messages)
        (cat,) = ws.annotations(ws.find_task("one.jpg").id)
        assert cat.shape == Box(1, 1, 9, 9) and cat.label == "cat"


SCHEMA = LabelSchema.from_json({"labels": [
    {"name": "car", "attributes": [{"name": "occluded", "type": "checkbox", "default": False}]},
    {"name": "person"},
]})


@pytest.fixture
def filled(tmp_path):
    media = tmp_path / "media"
    image(media / "one.png", 64, 48, 1)
    image(media / "sub" / "two.png", 32, 40, 2)
    ws = Workspace.create(tmp_path / "ws", SCHEMA)
    ws.add_media([media])
    one, two = ws.find_task(str(media / "one.png")), ws.find_task(str(media / "sub" / "two.png"))
    ws.insert_annotations([
        Annotation(new_id(), one.id, "car", Box(4, 5, 20, 10), {"occluded": True}),
        Annotation(new_id(), one.id, "person", Box(30, 2, 10, 40)),
        Annotation(new_id(), two.id, "car", Box(1, 1, 8, 8)),
    ])
    yield ws
    ws.close()


@pytest.mark.parametrize("fmt", ["coco", "cvat", "labelme", "voc", "yolo"])
def test_every_format_round_trips_a_workspace_with_its_images(tmp_path, filled, fmt):
    out = tmp_path / "out"
    messages: list[str] = []
    export_dataset(filled, fmt, out, messages)
    assert messages == []
    source = tmp_path / "media"
    if fmt in ("coco", "cvat"):  # these formats do not carry the images: put them where the readers look
        shutil.copytree(source, out / "images")
    with Workspace.create(tmp_path / "fresh", SCHEMA) as fresh:
        report = import_dataset(fresh, fmt, out if fmt != "labelme" else tmp_path)
        assert report.media_added == 2 and report.annotations_added == 3, report.messages
        assert content(fresh) == content(filled)
        if fmt in ("coco", "cvat", "labelme", "voc"):
            one = fresh.find_task("one.png")
            assert any(a.attributes == {"occluded": True} for a in fresh.annotations(one.id))


def test_export_reports_what_the_format_cannot_hold(tmp_path, filled):
    one = filled.find_task("one.png")
    filled.insert_annotations([Annotation(new_id(), one.id, "person", PointShape(3, 3))])
    messages: list[str] = []
    export_dataset(filled, "voc", tmp_path / "voc", messages)
    assert messages == ["voc: point shapes left out (VOC holds boxes) (1 annotations)"]
