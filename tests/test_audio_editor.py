"""The audio editor's commands on tiers: each one undo step, refused with a reason when a tier's rules forbid it."""

import pytest

from core.document import AnnotationDoc
from core.schema import LabelSchema
from core.shapes import Instant, Segment
from tools.audio_editor import AudioEditor, time_span

SCHEMA = LabelSchema.from_json({
    "labels": [{"name": "alice", "color": "#e91e63"}, {"name": "bob", "color": "#2196f3"},
               {"name": "music", "color": "#ffc107"}, {"name": "H*", "color": "#9c27b0"}],
    "tiers": [{"name": "speaker", "labels": ["alice", "bob"]}, {"name": "events", "overlap": True},
              {"name": "tones", "points": True}],
})


@pytest.fixture
def editor():
    commits = []
    e = AudioEditor(AnnotationDoc(1), SCHEMA, duration_s=60.0, author="ann", on_commit=commits.append)
    e.commits = commits
    return e


def spans(editor, tier="speaker"):
    return [(round(a, 3), round(b, 3)) for a, b in (time_span(x) for x in editor.on_tier(tier))]


def test_tiers_come_from_the_schema_then_the_annotations(editor):
    assert editor.tiers() == ["speaker", "events", "tones"] and editor.tier == "speaker"
    editor.add_segment(1, 2, tier="imported")
    assert editor.tiers() == ["speaker", "events", "tones", "imported"]
    bare = AudioEditor(AnnotationDoc(2), LabelSchema.from_json({"labels": []}), duration_s=5)
    assert bare.tiers() == [""]


def test_add_segment_is_stored_and_undoable(editor):
    ann = editor.add_segment(2.0, 1.0)
    assert ann is not None and ann.label == "alice" and ann.shape == Segment(1.0, 2.0, "speaker")
    assert editor.selection == (ann.id,) and len(editor.commits) == 1
    editor.undo()
    assert len(editor.doc) == 0


def test_no_overlap_tier_refuses_and_says_why(editor):
    editor.add_segment(1.0, 3.0)
    assert editor.add_segment(2.5, 4.0) is None
    assert "forbids overlaps" in editor.refusal and len(editor.doc) == 1
    assert editor.add_segment(3.0, 4.0) is not None  # touching is fine, as TextGrid intervals touch
    assert editor.add_segment(2.5, 4.0, tier="events") is not None  # events allow overlaps


def test_labels_a_tier_does_not_take_are_refused(editor):
    assert editor.add_segment(1, 2, label="music") is None and "does not take label" in editor.refusal
    assert editor.add_segment(1, 2, label="music", tier="events") is not None


def test_point_tier_makes_instants(editor):
    ann = editor.add_segment(4.25, 4.25, label="H*", tier="tones")
    assert ann is not None and ann.shape == Instant(4.25, "tones")


def test_times_are_clamped_to_the_recording(editor):
    ann = editor.add_segment(-5, 70)
    assert time_span(ann) == (0.0, 60.0)
    assert editor.add_segment(10, 10.001) is None  # a click, not a segment


def test_retime_moves_and_resizes_within_the_rules(editor):
    a = editor.add_segment(1, 2)
    editor.add_segment(5, 6)
    assert editor.retime(a.id, 1.5, 3.0) and spans(editor) == [(1.5, 3.0), (5.0, 6.0)]
    assert not editor.retime(a.id, 4.0, 5.5) and "forbids overlaps" in editor.refusal
    assert spans(editor) == [(1.5, 3.0), (5.0, 6.0)]


def test_locked_segments_do_not_move(editor):
    a = editor.add_segment(1, 2)
    editor.toggle_locked()
    assert not editor.retime(editor.selection[0], 3, 4) and "locked" in editor.refusal
    assert spans(editor) == [(1.0, 2.0)] and a.id in editor.doc


def test_split_and_merge_round_trip_in_two_undo_steps(editor):
    a = editor.add_segment(1, 5)
    editor.set_text(a.id, "hello world")
    second = editor.split(a.id, 3.0)
    assert second is not None and spans(editor) == [(1.0, 3.0), (3.0, 5.0)]
    assert editor.doc.get(a.id).shape.text == "hello world" and second.shape.text == ""
    editor.set_text(second.id, "again")
    editor.select((a.id, second.id))
    joined = editor.merge()
    assert joined is not None and spans(editor) == [(1.0, 5.0)] and joined.shape.text == "hello world again"
    editor.undo()
    assert spans(editor) == [(1.0, 3.0), (3.0, 5.0)]
    assert editor.split(a.id, 1.001) is None  # at the edge


def test_merge_needs_two_segments_of_one_tier(editor):
    a = editor.add_segment(1, 2)
    b = editor.add_segment(1, 2, tier="events", label="music")
    editor.select((a.id, b.id))
    assert editor.merge() is None and "different tiers" in editor.refusal
    editor.select((a.id,))
    assert editor.merge() is None


def test_typing_a_transcription_is_one_undo_step(editor):
    a = editor.add_segment(1, 2)
    for text in ("h", "he", "hel", "hello"):
        editor.set_text(a.id, text)
    assert editor.doc.get(a.id).shape.text == "hello"
    editor.undo()
    assert editor.doc.get(a.id).shape.text == ""


def test_mark_twice_makes_a_segment(editor):
    assert editor.mark(10.0) is None and editor.mark_start == 10.0
    ann = editor.mark(12.5)
    assert ann is not None and time_span(ann) == (10.0, 12.5) and editor.mark_start is None


def test_digit_after_dragging_a_range_makes_a_segment_of_that_label(editor):
    editor.time_selection = (7.0, 8.0)
    assert editor.use_label("bob")
    (ann,) = editor.on_tier("speaker")
    assert ann.label == "bob" and time_span(ann) == (7.0, 8.0) and editor.time_selection is None
    assert editor.current_label == "bob"
    assert editor.use_label("alice")  # with the segment selected: a relabel, no new segment
    assert [a.label for a in editor.on_tier("speaker")] == ["alice"]


def test_segment_from_selection(editor):
    assert editor.segment_from_selection() is None and "select a time range" in editor.refusal
    editor.time_selection = (1.0, 1.5)
    assert editor.segment_from_selection() is not None


def test_neighbours_in_time_order(editor):
    for start in (30, 10, 20):
        editor.add_segment(start, start + 1)
    assert time_span(editor.neighbour(0, 1)) == (10, 11)
    assert time_span(editor.neighbour(10, 1)) == (20, 21)
    assert time_span(editor.neighbour(20, -1)) == (10, 11)
    assert editor.neighbour(30, 1) is None and editor.neighbour(10, -1) is None


def test_step_tier_wraps(editor):
    editor.step_tier(1)
    assert editor.tier == "events"
    editor.step_tier(-2)
    assert editor.tier == "tones"


def test_the_current_label_follows_what_the_tier_takes(editor):
    editor.set_tier("events")
    editor.current_label = "music"
    editor.set_tier("speaker")
    assert editor.current_label == "alice"
    editor.set_tier("tones")
    assert editor.current_label == "alice"  # a point tier of any label: the current one stays
