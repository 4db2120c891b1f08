"""Geometry helpers and shapes, checked with hand-made cases and Hypothesis properties."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.geometry import (
    Rect,
    clamp_delta,
    is_simple_polygon,
    nearest_edge,
    point_in_polygon,
    polygon_area,
    signed_area,
)
from core.shapes import Box, Polygon, ShapeError, shape_from_json

coord = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
point = st.tuples(coord, coord)
polygon_points = st.lists(point, min_size=3, max_size=12)


def test_unit_square_area_and_containment():
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    assert polygon_area(square) == 4.0
    assert signed_area(square) > 0  # clockwise on screen (y down)
    assert point_in_polygon((1, 1), square)
    assert not point_in_polygon((3, 1), square)


@given(polygon_points, coord, coord)
def test_area_is_invariant_under_translation(points, dx, dy):
    moved = [(x + dx, y + dy) for x, y in points]
    assert math.isclose(polygon_area(points), polygon_area(moved), rel_tol=1e-6, abs_tol=1e-3)


@given(polygon_points)
def test_reversing_vertices_flips_the_sign_only(points):
    assert math.isclose(signed_area(points), -signed_area(points[::-1]), rel_tol=1e-9, abs_tol=1e-6)


@given(polygon_points)
def test_polygon_area_never_exceeds_its_bounding_box(points):
    assert polygon_area(points) <= Rect.around(points).area * (1 + 1e-9) + 1e-6


@given(point, point, point)
def test_nearest_edge_point_is_no_farther_than_any_vertex(p, a, b):
    _, q, d = nearest_edge(p, [a, b], closed=False)
    assert d <= min(math.dist(p, a), math.dist(p, b)) + 1e-6
    assert math.isclose(d, math.dist(p, q), abs_tol=1e-6)


@given(st.tuples(coord, coord, st.floats(0, 1e3), st.floats(0, 1e3)), point)
def test_box_contains_matches_its_rect(box_values, p):
    box = Box(*box_values)
    r = box.rect()
    assert box.contains(p) == (r.x1 <= p[0] <= r.x2 and r.y1 <= p[1] <= r.y2)


@given(st.tuples(coord, coord, st.floats(0, 1e3), st.floats(0, 1e3)), st.integers(0, 3), point)
def test_dragging_a_box_corner_keeps_the_opposite_corner(box_values, corner, p):
    box = Box(*box_values)
    opposite = box.vertices()[(corner + 2) % 4]
    resized = box.with_vertex(corner, p)
    assert resized.w >= 0 and resized.h >= 0
    assert any(math.isclose(opposite[0], v[0], abs_tol=1e-6) and math.isclose(opposite[1], v[1], abs_tol=1e-6)
               for v in resized.vertices())


@given(st.tuples(st.floats(0, 500), st.floats(0, 500), st.floats(1, 100), st.floats(1, 100)), coord, coord)
def test_clamped_move_keeps_a_box_inside_the_image(box_values, dx, dy):
    box = Box(*box_values)
    assume(box.rect().x2 <= 640 and box.rect().y2 <= 640)
    cdx, cdy = clamp_delta(box.bounds(), dx, dy, 640, 640)
    moved = box.translated(cdx, cdy).rect()
    assert moved.x1 >= -1e-6 and moved.x2 <= 640 + 1e-6 and moved.y1 >= -1e-6 and moved.y2 <= 640 + 1e-6


@given(polygon_points)
def test_shapes_survive_a_json_round_trip(points):
    poly = Polygon.from_points(points)
    assert shape_from_json("polygon", poly.to_json()) == poly


def test_self_intersecting_polygon_is_detected():
    bowtie = [(0, 0), (2, 2), (2, 0), (0, 2)]
    assert not is_simple_polygon(bowtie)
    assert is_simple_polygon([(0, 0), (2, 0), (2, 2), (0, 2)])


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("box", [1, 2, 3], r"expected \[x, y, w, h\]"),
        ("box", [0, 0, -1, 2], "must not be negative"),
        ("box", [0, 0, float("nan"), 2], "finite"),
        ("polygon", [0, 0, 1, 1], "at least 3 vertices"),
        ("polygon", [0, 0, 1, 1, 2], "odd count"),
        ("polygon", "0,0,1,1", "expected a list"),
        ("ellipse-ish", [], "unknown shape type"),
    ],
)
def test_bad_geometry_is_refused_with_a_reason(kind, data, message):
    with pytest.raises(ShapeError, match=message):
        shape_from_json(kind, data)


def test_polygon_vertex_edits_keep_at_least_three_vertices():
    tri = Polygon.from_points([(0, 0), (4, 0), (0, 4)])
    quad = tri.with_inserted(0, (2, -1))
    assert quad.points[1] == (2, -1) and len(quad.points) == 4
    assert quad.without_vertex(1) == tri
    assert tri.without_vertex(0) is None
