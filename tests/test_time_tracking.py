"""Time tracking: the rule of what counts (core/active_time.py), the pieces in the workspace with their outbox rows,
the sync path to the real server (added once, however often a batch is resent), the server's checks and rights, the
read route, and the app counting real key and mouse events on a fake clock."""

import json
import math
import time

import pytest
import sqlalchemy as sa

from core.active_time import ActiveTime, Stretch
from desktop.settings import Settings, load_settings
from sync import time_log
from sync.client import time_ops
from sync.client.batcher import Batcher
from sync.client.engine import SyncEngine
from sync.client.http import Http
from sync.client.store import SyncStore
from sync.outbox import OutboxEntry
from sync.server import db
from sync.server.errors import ApiError
from sync.server.security import Principal
from sync.server.service import get_task
from sync.server.time_log import add_time, time_problem
from sync.workspace import Workspace, WorkspaceError
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import clone_for, server_task_ids, sync

UID = "ab" * 16


# -- the rule -------------------------------------------------------------------------------------------------------

def feed(counter, events):
    out = []
    for key, t in events:
        out += counter.feed(key, t)
    return out


def test_gaps_up_to_idle_after_count_and_longer_ones_do_not():
    counter = ActiveTime(idle_after=60, flush_after=1000)
    # 0 -> 10 -> 70 (a 60 s gap counts: at most idle_after) -> 200 (130 s: idle, a new stretch) -> 205
    done = feed(counter, [("t", 0.0), ("t", 10.0), ("t", 70.0), ("t", 200.0), ("t", 205.0)])
    assert done == [Stretch("t", 70.0, 0.0, 70.0)]
    assert counter.pending == 5.0 and counter.key == "t" and counter.last == 205.0
    assert counter.end() == [Stretch("t", 5.0, 200.0, 205.0)]
    assert counter.key is None and counter.end() == []


def test_a_new_key_ends_the_stretch_and_the_gap_between_counts_for_neither():
    counter = ActiveTime(idle_after=60, flush_after=1000)
    done = feed(counter, [("a", 0.0), ("a", 20.0), ("b", 30.0), ("b", 45.0)])
    assert done == [Stretch("a", 20.0, 0.0, 20.0)]
    assert counter.end() == [Stretch("b", 15.0, 30.0, 45.0)]


def test_ending_the_stretch_drops_the_gap_to_the_next_event():
    counter = ActiveTime(idle_after=60, flush_after=1000)
    feed(counter, [("t", 0.0), ("t", 5.0)])
    assert counter.end() == [Stretch("t", 5.0, 0.0, 5.0)]  # the window lost focus
    assert feed(counter, [("t", 30.0), ("t", 31.0)]) == []
    assert counter.end() == [Stretch("t", 1.0, 30.0, 31.0)]


def test_a_long_stretch_is_handed_out_in_pieces_that_lose_nothing():
    counter = ActiveTime(idle_after=60, flush_after=30)
    done = feed(counter, [("t", float(t)) for t in range(0, 101, 10)])  # 100 s of work, an event every 10 s
    assert [(p.seconds, p.started, p.ended) for p in done] == [(30.0, 0.0, 30.0), (30.0, 30.0, 60.0),
                                                                (30.0, 60.0, 90.0)]
    (last,) = counter.end()
    assert (last.seconds, last.started, last.ended) == (10.0, 90.0, 100.0)
    assert sum(p.seconds for p in [*done, last]) == 100.0


def test_lone_events_and_a_clock_that_goes_back_count_nothing():
    counter = ActiveTime(idle_after=60)
    assert feed(counter, [("t", 100.0), ("t", 500.0)]) == []  # two lone events: nothing counted, nothing handed out
    assert feed(counter, [("t", 510.0), ("t", 505.0)]) == [Stretch("t", 10.0, 500.0, 510.0)]
    assert counter.end() == []
    with pytest.raises(ValueError):
        ActiveTime(idle_after=0)


def test_the_idle_setting_defaults_to_a_minute_and_refuses_nonsense(tmp_path):
    assert Settings().idle_after == 60.0
    path = tmp_path / "settings.json"
    for value, expected in ((90, 90), (0, 60.0), (-5, 60.0), (10_000, 60.0), ("soon", 60.0), (True, 60.0)):
        path.write_text(json.dumps({"idle_after": value}))
        assert load_settings(path).idle_after == expected, value


# -- the workspace --------------------------------------------------------------------------------------------------

@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.create(tmp_path / "ws")
    with workspace.transaction() as conn:
        conn.executemany("INSERT INTO tasks (id, media_path, name, width, height, status) VALUES (?, ?, ?, 64, 48, "
                         "'new')", [(1, "/a.png", "a.png"), (2, "/b.png", "b.png")])
    yield workspace
    workspace.close()


def test_a_piece_is_stored_with_its_outbox_row_and_totals_per_task(ws):
    before = ws.pending_changes()
    uid = time_log.add_time(ws, 1, 25.0, 1000.0, 1030.0)
    time_log.add_time(ws, 1, 5.0, 1100.0, 1105.0)
    time_log.add_time(ws, 2, 7.5, 1200.0, 1210.0)
    assert ws.pending_changes() == before + 3
    (first, *_rest) = ws.outbox(0)[-3:]
    assert (first.entity, first.entity_id, first.op) == ("time", uid, "add")
    assert time_log.task_seconds(ws, 1) == 30.0 and time_log.task_seconds(ws, 2) == 7.5
    (a, b) = time_log.entries(ws, 1)
    assert (a.uid, a.seconds, a.started, a.ended, a.author, a.answer) == (uid, 25.0, 1000.0, 1030.0, ws.author, None)
    assert b.seconds == 5.0
    with Workspace.open(ws.path, readonly=True) as reader:  # the app's reads
        assert time_log.task_seconds(reader, 1) == 30.0


def test_a_bad_piece_stores_nothing(ws):
    before = ws.pending_changes()
    with pytest.raises(KeyError):
        time_log.add_time(ws, 99, 5.0, 0.0, 10.0)
    for seconds, started, ended in ((0.0, 0.0, 10.0), (20.0, 0.0, 10.0), (math.nan, 0.0, 1.0), (1.0, 0.0, math.inf)):
        with pytest.raises(WorkspaceError):
            time_log.add_time(ws, 1, seconds, started, ended)
    assert ws.pending_changes() == before and time_log.task_seconds(ws, 1) == 0.0


def test_a_piece_of_a_task_not_on_the_server_is_never_sent(ws):
    uid = time_log.add_time(ws, 1, 5.0, 0.0, 10.0)
    (entry,) = [e for e in ws.outbox(0) if e.entity == "time"]
    with ws.transaction() as conn:
        assert time_ops.op(conn, entry, {}, 0) is None  # no sync_tasks row: a local-only task
        op = time_ops.op(conn, entry, {1: (41, "assigned", 3)}, 1 << 40)
        assert time_ops.op(conn, OutboxEntry(99, 9, "time", "f" * 32, "add", 0, 0.0), {1: (41, "", 0)}, 0) is None
    assert op == {"op_id": (1 << 40) + entry.seq, "txn": entry.txn, "entity": "time", "entity_id": uid,
                  "task_id": 41, "op": "add", "base_revision": 0,
                  "fields": {"seconds": 5.0, "started": 0.0, "ended": 10.0}, "author": ws.author}


# -- sync with the real server --------------------------------------------------------------------------------------

def server_rows(server):
    with server.store.read() as conn:
        return [dict(r) for r in conn.execute(sa.select(db.task_time).order_by(db.task_time.c.id)).mappings()]


def test_a_piece_reaches_the_server_once_however_often_it_is_sent(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    ws = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    local, server_task = next(iter(server_task_ids(ws).items()))
    now = time.time()
    uid = time_log.add_time(ws, local, 42.5, now - 60, now - 10)
    engine = SyncEngine(ws, keys.credentials, keys)
    raw = Http(seeded.server.url, engine.http.session.headers["Authorization"].split()[1])
    try:
        batch = Batcher(SyncStore(ws), engine.identity).seal_next()
        assert batch is not None and [op["entity"] for op in batch.ops] == ["time"]
        post = {"headers": {"Content-Type": "application/octet-stream"}}
        once = raw.json("POST", "/sync/push", data=batch.body, **post)  # its answer is "lost"
        again = raw.json("POST", "/sync/push", data=batch.body, **post)
        assert [r["status"] for r in once["results"]] == ["applied"]
        assert again["duplicate"] and again["results"] == once["results"]
        assert engine.push() == 1  # the stored batch once more, answered from the server's record
    finally:
        raw.close()
        engine.close()
    assert ws.pending_changes() == 0
    (entry,) = time_log.entries(ws, local)
    assert entry.answer == "applied"
    # the same piece in a new batch (another workspace, a reseal): the uid finds the first one
    ann1 = seeded.sessions["ann1"]
    answer = ann1.push([ann1.op(server_task, uid, {"seconds": 42.5, "started": now - 60, "ended": now - 10},
                                op="add", entity="time")])
    assert answer["results"][0]["status"] == "applied"
    (row,) = server_rows(seeded.server)
    assert (row["task_id"], row["username"], row["seconds"], row["uid"]) == (server_task, "ann1", 42.5, uid)
    assert sync(ws, keys).phase == "up_to_date" and len(server_rows(seeded.server)) == 1
    ws.close()


def test_refused_pieces_come_back_with_their_reason(seeded_sqlite):
    seeded = seeded_sqlite
    ann1, ann2, lead = (seeded.sessions[n] for n in ("ann1", "ann2", "lead"))
    mine, theirs = seeded.task_ids[0], seeded.task_ids[2]  # ann1's, ann2's
    now = time.time()
    good = {"seconds": 20.0, "started": now - 30, "ended": now - 5}
    bad = [
        ({**good, "seconds": 0}, "more than 0"),
        ({**good, "seconds": 26.5}, "between started and ended"),
        ({**good, "started": now, "ended": now - 10}, "started not after ended"),
        ({**good, "started": now + 3 * 86400, "ended": now + 3 * 86400 + 30}, "more than a day in the future"),
        ({"seconds": 5 * 3600.0, "started": now - 6 * 3600, "ended": now}, "at most 14400"),
        ({"seconds": 20.0, "started": now - 30}, "exactly the fields"),
        ({**good, "label": "car"}, "exactly the fields"),
        ({**good, "seconds": "20"}, "finite numbers"),
        ({**good, "seconds": True}, "finite numbers"),
    ]
    ops = [ann1.op(mine, f"{i:032x}", fields, op="add", entity="time") for i, (fields, _why) in enumerate(bad)]
    ops.append(ann1.op(mine, "not-a-uid", good, op="add", entity="time"))
    ops.append(ann1.op(mine, "cd" * 16, good, op="upsert", entity="time"))
    ops.append(ann1.op(theirs, "ef" * 16, good, op="add", entity="time"))  # not theirs to log
    ops.append(ann1.op(mine, UID, good, op="add", entity="time"))
    ops.append(ann1.op(mine, "12" * 16, good, op="add", entity="annotation"))  # "add" is not an annotation op
    results = ann1.push(ops)["results"]
    for (_fields, why), result in zip(bad, results, strict=False):
        assert result["status"] == "rejected" and result["reason"].startswith("bad_time:"), result
        assert why in result["reason"], (why, result["reason"])
    assert results[len(bad)]["reason"].startswith("bad_time: an id made by the client")
    assert results[len(bad) + 1]["reason"].startswith("bad_op: a time op is 'add'")
    assert results[len(bad) + 2]["reason"] == f"not_assigned: task {theirs}"
    assert results[len(bad) + 3]["status"] == "applied"
    assert results[len(bad) + 4]["reason"].startswith("bad_op: an annotation op is upsert or delete")
    # the same uid on another task, or from another user, is not the same piece
    (clash,) = lead.push([lead.op(mine, UID, good, op="add", entity="time")])["results"]
    assert clash["status"] == "rejected" and clash["reason"].startswith("task_mismatch")
    (other,) = ann2.push([ann2.op(theirs, UID, good, op="add", entity="time")])["results"]
    assert other["reason"].startswith("task_mismatch")
    # a lead may log time on any task (reviewing is work too)
    (ok,) = lead.push([lead.op(mine, "34" * 16, {**good, "seconds": 10.0}, op="add", entity="time")])["results"]
    assert ok["status"] == "applied"
    assert [(r["uid"], r["username"]) for r in server_rows(seeded.server)] == [(UID, "ann1"), ("34" * 16, "lead")]


def test_the_rules_without_the_wire(seeded_sqlite):
    now = time.time()
    assert time_problem({"seconds": math.nan, "started": 0.0, "ended": 1.0}, now) == \
        "seconds, started and ended must be finite numbers"
    assert time_problem({"seconds": 1.0, "started": -1.0, "ended": 1.0}, now).startswith("started and ended")
    assert time_problem({"seconds": 1.0, "started": now, "ended": now + 0.5}, now) is None  # within the 1 s slack
    store, task_id = seeded_sqlite.server.store, seeded_sqlite.task_ids[0]
    ann2 = Principal(user_id=999, name="ann2", role="annotator", device_id=None, client_id=None)
    with store.write() as conn:
        task = get_task(conn, None, task_id)
        with pytest.raises(ApiError) as refused:
            add_time(conn, ann2, task, UID, {"seconds": 1.0, "started": now - 2, "ended": now})
    assert (refused.value.status, refused.value.code) == (403, "forbidden")
    assert "not assigned to you" in refused.value.detail


def test_the_time_of_a_task_as_leads_and_assignees_see_it(seeded_sqlite):
    seeded = seeded_sqlite
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    task = seeded.task_ids[0]
    now = time.time()
    for session, uid, seconds in ((ann1, "a1" * 16, 30.0), (ann1, "a2" * 16, 12.0), (lead, "b1" * 16, 8.0)):
        fields = {"seconds": seconds, "started": now - 100, "ended": now - 50}
        assert session.push([session.op(task, uid, fields, op="add", entity="time")])["results"][0]["status"] == \
            "applied"
    seen = lead.get(f"/tasks/{task}/time").json()
    assert seen["seconds"] == 50.0
    assert seen["users"] == [{"user": "ann1", "seconds": 42.0, "pieces": 2}, {"user": "lead", "seconds": 8.0,
                                                                            "pieces": 1}]
    assert {e["uid"] for e in seen["entries"]} == {"a1" * 16, "a2" * 16, "b1" * 16}
    own = ann1.get(f"/tasks/{task}/time").json()
    assert own["seconds"] == 42.0 and [u["user"] for u in own["users"]] == ["ann1"]
    assert seeded.sessions["ann2"].get(f"/tasks/{task}/time").status_code == 404
    assert lead.get("/tasks/999999/time").status_code == 404


# -- the app --------------------------------------------------------------------------------------------------------

@pytest.fixture
def window(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    from desktop.demo import make_demo
    from desktop.main_window import MainWindow

    make_demo(tmp_path / "demo", images=3, video=False, audio=False).close()
    w = MainWindow(Settings(idle_after=60.0))
    qtbot.addWidget(w)
    w.open_workspace(tmp_path / "demo" / "workspace")
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w
    w.close()


def test_the_app_counts_input_on_the_task_on_show_and_not_the_idle_gaps(qtbot, window):
    from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
    from PySide6.QtGui import QMouseEvent, QWheelEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    now = [1_700_000_000.0]
    window.active_time.clock = lambda: now[0]
    viewport = window.canvas.viewport()

    def at(t, act):
        now[0] = 1_700_000_000.0 + t
        act()

    def key():
        QTest.keyClick(window.canvas, Qt.Key.Key_Shift)

    def move(x=100):
        pos = QPointF(x, 120)
        QApplication.sendEvent(viewport, QMouseEvent(QEvent.Type.MouseMove, pos, viewport.mapToGlobal(pos),
                                                     Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                                     Qt.KeyboardModifier.NoModifier))

    def wheel():
        pos = QPointF(120, 120)
        QApplication.sendEvent(viewport, QWheelEvent(pos, viewport.mapToGlobal(pos), QPoint(), QPoint(0, 120),
                                                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                                     Qt.ScrollPhase.NoScrollPhase, False))

    first = window.session.task.id
    path = window.session.path
    at(0, key)
    at(10, move)
    at(25, lambda: QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(90, 90)))
    at(200, lambda: move(150))  # 175 s idle: not counted
    at(210, key)
    at(215, lambda: QApplication.sendEvent(window, QEvent(QEvent.Type.WindowDeactivate)))  # focus lost: ends it
    at(230, key)  # the 20 s away do not count
    at(232, key)
    window.go(1)  # a new task ends the stretch on the first one
    second = window.session.task.id
    assert second != first
    at(300, key)
    at(320, wheel)
    at(331, key)  # 31 s counted: a piece is stored without waiting for the task to change
    window.wait_until_idle()
    with Workspace.open(path, readonly=True) as ws:
        assert [e.seconds for e in time_log.entries(ws, first)] == [25.0, 10.0, 2.0]
        assert [(e.seconds, e.started - 1_700_000_000.0) for e in time_log.entries(ws, second)] == [(31.0, 300.0)]
        assert [e.entity for e in ws.outbox(0) if e.entity == "time"] == ["time"] * 4
    at(340, key)
    window.show_task(first)
    assert window.task_label.text().endswith("  ·  37 s")
    window.close()  # ends nothing more: the stretch on the second task was stored when the first was shown
    with Workspace.open(path, readonly=True) as ws:
        assert time_log.task_seconds(ws, second) == 40.0
        assert time_log.task_seconds(ws, first) == 37.0


def test_closing_the_workspace_stores_the_stretch_in_progress(qtbot, window):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    now = [1_700_000_000.0]
    window.active_time.clock = lambda: now[0]
    task, path = window.session.task.id, window.session.path
    for t in (0, 4, 9):
        now[0] = 1_700_000_000.0 + t
        QTest.keyClick(window.canvas, Qt.Key.Key_Shift)
    window.close()
    with Workspace.open(path, readonly=True) as ws:
        assert time_log.task_seconds(ws, task) == 9.0
