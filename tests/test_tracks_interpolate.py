"""Interpolation between keyframes, one rule per shape kind (core/tracks/interpolate.py)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.geometry import nearest_edge, polygon_area
from core.shapes import (
    Box,
    Ellipse,
    Keypoints,
    Mask,
    PointShape,
    Polygon,
    Polyline,
    RotatedBox,
    Tag,
    Visibility,
)
from core.tracks import INTERPOLATORS, interpolate
from core.tracks.interpolate import lerp_angle

coord = st.floats(-1e4, 1e4, allow_nan=False)
size = st.floats(0, 1e3, allow_nan=False)
angle = st.floats(0, 359.999, allow_nan=False)
points = st.lists(st.tuples(coord, coord), min_size=3, max_size=9)


@st.composite
def keypoints(draw, count):
    return Keypoints(tuple((draw(coord), draw(coord), Visibility(draw(st.integers(0, 2)))) for _ in range(count)))


@st.composite
def masks(draw):
    bits = draw(st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=3, max_size=3))
    return Mask.from_array(np.array(bits, dtype=bool))


def shape_pairs():
    """Pairs of one kind, for every kind: the keyframes a track interpolates between."""
    def two(strategy):
        return st.tuples(strategy, strategy)

    return st.one_of(
        two(st.builds(Box, coord, coord, size, size)),
        two(st.builds(PointShape, coord, coord)),
        two(st.builds(RotatedBox, coord, coord, size, size, angle)),
        two(st.builds(Ellipse, coord, coord, size, size, angle)),
        st.integers(1, 5).flatmap(lambda n: two(keypoints(n))),
        two(points.map(lambda p: Polygon(tuple(p)))),
        two(points.map(lambda p: Polyline(tuple(p)))),
        two(masks()),
        st.just((Tag(), Tag())),
    )


@settings(max_examples=300, deadline=None)
@given(shape_pairs(), st.floats(0.0, 1.0))
def test_every_kind_starts_at_a_ends_at_b_and_keeps_its_kind(pair, t):
    a, b = pair
    assert interpolate(a, b, 0.0) is a
    assert interpolate(a, b, 1.0) is b
    mid = interpolate(a, b, t)
    assert mid.kind == a.kind
    assert all(math.isfinite(c) for p in mid.vertices() for c in p)


def test_box_point_and_ellipse_are_linear():
    assert interpolate(Box(0, 0, 10, 20), Box(10, 20, 30, 40), 0.25) == Box(2.5, 5, 15, 25)
    assert interpolate(PointShape(0, 0), PointShape(8, -4), 0.5) == PointShape(4, -2)
    assert interpolate(Ellipse(0, 0, 2, 4, 0), Ellipse(10, 10, 4, 8, 90), 0.5) == Ellipse(5, 5, 3, 6, 45)


def test_angles_go_the_short_way_round():
    mid = interpolate(RotatedBox(0, 0, 4, 2, 350), RotatedBox(10, 0, 8, 2, 10), 0.5)
    assert mid == RotatedBox(5, 0, 6, 2, 0)
    assert interpolate(RotatedBox(0, 0, 4, 2, 350), RotatedBox(0, 0, 4, 2, 10), 0.25).angle == pytest.approx(355)
    assert interpolate(RotatedBox(0, 0, 4, 2, 10), RotatedBox(0, 0, 4, 2, 350), 0.75).angle == pytest.approx(355)
    assert interpolate(Ellipse(0, 0, 4, 2, 300), Ellipse(0, 0, 4, 2, 20), 0.5).angle == pytest.approx(340)
    assert lerp_angle(90, 100, 0.5) == 95


@given(angle, angle, st.floats(0, 1))
def test_the_angle_never_turns_more_than_half_a_turn(a, b, t):
    turn = (b - a + 180) % 360 - 180
    got = lerp_angle(a, b, t)
    assert 0 <= got < 360
    assert abs((got - a + 180) % 360 - 180) <= abs(turn) + 1e-9


def test_keypoints_move_per_point_and_respect_visibility():
    v, o, s = Visibility.VISIBLE, Visibility.OCCLUDED, Visibility.SKIPPED
    a = Keypoints(((0, 0, v), (10, 10, o), (0, 0, s), (5, 5, v)))
    b = Keypoints(((10, 0, v), (20, 10, v), (7, 7, v), (0, 0, s)))
    mid = interpolate(a, b, 0.5)
    assert mid.points == (
        (5, 0, v),  # labeled in both: moves
        (15, 10, o),  # labeled in both: moves, with the earlier keyframe's flag until the next keyframe
        (0, 0, s),  # appears only at the keyframe where it is labeled, never slid from (0, 0)
        (5, 5, v),  # stays where it was until the keyframe that skips it
    )
    assert interpolate(a, b, 1.0).points[2] == (7, 7, v)


def test_keypoints_of_another_skeleton_are_carried():
    a = Keypoints(((0, 0, Visibility.VISIBLE),))
    assert interpolate(a, Keypoints.empty(3), 0.5) is a


def test_polygons_with_equal_counts_move_vertex_by_vertex():
    a = Polygon(((0, 0), (10, 0), (10, 10), (0, 10)))
    b = a.translated(10, 20)
    assert interpolate(a, b, 0.5) == a.translated(5, 10)


def on_outline(p, shape, closed):
    return nearest_edge(p, shape.points, closed=closed)[2] < 1e-6


@pytest.mark.parametrize("kind", [Polygon, Polyline])
def test_different_counts_resample_along_both_outlines(kind):
    closed = kind is Polygon
    a = kind(((0, 0), (10, 0), (10, 10), (0, 10)))
    b = kind(((0, 0), (5, -2), (10, 0), (12, 5), (10, 10), (0, 10)))
    near_a, near_b = interpolate(a, b, 1e-12), interpolate(a, b, 1 - 1e-12)
    assert len(near_a.points) == len(near_b.points) >= len(b.points)
    assert all(on_outline(p, a, closed) for p in near_a.points)  # each end keeps its own outline exactly
    assert all(on_outline(p, b, closed) for p in near_b.points)
    assert all(min(math.dist(v, p) for p in near_a.points) < 1e-6 for v in a.points)  # and its own vertices
    assert all(min(math.dist(v, p) for p in near_b.points) < 1e-6 for v in b.points)


def test_polyline_ends_go_to_ends():
    a = Polyline(((0, 0), (10, 0)))
    b = Polyline(((0, 10), (3, 10), (6, 10), (10, 10)))
    mid = interpolate(a, b, 0.5)
    assert mid.points[0] == pytest.approx((0, 5)) and mid.points[-1] == pytest.approx((10, 5))
    assert all(y == pytest.approx(5) for _, y in mid.points)


def test_polygon_start_and_direction_are_aligned_so_the_shape_does_not_collapse():
    square = ((0, 0), (10, 0), (10, 10), (0, 10))
    a = Polygon(square)
    b = Polygon(((10, 10), (10, 0), (5, 0), (0, 0), (0, 10)))  # the same square, reversed, started elsewhere
    mid = interpolate(a, b, 0.5)
    assert abs(polygon_area(mid.points)) == pytest.approx(100, rel=1e-3)
    assert all(on_outline(p, a, True) for p in mid.points)


def test_masks_and_tags_are_carried_from_the_earlier_keyframe():
    a = Mask.from_array(np.eye(4, dtype=bool))
    b = Mask.from_array(np.ones((4, 4), dtype=bool))
    assert interpolate(a, b, 0.5) is a
    assert interpolate(Tag(), Tag(), 0.5) == Tag()
    assert "mask" not in INTERPOLATORS


def test_different_kinds_carry_the_earlier_keyframe():
    a = Box(0, 0, 1, 1)
    assert interpolate(a, PointShape(5, 5), 0.5) is a


def test_huge_outlines_resample_without_the_cache():
    def circle(n, r):
        return Polygon(tuple((r * math.cos(2 * math.pi * i / n), r * math.sin(2 * math.pi * i / n)) for i in range(n)))

    a, b = circle(300, 10), circle(301, 20)
    for _ in range(2):
        mid = interpolate(a, b, 0.5)
        assert all(math.hypot(*p) == pytest.approx(15, rel=1e-2) for p in mid.points)
