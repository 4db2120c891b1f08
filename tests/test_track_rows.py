"""Tracks stored as keyframe rows: a track read back from a real workspace equals the track written, an edit keeps
each surviving keyframe's row id (so sync merges it as an update), every track edit is one undo step, per-track
attributes follow the schema's `mutable` flag, and rows that cannot form a track are reported, not raised."""

import cv2
import numpy as np
import pytest

from core.annotation import HUMAN, Annotation, Source, SourceKind, new_id
from core.document import AnnotationDoc, UndoStack
from core.schema import AttributeSpec, Label, LabelSchema
from core.shapes import Box, Polygon
from core.tracks import AUTO, Keyframe, Track, row_edits, track_rows, tracks_from_rows
from sync.workspace import Workspace

SCHEMA = LabelSchema((Label("car", "#e69f00", "1", attributes=(
    AttributeSpec("make", "text", default=""),
    AttributeSpec("parked", "checkbox", default=False, mutable=True),
)),))


def _box(x: float) -> Box:
    return Box(x, 10.0, x + 20.0, 40.0)


def _track(*frames: int, track_id: str | None = None) -> Track:
    keyframes = tuple(Keyframe(f, _box(float(f)), attributes={"parked": f % 2 == 0}) for f in frames)
    return Track(track_id or new_id(), "car", keyframes, {"make": "volvo"})


@pytest.fixture
def ws(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((8, 8, 3), np.uint8))
    workspace = Workspace.create(tmp_path / "ws", SCHEMA)
    workspace.add_media([tmp_path / "a.png"])
    yield workspace
    workspace.close()


def _stored(ws: Workspace) -> tuple[int, list[Annotation]]:
    task = ws.tasks()[0].id
    return task, ws.annotations(task)


def _apply(ws: Workspace, doc: AnnotationDoc, undo: UndoStack, edits, description="Edit track") -> None:
    undo.execute(doc, edits.command(description))
    ws.commit(doc.task_id, doc.take_changes())


def test_a_track_read_back_from_the_workspace_is_the_track_written(ws):
    task, _ = _stored(ws)
    track = _track(0, 10, 30)
    ws.insert_annotations(track_rows(task, track, "ann"))
    tracks, loose, problems = tracks_from_rows(ws.annotations(task), SCHEMA.track_attributes)
    assert (loose, problems) == ([], [])
    assert tracks == [track]
    assert tracks[0].at(5).shape == _box(5.0)  # interpolated between stored keyframes 0 and 10
    stored = ws.annotations(task)
    assert all(row.attributes["make"] == "volvo" for row in stored)  # per-track values on every row
    assert [row.attributes["parked"] for row in stored] == [True, True, True]


def test_a_keyframe_edit_updates_its_row_and_leaves_the_others_alone(ws):
    task, _ = _stored(ws)
    track = _track(0, 10, 30)
    ws.insert_annotations(track_rows(task, track))
    rows = ws.annotations(task)
    moved = track.with_keyframe(Keyframe(10, _box(99.0)))
    edits = row_edits(task, rows, moved, "ann")
    assert (edits.added, edits.deleted) == ([], [])
    assert [a.id for a in edits.updated] == [rows[1].id]
    assert row_edits(task, rows, track).updated == []  # nothing changed: no row written


def test_track_edits_are_one_undo_step_each_and_stored_at_once(ws):
    task, _ = _stored(ws)
    doc, undo = AnnotationDoc(task), UndoStack()
    track = _track(0, 10, 30)
    _apply(ws, doc, undo, row_edits(task, [], track), "Draw track")
    head, tail = track.split(20)
    _apply(ws, doc, undo, row_edits(task, list(doc), head), "Split track")
    _apply(ws, doc, undo, row_edits(task, [], tail), "Split track")
    tracks, _, _ = tracks_from_rows(ws.annotations(task), SCHEMA.track_attributes)
    assert {t.id: t.keyframe_frames for t in tracks} == {track.id: (0, 10, 20), tail.id: (20, 30)}
    undo.undo(doc)
    undo.undo(doc)
    ws.commit(task, doc.take_changes())
    tracks, _, _ = tracks_from_rows(ws.annotations(task), SCHEMA.track_attributes)
    assert tracks == [track]
    _apply(ws, doc, undo, row_edits(task, list(doc), None), "Delete track")
    assert ws.annotations(task) == []


def test_a_changed_per_track_attribute_is_written_on_every_keyframe(ws):
    task, _ = _stored(ws)
    track = _track(0, 10)
    ws.insert_annotations(track_rows(task, track))
    renamed = Track(track.id, track.label, track.keyframes, {"make": "saab"})
    edits = row_edits(task, ws.annotations(task), renamed)
    assert len(edits.updated) == 2 and all(a.attributes["make"] == "saab" for a in edits.updated)


def test_without_a_schema_every_attribute_is_per_frame(ws):
    task, _ = _stored(ws)
    ws.insert_annotations(track_rows(task, _track(0, 10)))
    (track,), _, _ = tracks_from_rows(ws.annotations(task))
    assert track.attributes == {} and track.keyframes[0].attributes == {"parked": True, "make": "volvo"}


def test_tracker_keyframes_keep_their_auto_flag_on_a_persons_track(ws):
    task, _ = _stored(ws)
    keyframes = (Keyframe(0, _box(0.0)), Keyframe(5, _box(5.0), auto=True))
    ws.insert_annotations(track_rows(task, Track(new_id(), "car", keyframes)))
    (track,), _, _ = tracks_from_rows(ws.annotations(task))
    assert track.source == HUMAN and [k.auto for k in track.keyframes] == [False, True]
    assert ws.annotations(task)[1].source.model_id == AUTO


def test_a_model_track_stays_a_model_track(ws):
    task, _ = _stored(ws)
    model = Source(SourceKind.MODEL, 0.8, "yolo")
    ws.insert_annotations(track_rows(task, Track(new_id(), "car", (Keyframe(0, _box(0.0)),), source=model)))
    (track,), _, _ = tracks_from_rows(ws.annotations(task))
    assert track.source == model


def test_rows_that_cannot_be_one_track_are_reported_and_the_others_read(ws):
    task, _ = _stored(ws)
    good = _track(0, 10)
    bad = new_id()
    mixed = [Annotation(new_id(), task, "car", _box(0.0), frame=0, track=bad),
             Annotation(new_id(), task, "car", Polygon(((0, 0), (5, 0), (5, 5))), frame=4, track=bad)]
    one_frame = Annotation(new_id(), task, "car", _box(3.0), frame=7)
    ws.insert_annotations([*track_rows(task, good), *mixed, one_frame])
    tracks, loose, problems = tracks_from_rows(ws.annotations(task))
    assert [t.id for t in tracks] == [good.id]
    assert [a.id for a in loose] == [one_frame.id]
    assert len(problems) == 1 and bad in problems[0] and "different kinds" in problems[0]
