"""Edit commands return their inverse; the undo stack is unlimited and merges nudges."""

import dataclasses

from core.annotation import Annotation, new_id
from core.document import AddAnnotations, AnnotationDoc, ChangeOp, DeleteAnnotations, UndoStack, UpdateAnnotations
from core.shapes import Box


def ann(x=0.0):
    return Annotation(new_id(), 7, "car", Box(x, 0, 10, 10))


def snapshot(doc):
    return [(a.id, a.label, a.shape) for a in doc]


def test_each_command_is_undone_by_its_inverse():
    doc, stack = AnnotationDoc(7), UndoStack()
    a = ann()
    stack.execute(doc, AddAnnotations((a,)))
    moved = dataclasses.replace(doc.get(a.id), shape=Box(5, 5, 10, 10))
    stack.execute(doc, UpdateAnnotations((moved,)))
    stack.execute(doc, DeleteAnnotations((a.id,)))
    assert len(doc) == 0
    assert stack.undo(doc) == "Delete shape"
    assert doc.get(a.id).shape == Box(5, 5, 10, 10)
    stack.undo(doc)
    assert doc.get(a.id).shape == Box(0, 0, 10, 10)
    stack.undo(doc)
    assert len(doc) == 0 and stack.undo(doc) is None
    for _ in range(3):
        stack.redo(doc)
    assert len(doc) == 0 and not stack.can_redo()


def test_revisions_only_grow_and_the_journal_records_tombstones():
    doc, stack = AnnotationDoc(7), UndoStack()
    a = ann()
    stack.execute(doc, AddAnnotations((a,)))
    stack.execute(doc, DeleteAnnotations((a.id,)))
    stack.undo(doc)
    changes = doc.take_changes()
    assert [c.op for c in changes] == [ChangeOp.UPSERT, ChangeOp.DELETE, ChangeOp.UPSERT]
    assert [c.annotation.revision for c in changes] == [1, 2, 3]
    assert doc.take_changes() == []


def test_unlimited_undo_and_redo_restore_every_state():
    doc, stack = AnnotationDoc(7), UndoStack()
    states = [snapshot(doc)]
    for i in range(300):
        stack.execute(doc, AddAnnotations((ann(float(i)),)))
        states.append(snapshot(doc))
    for expected in reversed(states[:-1]):
        stack.undo(doc)
        assert snapshot(doc) == expected
    for expected in states[1:]:
        stack.redo(doc)
        assert snapshot(doc) == expected


def test_nudges_with_one_merge_key_are_one_undo_step():
    doc, stack = AnnotationDoc(7), UndoStack()
    a = ann()
    stack.execute(doc, AddAnnotations((a,)))
    for step in range(1, 6):
        nudged = dataclasses.replace(doc.get(a.id), shape=Box(float(step), 0, 10, 10))
        stack.execute(doc, UpdateAnnotations((nudged,)), merge_key=("nudge", (a.id,)))
    assert doc.get(a.id).shape.x == 5
    stack.undo(doc)
    assert doc.get(a.id).shape.x == 0
    stack.redo(doc)
    assert doc.get(a.id).shape.x == 5


def test_undoing_a_delete_restores_the_drawing_order():
    doc, stack = AnnotationDoc(7), UndoStack()
    shapes = [ann(float(i)) for i in range(5)]
    stack.execute(doc, AddAnnotations(tuple(shapes)))
    stack.execute(doc, DeleteAnnotations((shapes[3].id, shapes[1].id)))
    assert doc.ids() == [shapes[i].id for i in (0, 2, 4)]
    stack.undo(doc)
    assert doc.ids() == [s.id for s in shapes]
