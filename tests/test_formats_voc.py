"""Pascal VOC: Datumaro's sample, 1-based pixel coordinates, per-file errors, safe XML, round trip."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from core.formats import Dataset, DatasetAnnotation, DatasetItem, FormatError, get_format
from core.shapes import Box, Polygon, Tag

VOC = get_format("voc")
SAMPLES = Path("/work/shared/data/format-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[1] / "shared" / "data" / "format-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="Datumaro format samples not available")


def annotation_xml(objects: str, size: str = "<size><width>20</width><height>10</height></size>") -> str:
    return f"<annotation><filename>a.jpg</filename>{size}{objects}</annotation>"


def obj(name: str, box: tuple, extra: str = "") -> str:
    xmin, ymin, xmax, ymax = box
    return (f"<object><name>{name}</name>{extra}<bndbox><xmin>{xmin}</xmin><ymin>{ymin}</ymin>"
            f"<xmax>{xmax}</xmax><ymax>{ymax}</ymax></bndbox></object>")


@needs_samples
def test_datumaro_sample_reads_boxes_flags_parts_and_listed_images():
    dataset = VOC.read(SAMPLES / "voc_dataset1")
    assert [(i.file_name, i.width, i.height) for i in dataset.items] == [
        ("2007_000001.jpg", 20, 10), ("2007_000002.jpg", 20, 10)]  # the second is only listed in test.txt
    cat, person, head = dataset.items[0].annotations
    assert (cat.label, cat.shape) == ("cat", Box(0, 1, 3, 3))  # xmin 1..xmax 3 are pixels 0, 1 and 2
    assert cat.attributes == {"truncated": True, "difficult": False, "pose": "Unspecified"}
    assert (head.label, head.shape, head.group) == ("head", Box(4.5, 5, 3, 3), person.group)
    assert person.group is not None and person.attributes["phoning"] is True
    assert [a.name for a in dataset.label_defs["cat"].attributes] == ["truncated", "difficult", "occluded"]
    assert (dataset.items[0].media_dirs[0] / "2007_000001.jpg").is_file()
    assert dataset.issues == []


def test_one_pixel_box_and_round_trip_keep_whole_pixel_boxes(tmp_path):
    dataset = Dataset(labels=["a"], items=[DatasetItem("sub/x.png", 30, 20, [
        DatasetAnnotation("a", Box(0, 0, 1, 1), {"difficult": True, "occluded": True, "note": "x"}),
        DatasetAnnotation("a", Box(10, 5, 20, 15)),
        DatasetAnnotation("a", Polygon(((2, 2), (6, 2), (6, 9)))),
        DatasetAnnotation("a", Tag()),
    ])])  # fmt: skip
    files = VOC.write(dataset, tmp_path)
    assert files == [tmp_path / "Annotations" / "sub" / "x.xml", tmp_path / "ImageSets" / "Main" / "default.txt"]
    xml = files[0].read_text()
    assert "<xmin>1</xmin>" in xml and "<xmax>1</xmax>" in xml and "<xmax>30</xmax>" in xml
    assert (tmp_path / "ImageSets" / "Main" / "default.txt").read_text() == "sub/x\n"
    assert [str(i) for i in dataset.issues] == [
        "voc: polygon shapes written as their bounding boxes (1 annotations)",
        "voc: tag shapes left out (VOC holds boxes) (1 annotations)",
    ]
    again = VOC.read(tmp_path)
    assert [(a.label, a.shape) for a in again.items[0].annotations] == [
        ("a", Box(0, 0, 1, 1)), ("a", Box(10, 5, 20, 15)), ("a", Box(2, 2, 4, 7))]
    assert again.items[0].annotations[0].attributes == {
        "truncated": False, "difficult": True, "occluded": True, "pose": "Unspecified", "note": "x"}


def test_a_broken_file_is_reported_and_the_others_are_read(tmp_path):
    ann = tmp_path / "Annotations"
    ann.mkdir()
    (ann / "1.xml").write_text(annotation_xml(obj("car", (1, 1, 5, 5)) + obj("car", (30, 1, 40, 5))))
    (ann / "2.xml").write_text("<annotation><filename>b.jpg</filename>")
    (ann / "3.xml").write_text("<other/>")
    bad = obj("", (1, 1, 2, 2)) + obj("x", ("a", 1, 2, 2)) + obj("y", (5, 5, 2, 2))
    (ann / "4.xml").write_text(annotation_xml(bad))
    (ann / "5.xml").write_text(annotation_xml("", size=""))
    (ann / "6.xml").write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "boom">]><annotation>&e;</annotation>')
    dataset = VOC.read(tmp_path)
    got = [str(i) for i in dataset.issues]
    assert got[0] == "Annotations/1.xml: object[1]: box [29.0, 0.0, 11.0, 5.0] lies outside the 20x10 image; skipped"
    assert got[1].startswith("Annotations/2.xml: not well-formed XML") and got[1].endswith("; file skipped")
    assert got[2] == "Annotations/3.xml: not a VOC annotation (root element <other>); file skipped"
    assert got[3:6] == [
        "Annotations/4.xml: object[0]: <name> is missing or empty; skipped",
        "Annotations/4.xml: object[1]: <bndbox> needs numbers xmin, ymin, xmax and ymax; skipped",
        "Annotations/4.xml: object[2]: bndbox (5, 5, 2, 2) has max below min; skipped",
    ]
    assert got[6] == "Annotations/5.xml: <size> is missing or not positive and 'a.jpg' cannot be read; file skipped"
    assert got[7].startswith("Annotations/6.xml: refused: the XML declares a DTD or entities")
    assert [(a.label, a.shape) for a in dataset.items[0].annotations] == [("car", Box(0, 0, 5, 5))]


def test_missing_size_is_read_from_the_image_and_missing_folders_are_refused(tmp_path):
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations" / "a.xml").write_text(annotation_xml(obj("car", (1, 1, 2, 2)), size=""))
    (tmp_path / "JPEGImages").mkdir()
    assert cv2.imwrite(str(tmp_path / "JPEGImages" / "a.jpg"), np.zeros((12, 34, 3), np.uint8))
    (item,) = VOC.read(tmp_path).items
    assert (item.width, item.height) == (34, 12)
    with pytest.raises(FormatError, match="no VOC annotation files"):
        VOC.read(tmp_path / "JPEGImages")
    with pytest.raises(FormatError, match="no such file or folder"):
        VOC.read(tmp_path / "nope")
