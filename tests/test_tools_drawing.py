"""Box and polygon tools driven by plain pointer and key events."""

from __future__ import annotations

import re

from test_tools_kit import HEIGHT, WIDTH, Session

from core.document import ChangeOp
from core.shapes import Box, Polygon
from tools.events import Button, Pointer
from tools.registry import TOOLS


def box_session(**kwargs: object) -> Session:
    s = Session(**kwargs)  # type: ignore[arg-type]
    s.editor.set_tool("box")
    return s


def polygon_session(**kwargs: object) -> Session:
    s = Session(**kwargs)  # type: ignore[arg-type]
    s.editor.set_tool("polygon")
    return s


def test_tools_are_one_table():
    assert set(TOOLS) == {
        "select",
        "box",
        "polygon",
        "polyline",
        "point",
        "rotated_box",
        "ellipse",
        "keypoints",
        "brush",
        "eraser",
        "segment",
    }
    assert all(cls.name == name for name, cls in TOOLS.items())


def test_drag_draws_a_box_with_current_label_attributes_and_author():
    s = box_session()
    s.editor.set_label("car")
    s.drag((10, 20), (50, 60), release=False)
    assert s.editor.overlay.drawing == Box(10, 20, 40, 40)
    assert s.editor.overlay.drawing_label == "car"
    assert s.editor.overlay.cursor == "crosshair"
    assert len(s.doc) == 0 and s.commits == []  # nothing stored while dragging
    s.editor.release(Pointer(50, 60))
    [a] = list(s.doc)
    assert a.shape == Box(10, 20, 40, 40)
    assert (a.label, a.attributes, a.author, a.source.is_model) == (
        "car",
        {"color": "red", "parked": False},
        "bob",
        False,
    )
    assert re.fullmatch(r"[0-9a-f]{32}", a.id)
    assert s.editor.selection == (a.id,)
    assert s.editor.tool == "box" and s.editor.overlay.drawing is None
    assert [[(c.op, c.annotation.id) for c in commit] for commit in s.commits] == [[(ChangeOp.UPSERT, a.id)]]


def test_drag_backwards_normalises_and_tool_keeps_drawing():
    s = box_session()
    s.drag((50, 60), (10, 20))
    s.drag((100, 10), (120, 30))
    assert s.shapes() == [Box(10, 20, 40, 40), Box(100, 10, 20, 20)]
    assert s.editor.selection == (s.doc.ids()[1],)


def test_click_move_click_draws_a_box():
    s = box_session()
    s.click(10, 10)
    assert len(s.doc) == 0
    s.editor.move(Pointer(30, 40))
    assert s.editor.overlay.drawing == Box(10, 10, 20, 30)  # preview follows the cursor
    s.click(30, 40)
    assert s.shapes() == [Box(10, 10, 20, 30)]


def test_a_click_alone_and_esc_leave_no_box_and_no_commit():
    s = box_session()
    s.click(10, 10)
    s.editor.move(Pointer(40, 40))
    assert s.key("Escape") is True
    assert s.editor.overlay.drawing is None
    s.editor.move(Pointer(60, 60))
    assert len(s.doc) == 0 and s.commits == []


def test_a_tiny_box_is_discarded():
    s = box_session(scale=10.0)  # 1.5 image px is a 15 screen px drag: past the threshold, but too small a box
    s.drag((10, 10), (11.5, 30))
    s.drag((10, 10), (30, 11.5))
    assert len(s.doc) == 0 and s.commits == []


def test_press_moving_less_than_threshold_is_a_click_not_a_drag():
    s = box_session(scale=1.0)
    s.drag((10, 10), (12, 11))  # 2.2 screen px < 3: a click, which starts click-move-click
    assert len(s.doc) == 0
    s.editor.move(Pointer(40, 40))
    assert s.editor.overlay.drawing == Box(10, 10, 30, 30)


def test_box_is_clamped_to_the_image():
    s = box_session()
    s.drag((-20, -10), (WIDTH + 50, HEIGHT + 50))
    assert s.shapes() == [Box(0, 0, WIDTH, HEIGHT)]


def test_a_label_that_forbids_boxes_draws_nothing():
    s = box_session()
    s.editor.set_label("road")  # polygons only
    s.drag((10, 10), (50, 50))
    assert len(s.doc) == 0 and s.commits == []


def test_right_button_does_not_draw():
    s = box_session()
    s.editor.press(Pointer(10, 10, Button.RIGHT))
    s.editor.move(Pointer(50, 50, Button.RIGHT))
    s.editor.release(Pointer(50, 50, Button.RIGHT))
    assert len(s.doc) == 0 and s.editor.overlay.drawing is None


def test_polygon_clicks_then_enter_closes():
    s = polygon_session()
    s.editor.set_label("road")
    for x, y in [(10, 10), (50, 10), (50, 50)]:
        s.click(x, y)
    s.editor.move(Pointer(10, 50))
    assert s.editor.overlay.drawing == Polygon(((10, 10), (50, 10), (50, 50), (10, 50)))  # cursor previews the edge
    assert s.editor.overlay.drawing_label == "road"
    assert len(s.doc) == 0 and s.commits == []
    assert s.key("Enter") is True
    [a] = list(s.doc)
    assert a.shape == Polygon(((10, 10), (50, 10), (50, 50)))
    assert (a.label, a.attributes) == ("road", {"lanes": 2})
    assert s.editor.selection == (a.id,) and s.editor.tool == "polygon"
    assert s.editor.overlay.drawing is None
    assert len(s.commits) == 1


def test_polygon_double_click_closes():
    s = polygon_session()
    s.click(10, 10)
    s.click(50, 10)
    s.click(50, 50)
    s.editor.double_click(Pointer(50, 50))  # Qt sends it instead of the second press
    s.editor.release(Pointer(50, 50))
    assert s.shapes() == [Polygon(((10, 10), (50, 10), (50, 50)))]


def test_polygon_closes_on_click_near_first_vertex():
    s = polygon_session(scale=2.0)  # 6 screen px = 3 image px
    for x, y in [(10, 10), (50, 10), (50, 50)]:
        s.click(x, y)
    s.editor.move(Pointer(12, 11))
    assert s.editor.overlay.cursor == "pointing"
    s.click(12, 11)
    assert s.shapes() == [Polygon(((10, 10), (50, 10), (50, 50)))]


def test_polygon_needs_three_vertices():
    s = polygon_session()
    s.click(10, 10)
    s.click(50, 10)
    assert s.key("Enter") is True  # handled (still drawing) but nothing is closed
    s.click(10, 11)  # near the first vertex, but with 2 vertices it is a new vertex
    assert len(s.doc) == 0
    assert s.editor.overlay.drawing == Polygon(((10, 10), (50, 10), (10, 11)))


def test_backspace_and_ctrl_z_remove_the_last_vertex_without_touching_the_doc():
    s = polygon_session()
    for x, y in [(10, 10), (50, 10), (50, 50), (30, 70)]:
        s.click(x, y)
    assert s.key("Backspace") is True
    assert s.key("z", ctrl=True) is True
    s.editor.move(Pointer(50, 10))
    assert s.editor.overlay.drawing == Polygon(((10, 10), (50, 10)))
    assert s.commits == []
    s.click(40, 40)
    s.key("Enter")
    assert s.shapes() == [Polygon(((10, 10), (50, 10), (40, 40)))]


def test_esc_cancels_the_whole_polygon():
    s = polygon_session()
    for x, y in [(10, 10), (50, 10), (50, 50)]:
        s.click(x, y)
    assert s.key("Escape") is True
    assert s.editor.overlay.drawing is None
    assert s.key("Enter") is False  # nothing left to close
    assert len(s.doc) == 0 and s.commits == []


def test_polygon_is_clamped_to_the_image():
    s = polygon_session()
    for x, y in [(-10, -10), (WIDTH + 10, 5), (50, HEIGHT + 30)]:
        s.click(x, y)
    s.key("Enter")
    assert s.shapes() == [Polygon(((0, 0), (WIDTH, 5), (50, HEIGHT)))]


def test_a_flat_polygon_is_discarded():
    s = polygon_session()
    for x, y in [(10, 10), (20, 20), (30, 30)]:
        s.click(x, y)
    s.key("Enter")
    assert len(s.doc) == 0 and s.commits == []


def test_switching_tool_cancels_drawing():
    s = polygon_session()
    s.click(10, 10)
    s.click(50, 10)
    s.editor.set_tool("select")
    s.editor.set_tool("polygon")
    assert s.editor.overlay.drawing is None
    assert "tool" in s.topics


def test_double_click_in_box_tool_counts_as_the_second_click():
    s = box_session()
    s.click(10, 10)
    s.editor.move(Pointer(40, 30))
    s.editor.double_click(Pointer(40, 30))
    s.editor.release(Pointer(40, 30))
    assert s.shapes() == [Box(10, 10, 30, 20)]
