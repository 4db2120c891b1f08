"""Video annotation fields (frame, track, outside, occluded) end to end: the workspace stores and reads them, an older
workspace upgrades to their defaults, the real server merges them field by field, and it refuses bad values naming
the field. Each keyframe of a track is one annotation, so two people editing different keyframes both keep theirs."""

import dataclasses
import sqlite3

import cv2
import numpy as np
import pytest

from core.annotation import Annotation, new_id
from core.document import AddAnnotations, AnnotationDoc, UpdateAnnotations
from core.schema import Label, LabelSchema
from core.shapes import Box, Polygon
from desktop.rebase import RebasingWorkspace
from sync.client.store import SyncStore
from sync.workspace import DB_NAME, SCHEMA_VERSION, Workspace, WorkspaceError
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import add, agree, clone_for, memory_keys, server_task_ids, sync

SCHEMA = LabelSchema((Label("car", "#e69f00", "1"), Label("person", "#56b4e9", "2")))
BOX = {"label": "car", "kind": "box", "geometry": [1, 2, 30, 40]}
NEW_COLUMNS = ("frame", "track_id", "outside", "occluded")
# what the migrations after 6 added (7 reviews, 8 time tracking, 9 guidelines, 10 consensus, 11 stages, 12 lot
# members), undone to make a true version 4 workspace
UNDO_AFTER_V6 = ("DROP TABLE review_decisions", "DROP TABLE sync_lots", "DROP INDEX sync_comments_by_uid",
                 "DROP INDEX sync_comments_by_task", *(f"ALTER TABLE sync_comments DROP COLUMN {c}"
                                                      for c in ("uid", "parent", "resolved", "resolved_by")),
                 "ALTER TABLE sync_reviews DROP COLUMN fixed", "ALTER TABLE sync_reviews DROP COLUMN body",
                 "ALTER TABLE sync_tasks DROP COLUMN updated_at", "DROP TABLE task_time", "DROP TABLE sync_guidelines",
                 "DROP TABLE sync_quality", "ALTER TABLE sync_tasks DROP COLUMN stage",
                 "ALTER TABLE sync_reviews DROP COLUMN stage", "DROP TABLE sync_lot_tasks")


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.create(tmp_path / "ws", SCHEMA)
    yield workspace
    workspace.close()


@pytest.fixture
def keys(tmp_path):
    keys, _backend = memory_keys(tmp_path)
    yield keys
    Workspace.codec_provider = None


def _task_id(ws, tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((10, 10, 3), np.uint8))
    ws.add_media([tmp_path / "a.png"])
    return ws.tasks()[0].id


def _keyframe(task_id, frame, track, x=1.0, **kw):
    return Annotation(new_id(), task_id, "car", Box(x, 2.0, 3.0, 4.0), frame=frame, track=track, **kw)


def _by_id(ws, task_id):
    return {a.id: a for a in ws.annotations(task_id)}


# -- the workspace -------------------------------------------------------------------------------------------------


def test_bulk_insert_stores_and_reads_back_the_video_fields(ws, tmp_path):
    task = _task_id(ws, tmp_path)
    track = new_id()
    made = [_keyframe(task, 0, track), _keyframe(task, 2**31 - 1, track, outside=True),
            _keyframe(task, 7, track, occluded=True),
            Annotation(new_id(), task, "person", Polygon.from_points([(0, 0), (4, 1), (1, 3)]), frame=3),  # one frame
            Annotation(new_id(), task, "car", Box(0, 0, 1, 1))]  # an image annotation: neither
    assert ws.insert_annotations(made) == 5
    assert ws.annotations(task) == [dataclasses.replace(a, revision=1) for a in made]
    image = ws.annotations(task)[-1]
    assert (image.frame, image.track, image.outside, image.occluded) == (None, None, False, False)
    rows = sqlite3.connect(ws.path / DB_NAME).execute(
        "SELECT frame, track_id, outside, occluded FROM annotations ORDER BY rowid").fetchall()
    assert rows == [(0, track, 0, 0), (2**31 - 1, track, 1, 0), (7, track, 0, 1), (3, None, 0, 0),
                    (None, None, 0, 0)]


def test_the_editors_commit_path_stores_edits_of_the_video_fields(ws, tmp_path):
    task = _task_id(ws, tmp_path)
    track = new_id()
    first, second = _keyframe(task, 0, track), _keyframe(task, 10, track, x=5.0)
    doc = AnnotationDoc(task)
    AddAnnotations((first, second)).apply(doc)
    ws.commit(task, doc.take_changes())
    assert _by_id(ws, task)[second.id].frame == 10
    UpdateAnnotations((dataclasses.replace(second, frame=12, outside=True, occluded=True),)).apply(doc)
    ws.commit(task, doc.take_changes())
    stored = _by_id(ws, task)
    assert (stored[second.id].frame, stored[second.id].track, stored[second.id].outside,
            stored[second.id].occluded) == (12, track, True, True)
    assert stored[first.id] == dataclasses.replace(first, revision=1)
    ws.close()
    with Workspace.open(ws.path, readonly=True) as again:  # as durable as the rest of the row
        assert _by_id(again, task) == stored


@pytest.mark.parametrize(("change", "field"), [({"frame": -1}, "frame"), ({"frame": 2**31}, "frame"),
                                               ({"track": "../x"}, "track"), ({"track": "x" * 65}, "track")])
def test_the_workspace_refuses_what_the_server_would(ws, tmp_path, change, field):
    task = _task_id(ws, tmp_path)
    bad = dataclasses.replace(_keyframe(task, 0, new_id()), **change)
    with pytest.raises(WorkspaceError, match=f"'{field}'"):
        ws.insert_annotations([bad])
    doc = AnnotationDoc(task)
    AddAnnotations((bad,)).apply(doc)
    with pytest.raises(WorkspaceError, match=f"'{field}'"):
        ws.commit(task, doc.take_changes())
    assert ws.annotations(task) == []


def test_one_frame_of_a_task_is_read_through_the_frame_index(ws):
    conn = sqlite3.connect(ws.path / DB_NAME)
    plan = conn.execute("EXPLAIN QUERY PLAN SELECT id FROM annotations WHERE task_id = ? AND frame = ?",
                        (1, 5)).fetchall()
    assert "annotations_by_frame" in " ".join(str(step[-1]) for step in plan)


def test_an_older_workspace_upgrades_and_its_annotations_read_with_the_defaults(ws, tmp_path):
    """A version 4 workspace (before video) with an annotation and its sync shadow: after the upgrade the annotation
    reads as an image annotation and the shadow still matches the row (nothing to send)."""
    task = _task_id(ws, tmp_path)
    (old,) = add(ws, task, [Annotation(new_id(), task, "car", Box(1, 2, 3, 4), group=3, locked=True)])
    with ws.transaction() as conn:
        SyncStore.snapshot(conn, [old.id])
    ws.close()
    conn = sqlite3.connect(ws.path / DB_NAME, isolation_level=None)
    conn.execute("DROP TABLE frame_indexes")
    conn.execute("DROP TABLE audio_peaks")  # migration 6 (audio)
    for statement in UNDO_AFTER_V6:
        conn.execute(statement)
    conn.execute("DROP INDEX annotations_by_frame")
    for table, column in [("tasks", "kind"), ("tasks", "frames"), *(("annotations", c) for c in NEW_COLUMNS),
                          *(("sync_annotations", c) for c in NEW_COLUMNS)]:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 4")
    conn.close()
    with Workspace.open(ws.path) as again:
        assert again.annotations(task) == [old]
        (stored,) = again.annotations(task)
        assert (stored.frame, stored.track, stored.outside, stored.occluded) == (None, None, False, False)
        with again.transaction() as conn:
            assert SyncStore(again).changes(conn, [old.id])[old.id].fields == {}
        assert sqlite3.connect(ws.path / DB_NAME).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_edit_from_a_stale_copy_keeps_the_newer_video_fields(tmp_path):
    """A round stored a newer frame and outside flag while the editor showed the older keyframe: the editor's next
    edit (the occluded flag) is replayed on the newer version (desktop/rebase.py)."""
    ws = RebasingWorkspace.create(tmp_path / "ws", SCHEMA)
    try:
        task = _task_id(ws, tmp_path)
        (shown,) = add(ws, task, [_keyframe(task, 4, "t1")])
        ws.remember([shown])
        with ws.transaction() as conn:
            fields = {"label": "car", "kind": "box", "geometry": [1.0, 2.0, 3.0, 4.0], "frame": 6, "track": "t1",
                      "outside": True}
            SyncStore(ws).write_annotation(conn, shown.id, task, fields, "lead", False, 0.0)
        doc = AnnotationDoc(task, [shown])
        doc.put(dataclasses.replace(shown, occluded=True))
        ws.commit(task, doc.take_changes())
        (stored,) = ws.annotations(task)
        assert (stored.frame, stored.track, stored.outside, stored.occluded) == (6, "t1", True, True)
    finally:
        ws.close()


# -- the real server over loopback HTTP -----------------------------------------------------------------------------


def _two_clients(seeded, keys, tmp_path):
    """ann1 (the assignee) and the lead each with a synced workspace of task 1, which holds one track of two
    keyframes (frames 0 and 10) that ann1 drew and synced."""
    url, task = seeded.server.url, seeded.task_ids[0]
    ws1 = clone_for(url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    local1 = {s: t for t, s in server_task_ids(ws1).items()}[task]
    track = new_id()
    add(ws1, local1, [_keyframe(local1, 0, track), _keyframe(local1, 10, track, x=9.0)])
    assert sync(ws1, keys).phase == "up_to_date"
    ws2 = clone_for(url, "lead", PASSWORD, tmp_path / "lead", keys)
    local2 = {s: t for t, s in server_task_ids(ws2).items()}[task]
    return (ws1, local1), (ws2, local2), track


def _edit(ws, annotation, **changes):
    changed = dataclasses.replace(annotation, revision=annotation.revision + 1, **changes)
    doc = AnnotationDoc(annotation.task_id, [annotation])
    UpdateAnnotations((changed,)).apply(doc)
    ws.commit(annotation.task_id, doc.take_changes())
    return changed


def _keyframes(ws, task):
    """id -> (track, frame, x, outside, occluded, label) of a task's annotations."""
    return {a.id: (a.track, a.frame, a.shape.x, a.outside, a.occluded, a.label) for a in ws.annotations(task)}


def _sync_all(keys, *spaces):
    for ws in (*spaces, spaces[0]):
        assert sync(ws, keys).phase == "up_to_date"


def test_two_clients_editing_different_keyframes_of_one_track_both_keep_their_edits(seeded_sqlite, keys, tmp_path):
    (ws1, t1), (ws2, t2), track = _two_clients(seeded_sqlite, keys, tmp_path)
    try:
        first, tenth = sorted(ws1.annotations(t1), key=lambda a: a.frame)
        theirs = {a.id: a for a in ws2.annotations(t2)}
        # offline, each moves a different keyframe of the same track and adds one of its own
        _edit(ws1, first, shape=Box(20.0, 2.0, 3.0, 4.0), occluded=True)
        _edit(ws2, theirs[tenth.id], shape=Box(30.0, 2.0, 3.0, 4.0), outside=True)
        (k5,) = add(ws1, t1, [_keyframe(t1, 5, track, x=15.0)])
        (k20,) = add(ws2, t2, [_keyframe(t2, 20, track, x=40.0)])
        _sync_all(keys, ws1, ws2)
        expected = {first.id: (track, 0, 20, False, True, "car"), tenth.id: (track, 10, 30, True, False, "car"),
                    k5.id: (track, 5, 15.0, False, False, "car"), k20.id: (track, 20, 40.0, False, False, "car")}
        assert _keyframes(ws1, t1) == expected and _keyframes(ws2, t2) == expected
        for ws in (ws1, ws2):
            agree(ws, seeded_sqlite.sessions["lead"])
        stored = sqlite3.connect(ws1.path / DB_NAME).execute("SELECT DISTINCT track_id FROM annotations").fetchall()
        assert stored == [(track,)]  # kept plain at rest, like kinds and ids (sync/client/at_rest.py)
    finally:
        ws1.close()
        ws2.close()


def test_a_frame_and_outside_edit_and_a_label_edit_of_one_keyframe_both_survive(seeded_sqlite, keys, tmp_path):
    (ws1, t1), (ws2, t2), track = _two_clients(seeded_sqlite, keys, tmp_path)
    try:
        tenth = max(ws1.annotations(t1), key=lambda a: a.frame)
        _edit(ws1, tenth, frame=12, outside=True)  # offline, from the same base
        _edit(ws2, {a.id: a for a in ws2.annotations(t2)}[tenth.id], label="person")
        _sync_all(keys, ws2, ws1)
        for ws, task in ((ws1, t1), (ws2, t2)):
            assert _keyframes(ws, task)[tenth.id] == (track, 12, 9.0, True, False, "person")
        remote = seeded_sqlite.sessions["lead"].get(f"/tasks/{seeded_sqlite.task_ids[0]}/annotations").json()
        fields = {i["id"]: i["fields"] for i in remote["items"]}[tenth.id]
        assert (fields["frame"], fields["track"], fields["outside"], fields["label"]) == (12, track, True, "person")
        agree(ws1, seeded_sqlite.sessions["lead"])
    finally:
        ws1.close()
        ws2.close()


def test_fields_an_older_client_leaves_out_take_their_defaults(seeded_sqlite, keys, tmp_path):
    """An op without the video fields (an older client) makes an image annotation, and a label-only edit of a keyframe
    keeps its frame and track; a synced workspace reads both."""
    ann1, task = seeded_sqlite.sessions["ann1"], seeded_sqlite.task_ids[0]
    video = {**BOX, "frame": 3, "track": "t-1", "occluded": True}
    answer = ann1.push([ann1.op(task, "old", BOX), ann1.op(task, "key", video)])
    assert [r["status"] for r in answer["results"]] == ["applied", "applied"]
    ann1.push([ann1.op(task, "key", {"label": "person"}, base=1)])
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    try:
        local = {s: t for t, s in server_task_ids(ws).items()}[task]
        stored = _by_id(ws, local)
        assert (stored["old"].frame, stored["old"].track, stored["old"].outside, stored["old"].occluded) == (
            None, None, False, False)
        assert (stored["key"].frame, stored["key"].track, stored["key"].occluded, stored["key"].label) == (
            3, "t-1", True, "person")
        shown = SyncStore(ws).current_fields(["old"])["old"]  # what the Review panel shows as the standing values
        assert (shown["frame"], shown["track"], shown["outside"], shown["occluded"]) == (None, None, False, False)
        agree(ws, seeded_sqlite.sessions["lead"])
    finally:
        ws.close()


def test_the_server_refuses_bad_video_values_naming_the_field(seeded_sqlite):
    ann1, task = seeded_sqlite.sessions["ann1"], seeded_sqlite.task_ids[0]
    bad = [("frame", -1), ("frame", 2**40), ("frame", True), ("frame", 1.5), ("track", "../x"), ("track", "x" * 65),
           ("track", ""), ("track", 7), ("outside", "yes"), ("occluded", 1)]
    answer = ann1.push([ann1.op(task, f"bad{i}", {**BOX, name: value}) for i, (name, value) in enumerate(bad)]
                       + [ann1.op(task, "fine", {**BOX, "frame": 2**31 - 1, "track": new_id(), "outside": False})])
    results = answer["results"]
    for (name, value), result in zip(bad, results, strict=False):
        assert result["status"] == "rejected", (name, value)
        assert result["reason"].startswith("bad_value:") and f"'{name}'" in result["reason"], result["reason"]
    assert results[-1]["status"] == "applied"
    # an edit of a stored keyframe is checked too, and a refused one changes nothing
    (edit,) = ann1.push([ann1.op(task, "fine", {"frame": -1}, base=1)])["results"]
    assert (edit["status"], edit["revision"]) == ("rejected", 1) and "'frame'" in edit["reason"]
    items = ann1.get(f"/tasks/{task}/annotations").json()["items"]
    assert [(i["id"], i["fields"]["frame"]) for i in items] == [("fine", 2**31 - 1)]
