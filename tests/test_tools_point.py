"""Point tool: one click, one point, one undo step."""

from __future__ import annotations

from test_tools_kit import HEIGHT, MORE, Session, check_undo_redo, content

from core.shapes import PointShape
from tools.events import Button, Pointer


def test_each_click_adds_one_point_clamped_to_the_image():
    s = Session()
    s.editor.set_tool("point")
    before = content(s.doc)
    s.click(10, 20)
    [a] = list(s.doc)
    assert a.shape == PointShape(10, 20) and s.editor.selection == (a.id,)
    check_undo_redo(s, before)
    s.click(30, HEIGHT + 50)
    assert s.shapes()[-1] == PointShape(30, HEIGHT)
    assert s.editor.tool == "point" and s.editor.overlay.cursor == "crosshair"


def test_double_click_places_one_point_and_right_button_none():
    s = Session()
    s.editor.set_tool("point")
    s.click(10, 20)
    s.editor.double_click(Pointer(10, 20))
    s.editor.release(Pointer(10, 20))
    s.editor.press(Pointer(40, 40, Button.RIGHT))
    assert s.shapes() == [PointShape(10, 20)]


def test_label_without_points_adds_nothing():
    s = Session(schema=MORE)
    s.editor.set_tool("point")
    s.editor.set_label("lane")
    s.click(10, 20)
    assert len(s.doc) == 0 and s.commits == []
