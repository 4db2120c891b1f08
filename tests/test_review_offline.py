"""Reviews made offline: a lead's decisions and anyone's comment threads are stored at once, pushed like edits, and
reach the other side on its next sync; the server checks who may do what and answers a refused one with the reason.

Real server over HTTP on loopback, real encrypted workspaces made by clone."""

import json

import pytest

from core.annotation import Annotation, TaskStatus, new_id
from core.shapes import Box
from sync.client.review_store import QueueFilter, ReviewStore
from sync.client.store import SyncStore
from sync.transfer import export_dataset
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import add, clone_for, move, server_task_ids, sync


def _local(ws, server_task):
    return {s: t for t, s in server_task_ids(ws).items()}[server_task]


def _submitted(seeded, keys, tmp_path):
    """ann1 draws a box on the first task and marks it done; returns (ann1's workspace, its box, server task)."""
    server_task = seeded.task_ids[0]
    ws = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    local = _local(ws, server_task)
    (mine,) = add(ws, local, [Annotation(new_id(), local, "car", Box(10, 10, 20, 15))])
    ws.set_task_status(local, TaskStatus.DONE)
    assert sync(ws, keys).phase == "up_to_date"
    return ws, mine, server_task


def test_a_rejection_with_a_pinned_comment_made_offline_reaches_the_annotator(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    ws1, mine, server_task = _submitted(seeded, keys, tmp_path)
    lead = clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    reviews = ReviewStore(lead)
    local = _local(lead, server_task)
    assert [r.server_id for r in reviews.queue()] == [server_task]
    assert reviews.role() == "lead"
    thread = reviews.comment(local, "truck, not car", {"annotation_id": mine.id})
    reviews.decide(local, "reject", reason="Wrong label")
    # offline: stored at once, out of the queue, shown as waiting
    assert reviews.queue() == []
    decision = reviews.decision(server_task)
    assert (decision["decision"], decision["reason"], decision["pending"]) == ("reject", "Wrong label", True)
    (comment,) = reviews.comments(server_task)
    assert (comment["uid"], comment["sent"], comment["pin"]) == (thread, False, {"annotation_id": mine.id})
    assert sync(lead, keys).phase == "up_to_date"
    on_server = seeded.sessions["lead"].get(f"/tasks/{server_task}").json()
    assert on_server["status"] == "rejected"
    assert reviews.decision(server_task)["pending"] is False
    (comment,) = reviews.comments(server_task)
    assert comment["uid"] == thread and comment["sent"] and comment["id"] > 0

    assert sync(ws1, keys).phase == "up_to_date"
    theirs = ReviewStore(ws1)
    seen = theirs.decision(server_task)
    assert (seen["decision"], seen["reason"], seen["reviewer"], seen["pending"]) == ("reject", "Wrong label", "lead",
                                                                                     False)
    (comment,) = theirs.comments(server_task)
    assert (comment["text"], comment["author"], comment["pin"]) == ("truck, not car", "lead",
                                                                     {"annotation_id": mine.id})
    theirs.comment(_local(ws1, server_task), "fixed it", parent=thread)
    theirs.resolve(thread)
    assert sync(ws1, keys).phase == "up_to_date"
    assert sync(lead, keys).phase == "up_to_date"
    root, reply = reviews.comments(server_task)
    assert (root["uid"], root["resolved"], root["resolved_by"]) == (thread, True, "ann1")
    assert (reply["parent"], reply["text"], reply["author"]) == (thread, "fixed it", "ann1")
    for ws in (ws1, lead):
        ws.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "lead").glob("workspace.db*"))
    assert b"truck, not car" not in raw and b"Wrong label" not in raw and b"fixed it" not in raw  # sealed at rest


def test_edits_before_an_accept_make_it_accepted_after_fixes(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    ws1, _mine, server_task = _submitted(seeded, keys, tmp_path)
    lead = clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    reviews = ReviewStore(lead)
    local = _local(lead, server_task)
    (theirs,) = lead.annotations(local)
    move(lead, theirs, 5.0)  # the fix goes out before the decision: the outbox keeps the order
    reviews.decide(local, "accept", fixed=True)
    assert sync(lead, keys).phase == "up_to_date"
    session = seeded.sessions["lead"]
    assert session.get(f"/tasks/{server_task}").json()["status"] == "accepted"
    items = [i for i in session.pull_all() if i["type"] == "review"]
    assert [(i["decision"], i["fixed"], i["reviewer"]) for i in items] == [("accept", True, "lead")]
    (fixed,) = session.get(f"/tasks/{server_task}/annotations").json()["items"]
    assert fixed["fields"]["geometry"][0] == pytest.approx(15.0)
    with seeded.server.store.read() as conn:
        (detail,) = conn.exec_driver_sql("SELECT detail FROM audit WHERE action = 'task.review'").scalars()
    assert json.loads(detail)["fixed"] is True
    ws1.close()
    lead.close()


def test_a_decision_the_server_refuses_comes_back_with_its_reason(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    ws1, _mine, server_task = _submitted(seeded, keys, tmp_path)
    lead = clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    reviews = ReviewStore(lead)
    local = _local(lead, server_task)
    seeded.sessions["admin"].post(f"/tasks/{server_task}/review", json={"decision": "accept"})  # someone was faster
    reviews.decide(local, "reject", reason="Missing objects")
    assert sync(lead, keys).phase == "up_to_date"
    decision = reviews.decision(server_task)
    assert decision["decision"] == "accept" and decision["reviewer"] == "admin"  # what stands, pulled after ours
    (refused,) = [r for r in reviews.sync.rejections(server_task) if r["entity"] == "review"]
    assert refused["reason"].startswith("bad_transition") and refused["fields"]["reason"] == "Missing objects"
    # an annotator's decision is refused too, whatever their client says
    theirs = ReviewStore(ws1)
    with ws1.transaction() as conn:
        conn.execute("UPDATE sync_tasks SET server_status = 'submitted'")
    theirs.decide(_local(ws1, server_task), "accept")
    assert sync(ws1, keys).phase == "up_to_date"
    (refused,) = [r for r in theirs.sync.rejections(server_task) if r["entity"] == "review"]
    assert "lead of the project or an admin" in refused["reason"]
    ws1.close()
    lead.close()


def test_the_queue_filters_by_annotator_label_and_time(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    ws1, _mine, first = _submitted(seeded, keys, tmp_path)
    ws2 = clone_for(seeded.server.url, "ann2", PASSWORD, tmp_path / "ann2", keys)
    third = seeded.task_ids[2]
    local = _local(ws2, third)
    add(ws2, local, [Annotation(new_id(), local, "person", Box(1, 1, 5, 5))])
    ws2.set_task_status(local, TaskStatus.DONE)
    assert sync(ws2, keys).phase == "up_to_date"
    lead = clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    reviews = ReviewStore(lead)
    assert {r.server_id for r in reviews.queue()} == {first, third}
    assert [r.server_id for r in reviews.queue(QueueFilter(annotator="ann2"))] == [third]
    assert [r.server_id for r in reviews.queue(QueueFilter(label="car"))] == [first]
    assert [r.annotator for r in reviews.queue(QueueFilter(label="person"))] == ["ann2"]
    assert reviews.queue(QueueFilter(since=2**40)) == []
    for ws in (ws1, ws2, lead):
        ws.close()


@pytest.mark.parametrize("fields, problem", [
    ({"text": "x", "pin": {"frames": [0, 3]}}, "pin.frames"),  # an image has no frames
    ({"text": "x", "pin": {"box": [10, 10, 5, 5]}}, "from its start to its end"),
    ({"text": "x", "pin": {"point": [1, float("inf")]}}, "finite numbers"),
    ({"text": "x", "pin": {"elsewhere": 1}}, "a pin is an object"),
    ({"text": "   "}, "1-10,000 characters"),
    ({"pin": {"point": [1, 2]}}, "needs its text"),
    ({"text": "x", "parent": "0" * 32}, "parent must be a thread's first comment"),
])
def test_bad_comments_are_refused_with_the_field_named(seeded_sqlite, fields, problem):
    ann1 = seeded_sqlite.sessions["ann1"]
    op = ann1.op(seeded_sqlite.task_ids[0], new_id(), fields, entity="comment")
    (result,) = ann1.push([op])["results"]
    assert result["status"] == "rejected" and problem in result["reason"]
    assert [i for i in ann1.pull_all() if i["type"] == "comment"] == []


def test_threads_keep_their_rules(seeded_sqlite):
    ann1, ann2, lead = (seeded_sqlite.sessions[n] for n in ("ann1", "ann2", "lead"))
    t1, t3 = seeded_sqlite.task_ids[0], seeded_sqlite.task_ids[2]
    root, reply = new_id(), new_id()
    results = lead.push([lead.op(t1, root, {"text": "check", "pin": {"point": [3, 4]}}, entity="comment"),
                         lead.op(t1, reply, {"text": "and this", "parent": root}, entity="comment")])["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    checks = [
        (ann1, t1, new_id(), {"text": "deeper", "parent": reply}, "parent must be a thread's first comment"),
        (ann1, t1, root, {"text": "my words now"}, "only its author"),
        (ann1, t1, reply, {"resolved": True}, "resolve the thread's first comment"),
        (ann2, t1, new_id(), {"text": "not my task"}, "not_assigned"),
        (ann2, t3, root, {"resolved": True}, "task_mismatch"),
        (ann1, t1, "not-a-uid", {"text": "x"}, "32 lowercase hex digits"),
    ]
    for session, task, uid, fields, problem in checks:
        (result,) = session.push([session.op(task, uid, fields, entity="comment")])["results"]
        assert result["status"] == "rejected" and problem in result["reason"], (fields, result)
    (result,) = ann1.push([ann1.op(t1, root, {"resolved": True}, entity="comment")])["results"]
    assert result["status"] == "applied"
    again = ann1.push([ann1.op(t1, root, {"resolved": True}, entity="comment")])["results"]
    assert again[0]["status"] == "applied"  # no change, no new event
    comments = {i["uid"]: i for i in lead.pull_all() if i["type"] == "comment"}
    assert comments[root]["resolved"] and comments[root]["resolved_by"] == "ann1"
    assert comments[root]["pin"] == {"point": [3, 4]} and (comments[root]["x"], comments[root]["y"]) == (3, 4)
    assert comments[reply]["parent"] == root and comments[reply]["pin"] is None
    (result,) = lead.push([lead.op(t1, new_id(), {"decision": "maybe"}, op="decide", entity="review")])["results"]
    assert result["status"] == "rejected" and "accept or reject" in result["reason"]


def test_the_queue_follows_the_lots_sample_and_its_decision_comes_from_the_decisions(seeded_sqlite, keys, tmp_path):
    """A percentage plan samples half of ann1's day lot; the lead's queue holds the sample in its drawn order,
    the rest waits on the lot; deciding the sample decides the lot, and the lead's next pull brings that."""
    seeded = seeded_sqlite
    lead_api = seeded.sessions["lead"]
    qa = {"plan": {"kind": "percent", "percent": 50, "min": 1, "accept": 0}}
    assert lead_api.http.put(f"/projects/{seeded.project_id}/qa", json={"qa": qa}).status_code == 200
    ws1 = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    for server_task in seeded.task_ids[:2]:  # ann1's two tasks
        local = _local(ws1, server_task)
        add(ws1, local, [Annotation(new_id(), local, "car", Box(10, 10, 20, 15))])
        ws1.set_task_status(local, TaskStatus.DONE)
    assert sync(ws1, keys).phase == "up_to_date"
    lead = clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    reviews = ReviewStore(lead)
    (lot,) = reviews.lots()
    assert lot["status"] == "open" and sorted(lot["task_ids"]) == seeded.task_ids[:2]
    assert reviews.queue() == []  # waiting for the sample
    assert len(reviews.queue(QueueFilter(sampled_only=False))) == 2
    closed = lead_api.post(f"/projects/{seeded.project_id}/lots/{lot['id']}/close").json()
    assert sync(lead, keys).phase == "up_to_date"
    (sampled,) = closed["sample"]
    (row,) = reviews.queue()
    assert (row.server_id, row.lot, row.rank) == (sampled, lot["key"], 0)
    reviews.decide(row.task_id, "accept")
    assert sync(lead, keys).phase == "up_to_date"
    (lot,) = reviews.lots()
    assert (lot["status"], lot["reviewed"], lot["defects"]) == ("accepted", 1, 0)
    statuses = {t: lead_api.get(f"/tasks/{t}").json()["status"] for t in seeded.task_ids[:2]}
    assert statuses == dict.fromkeys(seeded.task_ids[:2], "accepted")  # the lot's other task with it
    assert reviews.queue(QueueFilter(sampled_only=False)) == []
    ws1.close()
    lead.close()


def test_a_leads_queue_puts_low_agreement_first_and_an_export_leaves_the_copies_out(seeded_sqlite, keys, tmp_path):
    """Three annotators on one consensus origin, two of them disagreeing with the third; the lead's clone knows the
    replicas (lead-only pull items): the origin comes first in the queue with its agreement, and an export of the
    workspace holds the origin's merged shapes, not the three copies."""
    from tests.test_server_consensus import add_annotator, box, draw, draw_and_submit, new_tasks, set_settings

    s = seeded_sqlite
    add_annotator(s, "ann3")
    set_settings(s, consensus={"share": 1.0, "annotators": 3, "quorum": 2, "min_agreement": 0.9})
    (origin,) = new_tasks(s, 1, prefix="crossing_")
    draw(s, ["ann1", "ann2", "ann3"], seed="s")
    draw_and_submit(s, {origin: {"ann1": [box("car", 5, 5)], "ann2": [box("car", 5, 5)],
                                 "ann3": [box("person", 30, 20)]}})
    lead = clone_for(s.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    reviews = ReviewStore(lead)
    first = reviews.queue()[0]
    assert first.server_id == origin and first.agreement is not None and first.agreement < 0.9
    copies = reviews.replica_tasks()
    assert len(copies) == 3 and _local(lead, origin) not in copies
    assert not {row.task_id for row in reviews.queue(QueueFilter(sampled_only=False))} & copies  # submitted, not queued
    assert reviews.submitters() == []  # the origin has no assignee; the copies wait on no lead
    messages: list[str] = []
    (written,) = [p for p in export_dataset(lead, "coco", tmp_path / "out", messages) if p.suffix == ".json"]
    document = json.loads(written.read_text())
    crossing = [i for i in document["images"] if i["file_name"].startswith("crossing_")]
    assert len(crossing) == 1  # the origin only
    assert any("3 consensus or gold copies of other tasks left out" in m for m in messages)
    lead.close()


def test_the_queue_version_moves_only_with_what_the_queue_is_read_from(tmp_path):
    """The app reads a lead's queue again after a sync round only when this changed (desktop/review_queue.py)."""
    from sync.client.store import SyncStore
    from sync.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    store = ReviewStore(ws)
    with ws.transaction() as conn:
        for i in (1, 2):
            conn.execute("INSERT INTO tasks (id, media_path, name) VALUES (?, ?, ?)", (i, f"/m/{i}.jpg", f"{i}.jpg"))
            conn.execute("INSERT INTO sync_tasks (local_id, server_id, project_id, media_sha256, server_status, "
                         "assignee, revision, updated_at) VALUES (?, ?, 1, ?, 'submitted', 'linh', 3, 1.0)",
                         (i, 100 + i, f"{i:064x}"))
        SyncStore.put(conn, "role", "lead")
        lot = {"id": 1, "project_id": 1, "key": "linh@d", "status": "sampling", "task_ids": [101, 102],
               "sample": [102]}
        ReviewStore.put_lot(conn, lot)
    before = store.version()
    with ws.transaction() as conn:
        SyncStore.put(conn, "last_sync", 2.0)  # a round that brought nothing for the queue
    assert store.version() == before
    with ws.transaction() as conn:
        ReviewStore.put_lot(conn, {**lot, "status": "accepted"})
    after_lot = store.version()
    assert after_lot != before
    store.decide(2, "accept")
    after_decision = store.version()
    assert after_decision != after_lot
    with ws.transaction() as conn:
        conn.execute("UPDATE sync_tasks SET server_status = 'accepted' WHERE server_id = 102")
    assert store.version() != after_decision
    ws.close()


def test_lot_members_follow_each_tasks_latest_lot_and_older_workspaces_are_filled_in(tmp_path):
    """sync_lot_tasks, which the queue filters by: a task's latest lot wins, a lot pulled again replaces its rows,
    and a workspace from before the table gets it from the lots it holds (the queue reads the same)."""
    ws = Workspace.create(tmp_path / "ws")
    with ws.transaction() as conn:
        for i in (1, 2, 3):
            conn.execute("INSERT INTO tasks (id, media_path, name) VALUES (?, ?, ?)", (i, f"/m/{i}.jpg", f"{i}.jpg"))
            conn.execute("INSERT INTO sync_tasks (local_id, server_id, project_id, media_sha256, server_status, "
                         "assignee, revision, updated_at) VALUES (?, ?, 1, ?, 'submitted', 'linh', 3, ?)",
                         (i, 100 + i, f"{i:064x}", float(i)))
        SyncStore.put(conn, "role", "lead")
        newer = {"id": 2, "project_id": 1, "key": "linh@d2", "status": "sampling", "task_ids": [102, 103],
                 "sample": [103]}
        ReviewStore.put_lot(conn, newer)
        ReviewStore.put_lot(conn, {"id": 1, "project_id": 1, "key": "linh@d1", "status": "open",
                                   "task_ids": [101, 102], "sample": []})
    members = "SELECT task_id, lot_id, key, rank, status FROM sync_lot_tasks ORDER BY task_id"
    with ws.reading() as conn:
        stored = conn.execute(members).fetchall()
    assert stored == [(101, 1, "linh@d1", -1, "open"), (102, 2, "linh@d2", -1, "sampling"),
                      (103, 2, "linh@d2", 0, "sampling")]
    queue = [(r.server_id, r.lot, r.rank) for r in ReviewStore(ws).queue()]
    assert queue == [(103, "linh@d2", 0)]  # 101 waits on its open lot, 102 is not in its lot's sample
    assert [r.server_id for r in ReviewStore(ws).queue(QueueFilter(sampled_only=False, lot="linh@d1"))] == [101]
    with ws.transaction() as conn:  # as a workspace of version 11 holds it
        conn.execute("DROP TABLE sync_lot_tasks")
        conn.execute("PRAGMA user_version = 11")
    ws.close()
    ws = Workspace.open(tmp_path / "ws")
    with ws.reading() as conn:
        assert conn.execute(members).fetchall() == stored
    assert [(r.server_id, r.lot, r.rank) for r in ReviewStore(ws).queue()] == queue
    ws.close()
