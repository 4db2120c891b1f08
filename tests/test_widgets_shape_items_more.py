"""The graphics items of the shape kinds beyond box and polygon, built through the canvas's item table
(AnnotationGraphic) and checked on real renders (grab())."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QImage
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView

from core.annotation import Annotation, new_id
from core.shapes import Ellipse, Keypoints, Mask, PointShape, Polyline, RotatedBox, Tag, Visibility
from widgets import shape_items
from widgets.shape_items import AnnotationGraphic
from widgets.shape_items_more import ITEMS, KeypointsItem, MaskItem, mask_crop, register_items

W, H = 200, 120
RED = "#ff0000"


@pytest.fixture
def stage(qtbot, monkeypatch):
    """A white 200 x 120 scene shown 1:1, with the items of this module in the canvas's table."""
    table = dict(shape_items.SHAPE_ITEMS)
    register_items(table)
    monkeypatch.setattr(shape_items, "SHAPE_ITEMS", table)
    scene = QGraphicsScene(0, 0, W, H)
    scene.setBackgroundBrush(QBrush(QColor("white")))
    view = QGraphicsView(scene)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    view.setFixedSize(W, H)
    qtbot.addWidget(view)
    view.show()
    return scene, view


def show(stage, shape, color=RED):
    scene, _ = stage
    annotation = Annotation(new_id(), 1, "x", shape)
    graphic = AnnotationGraphic(scene, annotation, color, 1.0)
    graphic.tag.setVisible(False)  # the label tag is tested with the canvas; here only the shape's pixels count
    return graphic


def grab(stage) -> QImage:
    return stage[1].viewport().grab().toImage()


def is_white(image, x, y):
    return image.pixelColor(x, y) == QColor("white")


def reddish(image, x, y):
    c = image.pixelColor(x, y)
    return c.red() > 200 and c.green() < 200 and c.red() - c.green() > 40


def test_every_new_kind_is_registered():
    table = {}
    register_items(table)
    assert set(table) == {"rotated_box", "ellipse", "polyline", "point", "keypoints", "mask", "tag"} == set(ITEMS)


def test_rotated_box_is_drawn_turned(stage):
    show(stage, RotatedBox(100, 60, 100, 20, 90))  # 20 wide, 100 tall after the turn
    image = grab(stage)
    assert reddish(image, 100, 20) and reddish(image, 100, 100)  # inside the turned box
    assert is_white(image, 60, 60) and is_white(image, 140, 60)  # inside the unturned one only


def test_ellipse_and_its_angle(stage):
    graphic = show(stage, Ellipse(100, 60, 60, 20))
    image = grab(stage)
    assert reddish(image, 150, 60) and is_white(image, 100, 90)
    graphic.update(Annotation(graphic.annotation.id, 1, "x", Ellipse(100, 60, 60, 20, 90)), RED)
    image = grab(stage)
    assert reddish(image, 100, 100) and is_white(image, 150, 60)


def test_polyline_is_an_outline_never_filled(stage):
    show(stage, Polyline(((20, 20), (180, 20), (180, 100))))
    image = grab(stage)
    assert reddish(image, 100, 20) and reddish(image, 180, 60)
    assert is_white(image, 150, 40)  # inside the triangle the path would close


def test_point_keeps_its_screen_size_when_zoomed(stage):
    show(stage, PointShape(50, 50))
    image = grab(stage)
    assert reddish(image, 50, 50) and is_white(image, 50, 50 + 8)
    stage[1].scale(4, 4)
    stage[1].centerOn(50, 50)
    image = grab(stage)
    centre = stage[1].mapFromScene(50, 50)
    assert reddish(image, centre.x(), centre.y()) and is_white(image, centre.x(), centre.y() + 8)


def test_keypoints_draw_skeleton_edges_and_occluded_points_hollow(stage):
    points = Keypoints(((40, 60, Visibility.VISIBLE), (160, 60, Visibility.OCCLUDED), (0, 0, Visibility.SKIPPED)))
    graphic = show(stage, points)
    assert isinstance(graphic.item, KeypointsItem)
    image = grab(stage)
    assert is_white(image, 100, 60)  # no skeleton yet: no edge
    graphic.item.set_skeleton([(0, 1), (0, 2)])
    image = grab(stage)
    assert reddish(image, 100, 60)  # edge 0-1; edge 0-2 ends at a skipped point and is not drawn
    assert reddish(image, 40, 60)  # visible: filled
    assert reddish(image, 160, 56) and is_white(image, 160, 62)  # occluded: a ring, hollow inside
    assert is_white(image, 20, 30)  # nothing towards the skipped point at the origin


def test_mask_is_a_translucent_image_of_its_pixels_recoloured_without_decoding(stage, monkeypatch):
    pixels = np.zeros((H, W), dtype=bool)
    pixels[20:40, 30:60] = True
    pixels[80:100, 150:170] = True
    graphic = show(stage, Mask.from_array(pixels))
    image = grab(stage)
    inside = image.pixelColor(40, 30)
    assert inside.red() > 200 and 60 < inside.green() < 230  # red over white, translucent
    assert is_white(image, 100, 60) and is_white(image, 29, 30)  # between the parts and just outside
    assert image.pixelColor(160, 90) == inside
    calls = []
    monkeypatch.setattr("widgets.shape_items_more.mask_crop", lambda m: calls.append(m))
    graphic.set_state(selected=True)
    assert calls == []  # restyling does not decode the RLE again
    assert grab(stage).pixelColor(40, 30).green() < inside.green()  # a stronger fill when selected
    assert isinstance(graphic.item, MaskItem) and graphic.item.pen().style() == Qt.PenStyle.NoPen


def test_mask_crop_matches_a_full_decode():
    rng = np.random.default_rng(3)
    pixels = np.zeros((60, 80), dtype=bool)
    pixels[10:50, 5:70] = rng.random((40, 65)) > 0.5
    x0, y0, crop = mask_crop(Mask.from_array(pixels))
    rows, cols = np.nonzero(pixels)
    assert (x0, y0) == (cols.min(), rows.min())
    assert np.array_equal(crop, pixels[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1])
    assert mask_crop(Mask.from_array(np.zeros((5, 5), dtype=bool)))[2].size == 0


def test_tag_has_no_visible_item(stage):
    graphic = show(stage, Tag())
    graphic.tag.setVisible(True)
    assert not graphic.item.isVisible() and not graphic.tag.isVisible()
    image = grab(stage)
    assert all(is_white(image, x, y) for x in range(0, 60, 5) for y in range(0, 20, 5))


def test_items_follow_shape_updates(stage):
    graphic = show(stage, PointShape(20, 20))
    graphic.update(Annotation(graphic.annotation.id, 1, "x", PointShape(120, 80)), RED)
    image = grab(stage)
    assert reddish(image, 120, 80) and is_white(image, 20, 20)
