"""Rotated boxes, ellipses, polylines, points, keypoints, masks and tags: properties and COCO compatibility."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pycocotools import mask as coco_mask

from core.shapes import (
    Ellipse,
    Keypoints,
    Mask,
    PointShape,
    Polyline,
    RotatedBox,
    ShapeError,
    Tag,
    Visibility,
    mask_from_polygons,
    polygons_from_mask,
    shape_from_json,
)

coord = st.floats(-1e3, 1e3, allow_nan=False)
size = st.floats(0.5, 500)
angle = st.floats(0, 360, exclude_max=True)


@given(coord, coord, size, size, angle, st.integers(0, 3), coord, coord)
def test_rotated_box_corner_drag_keeps_the_opposite_corner_and_angle(cx, cy, w, h, a, corner, px, py):
    box = RotatedBox(cx, cy, w, h, a)
    opposite = box.vertices()[(corner + 2) % 4]
    resized = box.with_vertex(corner, (px, py))
    assert resized.angle == box.angle
    assert any(math.dist(opposite, v) < 1e-6 * (1 + abs(px) + abs(py) + abs(cx) + abs(cy)) for v in resized.vertices())


@given(coord, coord, size, size, angle)
def test_rotated_box_contains_its_centre_and_its_corners_lie_in_its_bounds(cx, cy, w, h, a):
    box = RotatedBox(cx, cy, w, h, a)
    assert box.contains((cx, cy))
    b = box.bounds()
    assert all(b.contains(v, 1e-6) for v in box.vertices())
    assert math.isclose(RotatedBox.from_corners(list(box.vertices())).area(), box.area(), rel_tol=1e-6)


@given(coord, coord, size, size, angle, st.floats(0, 2 * math.pi))
def test_ellipse_perimeter_points_are_inside_its_bounds(cx, cy, rx, ry, a, t):
    e = Ellipse(cx, cy, rx, ry, a)
    c, s = math.cos(math.radians(a)), math.sin(math.radians(a))
    lx, ly = rx * math.cos(t), ry * math.sin(t)
    p = (cx + lx * c - ly * s, cy + lx * s + ly * c)
    assert e.bounds().contains(p, 1e-6)
    assert e.contains(p, 1e-6) and not e.contains((cx + 2 * (rx + ry) + 1, cy))


def test_ellipse_axis_handles_change_one_radius():
    e = Ellipse(10, 10, 5, 3, 0)
    assert e.with_vertex(0, (18, 10)).rx == 8 and e.with_vertex(1, (10, 14)).ry == 4


def test_polyline_and_point_hit_only_near_their_lines():
    line = Polyline.from_json([0, 0, 10, 0, 10, 10])
    assert line.contains((5, 0.5), 1) and not line.contains((5, 5), 1)
    assert line.with_inserted(0, (5, -2)).points[1] == (5, -2)
    assert Polyline.from_json([0, 0, 1, 1]).without_vertex(0) is None
    assert PointShape(3, 4).contains((3.5, 4), 1) and not PointShape(3, 4).contains((6, 4), 1)
    with pytest.raises(ShapeError, match="at least 2"):
        Polyline.from_json([0, 0])


def test_keypoints_keep_visibility_and_skip_unlabeled_points():
    k = Keypoints.from_json([10, 10, 2, 0, 0, 0, 20, 30, 1])
    assert k.count_labeled() == 2 and k.bounds().width == 10 and k.bounds().height == 20
    placed = k.with_vertex(1, (15, 15))
    assert placed.points[1] == (15, 15, Visibility.VISIBLE)
    assert placed.with_visibility(0, Visibility.SKIPPED).points[0] == (0.0, 0.0, Visibility.SKIPPED)
    assert k.translated(1, 1).points[1] == (0, 0, Visibility.SKIPPED)
    assert shape_from_json("keypoints", k.to_json()) == k
    with pytest.raises(ShapeError, match="visibility"):
        Keypoints.from_json([1, 1, 3])


@settings(max_examples=60)
@given(arrays(np.bool_, st.tuples(st.integers(1, 12), st.integers(1, 12))))
def test_mask_rle_matches_pycocotools(array):
    mask = Mask.from_array(array)
    theirs = coco_mask.encode(np.asfortranarray(array.astype(np.uint8)))
    assert mask.to_json()["counts"] == theirs["counts"].decode()
    assert (Mask.from_json(mask.to_json()).to_array() == array).all()
    assert (Mask.from_json({"size": list(array.shape), "counts": list(mask.counts)}).to_array() == array).all()
    assert mask.area() == array.sum()
    ys, xs = np.nonzero(array)
    b = mask.bounds()
    if xs.size:
        assert (b.x1, b.y1, b.x2, b.y2) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
        assert mask.contains((xs[0] + 0.5, ys[0] + 0.5))


def test_mask_polygon_round_trip_is_pixel_exact_for_solid_blobs():
    array = np.zeros((40, 50), bool)
    array[5:20, 8:30] = True
    array[10:35, 35:45] = True
    polygons = polygons_from_mask(Mask.from_array(array))
    assert len(polygons) == 2
    assert (mask_from_polygons(polygons, 50, 40).to_array() == array).all()
    box = mask_from_polygons([[(8, 5), (30, 5), (30, 20), (8, 20)]], 50, 40)
    expected = np.zeros((40, 50), bool)
    expected[5:20, 8:30] = True
    assert (box.to_array() == expected).all()


def test_mask_translation_and_bad_payloads():
    array = np.zeros((10, 10), bool)
    array[2:4, 2:4] = True
    moved = Mask.from_array(array).translated(3, -1).to_array()
    assert moved[1:3, 5:7].all() and moved.sum() == 4
    for bad, message in (([1, 2], "expected"), ({"size": [2, 2], "counts": [1, 1]}, "add up"),
                         ({"size": [2, "x"], "counts": "0"}, "size")):
        with pytest.raises(ShapeError, match=message):
            Mask.from_json(bad)


def test_tag_has_no_geometry():
    assert shape_from_json("tag", []) == Tag() and Tag().area() == 0 and not Tag().contains((0, 0))
