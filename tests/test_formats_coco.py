"""COCO reading and writing without a workspace: Datumaro's samples, bad input per record, pycocotools on our output."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from pycocotools.coco import COCO as PyCOCO

from core.annotation import Source, SourceKind
from core.formats import FORMATS, Dataset, DatasetAnnotation, DatasetItem, FormatError, get_format, register_format
from core.formats.coco import COCO
from core.shapes import Box, Polygon

SAMPLES = Path("/work/shared/data/format-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[1] / "shared" / "data" / "format-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="Datumaro format samples not available")

BASE = {
    "images": [
        {"id": 1, "file_name": "one.jpg", "width": 40, "height": 30},
        {"id": 2, "file_name": "two.jpg", "width": 20, "height": 20},
    ],
    "categories": [{"id": 1, "name": "car"}, {"id": 7, "name": "person"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 5], "segmentation": [], "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 7, "bbox": [0, 0, 4, 4],
         "segmentation": [[1, 1, 5, 1, 5, 6]], "iscrowd": 0},
    ],
}  # fmt: skip


def read_doc(tmp_path: Path, doc, name="instances.json") -> Dataset:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return COCO.read(path)


def messages(dataset: Dataset) -> list[str]:
    return [str(issue) for issue in dataset.issues]


def shapes(dataset: Dataset) -> dict[str, list]:
    return {item.file_name: [(a.label, a.shape) for a in item.annotations] for item in dataset.items}


def test_registry_lists_coco_and_names_known_formats_on_error():
    assert FORMATS["coco"] is COCO and get_format("coco") is COCO
    assert COCO.description
    with pytest.raises(FormatError, match=r"unknown format 'yolo'; known formats: .*coco"):
        get_format("yolo")
    register_format(COCO)  # the same object again is fine
    with pytest.raises(ValueError, match="already registered"):
        register_format(type("Other", (), {"name": "coco", "description": "", "read": None, "write": None})())


@needs_samples
def test_datumaro_instances_sample_reads_fully():
    dataset = COCO.read(SAMPLES / "coco_instances")
    assert dataset.labels == ["a", "b", "c"]  # category ids 1, 2, 4: the gap does not matter
    assert [(i.file_name, i.width, i.height) for i in dataset.items] == [("a.jpg", 10, 5), ("b.jpg", 5, 10)]
    assert shapes(dataset) == {
        "a.jpg": [("b", Box(2, 2, 3, 1))],  # segmentation [] -> the bbox
        "b.jpg": [("a", Polygon(((0, 0), (1, 0), (1, 2), (0, 2))))],  # polygon: its bbox is not kept
    }
    assert dataset.items[1].annotations[0].attributes == {"x": 1, "y": "hello"}
    assert dataset.items[0].annotations[0].source == Source()
    # images/<subset>/ comes first where the reader looks for the image files
    assert dataset.items[0].media_dirs[0] == SAMPLES / "coco_instances" / "images" / "train"
    assert (dataset.items[1].media_dirs[0] / "b.jpg").is_file()
    assert messages(dataset) == [
        "instances_val.json: annotations[1]: RLE mask segmentation skipped (masks are not supported yet)"
    ]


@needs_samples
def test_datumaro_keypoints_sample_imports_shapes_and_reports_skipped_keypoints():
    dataset = COCO.read(SAMPLES / "coco_person_keypoints")
    assert dataset.labels == ["a", "b"]
    assert sum(len(i.annotations) for i in dataset.items) == 2
    assert shapes(dataset)["a.jpg"] == [("b", Box(2, 2, 3, 1))]
    assert messages(dataset) == [
        "person_keypoints_train.json: keypoints of 1 annotations skipped (keypoints are not supported yet)",
        "person_keypoints_val.json: annotations[1]: RLE mask segmentation skipped (masks are not supported yet)",
        "person_keypoints_val.json: keypoints of 2 annotations skipped (keypoints are not supported yet)",
    ]


@needs_samples
def test_single_json_file_reads_and_looks_for_images_beside_annotations():
    dataset = COCO.read(SAMPLES / "coco_instances" / "annotations" / "instances_train.json")
    assert len(dataset.items) == 1 and (dataset.items[0].media_dirs[0] / "a.jpg").is_file()


def test_good_file_reads_boxes_polygons_scores(tmp_path):
    doc = copy.deepcopy(BASE)
    doc["annotations"][0]["score"] = 0.75
    doc["annotations"][1]["segmentation"].append([10, 10, 15, 10, 15, 15, 10, 15])  # a second part
    dataset = read_doc(tmp_path, doc)
    assert dataset.issues == []
    assert shapes(dataset) == {
        "one.jpg": [("car", Box(1, 2, 10, 5))],
        "two.jpg": [("person", Polygon(((1, 1), (5, 1), (5, 6)))),
                    ("person", Polygon(((10, 10), (15, 10), (15, 15), (10, 15))))],
    }  # fmt: skip
    assert dataset.items[0].annotations[0].source == Source(SourceKind.MODEL, 0.75)


def _set(path: str, value):
    """A mutation of BASE: 'annotations.0.bbox' = value (value None deletes the key)."""

    def apply(doc):
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is None:
            del target[last]
        else:
            target[last] = value

    return apply


BAD_RECORDS = [
    ("annotations.1.category_id", 99, "instances.json: annotations[1]: category_id 99 is not in categories"),
    ("annotations.1.category_id", "7", "instances.json: annotations[1]: category_id '7' is not in categories"),
    ("annotations.1.image_id", 12, "instances.json: annotations[1]: image_id 12 is not in images"),
    ("annotations.1", [1, 2], "instances.json: annotations[1]: expected an object, got list"),
    ("annotations.1.segmentation", None, None),  # falls back to the bbox: no issue
    ("annotations.1.segmentation", [1, 1, 5, 1, 5, 6], "annotations[1]: segmentation must be a list of polygons"),
    ("annotations.1.segmentation", "poly", "annotations[1]: segmentation must be a list of polygons or an RLE"),
    ("annotations.1.segmentation", [[1, 1, 5, 1, 5]], "annotations[1].segmentation[0]: a polygon needs an even"),
    ("annotations.1.segmentation", [[1, 1, 5, 1]], "annotations[1].segmentation[0]: a polygon needs an even count"),
    ("annotations.1.segmentation", [[1, "1", 5, 1, 5, 6]], "annotations[1].segmentation[0]: expected a list"),
    ("annotations.1.segmentation", [[1, 1, 1, 1, 1, 1]], "annotations[1].segmentation[0]: polygon has no area in"),
    ("annotations.1.segmentation", [[30, 30, 40, 30, 40, 40]], "polygon has no area inside the 20x20 image; skip"),
    ("annotations.1.score", "high", "annotations[1]: score 'high' is not a number in [0, 1]"),
    ("annotations.1.score", 1.5, "annotations[1]: score 1.5 is not a number in [0, 1]"),
    ("annotations.1.attributes", ["occluded"], "annotations[1]: attributes must be an object, got list; ignored"),
    ("categories.1.name", "", "instances.json: categories[1]: name '' is not a non-empty string"),
    ("categories.1.id", 1, "instances.json: categories[1]: id 1 is used twice; the first ('car') is kept"),
    ("images.1.width", -3, "instances.json: images[1]: width -3 is not a positive integer; the image and its anno"),
    ("images.1.height", None, "instances.json: images[1]: height None is not a positive integer"),
    ("images.1.height", 2.5, "instances.json: images[1]: height 2.5 is not a positive integer"),
    ("images.1.id", 1, "instances.json: images[1]: id 1 is used twice (first by 'one.jpg')"),
    ("images.1.file_name", 5, "instances.json: images[1]: file_name 5 is not a non-empty string"),
]


@pytest.mark.parametrize(("path", "value", "expected"), BAD_RECORDS)
def test_a_bad_record_is_reported_and_the_rest_still_loads(tmp_path, path, value, expected):
    doc = copy.deepcopy(BASE)
    _set(path, value)(doc)
    dataset = read_doc(tmp_path, doc)
    if expected is None:
        assert dataset.issues == []
    else:
        assert any(expected in m for m in messages(dataset)), messages(dataset)
    # the first image and its box are never affected by a problem in the second records
    assert shapes(dataset)["one.jpg"] == [("car", Box(1, 2, 10, 5))]


def test_box_bad_values_each_get_a_message(tmp_path):
    doc = copy.deepcopy(BASE)
    bboxes = [None, [1, 2, 3], ["1", 2, 3, 4], [True, 2, 3, 4], [1, 2, 0, 5], [1, 2, -4, 5], "1,2,3,4"]
    doc["annotations"] = [
        {"id": i, "image_id": 1, "category_id": 1, "bbox": b} for i, b in enumerate(bboxes)
    ] + [{"id": 99, "image_id": 1, "category_id": 1}]
    doc["annotations"][0].pop("bbox")
    dataset = read_doc(tmp_path, doc)
    assert shapes(dataset)["one.jpg"] == []
    got = messages(dataset)
    assert len(got) == len(doc["annotations"])
    assert got[0] == "instances.json: annotations[0]: has neither a bbox nor a polygon segmentation"
    assert got[1].startswith("instances.json: annotations[1]: bbox must be [x, y, width, height] of finite numbers")
    assert "has no area" in got[4] and "has no area" in got[5]


def test_nan_in_a_file_is_reported(tmp_path):
    text = json.dumps(BASE).replace('"width": 20', '"width": NaN').replace("[1, 2, 10, 5]", "[1, NaN, 10, 5]")
    dataset = read_doc(tmp_path, text)
    got = messages(dataset)
    assert "instances.json: images[1]: width nan is not a positive integer" in got[0]
    assert got[1].startswith("instances.json: annotations[0]: bbox must be [x, y, width, height] of finite")
    assert "instances.json: annotations[1]: image_id 2 refers to images[1], which was skipped" in got
    assert [i.file_name for i in dataset.items] == ["one.jpg"] and dataset.annotation_count() == 0


def test_shapes_outside_the_image_are_clipped_or_skipped(tmp_path):
    doc = copy.deepcopy(BASE)
    doc["annotations"] = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [30, 20, 20, 20]},  # half outside the 40x30 image
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [50, 50, 5, 5]},  # wholly outside
        {"id": 3, "image_id": 1, "category_id": 1, "bbox": [-5, 0, 10, 30]},
        {"id": 4, "image_id": 1, "category_id": 1, "bbox": [0, 0, 40.0000001, 30]},  # float noise: silent
        {"id": 5, "image_id": 2, "category_id": 7, "segmentation": [[-2, 0, 10, 0, 10, 25]]},
    ]
    dataset = read_doc(tmp_path, doc)
    assert shapes(dataset) == {
        "one.jpg": [("car", Box(30, 20, 10, 10)), ("car", Box(0, 0, 5, 30)), ("car", Box(0, 0, 40, 30))],
        "two.jpg": [("person", Polygon(((0, 0), (10, 0), (10, 20))))],
    }
    assert messages(dataset) == [
        "instances.json: annotations[0]: box [30.0, 20.0, 20.0, 20.0] reaches outside the 40x30 image; clipped",
        "instances.json: annotations[1]: box [50.0, 50.0, 5.0, 5.0] lies outside the 40x30 image; skipped",
        "instances.json: annotations[2]: box [-5.0, 0.0, 10.0, 30.0] reaches outside the 40x30 image; clipped",
        "instances.json: annotations[4].segmentation[0]: polygon reaches outside the 20x20 image; clipped",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]", "not a COCO file: expected an object with images, annotations and categories, got a list"),
        ('{"images": []', "not valid JSON"),
        ("\xff\xfe garbage", "not valid JSON"),
        ('{"images": [], "annotations": []}', "not a COCO file: 'categories' is missing"),
        ('{"images": [], "annotations": {}, "categories": []}', "not a COCO file: 'annotations' is a dict, not a list"),
        ("", "not valid JSON"),
    ],
)
def test_a_file_that_is_not_coco_is_refused_naming_the_file(tmp_path, text, expected):
    path = tmp_path / "broken.json"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(FormatError) as info:
        COCO.read(path)
    assert str(path) in str(info.value) and expected in str(info.value)


def test_folders_without_annotation_files_and_missing_paths_are_refused(tmp_path):
    with pytest.raises(FormatError, match="no COCO annotation files"):
        COCO.read(tmp_path)
    with pytest.raises(FormatError, match="no such file or folder"):
        COCO.read(tmp_path / "absent.json")
    # in a folder, instances files are read and other COCO tasks are reported as skipped
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "instances_default.json").write_text(json.dumps(BASE))
    (tmp_path / "annotations" / "captions_default.json").write_text("{}")
    dataset = COCO.read(tmp_path)
    assert dataset.annotation_count() == 2
    assert messages(dataset) == ["captions_default.json: not an instances or keypoints file: skipped"]


def sample_dataset() -> Dataset:
    triangle = Polygon(((10, 10), (70, 15), (30, 60)))
    return Dataset(
        labels=["car", "person", "unused"],
        items=[
            DatasetItem("a/one.png", 100, 80, [
                DatasetAnnotation("car", Box(5, 6, 20, 10), {"occluded": True}),
                DatasetAnnotation("person", triangle, {}, Source(SourceKind.MODEL, 0.5, "yolo")),
            ]),
            DatasetItem("two.png", 50, 40, []),
        ],
    )  # fmt: skip


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # pycocotools vs numpy 2
def test_written_file_has_cvat_layout_and_loads_in_pycocotools(tmp_path):
    paths = COCO.write(sample_dataset(), tmp_path)
    assert paths == [tmp_path / "annotations" / "instances_default.json"]
    doc = json.loads(paths[0].read_text())
    assert doc["categories"] == [
        {"id": 1, "name": "car", "supercategory": ""},
        {"id": 2, "name": "person", "supercategory": ""},
        {"id": 3, "name": "unused", "supercategory": ""},
    ]
    assert doc["images"] == [
        {"id": 1, "file_name": "a/one.png", "width": 100, "height": 80},
        {"id": 2, "file_name": "two.png", "width": 50, "height": 40},
    ]
    box, poly = doc["annotations"]
    assert box == {"id": 1, "image_id": 1, "category_id": 1, "bbox": [5, 6, 20, 10], "area": 200,
                   "segmentation": [], "iscrowd": 0, "attributes": {"occluded": True}}  # fmt: skip
    assert poly["segmentation"] == [[10, 10, 70, 15, 30, 60]] and poly["bbox"] == [10, 10, 60, 50]
    assert poly["area"] == pytest.approx(1450.0) and poly["score"] == 0.5 and "score" not in box

    coco = PyCOCO(str(paths[0]))
    assert coco.getAnnIds(imgIds=[1]) == [1, 2] and coco.getAnnIds(imgIds=[2]) == []
    assert coco.getCatIds(catNms=["person"]) == [2]
    (loaded,) = coco.loadAnns(coco.getAnnIds(catIds=[2]))
    mask = coco.annToMask(loaded)
    assert mask.shape == (80, 100)
    assert int(np.count_nonzero(mask)) == pytest.approx(1450, rel=0.05)
    assert coco.loadAnns([1])[0]["bbox"] == [5, 6, 20, 10]  # boxes: segmentation [] as CVAT writes them


def test_write_then_read_gives_the_same_dataset(tmp_path):
    original = sample_dataset()
    COCO.write(original, tmp_path)
    again = COCO.read(tmp_path)
    assert again.issues == [] and again.labels == original.labels
    assert [(i.file_name, i.width, i.height) for i in again.items] == [("a/one.png", 100, 80), ("two.png", 50, 40)]
    for before, after in zip(original.items, again.items, strict=True):
        assert [(a.label, a.shape, a.attributes) for a in after.annotations] == [
            (a.label, a.shape, a.attributes) for a in before.annotations
        ]
    assert again.items[0].annotations[1].source == Source(SourceKind.MODEL, 0.5)  # COCO has no model id


def test_writing_a_shape_kind_coco_cannot_store_is_refused(tmp_path):
    class Dot:
        kind = "point"

    dataset = Dataset(labels=["x"], items=[DatasetItem("a.png", 5, 5, [DatasetAnnotation("x", Dot())])])
    with pytest.raises(FormatError, match="COCO cannot store point shapes"):
        COCO.write(dataset, tmp_path)
    assert not (tmp_path / "annotations" / "instances_default.json").exists()
