"""sync.workspace on real SQLite files and real images in tmp_path."""

import dataclasses
import json
import sqlite3
import struct
import tempfile
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.annotation import Annotation, Source, SourceKind, TaskStatus, new_id
from core.document import AddAnnotations, AnnotationDoc, DeleteAnnotations, UndoStack, UpdateAnnotations
from core.schema import Label, LabelSchema
from core.shapes import Box, Polygon
from core.shapes.mask import Mask
from sync import database, migrations
from sync.workspace import DB_NAME, SCHEMA_VERSION, NewerWorkspaceError, Workspace, WorkspaceError

SCHEMA = LabelSchema((Label("car", "#e69f00", "1"), Label("person", "#56b4e9", "2")))


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.create(tmp_path / "ws", SCHEMA)
    yield workspace
    workspace.close()


def _image(path, h=12, w=16):
    cv2.imencode(path.suffix, np.full((h, w, 3), 90, np.uint8))[1].tofile(path)
    return path


def _task(ws, tmp_path, name="img.png"):
    report = ws.add_media([_image(tmp_path / name)])
    assert report.added == 1
    return ws.find_task(name)


def _box(task_id, x=1.0, label="car", **kw):
    return Annotation(new_id(), task_id, label, Box(x, 2.0, 3.5, 4.25), **kw)


def _rows(ws, sql, params=()):
    conn = sqlite3.connect(ws.path / DB_NAME)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_create_sets_up_wal_schema_and_meta(ws, tmp_path):
    conn = sqlite3.connect(ws.path / DB_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384
    conn.close()
    assert ws.schema == SCHEMA and ws.author and len(ws.workspace_id) == 32
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(ws.path)
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace.open(tmp_path / "elsewhere")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / DB_NAME).write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(WorkspaceError, match="not an Annodesk workspace"):
        Workspace.open(tmp_path / "junk")


def test_a_workspace_with_4_kib_pages_keeps_them_and_works(tmp_path, monkeypatch):
    """Workspaces made before 16 KiB pages: SQLite ignores the page size on an existing file, nothing is rewritten."""
    monkeypatch.setattr(database, "PAGE_SIZE", 4096)
    Workspace.create(tmp_path / "old", SCHEMA).close()
    monkeypatch.undo()
    with Workspace.open(tmp_path / "old") as ws:
        task = _task(ws, tmp_path)
        assert ws.insert_annotations([_box(task.id, x=float(i)) for i in range(500)]) == 500
    with Workspace.open(tmp_path / "old") as ws:
        assert len(ws.annotations(task.id)) == 500
        assert ws.integrity_check() == "ok"
    assert _rows(ws, "PRAGMA page_size") == [(4096,)]


def test_newer_schema_is_refused_and_file_left_untouched(ws):
    ws.close()
    db = ws.path / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db.read_bytes()
    for readonly in (False, True):
        with pytest.raises(NewerWorkspaceError, match=f"schema version {SCHEMA_VERSION + 1}"):
            Workspace.open(ws.path, readonly=readonly)
    assert db.read_bytes() == before


def test_forward_migrations_apply_in_order_and_atomically(ws):
    ws.close()
    db = ws.path / DB_NAME
    extra = (
        ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)", "INSERT INTO notes (text) VALUES ('v2')"),
        ("ALTER TABLE notes ADD COLUMN stars INTEGER NOT NULL DEFAULT 3",),
    )
    conn = sqlite3.connect(db, isolation_level=None)
    assert migrations.migrate(conn, (*migrations.MIGRATIONS, *extra)) == SCHEMA_VERSION + 2
    assert conn.execute("SELECT text, stars FROM notes").fetchall() == [("v2", 3)]
    broken = (("CREATE TABLE more (x)", "INSERT INTO no_such_table VALUES (1)"),)
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        migrations.migrate(conn, (*migrations.MIGRATIONS, *extra, *broken))
    assert migrations.user_version(conn) == SCHEMA_VERSION + 2
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'more'").fetchone()[0] == 0
    conn.close()


def test_add_media_tasks_errors_dedupe_progress(ws, tmp_path):
    media = tmp_path / "media"
    (media / "sub").mkdir(parents=True)
    good = [_image(media / "a.png"), _image(media / "sub" / "b.jpg", 30, 20), _image(media / "снимок.png")]
    (media / "empty.jpg").write_bytes(b"")
    (media / "text.jpg").write_text("hello")
    whole = _image(media / "whole.jpg", 300, 400).read_bytes()
    (media / "sub" / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    (media / "readme.txt").write_text("ignored")
    seen = []
    report = ws.add_media([media, good[0]], progress=lambda done, total: seen.append((done, total)))
    assert report.added == 7 and report.skipped == 0 and not report.cancelled
    assert sorted(p.rsplit("/", 1)[1] for p, _ in report.errors) == ["cut.jpg", "empty.jpg", "text.jpg"]
    assert seen[-1] == (7, 7)
    assert ws.task_count() == 7 and ws.task_count(TaskStatus.ERROR) == 3
    cut = ws.find_task("cut.jpg")
    assert cut.status is TaskStatus.ERROR and "truncated" in cut.error
    b = ws.find_task(str(good[1]))
    assert (b.width, b.height, b.status) == (20, 30, TaskStatus.NEW)
    assert len(b.content_hash) == 64 and b.size == good[1].stat().st_size
    assert ws.find_task("снимок.png").media_path == str(good[2].resolve())
    again = ws.add_media([media / "sub" / ".." / "a.png", media])
    assert again.added == 0 and again.skipped == 7


def test_add_media_cancel_keeps_what_was_stored(ws, tmp_path):
    for i in range(5):
        _image(tmp_path / f"{i}.png")
    calls = []
    report = ws.add_media([tmp_path], cancelled=lambda: len(calls) >= 2, progress=lambda d, t: calls.append(d))
    assert report.cancelled and report.added == 2 and ws.task_count() == 2


def test_task_paging_rows_neighbours(ws, tmp_path):
    for i in range(6):
        _image(tmp_path / f"t{i}.png")
    ws.add_media([tmp_path])
    ids = [t.id for t in ws.tasks()]
    ws.set_task_status(ids[1], TaskStatus.DONE)
    ws.set_task_status(ids[3], TaskStatus.ERROR, "bad pixels")
    assert [t.id for t in ws.tasks(offset=2, limit=2)] == ids[2:4]
    assert [t.id for t in ws.tasks(status=TaskStatus.NEW)] == [ids[0], ids[2], ids[4], ids[5]]
    assert ws.task(ids[3]).error == "bad pixels"
    assert ws.task_row(ids[4]) == 4 and ws.task_row(ids[4], TaskStatus.NEW) == 2
    with pytest.raises(KeyError):
        ws.task_row(ids[1], TaskStatus.NEW)
    with pytest.raises(KeyError):
        ws.task(999)
    assert ws.neighbour_task(ids[0], 1).id == ids[1]
    assert ws.neighbour_task(ids[0], 1, unfinished_only=True).id == ids[2]
    assert ws.neighbour_task(ids[4], -1, unfinished_only=True).id == ids[2]
    assert ws.neighbour_task(ids[5], 1) is None and ws.neighbour_task(ids[0], -1) is None
    assert ws.stats()["tasks"] == {"total": 6, "new": 4, "in_progress": 0, "done": 1, "error": 1}
    outbox = [(e.entity, e.entity_id, e.op) for e in ws.outbox()]
    assert outbox == [("task", str(ids[1]), "status"), ("task", str(ids[3]), "status")]


def test_commit_writes_rows_and_outbox_atomically(ws, tmp_path):
    task = _task(ws, tmp_path)
    doc = AnnotationDoc(task.id)
    a, b = _box(task.id), _box(task.id, 5.0, "person", attributes={"occluded": True})
    AddAnnotations((a, b)).apply(doc)
    txn = ws.commit(task.id, doc.take_changes())
    assert txn > 0
    outbox = _rows(ws, "SELECT txn, entity, entity_id, op, revision FROM changes ORDER BY seq")
    assert outbox == [
        (txn, "annotation", a.id, "upsert", 1),
        (txn, "annotation", b.id, "upsert", 1),
        (txn, "task", str(task.id), "status", 0),
    ]
    assert ws.task(task.id).status is TaskStatus.IN_PROGRESS
    stored = ws.annotations(task.id)
    assert [x.id for x in stored] == [a.id, b.id] and stored[1].attributes == {"occluded": True}
    assert stored[0].same_content(a) and stored[0].revision == 1
    # a commit from a stale document (revision not newer than stored) fails and stores nothing
    stale = AnnotationDoc(task.id, [dataclasses.replace(stored[0], revision=0)])
    UpdateAnnotations((dataclasses.replace(a, label="person"),)).apply(stale)
    with pytest.raises(WorkspaceError, match="changed elsewhere"):
        ws.commit(task.id, stale.take_changes())
    assert ws.pending_changes() == 3 and ws.annotations(task.id)[0].label == "car"
    with pytest.raises(WorkspaceError, match="belongs to task"):
        ws.commit(task.id + 1, [dataclasses.replace(c) for c in _changes_for(task.id)])
    assert ws.commit(task.id, []) == 0


def _changes_for(task_id):
    doc = AnnotationDoc(task_id)
    AddAnnotations((_box(task_id),)).apply(doc)
    return doc.take_changes()


def test_delete_is_tombstone_and_undo_recreates(ws, tmp_path):
    task = _task(ws, tmp_path)
    doc, stack = AnnotationDoc(task.id), UndoStack()
    a = _box(task.id, source=Source(SourceKind.MODEL, 0.87, "yolo-v8n"))
    stack.execute(doc, AddAnnotations((a,)))
    ws.commit(task.id, doc.take_changes())
    stack.execute(doc, UpdateAnnotations((dataclasses.replace(a, shape=Box(9.0, 9.0, 1.0, 1.0)),)))
    ws.commit(task.id, doc.take_changes())
    stack.execute(doc, DeleteAnnotations((a.id,)))
    ws.commit(task.id, doc.take_changes())
    assert ws.annotations(task.id) == []
    assert _rows(ws, "SELECT deleted, revision FROM annotations WHERE id = ?", (a.id,)) == [(1, 3)]
    assert ws.stats()["annotations"]["total"] == 0
    stack.undo(doc)  # AddAnnotations of the deleted shape
    ws.commit(task.id, doc.take_changes())
    (back,) = ws.annotations(task.id)
    assert back.shape == Box(9.0, 9.0, 1.0, 1.0) and back.revision == 4 and back.source.score == 0.87
    ops = _rows(ws, "SELECT op, revision FROM changes WHERE entity = 'annotation' ORDER BY seq")
    assert ops == [("upsert", 1), ("upsert", 2), ("delete", 3), ("upsert", 4)]
    assert ws.stats()["annotations"] == {"total": 1, "by_label": {"car": 1}, "by_source": {"human": 0, "model": 1}}


def test_reopen_keeps_everything(tmp_path):
    directory = tmp_path / "ws"
    with Workspace.create(directory, SCHEMA) as ws:
        task = _task(ws, tmp_path)
        doc = AnnotationDoc(task.id)
        poly = Annotation(new_id(), task.id, "person", Polygon.from_points([(0, 0), (10, 0.5), (3, 7.25)]))
        AddAnnotations((_box(task.id), poly)).apply(doc)
        ws.commit(task.id, doc.take_changes())
        ws.set_schema(SCHEMA.with_label("bike"))
        ws.author = "ana"
        before = (ws.annotations(task.id), ws.tasks(), ws.stats(), ws.workspace_id)
    with Workspace.open(directory) as ws:
        assert (ws.annotations(task.id), ws.tasks(), ws.stats(), ws.workspace_id) == before
        assert ws.schema.names() == ["car", "person", "bike"] and ws.author == "ana"
        assert ws.outbox()[-1].entity == "schema" and ws.integrity_check() == "ok"


def test_insert_annotations_bulk_and_all_or_nothing(ws, tmp_path):
    task = _task(ws, tmp_path)
    boxes = [_box(task.id, float(i), source=Source(SourceKind.MODEL, 0.5, "m")) for i in range(500)]
    assert ws.insert_annotations(boxes) == 500
    stored = ws.annotations(task.id)
    assert [a.id for a in stored] == [a.id for a in boxes] and stored[7].shape == boxes[7].shape
    outbox = ws.outbox(limit=10_000)
    assert len(outbox) == 500 and len({e.txn for e in outbox}) == 1
    assert [e.entity_id for e in outbox] == [a.id for a in boxes]
    with pytest.raises(WorkspaceError, match="nothing imported"):
        ws.insert_annotations([_box(task.id), boxes[0]])  # second one is already stored
    with pytest.raises(WorkspaceError, match="nothing imported"):
        ws.insert_annotations([_box(task.id + 1000)])
    with pytest.raises(WorkspaceError, match="finite"):
        ws.insert_annotations([Annotation(new_id(), task.id, "car", Box(float("nan"), 0.0, 1.0, 1.0))])
    assert len(ws.annotations(task.id)) == 500 and ws.pending_changes() == 500
    assert ws.drop_outbox(outbox[99].seq) == 100 and ws.pending_changes() == 400


def test_readonly_reads_while_writer_holds_a_transaction(ws, tmp_path):
    task = _task(ws, tmp_path)
    ws.insert_annotations([_box(task.id)])
    reader = Workspace.open(ws.path, readonly=True)
    try:
        with ws.transaction() as conn:
            conn.execute("UPDATE tasks SET status = 'done'")
            conn.execute("DELETE FROM annotations")
            result = {}
            thread = threading.Thread(
                target=lambda: result.update(n=len(reader.annotations(task.id)), s=reader.task(task.id).status)
            )
            thread.start()
            thread.join(5)
            assert result == {"n": 1, "s": TaskStatus.NEW}
        assert reader.task(task.id).status is TaskStatus.DONE and reader.annotations(task.id) == []
        with pytest.raises(WorkspaceError, match="read-only"):
            reader.set_task_status(task.id, TaskStatus.NEW)
    finally:
        reader.close()


def test_commit_from_a_worker_thread(ws, tmp_path):
    task = _task(ws, tmp_path)
    doc = AnnotationDoc(task.id)
    errors = []

    def work(n):
        try:
            for i in range(n):
                AddAnnotations((_box(task.id, float(i)),)).apply(doc)
                ws.commit(task.id, doc.take_changes())
        except Exception as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=work, args=(20,))
    thread.start()
    thread.join(30)
    assert not errors and len(ws.annotations(task.id)) == 20


_coordinate = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**53), 2**53), st.sampled_from([-0.0, 0.1, 5e-324])
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_coordinate, _coordinate, _coordinate, _coordinate), min_size=1, max_size=5))
def test_coordinates_come_back_bit_for_bit(values):
    """Boxes (stored as numbers) and polygons (stored as JSON), by bulk import and by commit, read back exactly."""
    with tempfile.TemporaryDirectory() as tmp, Workspace.create(Path(tmp) / "ws") as ws:
        ws.set_schema(SCHEMA)
        with ws.transaction() as conn:
            conn.execute("INSERT INTO tasks (media_path, name) VALUES ('/a.png', 'a.png')")
        written = []
        for x, y, w, h in values:
            written.append(Annotation(new_id(), 1, "car", Box(x, y, abs(w), abs(h))))
            written.append(Annotation(new_id(), 1, "car", Polygon(((x, y), (w, h), (h, x)))))
        half = len(written) // 2
        ws.insert_annotations(written[:half])
        doc = AnnotationDoc(1)
        AddAnnotations(tuple(written[half:])).apply(doc)
        ws.commit(1, doc.take_changes())
        stored = ws.annotations(1)
    assert [a.id for a in stored] == [a.id for a in written]
    for got, want in zip(stored, written, strict=True):
        packed = [struct.pack("<d", v) for v in got.shape.to_json()]
        assert packed == [struct.pack("<d", float(v)) for v in want.shape.to_json()], want


def test_bulk_outbox_row_pages_and_drops_like_one_row_per_annotation(ws, tmp_path):
    task, other = _task(ws, tmp_path, "a.png"), _task(ws, tmp_path, "b.png")
    ws.set_task_status(task.id, TaskStatus.DONE)  # one plain outbox row before the bulk one
    boxes = [_box(task.id if i % 3 else other.id, float(i)) for i in range(250)]
    assert ws.insert_annotations(boxes) == 250
    assert ws.insert_annotations([]) == 0
    ws.set_task_status(other.id, TaskStatus.DONE)  # and one after
    everything = ws.outbox(limit=1000)
    assert len(everything) == ws.pending_changes() == 252
    seqs = [e.seq for e in everything]
    assert seqs == sorted(set(seqs)) and seqs[-1] - seqs[1] == 250  # the bulk entries fill the seqs they reserved
    assert {e.entity_id for e in everything[1:251]} == {a.id for a in boxes}
    assert {(e.entity, e.op, e.revision, e.txn) for e in everything[1:251]} == {("annotation", "upsert", 1, 2)}
    for limit in (1, 7, 100):  # paging in any step gives the same entries
        paged, after = [], 0
        while page := ws.outbox(after, limit):
            assert len(page) <= limit
            paged += page
            after = page[-1].seq
        assert paged == everything
    assert ws.drop_outbox(everything[40].seq) == 41  # through the middle of the bulk row
    assert ws.outbox(limit=1000) == everything[41:] and ws.pending_changes() == 211
    assert ws.drop_outbox(everything[-1].seq) == 211 and ws.pending_changes() == 0
    ws.set_task_status(task.id, TaskStatus.NEW)
    assert ws.outbox(everything[-1].seq)[0].seq > everything[-1].seq  # an emptied outbox never reuses a seq


def test_insert_annotations_refuses_unknown_task_and_bad_numbers(ws, tmp_path):
    task = _task(ws, tmp_path)
    with pytest.raises(WorkspaceError, match=f"no task {task.id + 7}"):
        ws.insert_annotations([_box(task.id), _box(task.id + 7)])
    with pytest.raises(WorkspaceError, match="finite"):
        ws.insert_annotations([Annotation(new_id(), task.id, "car", Box(0.0, float("-inf"), 1.0, 1.0))])
    with pytest.raises(WorkspaceError, match="finite"):
        ws.insert_annotations([Annotation(new_id(), task.id, "car", Box(0.0, "7", 1.0, 1.0))])
    assert ws.annotations(task.id) == [] and ws.pending_changes() == 0
    assert ws.stats()["annotations"]["total"] == 0


def test_sql_readers_see_geometry_as_json(ws, tmp_path):
    task = _task(ws, tmp_path)
    box, poly = _box(task.id), Annotation(new_id(), task.id, "car", Polygon.from_points([(0, 0), (4, 0.5), (1, 3)]))
    mask = Annotation(new_id(), task.id, "car", Mask.from_array(np.eye(5, 7, dtype=bool)))
    ws.insert_annotations([box, poly, mask])
    stored = dict(_rows(ws, "SELECT id, geometry FROM annotations"))
    assert {i: json.loads(stored[i]) for i in stored} == {a.id: a.shape.to_json() for a in (box, poly, mask)}
    assert ws.annotations(task.id) == [dataclasses.replace(a, revision=1) for a in (box, poly, mask)]


def test_group_z_hidden_and_locked_are_stored(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((10, 10, 3), np.uint8))
    ws.add_media([tmp_path / "a.png"])
    task = ws.tasks()[0]
    doc = AnnotationDoc(task.id)
    a = Annotation(new_id(), task.id, "x", Box(1, 1, 2, 2), group=7, z=3, hidden=True, locked=True)
    b = Annotation(new_id(), task.id, "x", Box(1, 1, 2, 2))
    AddAnnotations((a, b)).apply(doc)
    ws.commit(task.id, doc.take_changes())
    ws.insert_annotations([Annotation(new_id(), task.id, "y", Box(0, 0, 1, 1), group=2, z=-1, locked=True)])
    ws.close()
    with Workspace.open(tmp_path / "ws", readonly=True) as again:
        stored = {s.label + str(s.z): s for s in again.annotations(task.id)}
    assert (stored["x3"].group, stored["x3"].hidden, stored["x3"].locked) == (7, True, True)
    assert (stored["x0"].group, stored["x0"].hidden, stored["x0"].locked) == (None, False, False)
    assert (stored["y-1"].group, stored["y-1"].locked) == (2, True)


def test_reading_an_older_workspace_upgrades_it_first(ws):
    """A workspace written before the sync tables existed (version 1) opens read-only: migrations run once."""
    ws.close()
    db = ws.path / DB_NAME
    conn = sqlite3.connect(db, isolation_level=None)
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'sync_%' "
                          "OR name IN ('model_runs', 'frame_indexes', 'audio_peaks', 'review_decisions', "
                          "'task_time'))").fetchall()
    for (name,) in tables:
        conn.execute(f"DROP TABLE {name}")
    conn.execute("ALTER TABLE tasks DROP COLUMN kind")
    conn.execute("ALTER TABLE tasks DROP COLUMN frames")
    conn.execute("DROP INDEX annotations_by_frame")
    for column in ("frame", "track_id", "outside", "occluded"):
        conn.execute(f"ALTER TABLE annotations DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Workspace.open(ws.path, readonly=True) as again:
        assert again.stats()["tasks"]["total"] == 0
    conn = sqlite3.connect(db)
    assert migrations.user_version(conn) == SCHEMA_VERSION
    conn.close()


def test_a_transaction_inside_another_is_a_savepoint_of_it(tmp_path):
    """Reentrant on one thread: an inner block's failure undoes its own writes only; the outer block's failure
    undoes everything (an import is all or nothing, sync/transfer_steps.py)."""
    ws = Workspace.create(tmp_path / "ws")

    def count() -> int:
        return ws._value("SELECT count(*) FROM sync_state")

    with ws.transaction() as conn:
        conn.execute("INSERT INTO sync_state (key, value) VALUES ('a', '1')")
        with pytest.raises(RuntimeError), ws.transaction() as inner:
            inner.execute("INSERT INTO sync_state (key, value) VALUES ('b', '1')")
            raise RuntimeError("inner")
        with ws.transaction() as inner:
            inner.execute("INSERT INTO sync_state (key, value) VALUES ('c', '1')")
    assert count() == 2
    with pytest.raises(RuntimeError), ws.transaction() as conn:
        conn.execute("INSERT INTO sync_state (key, value) VALUES ('d', '1')")
        with ws.transaction() as inner:
            inner.execute("INSERT INTO sync_state (key, value) VALUES ('e', '1')")
        raise RuntimeError("outer")
    assert count() == 2
    ws.close()
