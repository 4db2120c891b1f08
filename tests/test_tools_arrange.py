"""Group/ungroup, z-order, hide and lock per shape and per label, and copying shapes from the previous task."""

from __future__ import annotations

import pytest
from test_tools_kit import MORE, Session, box, check_undo_redo, content

from core.annotation import Annotation, new_id
from core.shapes import Box, Tag
from tools.events import Pointer


def test_ctrl_g_groups_the_selection_with_a_new_id_and_ctrl_shift_g_ungroups():
    a, b, c = box(10, 10, 20, 20), box(40, 10, 20, 20), box(70, 10, 20, 20)
    s = Session(a, b, c)
    s.editor.select([a.id, b.id])
    before = content(s.doc)
    assert s.key("g", ctrl=True)
    assert (s.doc.get(a.id).group, s.doc.get(b.id).group, s.doc.get(c.id).group) == (1, 1, None)
    check_undo_redo(s, before)
    s.editor.select([c.id])
    s.key("g", ctrl=True)
    assert s.doc.get(c.id).group == 2  # a new id, not the first group's
    s.editor.select([a.id, c.id])
    before = content(s.doc)
    assert s.key("g", ctrl=True, shift=True)
    assert (s.doc.get(a.id).group, s.doc.get(b.id).group, s.doc.get(c.id).group) == (None, 1, None)
    check_undo_redo(s, before)


def test_bring_to_front_and_send_to_back_change_drawing_order_and_hit_testing():
    under, middle, over = box(10, 10, 40, 40), box(20, 20, 40, 40), box(30, 30, 40, 40)
    s = Session(under, middle, over)
    s.click(35, 35)
    assert s.editor.selection == (over.id,)  # topmost: last inserted
    s.editor.select([under.id])
    before = content(s.doc)
    assert s.key("Up", ctrl=True, shift=True)
    assert [a.id for a in s.doc] == [middle.id, over.id, under.id]
    s.click(35, 35)
    assert s.editor.selection == (under.id,)
    check_undo_redo(s, before)
    s.editor.select([under.id])
    s.key("Up", ctrl=True, shift=True)
    s.editor.select([over.id, under.id])
    assert s.key("Down", ctrl=True, shift=True)
    assert [a.id for a in s.doc] == [over.id, under.id, middle.id]  # keeps their own order: over was below under
    s.click(35, 35)
    assert s.editor.selection == (middle.id,)
    commits = len(s.commits)
    s.editor.select([over.id, under.id])
    s.key("Down", ctrl=True, shift=True)  # already at the back: no edit
    assert len(s.commits) == commits


def test_h_hides_and_shows_the_selection_and_hidden_shapes_are_not_picked():
    a, b = box(10, 10, 40, 40), box(100, 10, 40, 40)
    s = Session(a, b)
    s.editor.select([a.id])
    before = content(s.doc)
    assert s.key("h")
    assert s.doc.get(a.id).hidden and not s.editor.is_visible(s.doc.get(a.id))
    check_undo_redo(s, before)
    s.editor.select([])
    s.click(20, 20)
    assert s.editor.selection == ()
    s.drag((0, 0), (199, 99))
    assert s.editor.selection == (b.id,)  # the rubber band skips the hidden shape
    s.editor.select([a.id, b.id])
    s.key("h")  # not all hidden: hide all
    assert s.doc.get(b.id).hidden
    s.key("h")  # all hidden: show all
    assert not s.doc.get(a.id).hidden and not s.doc.get(b.id).hidden


def test_locked_shapes_are_not_picked_moved_nudged_or_deleted_except_with_shift_delete():
    a, b = box(10, 10, 40, 40), box(100, 10, 40, 40)
    s = Session(a, b)
    s.editor.select([a.id])
    before = content(s.doc)
    assert s.key("l")
    assert s.doc.get(a.id).locked and s.editor.is_visible(s.doc.get(a.id))
    check_undo_redo(s, before)
    s.editor.select([])
    s.click(20, 20)
    assert s.editor.selection == ()
    s.drag((0, 0), (60, 60))
    assert s.editor.selection == ()
    s.editor.select([a.id, b.id])  # e.g. from the shapes list
    s.drag((110, 20), (130, 30))
    assert s.doc.get(a.id).shape == Box(10, 10, 40, 40) and s.doc.get(b.id).shape == Box(120, 20, 40, 40)
    s.key("Right")
    assert s.doc.get(a.id).shape == Box(10, 10, 40, 40)
    s.editor.select([a.id])
    s.editor.move(Pointer(10, 10))
    assert s.editor.overlay.hover_handle is None  # no handles on a locked shape
    s.key("Delete")
    assert a.id in s.doc
    s.key("Delete", shift=True)
    assert a.id not in s.doc


def test_label_hide_and_lock_are_view_state_not_edits():
    car, person = box(10, 10, 40, 40, "car"), box(100, 10, 40, 40, "person")
    s = Session(car, person)
    s.editor.set_label_hidden("car", True)
    s.editor.set_label_locked("person", True)
    assert s.commits == [] and s.topics.count("view") == 2 and not s.editor.can_undo()
    assert not s.editor.is_visible(s.doc.get(car.id)) and s.editor.is_visible(s.doc.get(person.id))
    s.click(20, 20)
    s.click(110, 20)
    assert s.editor.selection == ()
    s.editor.set_label_hidden("car", False)
    s.click(20, 20)
    assert s.editor.selection == (car.id,)
    s.editor.set_label_locked("person", True)  # no change: no notification
    assert s.topics.count("view") == 3
    s.key("h", ctrl=True)
    assert not s.editor.is_visible(s.doc.get(car.id)) and s.editor.all_hidden
    with pytest.raises(ValueError, match="unknown label"):
        s.editor.set_label_hidden("bus", True)


def test_paste_from_copies_another_tasks_shapes_with_new_ids_groups_and_one_undo_step():
    mine = box(0, 0, 10, 10)
    mine = Annotation(mine.id, 1, "car", mine.shape, mine.attributes, group=1)
    s = Session(mine, schema=MORE)
    s.editor.toggle_tag("sunny")
    previous = [
        Annotation(new_id(), 7, "car", Box(10, 10, 20, 20), {}, "alice", group=1, z=3, locked=True),
        Annotation(new_id(), 7, "car", Box(40, 10, 20, 20), {}, "alice", group=1),
        Annotation(new_id(), 7, "lane", Box(40, 40, 20, 20)),  # lane forbids boxes
        Annotation(new_id(), 7, "bus", Box(40, 40, 20, 20)),  # not in the schema
        Annotation(new_id(), 7, "sunny", Tag()),  # already tagged here
        Annotation(new_id(), 7, "blurry", Tag()),
    ]
    before = content(s.doc)
    added = s.editor.paste_from(previous)
    assert [a.label for a in added] == ["car", "car", "blurry"]
    assert all(a.id not in {p.id for p in previous} and a.task_id == 1 and a.author == "bob" for a in added)
    assert [a.shape for a in added[:2]] == [Box(10, 10, 20, 20), Box(40, 10, 20, 20)]  # in place
    assert added[0].group == added[1].group == 2 and added[0].z == 3 and not added[0].locked
    assert set(s.editor.selection) == {added[0].id, added[1].id}
    check_undo_redo(s, before)
    assert s.editor.paste_from([]) == ()


def test_duplicate_of_a_group_gets_a_group_of_its_own():
    a, b = box(10, 10, 20, 20), box(40, 10, 20, 20)
    s = Session(a, b)
    s.editor.select([a.id, b.id])
    s.key("g", ctrl=True)
    s.key("d", ctrl=True)
    copies = [s.doc.get(i) for i in s.editor.selection]
    assert [c.group for c in copies] == [2, 2] and s.doc.get(a.id).group == 1
