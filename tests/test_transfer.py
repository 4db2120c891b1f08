"""Import into and export from a real workspace: round trip, Datumaro samples, re-import, refusals change nothing."""

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from pycocotools.coco import COCO as PyCOCO

from core.annotation import Annotation, Source, SourceKind, TaskStatus, new_id
from core.formats import FormatError
from core.schema import LabelSchema
from core.shapes import Box, Polygon
from sync.transfer import export_dataset, import_dataset
from sync.workspace import Workspace

SAMPLES = Path("/work/shared/data/format-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[1] / "shared" / "data" / "format-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="Datumaro format samples not available")

SCHEMA = LabelSchema.from_json(
    {
        "labels": [
            {"name": "car", "attributes": [{"name": "occluded", "type": "checkbox", "default": False}]},
            {"name": "person"},
            {"name": "sign", "shapes": ["box"]},
        ]
    }
)


def write_image(path: Path, width: int, height: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    assert cv2.imwrite(str(path), pixels)
    return path


@pytest.fixture
def media(tmp_path) -> Path:
    root = tmp_path / "media"
    write_image(root / "one.png", 64, 48, 1)
    write_image(root / "sub" / "two.png", 32, 40, 2)
    (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    return root


@pytest.fixture
def filled(tmp_path, media):
    """A workspace with two good images, one broken one, and a box, a polygon and a model box."""
    ws = Workspace.create(tmp_path / "ws", SCHEMA)
    ws.add_media([media])
    one, two = ws.find_task(str(media / "one.png")), ws.find_task(str(media / "sub" / "two.png"))
    ws.insert_annotations(
        [
            Annotation(new_id(), one.id, "car", Box(4, 5, 20, 10), {"occluded": True}, "ann"),
            Annotation(new_id(), one.id, "person", Polygon(((10, 10), (40, 12), (25, 40))), {}, "ann"),
            Annotation(new_id(), two.id, "sign", Box(1, 1, 8, 8), {}, "m", Source(SourceKind.MODEL, 0.25, "det")),
        ]
    )
    yield ws
    ws.close()


def content(ws: Workspace) -> dict[str, set]:
    """Annotations per image name, without ids, authors or revisions."""
    result = {}
    for task in ws.tasks(limit=1000):
        result[task.name] = {
            (a.label, a.shape, tuple(sorted(a.attributes.items())), a.source.kind, a.source.score)
            for a in ws.annotations(task.id)
        }
    return result


def test_round_trip_through_coco_keeps_shapes_labels_attributes_scores(tmp_path, filled, media):
    paths = export_dataset(filled, "coco", tmp_path / "out")
    assert paths == [tmp_path / "out" / "annotations" / "instances_default.json"]
    doc = json.loads(paths[0].read_text())
    assert [i["file_name"] for i in doc["images"]] == ["one.png", "sub/two.png"]  # the broken image is left out
    assert [c["name"] for c in doc["categories"]] == ["car", "person", "sign"]
    assert doc["info"]["images_root"] == str(media)

    shutil.copytree(media, tmp_path / "out" / "images")  # images beside annotations/, as CVAT exports them
    with Workspace.create(tmp_path / "fresh", SCHEMA) as fresh:
        report = import_dataset(fresh, "coco", tmp_path / "out")
        assert (report.items, report.media_added, report.tasks_matched, report.annotations_added) == (2, 2, 2, 3)
        assert report.labels_added == [] and report.skipped == 0 and report.messages == []
        expected = content(filled)
        del expected["broken.png"]
        assert content(fresh) == expected


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # pycocotools vs numpy 2
def test_export_loads_in_pycocotools_with_the_right_polygon_area(tmp_path, filled):
    (path,) = export_dataset(filled, "coco", tmp_path / "out")
    coco = PyCOCO(str(path))
    person = coco.getCatIds(catNms=["person"])
    (ann,) = coco.loadAnns(coco.getAnnIds(catIds=person))
    expected = Polygon(((10, 10), (40, 12), (25, 40))).area()
    assert ann["area"] == pytest.approx(expected)
    mask = coco.annToMask(ann)
    assert mask.shape == (48, 64) and int(mask.sum()) == pytest.approx(expected, rel=0.08)
    model_box = coco.loadAnns(coco.getAnnIds(catIds=coco.getCatIds(catNms=["sign"])))[0]
    assert model_box["score"] == 0.25 and model_box["bbox"] == [1, 1, 8, 8] and model_box["area"] == 64


def test_importing_the_same_file_twice_adds_nothing_the_second_time(tmp_path, filled):
    export_dataset(filled, "coco", tmp_path / "out")
    before = filled.stats()
    report = import_dataset(filled, "coco", tmp_path / "out")
    assert report.annotations_added == 0 and report.duplicates == 3 and report.tasks_matched == 2
    assert "3 annotations were already in the workspace (same label and shape); not added again" in report.messages
    assert filled.stats() == before


@needs_samples
def test_datumaro_instances_sample_imports_with_its_images(tmp_path):
    schema = LabelSchema.from_json(
        {"labels": [{"name": "a", "attributes": [{"name": "x", "type": "number"}, {"name": "y", "type": "text"}]}]}
    )
    with Workspace.create(tmp_path / "ws", schema) as ws:
        report = import_dataset(ws, "coco", SAMPLES / "coco_instances")
        assert (report.items, report.media_added, report.tasks_matched) == (2, 2, 2)
        assert report.annotations_added == 3
        assert report.labels_added == ["b", "c"] and ws.schema.names() == ["a", "b", "c"]
        assert not any("cannot be stored" in m for m in report.messages)
        a_task, b_task = ws.find_task("a.jpg"), ws.find_task("b.jpg")
        assert (a_task.width, a_task.height, b_task.width, b_task.height) == (10, 5, 5, 10)
        (box,) = ws.annotations(a_task.id)
        poly = ws.annotations(b_task.id)[0]
        assert (box.label, box.shape) == ("b", Box(2, 2, 3, 1))
        assert (poly.label, poly.shape) == ("a", Polygon(((0, 0), (1, 0), (1, 2), (0, 2))))
        assert poly.attributes == {"x": 1, "y": "hello"}
        assert ws.stats()["annotations"]["total"] == 3


@needs_samples
def test_datumaro_keypoints_sample_imports_keypoints_and_their_template(tmp_path):
    with Workspace.create(tmp_path / "ws") as ws:
        report = import_dataset(ws, "coco", SAMPLES / "coco_person_keypoints")
        # a.jpg: box + keypoints; b.jpg: polygon + keypoints, crowd mask + keypoints
        assert (report.media_added, report.annotations_added) == (2, 6)
        # the schema has no attributes: the file's x and y are dropped and said so, once for all annotations
        assert "attribute 'x' of label 'a' is not in the schema; dropped (2 annotations)" in report.messages
        assert ws.schema.get("a").keypoints == ("1", "2", "3") and ws.schema.get("a").skeleton == ((0, 1), (1, 2))
        b = ws.annotations(ws.find_task("b.jpg").id)
        assert sorted(a.kind for a in b) == sorted(["polygon", "keypoints", "keypoints", "mask"])
        kps = next(a for a in b if a.kind == "keypoints" and a.label == "a")
        assert kps.shape.to_json() == [1, 2, 2, 3, 4, 2, 2, 3, 2] and kps.attributes == {}


def coco_file(folder: Path, images, annotations, categories=({"id": 1, "name": "car"},)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "instances.json"
    doc = {"images": list(images), "annotations": list(annotations), "categories": list(categories)}
    path.write_text(json.dumps(doc))
    return path


def test_items_match_existing_tasks_by_unique_name_and_unknown_images_are_reported(tmp_path, filled):
    path = coco_file(
        tmp_path / "elsewhere",
        [{"id": 1, "file_name": "train/one.png", "width": 64, "height": 48},
         {"id": 2, "file_name": "missing.png", "width": 10, "height": 10},
         {"id": 3, "file_name": "two.png", "width": 99, "height": 40}],
        [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "attributes": {"occluded": "yes"}},
         {"id": 2, "image_id": 2, "category_id": 1, "bbox": [0, 0, 5, 5]},
         {"id": 3, "image_id": 3, "category_id": 1, "bbox": [0, 0, 5, 5]},
         {"id": 4, "image_id": 1, "category_id": 2, "bbox": [0, 0, 5, 5]}],
        [{"id": 1, "name": "car"}, {"id": 2, "name": "sign"}],
    )  # fmt: skip
    report = import_dataset(filled, "coco", path)
    assert (report.media_added, report.tasks_matched, report.annotations_added, report.skipped) == (0, 1, 2, 2)
    assert "missing.png: image not in the workspace and not found beside the annotation file" in report.messages
    assert any(m.startswith("two.png: the file says 99x40 but the image") for m in report.messages)
    assert "label 'car': attribute 'occluded': expected true or false, got 'yes'; the default is used" in (
        report.messages[-1]
    )
    one = filled.find_task("one.png")
    added = [a for a in filled.annotations(one.id) if a.shape == Box(0, 0, 5, 5)]
    assert sorted((a.label, a.attributes.get("occluded")) for a in added) == [("car", False), ("sign", None)]


def test_a_label_that_does_not_allow_the_shape_kind_is_skipped(tmp_path, filled):
    path = coco_file(
        tmp_path / "in",
        [{"id": 1, "file_name": "one.png", "width": 64, "height": 48}],
        [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 9, 0, 9, 9]]}],
        [{"id": 1, "name": "sign"}],
    )
    report = import_dataset(filled, "coco", path)
    assert report.annotations_added == 0 and report.skipped == 1
    assert report.messages == ["one.png: annotation 0: label 'sign' does not allow polygon shapes"]


def test_file_names_that_escape_the_dataset_folder_are_not_read(tmp_path):
    write_image(tmp_path / "secret.png", 8, 8)
    path = coco_file(
        tmp_path / "data" / "annotations",
        [{"id": 1, "file_name": "../../secret.png", "width": 8, "height": 8}],
        [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2]}],
    )
    with Workspace.create(tmp_path / "ws") as ws:
        report = import_dataset(ws, "coco", path)
        assert report.media_added == 0 and ws.task_count() == 0 and report.skipped == 1
        assert "../../secret.png: file name points outside the dataset folder; not read" in report.messages


def test_add_media_off_leaves_unknown_images_out(tmp_path):
    path = coco_file(
        tmp_path / "data",
        [{"id": 1, "file_name": "pic.png", "width": 8, "height": 8}],
        [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2]}],
    )
    write_image(tmp_path / "data" / "pic.png", 8, 8)
    with Workspace.create(tmp_path / "ws") as ws:
        report = import_dataset(ws, "coco", path, add_media=False)
        assert ws.task_count() == 0 and report.annotations_added == 0
        assert "pic.png: image not in the workspace (adding media is off)" in report.messages
        assert ws.schema.labels == () and report.labels_added == []  # nothing imported: nothing changed
        report = import_dataset(ws, "coco", path)
        assert ws.task_count() == 1 and report.annotations_added == 1 and report.labels_added == ["car"]


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("[]", "coco"),  # a top-level list: not a COCO file
        ("{not json", "coco"),
        ('{"images": [], "annotations": []}', "coco"),
        (None, "coco"),  # a folder with nothing in it
        ("{}", "no-such-format"),
    ],
)
def test_a_refused_file_changes_nothing(tmp_path, filled, text, fmt):
    folder = tmp_path / "bad"
    folder.mkdir()
    target = folder
    if text is not None:
        target = folder / "instances.json"
        target.write_text(text)
    before = (filled.stats(), filled.schema, content(filled), filled.task_count())
    with pytest.raises(FormatError) as info:
        import_dataset(filled, fmt, target)
    assert (str(target) in str(info.value)) or "known formats: audacity, coco" in str(info.value)
    assert (filled.stats(), filled.schema, content(filled), filled.task_count()) == before
    assert filled.integrity_check() == "ok"


def test_export_leaves_out_error_tasks_and_keeps_unused_labels(tmp_path, filled):
    assert filled.task_count(TaskStatus.ERROR) == 1
    (path,) = export_dataset(filled, "coco", tmp_path / "out")
    doc = json.loads(path.read_text())
    assert len(doc["images"]) == 2 and len(doc["annotations"]) == 3
    assert {a["category_id"] for a in doc["annotations"]} == {1, 2, 3}
    with pytest.raises(FormatError, match="known formats"):
        export_dataset(filled, "nope", tmp_path / "x")


def test_bad_records_are_reported_by_file_and_index_and_the_rest_is_imported(tmp_path, filled):
    path = coco_file(
        tmp_path / "in",
        [{"id": 1, "file_name": "one.png", "width": 64, "height": 48}],
        [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 2, 3, 3]},
         {"id": 2, "image_id": 1, "category_id": 99, "bbox": [2, 2, 3, 3]},
         {"id": 3, "image_id": 7, "category_id": 1, "bbox": [2, 2, 3, 3]}],
    )  # fmt: skip
    report = import_dataset(filled, "coco", path)
    assert report.annotations_added == 1
    assert report.messages[:2] == [
        "instances.json: annotations[1]: category_id 99 is not in categories",
        "instances.json: annotations[2]: image_id 7 is not in images",
    ]
