"""Editor keys and edits: delete, nudge, clipboard, labels, attributes, undo/redo and what on_commit receives."""

from __future__ import annotations

import pytest
from test_tools_kit import WIDTH, Session, box, content, triangle

from core.document import AnnotationDoc, ChangeOp
from core.schema import LabelSchema, SchemaError
from core.shapes import Box, Polygon
from tools.editor import Editor
from tools.edits import Clipboard
from tools.events import Pointer


def ops(commit):
    return [(c.op, c.annotation.id) for c in commit]


def test_delete_removes_the_selection_in_one_undo_step():
    a, b, c = box(10, 10, 20, 20), box(40, 10, 20, 20), box(70, 10, 20, 20)
    s = Session(a, b, c)
    s.editor.select([a.id, c.id])
    assert s.key("Delete") is True
    assert s.doc.ids() == [b.id] and s.editor.selection == ()
    assert ops(s.commits[-1]) == [(ChangeOp.DELETE, a.id), (ChangeOp.DELETE, c.id)]
    assert s.editor.undo() == "Delete 2 shapes"
    assert sorted(s.doc.ids()) == sorted([a.id, b.id, c.id])
    assert sorted(ops(s.commits[-1])) == sorted([(ChangeOp.UPSERT, a.id), (ChangeOp.UPSERT, c.id)])
    assert s.editor.undo() is None


def test_commit_revisions_increase_through_undo_and_redo():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.editor.select([a.id])
    s.key("Right")
    s.key("z", ctrl=True)
    s.key("y", ctrl=True)
    assert [commit[0].annotation.revision for commit in s.commits] == [1, 2, 3]
    shapes = [commit[0].annotation.shape for commit in s.commits]
    assert shapes == [Box(11, 10, 20, 20), Box(10, 10, 20, 20), Box(11, 10, 20, 20)]
    assert s.topics.count("doc") == 3


def test_escape_clears_the_selection_and_reports_when_it_had_nothing_to_do():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.editor.select([a.id])
    assert s.key("Escape") is True
    assert s.editor.selection == ()
    assert s.key("Escape") is False
    assert s.commits == []


def test_arrow_nudges_merge_into_one_undo_step():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.editor.select([a.id])
    for _ in range(3):
        s.key("Right")
    s.key("Down", shift=True)
    s.key("Left")
    assert s.shapes() == [Box(12, 20, 20, 20)]
    assert len(s.commits) == 5  # every nudge is stored at once
    s.key("z", ctrl=True)
    assert s.shapes() == [Box(10, 10, 20, 20)]
    assert not s.editor.can_undo()
    s.key("z", ctrl=True, shift=True)
    assert s.shapes() == [Box(12, 20, 20, 20)]


def test_another_selection_or_edit_starts_a_new_nudge_step():
    a, b = box(10, 10, 20, 20), box(50, 10, 20, 20)
    s = Session(a, b)
    s.editor.select([a.id])
    s.key("Right")
    s.editor.select([b.id])
    s.editor.select([a.id])
    s.key("Right")
    s.editor.undo()
    assert s.doc.get(a.id).shape == Box(11, 10, 20, 20)
    s.editor.undo()
    assert s.doc.get(a.id).shape == Box(10, 10, 20, 20)


def test_nudge_is_clamped_and_a_blocked_nudge_is_no_edit():
    a = box(WIDTH - 25, 10, 20, 20)
    s = Session(a)
    s.editor.select([a.id])
    s.key("Right", shift=True)
    assert s.shapes() == [Box(WIDTH - 20, 10, 20, 20)]
    s.key("Right")
    assert len(s.commits) == 1


def test_copy_paste_gives_new_ids_offset_on_the_same_task():
    a, t = box(10, 10, 20, 20), triangle()
    s = Session(a, t)
    s.editor.select([a.id, t.id])
    assert s.key("c", ctrl=True) is True
    assert s.key("v", ctrl=True) is True
    assert len(s.doc) == 4
    pasted = [s.doc.get(i) for i in s.editor.selection]
    assert {p.id for p in pasted}.isdisjoint({a.id, t.id})
    assert [p.shape for p in pasted] == [Box(20, 20, 20, 20), Polygon(((30, 30), (70, 30), (50, 70)))]
    assert all(p.author == "bob" and p.label == "car" and p.attributes == a.attributes for p in pasted)
    s.key("v", ctrl=True)  # a second paste lands further on, not on top of the first
    assert s.doc.get(s.editor.selection[0]).shape == Box(30, 30, 20, 20)
    assert ops(s.commits[0]) == [(ChangeOp.UPSERT, p.id) for p in pasted]
    s.editor.undo()
    s.editor.undo()
    assert sorted(s.doc.ids()) == sorted([a.id, t.id])


def test_paste_onto_another_task_keeps_the_position():
    clipboard = Clipboard()
    a = box(10, 10, 20, 20)
    first = Session(a, clipboard=clipboard)
    first.editor.select([a.id])
    first.key("c", ctrl=True)
    second = Session(task_id=2, clipboard=clipboard)
    second.key("v", ctrl=True)
    [p] = list(second.doc)
    assert (p.shape, p.task_id) == (Box(10, 10, 20, 20), 2)
    assert p.id != a.id


def test_duplicate_does_not_touch_the_clipboard():
    a, b = box(10, 10, 20, 20), box(100, 10, 20, 20)
    s = Session(a, b)
    s.editor.select([b.id])
    s.key("c", ctrl=True)
    s.editor.select([a.id])
    assert s.key("d", ctrl=True) is True
    assert s.doc.get(s.editor.selection[0]).shape == Box(20, 20, 20, 20)
    s.key("v", ctrl=True)
    assert s.doc.get(s.editor.selection[0]).shape == Box(110, 20, 20, 20)


def test_tab_cycles_through_shapes():
    a, b, c = box(10, 10, 20, 20), box(40, 10, 20, 20), box(70, 10, 20, 20)
    s = Session(a, b, c)
    assert s.key("Tab") is True
    assert s.editor.selection == (a.id,)
    s.key("Tab")
    assert s.editor.selection == (b.id,)
    s.key("Tab", shift=True)
    s.key("Tab", shift=True)
    assert s.editor.selection == (c.id,)
    s.key("Tab")
    assert s.editor.selection == (a.id,)


def test_unknown_keys_are_not_handled():
    s = Session(box(10, 10, 20, 20))
    assert s.key("q") is False
    assert s.key("1") is False  # digits belong to the app's action table
    assert s.key("Right", alt=True) is False


def test_set_label_relabels_the_selection_in_one_step_and_keeps_fitting_attributes():
    a, t = box(10, 10, 20, 20), triangle()
    s = Session(a, t)
    s.editor.set_attribute(a.id, "color", "blue")
    s.editor.select([a.id, t.id])
    assert s.editor.set_label("person") is False  # person allows only boxes: refused, nothing changes
    assert {x.label for x in s.doc} == {"car"} and s.editor.current_label == "car"
    assert len(s.commits) == 1
    s.editor.select([a.id])
    assert s.editor.set_label("person") is True
    assert (s.doc.get(a.id).label, s.doc.get(a.id).attributes) == ("person", {})
    assert s.editor.current_label == "person" and "label" in s.topics
    s.editor.set_label("car")
    assert s.doc.get(a.id).attributes == {"color": "red", "parked": False}
    s.editor.undo()
    s.editor.undo()
    assert s.doc.get(a.id).label == "car" and s.doc.get(a.id).attributes["color"] == "blue"


def test_set_label_with_nothing_selected_only_changes_the_current_label():
    s = Session(box(10, 10, 20, 20))
    s.editor.set_label("road")
    assert s.editor.current_label == "road" and s.commits == []
    with pytest.raises(ValueError, match="unknown label 'bus'"):
        s.editor.set_label("bus")


def test_set_attribute_validates_and_merges_a_burst_of_edits():
    a = box(10, 10, 20, 20)
    s = Session(a)
    with pytest.raises(SchemaError, match="'green' is not one of"):
        s.editor.set_attribute(a.id, "color", "green")
    with pytest.raises(SchemaError, match="no attribute 'colour'"):
        s.editor.set_attribute(a.id, "colour", "red")
    assert s.commits == []
    s.editor.set_attribute(a.id, "parked", True)
    s.editor.set_attribute(a.id, "parked", False)
    s.editor.set_attribute(a.id, "parked", True)
    s.editor.set_attribute(a.id, "parked", True)  # no change: no edit
    assert len(s.commits) == 3
    s.editor.undo()
    assert s.doc.get(a.id).attributes["parked"] is False
    assert not s.editor.can_undo()


def test_200_edits_undo_and_redo_restore_identical_docs():
    s = Session(box(10, 10, 20, 20))
    s.editor.set_tool("box")
    states = [content(s.doc)]
    for i in range(100):
        x = (i * 7) % 150
        s.drag((x, 10), (x + 30, 40))
        states.append(content(s.doc))
        s.editor.set_label("person" if s.editor.current_label == "car" else "car")  # relabels the new box
        states.append(content(s.doc))
    for expected in reversed(states[:-1]):
        assert s.editor.undo() is not None
        assert content(s.doc) == expected
    assert s.editor.undo() is None
    for expected in states[1:]:
        assert s.editor.redo() is not None
        assert content(s.doc) == expected
    assert s.editor.redo() is None


def test_set_tool_rejects_unknown_names_and_view_scale_must_be_positive():
    s = Session()
    with pytest.raises(ValueError, match="unknown tool 'lasso'"):
        s.editor.set_tool("lasso")
    with pytest.raises(ValueError, match="positive"):
        s.editor.set_view_scale(0)


def test_an_external_edit_interrupts_a_drag():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.drag((15, 15), (40, 40), release=False)
    s.key("Delete")
    s.editor.release(Pointer(40, 40))
    assert len(s.doc) == 0 and s.editor.overlay.preview == {}
    assert [c.op for commit in s.commits for c in commit] == [ChangeOp.DELETE]


def test_new_shapes_without_a_schema_get_no_label_checks():
    editor = Editor(AnnotationDoc(1), LabelSchema(), image_size=(100, 100))
    editor.set_tool("box")
    editor.press(Pointer(10, 10))
    editor.move(Pointer(30, 30))
    editor.release(Pointer(30, 30))
    [a] = list(editor.doc)
    assert (a.label, a.attributes) == ("", {})
