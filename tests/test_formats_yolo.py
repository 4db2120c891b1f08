"""YOLO (Ultralytics) reading and writing on real folders with real images: layouts, tasks, bad input, round trips."""

from dataclasses import astuple
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from core.formats import FORMATS, Dataset, DatasetAnnotation, DatasetItem, FormatError, get_format
from core.formats.yolo_export import label_path
from core.schema import Label
from core.shapes import Box, Keypoints, Mask, PointShape, Polygon, RotatedBox, Visibility

YOLO = get_format("yolo")


def image(path: Path, width: int, height: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full((height, width, 3), 90, np.uint8))
    return path


def text(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return path


def messages(dataset: Dataset) -> list[str]:
    return [str(i) for i in dataset.issues]


def shapes(dataset: Dataset) -> dict[str, list]:
    return {item.file_name: [(a.label, a.shape) for a in item.annotations] for item in dataset.items}


@pytest.fixture
def ultralytics(tmp_path) -> Path:
    root = tmp_path / "ds"
    image(root / "images" / "train" / "a.jpg", 200, 100)
    image(root / "images" / "train" / "empty.png", 30, 20)
    image(root / "images" / "val" / "b.png", 50, 40)
    text(root / "labels" / "train" / "a.txt", "0 0.5 0.5 0.2 0.2\n\n1 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3 0.05 0.2\n")
    text(root / "labels" / "val" / "b.txt", "1 0.5 0.5 1.0 1.0\n")
    text(root / "data.yaml",
         "path: ../datasets/ds\ntrain: images/train\nval: images/val\nnames:\n  0: car\n  1: person\n")
    return root


def test_all_variants_are_registered():
    assert {"yolo", "yolo-detect", "yolo-segment", "yolo-pose", "yolo-obb"} <= set(FORMATS)


def test_ultralytics_layout_with_data_yaml_reads_pixels_from_each_images_real_size(ultralytics):
    dataset = YOLO.read(ultralytics)
    assert dataset.labels == ["car", "person"]
    assert [(i.file_name, i.width, i.height) for i in dataset.items] == [
        ("images/train/a.jpg", 200, 100), ("images/train/empty.png", 30, 20), ("images/val/b.png", 50, 40)]
    assert shapes(dataset) == {
        "images/train/a.jpg": [
            ("car", Box(80, 40, 40, 20)),
            ("person", Polygon(((20, 10), (60, 10), (60, 30), (20, 30), (10, 20)))),
        ],
        "images/train/empty.png": [],  # no label file: a background image, still imported as a task
        "images/val/b.png": [("person", Box(0, 0, 50, 40))],
    }
    assert dataset.items[0].media_path == (ultralytics / "images" / "train" / "a.jpg").resolve()
    # Ultralytics' `path: ../datasets/ds` means its own datasets folder: the yaml's folder is used instead
    assert messages(dataset) == [f"data.yaml: path '../datasets/ds' is not a folder inside {ultralytics.resolve()}; "
                                 "splits are read from there"]


def test_flat_layout_with_classes_txt_and_no_yaml(tmp_path):
    image(tmp_path / "images" / "x.jpg", 100, 100)
    text(tmp_path / "labels" / "x.txt", "1 0.5 0.5 0.5 0.5\n")
    text(tmp_path / "classes.txt", "cat\ndog\n")
    dataset = YOLO.read(tmp_path)
    assert shapes(dataset) == {"images/x.jpg": [("dog", Box(25, 25, 50, 50))]}
    assert dataset.issues == []


def test_darknet_layout_labels_beside_images_and_a_labels_folder_next_to_images(tmp_path):
    image(tmp_path / "a" / "one.jpg", 10, 10)
    text(tmp_path / "a" / "one.txt", "0 0.5 0.5 0.2 0.2\n")
    image(tmp_path / "img" / "two.jpg", 20, 10)
    text(tmp_path / "labels" / "two.txt", "0 0.5 0.5 0.5 0.2\n")
    dataset = YOLO.read(tmp_path)
    assert shapes(dataset) == {"a/one.jpg": [("class_0", Box(4, 4, 2, 2))],
                               "img/two.jpg": [("class_0", Box(5, 4, 10, 2))]}
    assert messages(dataset) == [f"{tmp_path.name}: no class names (data.yaml names or classes.txt): labels are "
                                 "named class_0, class_1, ..."]


def test_a_yaml_with_names_as_a_list_and_a_split_listed_in_a_txt_file(tmp_path):
    image(tmp_path / "images" / "p.jpg", 10, 10)
    image(tmp_path.parent / "secret.jpg", 10, 10)
    text(tmp_path / "labels" / "p.txt", "0 0.5 0.5 0.2 0.2\n")
    text(tmp_path / "train.txt", "./images/p.jpg\nimages/missing.jpg\n../secret.jpg\n")
    text(tmp_path / "custom.yaml", "train: train.txt\nnames: [thing]\n")
    dataset = YOLO.read(tmp_path / "custom.yaml")
    assert shapes(dataset) == {"images/p.jpg": [("thing", Box(4, 4, 2, 2))]}
    assert messages(dataset) == ["train.txt:2: image 'images/missing.jpg' not found; skipped",
                                 "train.txt:3: '../secret.jpg' leads outside the dataset; not read"]


def test_bad_lines_are_reported_per_file_and_line_and_the_rest_is_read(ultralytics):
    text(ultralytics / "labels" / "train" / "a.txt", "\n".join([
        "0 0.5 0.5 0.2 0.2",
        "zero 0.5 0.5 0.2 0.2",
        "0.5 0.5 0.5 0.2 0.2",
        "0 0.5 0.5 0.2",
        "0 0.5 0.5 0.2 0.2 0.3",
        "7 0.5 0.5 0.2 0.2",
        "0 120 50 40 20",
        "0 0.9 0.5 0.4 0.2",
        "0 0.1 0.1 0.1 0.1 0.1 0.1",
        "1 0.1 0.1 0.5 0.5 0.1 0.5 0.5 0.1 0.3 0.9",
    ]))
    text(ultralytics / "labels" / "train" / "orphan.txt", "0 0.5 0.5 0.1 0.1\n")
    dataset = YOLO.read(ultralytics)
    got = [m for m in messages(dataset) if m.startswith("labels/")]
    assert got == [
        "labels/train/a.txt:2: not a line of numbers: 'zero 0.5 0.5 0.2 0.2'; skipped",
        "labels/train/a.txt:3: class '0.5' is not a class id; skipped",
        "labels/train/a.txt:4: 3 coordinates fit no YOLO task (expected 4 (box), 8 (OBB), an even count >= 6 "
        "(polygon)); skipped",
        "labels/train/a.txt:5: 5 coordinates fit no YOLO task (expected 4 (box), 8 (OBB), an even count >= 6 "
        "(polygon)); skipped",
        "labels/train/a.txt:6: class 7 is not in names (2 classes); imported as label 'class_7'",
        "labels/train/a.txt:8: box [140.0, 40.0, 80.0, 20.0] reaches outside the 200x100 image; clipped",
        "labels/train/a.txt:9: degenerate polygon (1 distinct vertices, area 0); skipped",
        "labels/train/a.txt:10: polygon crosses itself; kept as drawn",
        "labels/train/a.txt: coordinates not normalized on 1 lines (values up to 120; YOLO wants fractions 0-1 of "
        "the image size); those lines skipped",
        "labels/train/orphan.txt: no image for this label file; skipped",
    ]
    a = shapes(dataset)["images/train/a.jpg"]
    assert a[:3] == [("car", Box(80, 40, 40, 20)), ("class_7", Box(80, 40, 40, 20)), ("car", Box(140, 40, 60, 20))]
    assert a[3][0] == "person" and a[3][1].kind == "polygon"  # the self-crossing polygon is kept
    assert "class_7" in dataset.labels


def test_eight_numbers_are_oriented_boxes_unless_the_dataset_says_polygons(tmp_path):
    image(tmp_path / "images" / "o.png", 100, 100)
    text(tmp_path / "labels" / "o.txt", "0 0.2 0.1 0.6 0.1 0.6 0.3 0.2 0.3\n")
    obb = YOLO.read(tmp_path)
    (shape,) = [a.shape for a in obb.items[0].annotations]
    assert isinstance(shape, RotatedBox)
    assert (shape.cx, shape.cy, shape.w, shape.h, shape.angle) == pytest.approx((40, 20, 40, 20, 0))
    assert any("1 lines with 8 coordinates read as oriented boxes (OBB)" in m for m in messages(obb))
    segment = get_format("yolo-segment").read(tmp_path)
    assert segment.items[0].annotations[0].shape == Polygon(((20, 10), (60, 10), (60, 30), (20, 30)))
    text(tmp_path / "labels" / "o.txt",
         "0 0.2 0.1 0.6 0.1 0.6 0.3 0.2 0.3\n0 0.1 0.1 0.2 0.1 0.2 0.2 0.15 0.3 0.1 0.2\n")
    mixed = YOLO.read(tmp_path)
    assert [a.shape.kind for a in mixed.items[0].annotations] == ["polygon", "polygon"]


def test_pose_lines_give_a_box_and_keypoints_in_one_group_and_a_template(tmp_path):
    image(tmp_path / "images" / "p.jpg", 100, 50)
    text(tmp_path / "labels" / "p.txt", "0 0.5 0.5 0.4 0.4 0.5 0.4 2 0.6 0.5 1 0 0 0\n0 0.5 0.5 0.4 0.4 0.5 0.4 2\n")
    text(tmp_path / "data.yaml", "names: [person]\nkpt_shape: [3, 3]\n")
    dataset = YOLO.read(tmp_path)
    box, kps = dataset.items[0].annotations
    assert box.shape == Box(30, 15, 40, 20) and box.group == kps.group == 1
    assert kps.shape == Keypoints(((50, 20, Visibility.VISIBLE), (60, 25, Visibility.OCCLUDED),
                                   (0, 0, Visibility.SKIPPED)))
    assert dataset.label_defs["person"].keypoints == ("1", "2", "3")
    assert "labels/p.txt:2: 7 coordinates fit no YOLO task" in messages(dataset)[0]
    text(tmp_path / "data.yaml", "names: [person]\nkpt_shape: [2, 2]\n")
    text(tmp_path / "labels" / "p.txt", "0 0.5 0.5 0.4 0.4 0.5 0.4 0 0\n")
    (_, kps2) = YOLO.read(tmp_path).items[0].annotations
    assert kps2.shape.points == ((50, 20, Visibility.VISIBLE), (0, 0, Visibility.SKIPPED))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"data.yaml": "names: [a\n"}, "data.yaml: not valid YAML"),
        ({"data.yaml": "- just\n- a list\n"}, "not a YOLO data.yaml: expected a mapping"),
        ({"data.yaml": "names: 5\n"}, "names must be a list of class names or a mapping"),
        ({"data.yaml": "names: [a]\nkpt_shape: [17]\n"}, "kpt_shape must be [number of keypoints"),
        ({"labels/x.txt": "0 0.5 0.5 0.1 0.1\n"}, "no images found"),
    ],
)
def test_a_folder_that_is_not_a_yolo_dataset_is_refused_naming_the_file(tmp_path, files, expected):
    for name, content in files.items():
        text(tmp_path / name, content)
    if "data.yaml" in files:
        image(tmp_path / "images" / "x.jpg", 4, 4)
    with pytest.raises(FormatError, match=expected.replace("[", r"\[").replace("]", r"\]")) as info:
        YOLO.read(tmp_path)
    assert str(tmp_path) in str(info.value)
    with pytest.raises(FormatError, match="not a YOLO dataset folder"):
        YOLO.read(tmp_path / "absent")


def test_unreadable_images_and_label_files_are_reported_and_the_rest_is_read(tmp_path):
    image(tmp_path / "images" / "good.jpg", 10, 10)
    (tmp_path / "images" / "broken.jpg").write_bytes(b"not an image")
    text(tmp_path / "labels" / "broken.txt", "0 0.5 0.5 0.1 0.1\n")
    (tmp_path / "labels" / "good.txt").write_bytes(b"\xff\xfe\x00bad")
    dataset = YOLO.read(tmp_path)
    assert [i.file_name for i in dataset.items] == ["images/good.jpg"]
    assert any(m.startswith("images/broken.jpg: not a readable image") and m.endswith("its 1 labels are skipped")
               for m in messages(dataset))
    assert any(m.startswith("labels/good.txt: cannot read") for m in messages(dataset))


def round_trip_dataset() -> Dataset:
    return Dataset(
        labels=["car", "person"],
        items=[
            DatasetItem("sub/one.png", 200, 100, [
                DatasetAnnotation("car", Box(10, 20, 30, 40)),
                DatasetAnnotation("person", Polygon(((50, 10), (90, 15), (70, 60), (55, 40), (52, 30)))),
                DatasetAnnotation("car", RotatedBox(120, 50, 40, 20, 30)),
                DatasetAnnotation("person", Box(150, 10, 40, 60), group=5),
                DatasetAnnotation("person", Keypoints(((160, 20, Visibility.VISIBLE), (0, 0, Visibility.SKIPPED))),
                                  group=5),
                DatasetAnnotation("person", PointShape(3, 3)),
            ]),
            DatasetItem("two.png", 64, 64, []),
        ],
    )  # fmt: skip


@pytest.mark.parametrize("task", ["detect", "segment", "obb", "pose"])
def test_each_task_writes_what_it_holds_and_reads_back(tmp_path, task):
    dataset = round_trip_dataset()
    files = get_format(f"yolo-{task}").write(dataset, tmp_path)
    config = yaml.safe_load((tmp_path / "data.yaml").read_text())
    assert config["names"] == {0: "car", 1: "person"} and config["task"] == task
    assert config["path"] == str(tmp_path.resolve()) and config["train"] == config["val"] == "images"
    assert files[1:] == [tmp_path / "labels" / "sub" / "one.txt", tmp_path / "labels" / "two.txt"]
    assert (tmp_path / "labels" / "two.txt").read_text() == ""  # a background image
    for name, size in (("sub/one.png", (200, 100)), ("two.png", (64, 64))):
        image(tmp_path / "images" / name, *size)
    again = get_format(f"yolo-{task}").read(tmp_path)
    got = [(a.label, a.shape) for a in again.items[0].annotations]
    if task == "detect":
        assert [label for label, _ in got] == ["car", "person", "car", "person"]
        assert got[0][1] == Box(10, 20, 30, 40) and got[3][1] == Box(150, 10, 40, 60)
        expected = RotatedBox(120, 50, 40, 20, 30).bounds()
        assert np.allclose(astuple(got[2][1].bounds()), astuple(expected), atol=1e-3)
    elif task == "segment":
        assert [s.kind for _, s in got] == ["polygon"] * 4
        assert np.allclose(got[1][1].points, ((50, 10), (90, 15), (70, 60), (55, 40), (52, 30)))
    elif task == "obb":
        rotated = [s for _, s in got]
        assert [s.kind for s in rotated] == ["rotated_box"] * 4
        assert (rotated[2].cx, rotated[2].cy, rotated[2].w, rotated[2].h) == pytest.approx((120, 50, 40, 20), abs=1e-3)
        assert rotated[2].angle == pytest.approx(30, abs=1e-3)
    else:
        assert config["kpt_shape"] == [2, 3]
        (box, kps) = [s for _, s in got]
        assert kps.points == ((160, 20, Visibility.VISIBLE), (0, 0, Visibility.SKIPPED)) and box == Box(150, 10, 40, 60)
        assert again.items[0].annotations[0].group == again.items[0].annotations[1].group
    assert dataset.issues  # what each task could not hold is reported, never silently dropped


def test_plain_yolo_picks_the_task_from_the_shapes_and_reports_leftovers(tmp_path):
    dataset = Dataset(labels=["a"], items=[DatasetItem("x.png", 10, 10, [
        DatasetAnnotation("a", Box(1, 1, 2, 2)), DatasetAnnotation("a", PointShape(1, 1))])])  # fmt: skip
    YOLO.write(dataset, tmp_path / "d")
    assert yaml.safe_load((tmp_path / "d" / "data.yaml").read_text())["task"] == "detect"
    assert [str(i) for i in dataset.issues] == ["yolo-detect: point shapes left out (YOLO detect holds boxes) (1 "
                                                "annotations)"]
    masked = np.zeros((10, 10), bool)
    masked[2:6, 2:6] = True
    dataset.items[0].annotations.append(DatasetAnnotation("a", Mask.from_array(masked)))
    YOLO.write(dataset, tmp_path / "s")
    lines = (tmp_path / "s" / "labels" / "x.txt").read_text().splitlines()
    assert yaml.safe_load((tmp_path / "s" / "data.yaml").read_text())["task"] == "segment" and len(lines) == 2


def test_export_places_labels_where_ultralytics_looks_and_links_the_images(tmp_path):
    media = tmp_path / "media"
    image(media / "images" / "a.jpg", 20, 10)
    dataset = Dataset(labels=["a"], media_root=media, items=[
        DatasetItem("images/a.jpg", 20, 10, [DatasetAnnotation("a", Box(0, 0, 10, 10))])])  # fmt: skip
    out = tmp_path / "out"
    YOLO.write(dataset, out)
    exported = out / "images" / "a.jpg"  # a leading images/ is not doubled
    assert exported.is_file() and exported.read_bytes() == (media / "images" / "a.jpg").read_bytes()
    assert label_path(out, exported) == out / "labels" / "a.txt"
    assert (out / "labels" / "a.txt").read_text() == "0 0.25 0.5 0.5 1\n"
    dataset = YOLO.read(out)
    assert shapes(dataset) == {"images/a.jpg": [("a", Box(0, 0, 10, 10))]} and dataset.issues == []


def test_pose_template_length_comes_from_the_schema(tmp_path):
    person = Label("person", "#000000", keypoints=("a", "b", "c", "d"))
    dataset = Dataset(labels=["person"], label_defs={"person": person}, items=[DatasetItem("x.png", 10, 10, [
        DatasetAnnotation("person", Keypoints(((5, 5, Visibility.VISIBLE),)))])])  # fmt: skip
    get_format("yolo-pose").write(dataset, tmp_path)
    assert yaml.safe_load((tmp_path / "data.yaml").read_text())["kpt_shape"] == [4, 3]
    values = (tmp_path / "labels" / "x.txt").read_text().split()
    assert len(values) == 5 + 4 * 3 and values[5:8] == ["0.5", "0.5", "2"]
