"""Rotated box tool: drag (angle 0), three clicks (first edge sets the angle), rotation handle and rotation keys."""

from __future__ import annotations

import math

import pytest
from test_tools_kit import Session, ann, check_undo_redo, content

from core.shapes import RotatedBox
from tools.events import Pointer
from tools.select import ROTATE_HANDLE_PX


def rotated_session(*annotations, **kwargs) -> Session:
    s = Session(*annotations, **kwargs)
    s.editor.set_tool("rotated_box")
    return s


def close(a: RotatedBox, b: RotatedBox) -> bool:
    return all(math.isclose(x, y, abs_tol=1e-6) for x, y in zip(a.to_json(), b.to_json(), strict=True))


def test_drag_draws_an_axis_aligned_box_at_angle_zero_in_one_undo_step():
    s = rotated_session()
    before = content(s.doc)
    s.drag((10, 20), (50, 40), release=False)
    assert s.editor.overlay.drawing == RotatedBox(30, 30, 40, 20, 0.0) and len(s.doc) == 0
    s.editor.release(Pointer(50, 40))
    [a] = list(s.doc)
    assert a.shape == RotatedBox(30, 30, 40, 20, 0.0) and a.label == "car"
    assert s.editor.selection == (a.id,) and s.editor.tool == "rotated_box"
    check_undo_redo(s, before)


def test_three_clicks_set_edge_angle_then_height():
    s = rotated_session()
    s.click(20, 20)
    s.editor.move(Pointer(40, 40))
    edge = s.editor.overlay.drawing
    assert isinstance(edge, RotatedBox) and edge.h == 0 and math.isclose(edge.angle, 45)
    s.click(40, 40)  # the first edge: 45 degrees, length 20*sqrt(2)
    s.editor.move(Pointer(30, 50))
    assert isinstance(s.editor.overlay.drawing, RotatedBox) and len(s.doc) == 0
    s.click(30, 50)  # 20/sqrt(2) from the edge's line y = x, on the clockwise side
    [a] = list(s.doc)
    # centre: the edge's midpoint (30, 30) moved half the height along the edge's normal (-1, 1)/sqrt(2)
    assert close(a.shape, RotatedBox(25, 35, 20 * math.sqrt(2), 20 / math.sqrt(2), 45.0))
    assert len(s.commits) == 1  # three clicks, one shape, one commit


def test_a_second_click_on_the_first_is_not_an_edge_and_esc_cancels():
    s = rotated_session()
    s.click(20, 20)
    s.click(20.5, 20)
    s.editor.move(Pointer(60, 20))
    assert s.editor.overlay.drawing.h == 0  # still choosing the edge
    assert s.key("Escape") and s.editor.overlay.drawing is None
    s.click(70, 70)
    assert len(s.doc) == 0


def test_tiny_boxes_and_labels_without_rotated_boxes_add_nothing():
    s = rotated_session()
    s.drag((10, 10), (11, 40))
    assert len(s.doc) == 0
    s.editor.set_label("person")  # boxes only
    s.drag((10, 10), (50, 40))
    assert len(s.doc) == 0 and s.commits == []


def test_rotation_handle_drag_rotates_and_shift_snaps_to_15_degrees():
    box = ann(RotatedBox(100, 50, 40, 20, 0.0))
    s = Session(box)
    s.editor.select([box.id])
    s.editor.move(Pointer(100, 10))
    handle = s.editor.overlay.rotation_handle
    assert handle == pytest.approx((100, 40 - ROTATE_HANDLE_PX))
    assert s.editor.overlay.cursor == "pointing"
    before = content(s.doc)
    s.drag(handle, (140, 50), release=False)  # pointer straight right of the centre: 90 degrees
    assert s.editor.overlay.preview[box.id].shape.angle == pytest.approx(90)
    assert s.doc.get(box.id).shape.angle == 0  # only a preview until release
    s.editor.release(Pointer(140, 50))
    assert s.doc.get(box.id).shape == RotatedBox(100, 50, 40, 20, 90.0)
    check_undo_redo(s, before)
    s.drag(s.doc.get(box.id).shape.rotation_handle(ROTATE_HANDLE_PX), (140, 60), shift=True)
    assert s.doc.get(box.id).shape.angle == pytest.approx(105)  # atan 10/40 = 14 deg -> snapped to 15


def test_rotation_keys_turn_by_1_and_15_degrees_as_one_undo_step_per_burst():
    box = ann(RotatedBox(100, 50, 40, 20, 10.0))
    s = Session(box)
    s.editor.select([box.id])
    before = content(s.doc)
    assert s.key("]", ctrl=True) and s.key("]", ctrl=True) and s.key("[", ctrl=True, shift=True)
    assert s.doc.get(box.id).shape.angle == pytest.approx(360 + 10 + 1 + 1 - 15)
    check_undo_redo(s, before)  # the burst of three turns is one step
    s.editor.undo()
    assert s.key("[", ctrl=True)
    assert s.doc.get(box.id).shape.angle == pytest.approx(9)


def test_rotation_keys_leave_locked_and_unrotatable_shapes():
    box = ann(RotatedBox(100, 50, 40, 20, 0.0))
    locked = ann(RotatedBox(30, 30, 10, 10, 0.0))
    s = Session(box, locked)
    s.editor.select([locked.id])
    s.key("l")
    s.editor.select([box.id, locked.id])
    s.key("]", ctrl=True, shift=True)
    assert s.doc.get(box.id).shape.angle == 15 and s.doc.get(locked.id).shape.angle == 0
