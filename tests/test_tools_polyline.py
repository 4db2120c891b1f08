"""Polyline tool: an open path from clicks; Enter or double-click finishes with at least 2 vertices."""

from __future__ import annotations

from test_tools_kit import MORE, Session, check_undo_redo, content

from core.shapes import Polygon, Polyline
from tools.events import Pointer


def polyline_session() -> Session:
    s = Session(schema=MORE)
    s.editor.set_tool("polyline")
    s.editor.set_label("lane")
    return s


def test_clicks_then_enter_draw_an_open_path_in_one_undo_step():
    s = polyline_session()
    before = content(s.doc)
    s.click(10, 10)
    s.click(50, 10)
    s.editor.move(Pointer(50, 60))
    assert s.editor.overlay.drawing == Polyline(((10, 10), (50, 10), (50, 60)))  # the cursor is the last vertex
    assert "Enter" in s.editor.overlay.hint
    s.click(50, 60)
    assert len(s.doc) == 0
    assert s.key("Enter")
    [a] = list(s.doc)
    assert a.shape == Polyline(((10, 10), (50, 10), (50, 60))) and a.label == "lane"
    assert s.editor.selection == (a.id,) and s.editor.overlay.drawing is None
    check_undo_redo(s, before)


def test_two_vertices_are_enough_and_double_click_finishes():
    s = polyline_session()
    s.click(10, 10)
    s.editor.press(Pointer(80, 20))
    s.editor.release(Pointer(80, 20))
    s.editor.double_click(Pointer(80, 20))
    assert s.shapes() == [Polyline(((10, 10), (80, 20)))]


def test_clicking_the_first_vertex_does_not_close_it_and_backspace_takes_one_back():
    s = polyline_session()
    for x, y in ((10, 10), (50, 10), (50, 50)):
        s.click(x, y)
    s.click(10, 10)  # a polygon would close here; a polyline takes it as a vertex
    assert s.key("Backspace")
    s.key("n")  # N finishes too
    assert s.shapes() == [Polyline(((10, 10), (50, 10), (50, 50)))]


def test_one_vertex_or_a_tiny_path_is_no_shape_and_esc_cancels():
    s = polyline_session()
    s.click(10, 10)
    assert s.key("Enter")
    assert len(s.doc) == 0  # still drawing with one vertex
    s.click(10.5, 10.5)
    s.key("Enter")
    assert len(s.doc) == 0  # shorter than 2 px: a slip
    s.click(10, 10)
    s.click(60, 60)
    assert s.key("Escape") and s.editor.overlay.drawing is None
    s.key("Enter")
    assert len(s.doc) == 0 and s.commits == []


def test_label_that_forbids_polylines_adds_nothing():
    s = polyline_session()
    s.editor.set_label("blob")  # masks and polygons only
    s.click(10, 10)
    s.click(60, 10)
    s.key("Enter")
    assert len(s.doc) == 0


def test_polygon_tool_still_closes_on_the_first_vertex():
    s = Session()
    s.editor.set_tool("polygon")
    for x, y in ((10, 10), (50, 10), (50, 50), (10, 10)):
        s.click(x, y)
    assert s.shapes() == [Polygon(((10, 10), (50, 10), (50, 50)))]
