"""Keypoints tool (skeleton template of the current label) and keypoint editing in the select tool."""

from __future__ import annotations

from test_tools_kit import MORE, Session, ann, check_undo_redo, content

from core.shapes import Keypoints, Visibility
from tools.events import Pointer

V, OCC, S = Visibility.VISIBLE, Visibility.OCCLUDED, Visibility.SKIPPED


def keypoints_session(*annotations) -> Session:
    s = Session(*annotations, schema=MORE)
    s.editor.set_tool("keypoints")
    s.editor.set_label("person")
    return s


def test_clicks_place_points_in_template_order_and_the_last_one_commits():
    s = keypoints_session()
    before = content(s.doc)
    assert s.editor.overlay.keypoint_next == "nose" and "1/3" in s.editor.overlay.hint
    s.click(50, 50)
    assert s.editor.overlay.keypoint_next == "left_eye"
    assert s.editor.overlay.drawing == Keypoints(((50, 50, V), (0, 0, S), (0, 0, S)))
    assert s.editor.overlay.drawing_label == "person"
    s.click(40, 40, shift=True)  # occluded
    assert len(s.doc) == 0
    s.click(60, 40)
    [a] = list(s.doc)
    assert a.shape == Keypoints(((50, 50, V), (40, 40, OCC), (60, 40, V)))
    assert a.label == "person" and s.editor.selection == (a.id,) and len(s.commits) == 1
    assert s.editor.overlay.keypoint_next == "nose"  # ready for the next person
    check_undo_redo(s, before)


def test_skip_key_toggle_occluded_and_backspace():
    s = keypoints_session()
    s.click(50, 50)
    assert s.key("q")  # the last placed point (nose) becomes occluded
    assert s.editor.overlay.drawing.points[0][2] == OCC
    s.key("q")
    assert s.editor.overlay.drawing.points[0][2] == V
    s.click(40, 40)
    assert s.key("Backspace")  # takes the left eye back
    assert s.editor.overlay.keypoint_next == "left_eye"
    assert s.key("s")  # skip the left eye
    assert s.editor.overlay.keypoint_next == "right_eye"
    s.click(60, 40)
    assert s.shapes() == [Keypoints(((50, 50, V), (0, 0, S), (60, 40, V)))]


def test_enter_finishes_early_and_all_skipped_is_no_shape():
    s = keypoints_session()
    s.click(50, 50)
    assert s.key("Enter")
    assert s.shapes() == [Keypoints(((50, 50, V), (0, 0, S), (0, 0, S)))]
    for _ in range(3):
        s.key("s")
    assert len(s.doc) == 1 and len(s.commits) == 1


def test_esc_cancels_and_a_label_without_a_template_places_nothing():
    s = keypoints_session()
    s.click(50, 50)
    assert s.key("Escape")
    assert s.editor.overlay.drawing is None and s.editor.overlay.keypoint_next == "nose"
    s.editor.set_label("car")  # no keypoint template
    s.click(10, 10)
    assert not s.key("s")
    assert len(s.doc) == 0 and s.editor.overlay.keypoint_next is None
    assert "no keypoint template" in s.editor.overlay.hint


def test_select_tool_drags_one_keypoint_toggles_and_skips_the_hovered_one():
    person = ann(Keypoints(((50, 50, V), (40, 40, V), (0, 0, S))), label="car")
    s = Session(person, schema=MORE)
    s.editor.select([person.id])
    before = content(s.doc)
    s.drag((40, 40), (30, 35))
    assert s.doc.get(person.id).shape == Keypoints(((50, 50, V), (30, 35, V), (0, 0, S)))
    check_undo_redo(s, before)
    s.editor.move(Pointer(1, 1))
    assert s.editor.overlay.hover_handle is None  # a skipped point at the origin has no handle
    s.editor.move(Pointer(50, 50))
    assert s.editor.overlay.hover_handle == 0
    before = content(s.doc)
    assert s.key("q")
    assert s.doc.get(person.id).shape.points[0][2] == OCC
    check_undo_redo(s, before)
    assert s.key("Backspace")  # the nose becomes not labeled
    assert s.doc.get(person.id).shape.points[0] == (0, 0, S)
    s.editor.move(Pointer(30, 35))
    assert not s.key("Backspace")  # the last labeled point stays: delete the shape instead
