"""Whole-image tags: toggle, single- vs multi-label (the label's tag_mode), label hotkeys, undo."""

from __future__ import annotations

import pytest
from test_tools_kit import MORE, Session, check_undo_redo, content

from core.shapes import Tag


def test_toggle_tag_adds_and_removes_a_tag_annotation_each_one_undo_step():
    s = Session(schema=MORE)
    before = content(s.doc)
    assert s.editor.toggle_tag("blurry")
    [a] = list(s.doc)
    assert a.shape == Tag() and a.label == "blurry" and a.author == "bob"
    assert s.editor.tags() == ["blurry"] and s.editor.selection == ()
    check_undo_redo(s, before)
    assert s.editor.toggle_tag("blurry")
    assert s.editor.tags() == [] and len(s.commits) == 4  # add, undo, redo, remove
    s.editor.undo()
    assert s.editor.tags() == ["blurry"]


def test_single_mode_tags_replace_each_other_and_multi_mode_tags_stay():
    s = Session(schema=MORE)
    s.editor.toggle_tag("blurry")
    s.editor.toggle_tag("sunny")
    before = content(s.doc)
    s.editor.toggle_tag("rainy")
    assert sorted(s.editor.tags()) == ["blurry", "rainy"]
    check_undo_redo(s, before)  # removing sunny and adding rainy is one step
    assert s.editor.undo() == "Tag rainy"
    assert sorted(s.editor.tags()) == ["blurry", "sunny"]


def test_labels_that_forbid_tags_and_unknown_labels():
    s = Session(schema=MORE)
    assert not s.editor.toggle_tag("lane")
    assert len(s.doc) == 0
    with pytest.raises(ValueError, match="unknown label 'fog'"):
        s.editor.toggle_tag("fog")


def test_use_label_toggles_tag_only_labels_and_picks_the_others():
    s = Session(schema=MORE)
    assert s.editor.use_label("sunny")
    assert s.editor.tags() == ["sunny"] and s.editor.current_label == "car"
    assert s.editor.use_label("lane")
    assert s.editor.current_label == "lane" and s.editor.tags() == ["sunny"]


def test_tags_are_never_hit_or_moved_by_the_select_tool():
    s = Session(schema=MORE)
    s.editor.toggle_tag("blurry")
    s.click(0, 0)
    s.drag((0, 0), (200, 100))
    assert s.editor.selection == () and s.shapes() == [Tag()]
