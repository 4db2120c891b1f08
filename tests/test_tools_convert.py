"""Polygon-to-mask and mask-to-polygons as editor commands on the selection, one undo step each."""

from __future__ import annotations

import numpy as np
import pytest
from test_tools_kit import HEIGHT, MORE, WIDTH, Session, ann, check_undo_redo, content

from core.annotation import Annotation, new_id
from core.document import AnnotationDoc
from core.schema import LabelSchema
from core.shapes import Box, Mask, Polygon, RotatedBox, polygons_from_mask
from tools.editor import Editor


def two_blobs() -> Mask:
    pixels = np.zeros((HEIGHT, WIDTH), dtype=bool)
    pixels[10:30, 10:50] = True  # 800 px
    pixels[60:70, 100:110] = True  # 100 px
    return Mask.from_array(pixels)


def test_polygons_and_boxes_become_masks_keeping_id_label_attributes_and_group():
    square = ann(Polygon(((10, 10), (50, 10), (50, 30), (10, 30))), label="blob")
    box = ann(Box(100, 60, 10, 10), label="blob")
    turned = ann(RotatedBox(150, 50, 20, 10, 90), label="blob")
    lane = ann(Polygon(((0, 0), (5, 0), (5, 5))), label="car")
    s = Session(square, box, turned, lane, schema=MORE)
    s.editor.select([square.id, box.id, turned.id])
    s.editor.group_selected()
    before = content(s.doc)
    assert s.editor.polygons_to_mask() == 3
    converted = s.doc.get(square.id)
    assert isinstance(converted.shape, Mask) and converted.label == "blob" and converted.group == 1
    assert converted.shape.to_array()[10:30, 10:50].all() and converted.shape.area() == 800
    assert s.doc.get(box.id).shape.area() == 100
    assert s.doc.get(turned.id).shape.bounds() == pytest.approx(
        Mask.from_array(np.pad(np.ones((20, 10), bool), ((40, 40), (145, 45)))).bounds()
    )  # 90 degrees: 10 wide, 20 tall
    check_undo_redo(s, before)


def test_labels_that_forbid_masks_stay_polygons():
    only_polygons = LabelSchema.from_json({"labels": [{"name": "road", "shapes": ["polygon"]}]})
    road = Annotation(new_id(), 1, "road", Polygon(((10, 10), (50, 10), (50, 30))))
    doc = AnnotationDoc(1, [road])
    editor = Editor(doc, only_polygons, image_size=(WIDTH, HEIGHT))
    editor.select([road.id])
    assert editor.polygons_to_mask() == 0 and editor.masks_to_polygons() == 0
    assert not editor.can_undo()
    unsized = Editor(doc, only_polygons)
    unsized.select([road.id])
    with pytest.raises(ValueError, match="image size is unknown"):
        unsized.polygons_to_mask()


def test_a_mask_of_two_parts_becomes_two_grouped_polygons_in_one_undo_step():
    blob = ann(two_blobs(), label="blob")
    s = Session(blob, schema=MORE)
    s.editor.select([blob.id])
    before = content(s.doc)
    assert s.editor.masks_to_polygons() == 1
    kept = s.doc.get(blob.id)
    [part] = [a for a in s.doc if a.id != blob.id]
    assert isinstance(kept.shape, Polygon) and isinstance(part.shape, Polygon)
    assert kept.shape.area() > part.shape.area()  # the largest part keeps the id
    assert kept.group is not None and part.group == kept.group and part.label == "blob"
    assert sorted(round(a.shape.area()) for a in s.doc) == sorted(
        round(Polygon.from_points(p).area()) for p in polygons_from_mask(blob.shape)
    )
    check_undo_redo(s, before)
    s.key("z", ctrl=True)
    assert s.doc.ids() == [blob.id]


def test_mask_round_trip_through_polygons_is_pixel_exact_for_a_rectangle():
    square = ann(Polygon(((10, 10), (50, 10), (50, 30), (10, 30))), label="blob")
    s = Session(square, schema=MORE)
    s.editor.select([square.id])
    s.editor.polygons_to_mask()
    pixels = s.doc.get(square.id).shape.to_array()
    s.editor.masks_to_polygons()
    s.editor.polygons_to_mask()
    assert np.array_equal(s.doc.get(square.id).shape.to_array(), pixels)
    assert s.editor.masks_to_polygons() == 1 and isinstance(s.doc.get(square.id).shape, Polygon)
    assert len(s.doc) == 1
