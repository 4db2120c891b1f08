"""The checks every reader runs: self-crossing polygons (cheap), degenerate shapes, clipping at the image border."""

import math
import time

import numpy as np
import pytest

from core.formats.checks import checked_shape, self_intersects
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Tag, Visibility

STAR = [(math.cos(math.radians(90 + 144 * i)), math.sin(math.radians(90 + 144 * i))) for i in range(5)]


@pytest.mark.parametrize(
    ("points", "crosses"),
    [
        ([(0, 0), (10, 0), (10, 10), (0, 10)], False),
        ([(0, 0), (10, 10), (10, 0), (0, 10)], True),  # bow-tie
        (STAR, True),  # every turn the same way, yet it crosses itself: the convexity shortcut must not pass it
        ([(0, 0), (10, 0), (10, 5), (5, 5), (5, 10), (0, 10)], False),  # L shape: concave, simple
        ([(0, 0), (10, 0), (10, 10), (5, 10), (5, -2), (0, -2)], True),
        ([(0, 0), (4, 0), (4, 4), (2, 0.0), (0, 4)], False),  # touching at a vertex is not crossing
    ],
)
def test_self_intersection(points, crosses):
    assert self_intersects(points) is crosses


def test_the_crossing_check_is_cheap_for_big_polygons():
    angles = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    radius = 100 + 10 * np.sin(angles * 37)  # concave: skips the convex shortcut
    wavy = list(zip(radius * np.cos(angles), radius * np.sin(angles), strict=True))
    start = time.perf_counter()
    assert self_intersects(wavy) is False
    assert time.perf_counter() - start < 1.0


def test_degenerate_and_outside_shapes_are_skipped_and_reaching_out_ones_clipped():
    assert checked_shape(Polygon(((1, 1), (1, 1), (2, 2))), 10, 10) == (
        None, ["degenerate polygon (2 distinct vertices, area 0); skipped"])
    assert checked_shape(Polygon(((0, 0), (5, 5), (10, 10))), 10, 10)[0] is None
    bowtie = Polygon(((1, 1), (5, 1), (1, 5), (5, 5)))  # zero net area, but not degenerate
    assert checked_shape(bowtie, 10, 10) == (bowtie, ["polygon crosses itself; kept as drawn"])
    assert checked_shape(Polygon(((20, 20), (30, 20), (30, 30))), 10, 10) == (
        None, ["polygon has no area inside the 10x10 image; skipped"])
    assert checked_shape(Polyline(((-5, 5), (5, 5))), 10, 10) == (
        Polyline(((0, 5), (5, 5))), ["polyline reaches outside the 10x10 image; clipped"])
    assert checked_shape(Polyline(((1, 1), (1, 1))), 10, 10)[0] is None
    assert checked_shape(PointShape(11, 3), 10, 10) == (
        None, ["point (11, 3) lies outside the 10x10 image; skipped"])
    assert checked_shape(Box(2, 2, 0, 5), 10, 10) == (None, ["box [2, 2, 0, 5] has no area; skipped"])
    kept, notes = checked_shape(RotatedBox(9, 5, 4, 2, 30), 10, 10)
    assert kept == RotatedBox(9, 5, 4, 2, 30) and notes == [
        "rotated_box reaches outside the 10x10 image; kept (it cannot be clipped)"]
    assert checked_shape(Ellipse(50, 50, 2, 2), 10, 10) == (None, ["ellipse lies outside the 10x10 image; skipped"])
    kps = Keypoints(((12, 5, Visibility.VISIBLE), (0, 0, Visibility.SKIPPED)))
    assert checked_shape(kps, 10, 10) == (
        Keypoints(((10, 5, Visibility.VISIBLE), (0, 0, Visibility.SKIPPED))),
        ["keypoints reach outside the 10x10 image; clamped to its border"])
    assert checked_shape(Mask(5, 5, (25,)), 10, 10)[1] == ["mask is 5x5, not the 10x10 of its image; skipped"]
    assert checked_shape(Mask(10, 10, (100,)), 10, 10) == (None, ["mask is empty; skipped"])
    assert checked_shape(Tag(), 10, 10) == (Tag(), [])
