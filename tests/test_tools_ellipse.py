"""Ellipse tool: drag from the centre; Shift makes a circle through the pointer."""

from __future__ import annotations

import pytest
from test_tools_kit import MORE, Session, check_undo_redo, content

from core.shapes import Ellipse
from tools.events import Pointer


def ellipse_session(**kwargs) -> Session:
    s = Session(**kwargs)
    s.editor.set_tool("ellipse")
    return s


def test_drag_from_the_centre_draws_an_ellipse_in_one_undo_step():
    s = ellipse_session()
    before = content(s.doc)
    s.drag((100, 50), (130, 30), release=False)
    assert s.editor.overlay.drawing == Ellipse(100, 50, 30, 20)
    assert len(s.doc) == 0
    s.editor.release(Pointer(130, 30))
    [a] = list(s.doc)
    assert a.shape == Ellipse(100, 50, 30, 20) and s.editor.selection == (a.id,)
    check_undo_redo(s, before)


def test_shift_draws_a_circle_and_click_move_click_works_too():
    s = ellipse_session()
    s.drag((100, 50), (130, 90), shift=True)
    assert s.shapes() == [Ellipse(100, 50, 50, 50)]  # radius = distance to the pointer (3-4-5)
    s.click(20, 20)
    s.editor.move(Pointer(26, 28, shift=True))
    assert s.editor.overlay.drawing == Ellipse(20, 20, 10, 10)
    s.click(26, 28, shift=True)
    assert s.shapes()[-1] == Ellipse(20, 20, 10, 10)


def test_flat_ellipses_are_slips_and_labels_are_respected():
    s = ellipse_session()
    s.drag((100, 50), (140, 50.5))
    assert len(s.doc) == 0
    m = ellipse_session(schema=MORE)
    m.editor.set_label("lane")
    m.drag((100, 50), (130, 30))
    assert len(m.doc) == 0


def test_ellipse_angle_turns_with_the_rotation_keys():
    s = ellipse_session()
    s.drag((100, 50), (130, 30))
    s.editor.set_tool("select")
    s.key("]", ctrl=True, shift=True)
    assert s.shapes()[0].angle == pytest.approx(15)
