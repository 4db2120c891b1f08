"""CVAT for images 1.1: Datumaro's project sample, schema mapping, masks, skeletons, rotation, bad input, round trip."""

import re
from pathlib import Path

import numpy as np
import pytest

from core.annotation import Source, SourceKind
from core.formats import Dataset, DatasetAnnotation, DatasetItem, FormatError, get_format
from core.schema import AttributeSpec, Label
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Tag, Visibility

CVAT = get_format("cvat")
SAMPLES = Path("/work/shared/data/format-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[1] / "shared" / "data" / "format-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="Datumaro format samples not available")

SKELETON_META = """<meta><task><labels>
  <label><name>person</name><type>skeleton</type><attributes/>
    <svg>&lt;line x1="1" data-type="edge" data-node-from="1" data-node-to="2"&gt;&lt;/line&gt;
    &lt;circle r="1.5" data-type="element node" data-element-id="1" data-node-id="1" data-label-name="nose"&gt;
    &lt;/circle&gt;&lt;circle r="1.5" data-type="element node" data-element-id="2" data-node-id="2"
    data-label-name="neck"&gt;&lt;/circle&gt;</svg></label>
  <label><name>nose</name><type>points</type><parent>person</parent></label>
  <label><name>neck</name><type>points</type><parent>person</parent></label>
  <label><name>car</name><attributes><attribute><name>speed</name><input_type>number</input_type>
    <default_value>5</default_value><values>0\n100\n1</values></attribute>
    <attribute><name>kind</name><input_type>radio</input_type><default_value>sedan</default_value>
    <values>sedan\nvan</values></attribute></attributes></label>
</labels></task></meta>"""


def read_xml(tmp_path: Path, body: str, meta: str = SKELETON_META) -> Dataset:
    path = tmp_path / "annotations.xml"
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version>{meta}{body}'
                    "</annotations>")
    return CVAT.read(tmp_path)


@needs_samples
def test_datumaro_project_sample_reads_schema_shapes_and_subset_folders():
    dataset = CVAT.read(SAMPLES / "cvat_images_project")
    assert dataset.labels == ["label1", "label2"] and len(dataset.items) == 6
    specs = {a.name: a for a in dataset.label_defs["label1"].attributes}
    assert specs["a1"] == AttributeSpec("a1", "checkbox", default=False)
    assert specs["a2"] == AttributeSpec("a2", "select", ("v1", "v2", "v3"), "v1")
    assert specs["a3"] == AttributeSpec("a3", "text", default="0000")
    assert specs["a4"] == AttributeSpec("a4", "number", default=0.0)  # bounds "2.4 1" cannot hold 0: dropped
    assert specs["occluded"].type == "checkbox"
    box, line = dataset.items[0].annotations
    assert (box.shape, box.z, box.attributes) == (Box(0, 2, 4, 2), 1, {"occluded": True, "a1": True, "a2": "v3",
                                                                      "a3": "0003", "a4": 2.4})
    assert line.shape == Polyline(((1, 2), (3, 4), (5, 6), (7, 8)))
    points = dataset.items[1].annotations[1:]
    assert [p.shape for p in points] == [PointShape(1, 2), PointShape(3, 4), PointShape(5, 6)]
    assert len({p.group for p in points}) == 1 and points[0].group is not None
    assert [i.media_dirs[0].name for i in dataset.items[::2]] == ["Test", "Train", "Validation"]
    assert (dataset.items[2].media_dirs[0] / "img0.jpg").is_file()
    assert [str(i) for i in dataset.issues] == [
        "annotations.xml: label 'label1' attribute[3]: number bounds ['2.4', '1'] do not hold the default '0'; "
        "bounds dropped"]


def test_masks_skeletons_rotation_ellipse_tags_and_typed_attributes(tmp_path):
    dataset = read_xml(tmp_path, """
      <image id="0" name="a.png" width="10" height="8">
        <mask label="car" source="auto" occluded="0" rle="1, 2, 3, 2" left="2" top="3" width="4" height="2"
              z_order="4" group_id="7"><attribute name="speed">42</attribute></mask>
        <skeleton label="person" z_order="0"><points label="nose" points="1,2" occluded="1" outside="0"/>
          <points label="neck" points="3,3" outside="1"/></skeleton>
        <box label="car" xtl="2" ytl="2" xbr="6" ybr="4" rotation="90"><attribute name="kind">van</attribute></box>
        <ellipse label="car" cx="5" cy="4" rx="2" ry="1" rotation="10"/>
        <tag label="car" source="manual"/>
      </image>""")
    mask, skeleton, rotated, ellipse, tag = dataset.items[0].annotations
    expected = np.zeros((8, 10), bool)
    expected[3, 3:5] = True  # row by row over the 4x2 box at (2, 3): 1 off, 2 on, 3 off, 2 on
    expected[4, 4:6] = True
    assert np.array_equal(mask.shape.to_array(), expected)
    assert (mask.group, mask.z, mask.source, mask.attributes) == (7, 4, Source(SourceKind.MODEL), {"speed": 42})
    assert skeleton.shape == Keypoints(((1, 2, Visibility.OCCLUDED), (0, 0, Visibility.SKIPPED)))
    assert dataset.label_defs["person"].keypoints == ("nose", "neck")
    assert dataset.label_defs["person"].skeleton == ((0, 1),)
    assert rotated.shape == RotatedBox(4, 3, 4, 2, 90) and rotated.attributes == {"kind": "van"}
    assert ellipse.shape == Ellipse(5, 4, 2, 1, 10) and tag.shape == Tag()
    assert {a.name: (a.minimum, a.maximum, a.default) for a in dataset.label_defs["car"].attributes}["speed"] == (
        0, 100, 5)
    assert "nose" not in dataset.labels  # skeleton sublabels are not labels of their own


def test_bad_shapes_and_images_are_reported_and_the_rest_is_read(tmp_path):
    dataset = read_xml(tmp_path, """
      <image id="0" name="a.png" width="10" height="8">
        <box label="car" xtl="x" ytl="2" xbr="6" ybr="4"/>
        <polygon label="car" points="1,2;3"/>
        <polygon label="car" points="1,1;5,1;1,5;5,5"/>
        <box label="" xtl="1" ytl="2" xbr="6" ybr="4"/>
        <cuboid label="car"/>
        <mask label="car" rle="1, 2" left="0" top="0" width="4" height="2"/>
        <skeleton label="person"><points label="elbow" points="1,1"/></skeleton>
        <box label="car" xtl="1" ytl="1" xbr="3" ybr="3"/>
      </image>
      <image id="1" name="b.png" width="0" height="8"><box label="car" xtl="1" ytl="1" xbr="3" ybr="3"/></image>
      <track id="0" label="car"/>""")
    assert [str(i) for i in dataset.issues] == [
        "annotations.xml: track: 1 tracks (CVAT for video) are not read",
        "annotations.xml: image[0] (a.png): <box>[0]: xtl 'x' is not a number; skipped",
        "annotations.xml: image[0] (a.png): <polygon>[1]: not enough values to unpack (expected 2, got 1); skipped",
        "annotations.xml: image[0] (a.png): <polygon>[2]: polygon crosses itself; kept as drawn",
        "annotations.xml: image[0] (a.png): <box>[3]: no label; skipped",
        "annotations.xml: image[0] (a.png): <cuboid>[4]: <cuboid> shapes are not supported; skipped",
        "annotations.xml: image[0] (a.png): <mask>[5]: mask rle does not cover its 4x2 box; skipped",
        "annotations.xml: image[0] (a.png): <skeleton>[6]: skeleton point 'elbow' is not in the label's template; "
        "skipped",
        "annotations.xml: image[1]: needs a name and a positive width and height; the image and its shapes are skipped",
    ]
    assert [a.shape.kind for a in dataset.items[0].annotations] == ["polygon", "box"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("<annotations>", "not well-formed XML"),
        ("<coco/>", "not a CVAT for images file (root element <coco>"),
        ('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><annotations>&x;</annotations>', "refused"),
    ],
)
def test_a_file_that_is_not_cvat_is_refused_naming_the_file(tmp_path, content, expected):
    (tmp_path / "annotations.xml").write_text(content)
    with pytest.raises(FormatError, match=re.escape(expected)) as info:
        CVAT.read(tmp_path)
    assert str(tmp_path / "annotations.xml") in str(info.value)
    with pytest.raises(FormatError, match=r"without annotations\.xml"):
        CVAT.read(tmp_path / "nothing")


def test_round_trip_keeps_every_kind_schema_groups_and_z(tmp_path):
    bits = np.zeros((20, 30), bool)
    bits[4:9, 10:17] = True
    bits[6, 20] = True
    person = Label("person", "#000000", keypoints=("nose", "neck", "hip"), skeleton=((0, 1), (1, 2)))
    car = Label("car", "#000000", attributes=(AttributeSpec("speed", "number", default=5, minimum=0, maximum=99),
                                              AttributeSpec("kind", "select", ("sedan", "van"), "sedan"),
                                              AttributeSpec("parked", "checkbox", default=False)))
    annotations = [
        DatasetAnnotation("car", Box(1, 2, 3, 4), {"occluded": True, "speed": 7, "kind": "van", "parked": True},
                          group=2, z=3),
        DatasetAnnotation("car", RotatedBox(15, 10, 10, 4, 30), source=Source(SourceKind.MODEL)),
        DatasetAnnotation("car", Polygon(((0, 0), (10, 0), (10, 10))), group=2),
        DatasetAnnotation("car", Polyline(((0, 0), (5, 5), (9, 2)))),
        DatasetAnnotation("car", PointShape(3, 4)),
        DatasetAnnotation("car", Ellipse(15, 10, 3, 2, 45)),
        DatasetAnnotation("car", Mask.from_array(bits), z=-1),
        DatasetAnnotation("person", Keypoints(((1, 1, Visibility.VISIBLE), (2, 2, Visibility.OCCLUDED),
                                               (0, 0, Visibility.SKIPPED)))),
        DatasetAnnotation("car", Tag()),
    ]
    dataset = Dataset(labels=["car", "person"], label_defs={"car": car, "person": person},
                      items=[DatasetItem("sub/a.png", 30, 20, annotations)])
    CVAT.write(dataset, tmp_path)
    again = CVAT.read(tmp_path)
    assert again.issues == [] and dataset.issues == []
    assert again.label_defs["person"].keypoints == person.keypoints
    assert again.label_defs["person"].skeleton == person.skeleton
    specs = {a.name: a for a in again.label_defs["car"].attributes}
    assert specs["speed"] == AttributeSpec("speed", "number", default=5, minimum=0, maximum=99)
    assert specs["kind"] == car.attributes[1] and specs["parked"] == car.attributes[2]
    (item,) = again.items
    assert (item.file_name, item.width, item.height) == ("sub/a.png", 30, 20)
    for before, after in zip(annotations, item.annotations, strict=True):
        assert after.shape == before.shape or np.allclose(after.shape.to_json(), before.shape.to_json())
        assert (after.label, after.attributes, after.group, after.z, after.source.kind) == (
            before.label, before.attributes, before.group, before.z, before.source.kind)
