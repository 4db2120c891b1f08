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
from core.schema import Label
from core.shapes import Box, Keypoints, Mask, PointShape, Polygon, RotatedBox, Visibility

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
    with pytest.raises(FormatError, match=r"unknown format 'yolo5'; known formats: .*coco"):
        get_format("yolo5")
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
        "b.jpg": [
            ("a", Polygon(((0, 0), (1, 0), (1, 2), (0, 2)))),  # polygon: its bbox is not kept
            ("b", Mask(5, 10, (0, 20, 30))),  # uncompressed RLE with iscrowd=1: column-major, first 2 columns
        ],
    }
    mask = dataset.items[1].annotations[1]
    assert mask.attributes == {"is_crowd": True} and mask.shape.area() == 20
    assert mask.shape.to_array()[:, :2].all() and not mask.shape.to_array()[:, 2:].any()
    assert dataset.items[1].annotations[0].attributes == {"x": 1, "y": "hello"}
    assert dataset.items[0].annotations[0].source == Source()
    # images/<subset>/ comes first where the reader looks for the image files
    assert dataset.items[0].media_dirs[0] == SAMPLES / "coco_instances" / "images" / "train"
    assert (dataset.items[1].media_dirs[0] / "b.jpg").is_file()
    assert messages(dataset) == []


@needs_samples
def test_datumaro_keypoints_sample_reads_keypoints_with_their_box_mask_or_polygon_in_one_group():
    dataset = COCO.read(SAMPLES / "coco_person_keypoints")
    assert dataset.labels == ["a", "b"]
    a_items = {i.file_name: i for i in dataset.items}
    box, kps = a_items["a.jpg"].annotations
    assert (box.shape, box.group) == (Box(2, 2, 3, 1), kps.group) and kps.group is not None
    # visibility 0 (skipped), 1 (occluded) and 2 (visible) come through
    assert kps.shape == Keypoints(((0, 0, Visibility.SKIPPED), (0, 2, Visibility.OCCLUDED), (4, 1, Visibility.VISIBLE)))
    polygon, kps_b, mask, kps_crowd = a_items["b.jpg"].annotations
    assert polygon.shape.kind == "polygon" and polygon.group == kps_b.group
    assert mask.shape == Mask(5, 10, (0, 20, 30)) and mask.group == kps_crowd.group != kps_b.group
    # keypoints: [] names: numbered; the skeleton has a 0 index, so it is read as 0-based and said so
    template = dataset.label_defs["a"]
    assert template.keypoints == ("1", "2", "3") and template.skeleton == ((0, 1), (1, 2))
    assert "person_keypoints_val.json: category 'a': skeleton has a 0 index: read as 0-based (COCO's is 1-based)" in (
        messages(dataset)
    )


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
    ("annotations.1.segmentation", [[1, 1, 1, 1, 1, 1]], "segmentation[0]: degenerate polygon (1 distinct vertices"),
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


def test_shapes_coco_cannot_hold_are_left_out_or_converted_and_reported(tmp_path):
    dataset = Dataset(labels=["x"], items=[DatasetItem("a.png", 50, 50, [
        DatasetAnnotation("x", PointShape(1, 1)),
        DatasetAnnotation("x", PointShape(2, 2)),
        DatasetAnnotation("x", RotatedBox(20, 20, 10, 4, 90)),
        DatasetAnnotation("x", Box(1, 1, 3, 3)),
    ])])  # fmt: skip
    (path,) = COCO.write(dataset, tmp_path)
    doc = json.loads(path.read_text())
    rotated, box = doc["annotations"]
    assert rotated["segmentation"][0] == pytest.approx([22, 15, 22, 25, 18, 25, 18, 15])
    assert box["bbox"] == [1, 1, 3, 3]
    assert messages(dataset) == [
        "coco: point shapes left out (COCO holds boxes, polygons, masks and keypoints) (2 annotations)",
        "coco: rotated_box shapes written as polygons (COCO has no rotated_box) (1 annotations)",
    ]


def mask_dataset() -> Dataset:
    """Masks (one crowd), person keypoints with their box, and two polygon parts of one object."""
    canvas = np.zeros((40, 60), dtype=bool)
    canvas[5:20, 10:30] = True
    canvas[25:35, 40:55] = True
    crowd = np.zeros((40, 60), dtype=bool)
    crowd[30:40, 0:8] = True
    person = Label("person", "#ffffff", keypoints=("nose", "left_eye", "right_eye"), skeleton=((0, 1), (0, 2)))
    kps = Keypoints(((20, 10, Visibility.VISIBLE), (18, 8, Visibility.OCCLUDED), (0, 0, Visibility.SKIPPED)))
    return Dataset(
        labels=["car", "person"],
        label_defs={"person": person},
        items=[DatasetItem("m.png", 60, 40, [
            DatasetAnnotation("car", Mask.from_array(canvas)),
            DatasetAnnotation("car", Mask.from_array(crowd), {"is_crowd": True}),
            DatasetAnnotation("person", Box(12, 4, 16, 30), group=3),
            DatasetAnnotation("person", kps, group=3),
            DatasetAnnotation("car", Polygon(((1, 1), (8, 1), (8, 8))), group=9),
            DatasetAnnotation("car", Polygon(((40, 1), (50, 1), (50, 9))), group=9),
        ])],
    )  # fmt: skip


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # pycocotools vs numpy 2
def test_masks_and_keypoints_written_are_read_by_pycocotools(tmp_path):
    dataset = mask_dataset()
    (path,) = COCO.write(dataset, tmp_path)
    doc = json.loads(path.read_text())
    person = next(c for c in doc["categories"] if c["name"] == "person")
    assert person["keypoints"] == ["nose", "left_eye", "right_eye"] and person["skeleton"] == [[1, 2], [1, 3]]
    assert len(doc["annotations"]) == 4  # box and keypoints are one record, the two polygon parts another
    coco = PyCOCO(str(path))
    mask_ann, crowd_ann, person_ann, parts_ann = coco.loadAnns(coco.getAnnIds(imgIds=[1]))
    assert isinstance(mask_ann["segmentation"]["counts"], str)  # compressed counts, as pycocotools writes them
    assert np.array_equal(coco.annToMask(mask_ann).astype(bool), dataset.items[0].annotations[0].shape.to_array())
    assert mask_ann["iscrowd"] == 0 and crowd_ann["iscrowd"] == 1 and "is_crowd" not in crowd_ann["attributes"]
    assert coco.annToMask(crowd_ann).sum() == 80 and mask_ann["area"] == 450 and mask_ann["bbox"] == [10, 5, 45, 30]
    assert person_ann["keypoints"] == [20, 10, 2, 18, 8, 1, 0, 0, 0] and person_ann["num_keypoints"] == 2
    assert person_ann["bbox"] == [12, 4, 16, 30]
    assert len(parts_ann["segmentation"]) == 2 and parts_ann["area"] == pytest.approx(24.5 + 40)
    # and back: the same shapes, labels, groups (renumbered) and the template
    again = COCO.read(tmp_path)
    assert again.issues == []
    before = dataset.items[0].annotations
    after = again.items[0].annotations
    def key(a):
        b = a.shape.bounds()
        return (a.label, a.shape.kind, b.x1, b.y1)

    assert [(a.label, a.shape) for a in sorted(after, key=key)] == [(a.label, a.shape) for a in sorted(before, key=key)]
    groups = {a.shape.kind: a.group for a in after if a.label == "person"}
    assert groups["box"] == groups["keypoints"] is not None
    template = again.label_defs["person"]
    assert list(template.keypoints) == person["keypoints"] and template.skeleton == ((0, 1), (0, 2))


def test_compressed_rle_strings_and_bad_rle_and_keypoints_are_reported(tmp_path):
    from core.shapes.mask import counts_to_string

    doc = copy.deepcopy(BASE)
    doc["categories"][1]["keypoints"] = ["a", "b"]
    doc["annotations"] = [
        {"id": 1, "image_id": 2, "category_id": 7, "segmentation": {"size": [20, 20], "counts": counts_to_string(
            [40, 20, 340])}, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 7, "segmentation": {"size": [20, 20], "counts": [1, 2]}},
        {"id": 3, "image_id": 2, "category_id": 7, "segmentation": {"size": [10, 10], "counts": [100]}},
        {"id": 4, "image_id": 2, "category_id": 7, "bbox": [1, 1, 4, 4], "keypoints": [1, 1, 2]},
        {"id": 5, "image_id": 2, "category_id": 7, "bbox": [1, 1, 4, 4], "keypoints": [1, 1, 7, 2, 2, 2]},
        {"id": 6, "image_id": 2, "category_id": 7, "bbox": [1, 1, 4, 4], "keypoints": [0, 0, 0, 0, 0, 0]},
    ]
    dataset = read_doc(tmp_path, doc)
    (mask, box4, box5, box6) = dataset.items[1].annotations
    assert mask.shape == Mask(20, 20, (40, 20, 340)) and mask.attributes == {}
    assert [b.shape for b in (box4, box5, box6)] == [Box(1, 1, 4, 4)] * 3  # keypoints problems keep the box
    assert messages(dataset) == [
        "instances.json: annotations[1]: RLE segmentation: mask: run lengths add up to 3, not 20 x 20 pixels",
        "instances.json: annotations[2]: mask is 10x10, not the 20x20 of its image; skipped",
        "instances.json: annotations[3]: 1 keypoints, but category 'person' names 2; skipped",
        "instances.json: annotations[4]: keypoints: point 0: visibility must be 0, 1 or 2, got 7; keypoints skipped",
    ]
