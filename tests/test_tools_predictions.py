"""Reviewing predictions in the editor: accept, reject, accept all, replace, and the score threshold (view state)."""

from __future__ import annotations

import dataclasses

import pytest
from test_tools_kit import Session, box, check_undo_redo, content

from core.annotation import Source, SourceKind


def predicted(x: float, score: float | None, model: str = "m1"):
    return dataclasses.replace(box(x, 10, 20, 20), source=Source(SourceKind.MODEL, score, model), author="")


def test_accept_selected_confirms_predictions_keeping_model_and_score():
    p, q, human = predicted(10, 0.9), predicted(40, 0.6), box(70, 10, 20, 20)
    s = Session(p, q, human)
    before = content(s.doc)
    s.editor.select([p.id, human.id])
    assert s.editor.accept_selected() == 1
    accepted = s.doc.get(p.id)
    assert accepted.source == Source(SourceKind.HUMAN, 0.9, "m1") and not accepted.source.is_model
    assert accepted.author == "bob" and accepted.shape == p.shape
    assert s.doc.get(q.id).source.is_model and s.doc.get(human.id) == human
    assert [c.annotation.id for c in s.commits[-1]] == [p.id]
    check_undo_redo(s, before)


def test_accept_all_takes_what_is_on_show_in_one_step():
    high, low, other = predicted(10, 0.9), predicted(40, 0.3), predicted(70, None)
    s = Session(high, low, other)
    before = content(s.doc)
    s.editor.set_score_threshold(0.5)
    assert s.editor.accept_all() == 2  # the low one is hidden, so it stays a prediction
    assert [s.doc.get(i).source.is_model for i in (high.id, low.id, other.id)] == [False, True, False]
    assert s.editor.undo() == "Accept 2 predictions"
    assert content(s.doc) == before
    assert s.editor.accept_all() == 2 and s.editor.accept_all() == 0


def test_reject_deletes_only_the_selected_predictions():
    p, human = predicted(10, 0.8), box(70, 10, 20, 20)
    s = Session(p, human)
    before = content(s.doc)
    s.editor.select([p.id, human.id])
    assert s.editor.reject_selected() == 1
    assert s.doc.ids() == [human.id]
    check_undo_redo(s, before)


def test_threshold_hides_low_scores_from_view_and_picking():
    low, high, human = predicted(10, 0.2), predicted(40, 0.7), box(70, 10, 20, 20)
    s = Session(low, high, human)
    s.editor.set_score_threshold(0.5)
    assert "view" in s.topics
    assert [s.editor.is_visible(a) for a in (low, high, human)] == [False, True, True]
    s.click(20, 20)  # on the hidden prediction: nothing to pick
    assert s.editor.selection == ()
    s.click(50, 20)
    assert s.editor.selection == (high.id,)
    assert s.editor.predictions() == (s.doc.get(high.id),)
    with pytest.raises(ValueError, match="between 0 and 1"):
        s.editor.set_score_threshold(1.5)
    assert s.commits == []  # view state only


def test_replace_predictions_swaps_a_models_pending_set_in_one_step():
    old, kept_other_model = predicted(10, 0.8, "m1"), predicted(40, 0.8, "m2")
    confirmed = dataclasses.replace(predicted(70, 0.9, "m1"), source=Source(SourceKind.HUMAN, 0.9, "m1"))
    s = Session(old, kept_other_model, confirmed)
    before = content(s.doc)
    new = predicted(100, 0.95, "m1")
    assert s.editor.replace_predictions("m1", [new]) == 1
    assert set(s.doc.ids()) == {kept_other_model.id, confirmed.id, new.id}
    assert s.editor.undo() == "Pre-label"
    assert content(s.doc) == before
