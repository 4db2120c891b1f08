"""Push and pull against the real server (SQLite and PostgreSQL): exactly once, in order, merged field by field,
reviewer wins, losers kept, and every refused batch leaves the server unchanged."""

import struct

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sync.envelope import raw_public, seal
from sync.server import db
from tests.server_fixtures import login

BOX = {"label": "car", "kind": "box", "geometry": [1, 2, 30, 40]}


def statuses(answer):
    return [(r["status"], r["reason"], r["revision"]) for r in answer["results"]]


def annotations_of(session, task_id, **params):
    r = session.get(f"/tasks/{task_id}/annotations", params=params)
    assert r.status_code == 200, r.text
    return {a["id"]: a for a in r.json()["items"]}


def test_push_applies_once_and_a_resend_changes_nothing(seeded):
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    t = seeded.task_ids[0]
    ops = [ann1.op(t, "a1", BOX), ann1.op(t, "a2", {**BOX, "label": "person"}),
           ann1.op(t, "a1", {"geometry": [5, 5, 10, 10]}, base=1)]
    body = ann1.seal(ops)
    first = ann1.push_raw(body)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["duplicate"] is False
    assert statuses(answer) == [("applied", None, 1), ("applied", None, 1), ("applied", None, 2)]
    before = seeded.server.counts()
    again = ann1.push_raw(body).json()
    assert again["duplicate"] is True and again["results"] == answer["results"]
    assert seeded.server.counts() == before
    anns = annotations_of(lead, t)
    assert anns["a1"]["fields"]["geometry"] == [5, 5, 10, 10] and anns["a1"]["revision"] == 2
    assert anns["a2"]["fields"]["label"] == "person"
    assert lead.get(f"/tasks/{t}").json()["status"] == "in_progress"  # the first edit started the task


def test_ops_already_applied_are_answered_from_the_record(seeded):
    """A client that lost its sealed batch re-seals the same ops under a new batch id: nothing applies twice."""
    from sync.envelope import batch_hash
    ann1 = seeded.sessions["ann1"]
    t = seeded.task_ids[0]
    op1 = ann1.op(t, "a1", BOX)
    first = ann1.push([op1])
    op2 = ann1.op(t, "a1", {"label": "person"}, base=1)
    body = ann1.seal([op1, op2])
    answer = ann1.push_raw(body).json()
    ann1.last_hash = batch_hash(body)
    assert answer["results"][0] == first["results"][0]
    assert statuses(answer)[1] == ("applied", None, 2)
    with seeded.server.store.read() as conn:
        assert conn.execute(sa.select(db.annotations.c.revision)).scalar_one() == 2


def test_two_workspaces_of_one_device_push_in_turns_from_their_own_op_id_ranges(seeded):
    """A device's second workspace sends op ids above 2^40, the first keeps sending its lower ones: each op id is
    applied once, a lower one after a higher one is still new, and a resent one is answered from the record."""
    ann1 = seeded.sessions["ann1"]
    t = seeded.task_ids[0]
    ann1.next_op = (1 << 40) + 1
    high = ann1.op(t, "b1", BOX)
    assert statuses(ann1.push([high])) == [("applied", None, 1)]
    ann1.next_op = 1
    low = [ann1.op(t, "a1", BOX), ann1.op(t, "a2", BOX)]
    assert statuses(ann1.push(low)) == [("applied", None, 1)] * 2
    ann1.next_op = (1 << 40) + 2
    again = ann1.push([low[1], high, ann1.op(t, "b1", {"label": "person"}, base=1)])
    assert statuses(again) == [("applied", None, 1), ("applied", None, 1), ("applied", None, 2)]
    with seeded.server.store.read() as conn:
        revisions = dict(conn.execute(sa.select(db.annotations.c.id, db.annotations.c.revision)).all())
    assert revisions == {"a1": 1, "a2": 1, "b1": 2}


def test_out_of_order_batch_is_refused_until_its_predecessor_arrives(seeded):
    from sync.envelope import batch_hash
    ann1 = seeded.sessions["ann1"]
    t = seeded.task_ids[0]
    b1 = ann1.seal([ann1.op(t, "a1", BOX)])
    b2 = ann1.seal([ann1.op(t, "a2", BOX)], prev_batch_hash=batch_hash(b1))
    before = seeded.server.counts()
    r = ann1.push_raw(b2)
    assert r.status_code == 409 and r.json()["code"] == "out_of_order" and r.json()["expected_prev"] == ""
    assert seeded.server.counts() == before
    assert ann1.push_raw(b1).status_code == 200
    assert ann1.push_raw(b2).status_code == 200
    assert ann1.push_raw(b1).json()["duplicate"] is True  # an old batch resent late is still just a duplicate
    assert set(annotations_of(seeded.sessions["lead"], t)) == {"a1", "a2"}


def test_field_merge_reviewer_wins_and_losers_are_kept(seeded):
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    t = seeded.task_ids[0]
    ann1.push([ann1.op(t, "a1", BOX)])
    assert statuses(lead.push([lead.op(t, "a1", {"label": "person"}, base=1)])) == [("applied", None, 2)]
    # ann1 still at base 1: a different field merges, the label the lead set wins over ann1's
    answer = ann1.push([ann1.op(t, "a1", {"geometry": [0, 0, 9, 9]}, base=1),
                        ann1.op(t, "a1", {"label": "car", "z": 2}, base=1)])
    assert statuses(answer) == [("merged", None, 3), ("merged", "reviewer_wins: label", 4)]
    final = annotations_of(lead, t)["a1"]["fields"]
    assert final["label"] == "person" and final["geometry"] == [0, 0, 9, 9] and final["z"] == 2
    answer = ann1.push([ann1.op(t, "a1", {"label": "truck"}, base=1)])
    assert statuses(answer) == [("rejected", "reviewer_wins", 4)]
    conflicts = lead.get(f"/tasks/{t}/conflicts").json()
    assert [(c["field"], c["losing_value"], c["winning_value"], c["loser"]) for c in conflicts] == [
        ("label", "car", "person", "ann1"), ("label", "truck", "person", "ann1")]


def test_concurrent_annotator_edits_later_wins_and_the_earlier_is_kept(seeded):
    server, t = seeded.server, seeded.task_ids[0]
    laptop, tablet = seeded.sessions["ann1"], login(server, "ann1")  # one annotator, two devices
    laptop.push([laptop.op(t, "a1", BOX)])
    assert statuses(laptop.push([laptop.op(t, "a1", {"label": "person"}, base=1)])) == [("applied", None, 2)]
    assert statuses(tablet.push([tablet.op(t, "a1", {"label": "car"}, base=1)])) == [("merged", None, 3)]
    assert annotations_of(laptop, t)["a1"]["fields"]["label"] == "car"
    conflicts = seeded.sessions["lead"].get(f"/tasks/{t}/conflicts").json()
    assert [(c["losing_value"], c["winning_value"]) for c in conflicts] == [("person", "car")]


def test_deletes_tombstones_and_resurrection(seeded):
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    tablet = login(seeded.server, "ann1")
    t = seeded.task_ids[0]
    ann1.push([ann1.op(t, "a1", BOX), ann1.op(t, "a2", BOX)])
    lead.push([lead.op(t, "a1", {"label": "person"}, base=1)])
    answer = ann1.push([ann1.op(t, "a1", {}, base=1, op="delete"), ann1.op(t, "a2", {}, base=1, op="delete")])
    assert statuses(answer) == [("rejected", "reviewer_wins", 2), ("applied", None, 2)]
    assert set(annotations_of(lead, t)) == {"a1"}
    deleted = annotations_of(lead, t, include_deleted=True)["a2"]
    assert deleted["deleted"] is True and deleted["fields"]["label"] == "car"  # the tombstone keeps the values
    # another device that had not seen the delete edits a2: the later op wins and brings it back
    answer = tablet.push([tablet.op(t, "a2", {"label": "person"}, base=1)])
    assert statuses(answer) == [("merged", None, 3)]
    assert annotations_of(lead, t)["a2"]["fields"]["label"] == "person"


def test_each_op_is_checked_on_its_own(seeded):
    ann1, ann2, lead = seeded.sessions["ann1"], seeded.sessions["ann2"], seeded.sessions["lead"]
    t1, _, t3 = seeded.task_ids
    ann1.push([ann1.op(t1, "mine", BOX)])
    answer = ann1.push([
        ann1.op(t3, "x1", BOX),                                   # ann2's task
        ann1.op(999, "x2", BOX),                                  # no such task
        ann1.op(t1, "x3", {"label": "car"}),                      # new, no shape
        ann1.op(t1, "x4", {**BOX, "colour": "red"}),              # unknown field
        ann1.op(t1, "x5", {**BOX, "geometry": [1, 2]}),           # bad box
        ann1.op(t1, "x6", {**BOX, "hidden": "yes"}),              # wrong type
        ann1.op(t1, "x7", BOX),                                   # fine
    ])
    reasons = [r["reason"].split(":")[0] if r["reason"] else r["status"] for r in answer["results"]]
    assert reasons == ["not_assigned", "unknown_task", "incomplete", "unknown_field", "bad_geometry", "bad_value",
                       "applied"]
    assert statuses(ann2.push([ann2.op(t1, "mine", {"label": "person"}, base=1)]))[0][1].startswith("not_assigned")
    # a locked schema refuses labels it does not have
    schema = {"labels": [{"name": "car"}]}
    assert lead.http.put(f"/projects/{seeded.project_id}/schema", json={"schema": schema, "locked": True}).is_success
    assert statuses(ann1.push([ann1.op(t1, "x8", {**BOX, "label": "person"})]))[0][1].startswith("unknown_label")
    assert set(annotations_of(lead, t1)) == {"mine", "x7"}


def test_task_status_by_push_and_closed_tasks(seeded):
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    t = seeded.task_ids[0]
    answer = ann1.push([ann1.op(t, "a1", BOX), ann1.op(t, str(t), {"status": "submitted"}, entity="task",
                                                        op="status")])
    assert [r["status"] for r in answer["results"]] == ["applied", "applied"]
    assert lead.get(f"/tasks/{t}").json()["status"] == "submitted"
    assert statuses(ann1.push([ann1.op(t, "a2", BOX)]))[0][1].startswith("task_closed")
    bad = ann1.push([ann1.op(t, str(t), {"status": "accepted"}, entity="task", op="status")])
    assert bad["results"][0]["status"] == "rejected"
    assert lead.get(f"/tasks/{t}").json()["status"] == "submitted"


def refused(server, session, body, status, code, token=None):
    before = server.counts()
    r = session.push_raw(body, token=token)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code, r.text
    assert server.counts() == before


def test_damaged_or_misdirected_batches_are_refused_and_change_nothing(seeded):
    server = seeded.server
    ann1, ann2, admin = seeded.sessions["ann1"], seeded.sessions["ann2"], seeded.sessions["admin"]
    t = seeded.task_ids[0]
    good = ann1.seal([ann1.op(t, "a1", BOX), ann1.op(t, "a2", BOX)])
    header_len = struct.unpack(">I", good[4:8])[0]
    for index in (1, 8 + header_len // 2, 8 + header_len + 5, len(good) - 3):  # a bit flipped anywhere
        flipped = bytearray(good)
        flipped[index] ^= 1
        r = ann1.push_raw(bytes(flipped))
        assert r.status_code == 400 and r.json()["code"] in ("malformed", "bad_signature"), r.text
    for cut in (3, 20, len(good) // 2, len(good) - 1):
        assert ann1.push_raw(good[:cut]).json()["code"] in ("malformed", "bad_signature")
    refused(server, ann1, good, 403, "cross_client", token=ann2.token)  # replayed with another client's token
    stranger = seal([ann1.op(t, "a3", BOX)], client_id=ann1.client_id, device_key=Ed25519PrivateKey.generate(),
                    server_public_key=ann1.server_public, schema_version=1)
    refused(server, ann1, stranger, 403, "unknown_device")
    other_server = raw_public(X25519PrivateKey.generate())
    refused(server, ann1, ann1.seal([ann1.op(t, "a4", BOX)], server_public_key=other_server), 400,
            "unknown_recipient")
    refused(server, ann1, b"ADB1" + b"\0" * (4 * 1024 * 1024 + 10), 413, "too_large")
    r = ann1.http.post("/sync/push", content=good, headers={"Content-Type": "application/json"})
    assert r.status_code == 415
    # expired token
    with server.store.write() as conn:
        conn.execute(db.tokens.update().where(db.tokens.c.user_id == sa.select(db.users.c.id).where(
            db.users.c.name == "ann1").scalar_subquery()).values(expires_at=0))
    refused(server, ann1, good, 401, "invalid_token")
    # a revoked device: its own token dies, and its batches are refused even when carried by a valid token
    tablet = login(server, "ann1")
    assert admin.post(f"/admin/devices/{ann1.device_id}/revoke").status_code == 200
    refused(server, ann1, good, 403, "revoked_device", token=tablet.token)
    assert tablet.push([tablet.op(t, "b1", BOX)])["results"][0]["status"] == "applied"
    assert set(annotations_of(seeded.sessions["lead"], t)) == {"b1"}


def test_pull_shows_only_what_the_caller_may_see_page_by_page(seeded):
    ann1, ann2, lead = seeded.sessions["ann1"], seeded.sessions["ann2"], seeded.sessions["lead"]
    t1, t2, t3 = seeded.task_ids
    ann1.push([ann1.op(t1, "a1", BOX), ann1.op(t2, "a2", BOX)])
    ann2.push([ann2.op(t3, "b1", BOX)])
    lead.post(f"/tasks/{t1}/submit")
    lead.post(f"/tasks/{t1}/review", json={"decision": "reject", "comments": [
        {"text": "box too loose", "annotation_id": "a1"}, {"text": "missed a car here", "x": 10.5, "y": 20}]})
    paged = ann1.pull_all(limit=2)
    assert [i["seq"] for i in paged] == sorted(i["seq"] for i in paged)
    def final(items):  # what a client ends with: the last state of each entity
        return {(i["type"], str(i.get("id", i.get("project_id")))): {**i, "seq": 0} for i in items}
    assert final(paged) == final(ann1.pull_all(limit=500))
    kinds = set(final(paged))
    assert {("annotation", "a1"), ("annotation", "a2"), ("task", str(t1)), ("project", str(seeded.project_id)),
            ("schema", str(seeded.project_id))} <= kinds
    assert ("annotation", "b1") not in kinds and ("task", str(t3)) not in kinds
    comments = [i for i in paged if i["type"] == "comment"]
    assert {(c["text"], c["annotation_id"], c["x"]) for c in comments} == {
        ("box too loose", "a1", None), ("missed a car here", None, 10.5)}
    assert [i["decision"] for i in paged if i["type"] == "review"] == ["reject"]
    assert {i["id"] for i in lead.pull_all() if i["type"] == "annotation"} == {"a1", "a2", "b1"}
    # after a reassignment the new assignee's next pull brings the task with all its annotations
    cursor = ann2.get("/sync/pull", params={"cursor": 0, "limit": 5000}).json()["next_cursor"]
    assert lead.post(f"/tasks/{t2}/assign", json={"user": "ann2"}).status_code == 200
    fresh = ann2.pull_all(cursor=cursor)
    assert {("task", str(t2)), ("annotation", "a2")} <= {(i["type"], str(i.get("id"))) for i in fresh}
    assert ann2.get("/sync/pull", params={"cursor": -1}).status_code == 422


@pytest.mark.parametrize("n_ops", [1000])
def test_a_full_batch_applies_in_one_go(seeded, n_ops):
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    t = seeded.task_ids[0]
    answer = ann1.push([ann1.op(t, f"a{i:04d}", {**BOX, "geometry": [i, i, 5, 5]}) for i in range(n_ops)])
    assert {r["status"] for r in answer["results"]} == {"applied"}
    r = lead.get(f"/tasks/{t}/annotations").json()
    assert len(r["items"]) == n_ops


def test_a_store_made_with_per_op_records_keeps_answering_them(tmp_path):
    """A store from before `op_ranges` kept one `ops` row per op: on start they become ranges, so an op answered
    then is still answered from the record, never applied again."""
    import zstandard

    from sync import fastjson
    from sync.server import push, service
    from sync.server.security import Passwords
    from tests.server_fixtures import fast_config

    config = fast_config(tmp_path)
    store = db.Store(config)
    answer = {"op_id": 7, "status": "applied", "reason": None, "revision": 1, "entity_id": "a1"}
    with store.write() as conn:
        uid = service.create_user(conn, Passwords(config), "cli", "ann1", "annotator", "password1")["id"]
        conn.exec_driver_sql("CREATE TABLE ops (client_id TEXT, op_id BIGINT, batch_id TEXT, entity_id TEXT, "
                             "status TEXT, reason TEXT, revision INTEGER, PRIMARY KEY (client_id, op_id))")
        conn.exec_driver_sql("INSERT INTO ops VALUES ('c1', 7, 'b1', 'a1', 'applied', NULL, 1)")
        response = {"batch_id": "b1", "duplicate": False, "results": [answer]}
        conn.execute(db.batches.insert().values(client_id="c1", batch_id="b1", batch_hash="h", user_id=uid,
                                                response=zstandard.compress(fastjson.dumps(response)), created_at=0.0))
    store.close()
    store = db.Store(config)
    with store.read() as conn:
        assert push.recorded(conn, "c1", 1, 10) == {7: answer}
        assert push.recorded(conn, "c1", 8, 10) == {} and push.recorded(conn, "c2", 1, 10) == {}
        assert not sa.inspect(conn).has_table("ops")
    store.close()


def test_field_meta_is_one_entry_per_write_and_rows_of_the_older_form_merge_the_same(seeded):
    """The column keeps each write once; a row stored by an older server (a write per field) keeps its merge
    history: the lead's label still beats a stale annotator edit, and the row is stored compact from then on."""
    from sync.fastjson import dumps_str, loads
    from sync.server.field_meta import FieldMeta

    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    t = seeded.task_ids[0]
    ann1.push([ann1.op(t, "a1", BOX), ann1.op(t, "a2", BOX)])
    lead.push([lead.op(t, "a1", {"label": "person"}, base=1)])
    a = db.annotations

    def stored(ann_id):
        with seeded.server.store.read() as conn:
            return loads(conn.execute(sa.select(sa.cast(a.c.field_meta, sa.Text)).where(a.c.id == ann_id))
                         .scalar_one())

    writes, at = stored("a1")
    assert len(writes) == 2 and writes[at["label"]][:3] == [2, "lead", True]
    assert {name for name, i in at.items() if i != at["label"]} == {"kind", "geometry"}  # ann1's creation
    per_field = {name: writes[i] for name, i in at.items()}
    with seeded.server.store.write() as conn:  # as an older server stored it
        conn.execute(a.update().where(a.c.id == "a1").values(field_meta=per_field))
    assert isinstance(stored("a1"), dict)
    answer = ann1.push([ann1.op(t, "a1", {"label": "car", "geometry": [0, 0, 9, 9]}, base=1)])
    assert statuses(answer) == [("merged", "reviewer_wins: label", 3)]
    assert annotations_of(lead, t)["a1"]["fields"]["label"] == "person"
    writes, at = stored("a1")
    assert len(writes) == 3 and writes[at["geometry"]][:2] == [3, "ann1"] and writes[at["label"]][:2] == [2, "lead"]
    meta = FieldMeta.parse(dumps_str([writes, at]))
    meta.set(["geometry"], [4, "ann1", False, "c:0"])
    assert meta.stored() == [[writes[at["label"]], writes[at["kind"]], [4, "ann1", False, "c:0"]],
                             {"label": 0, "kind": 1, "geometry": 2}]  # the write geometry had before is dropped


def test_values_come_back_exactly_as_pushed_whatever_they_hold(seeded):
    """A batch's rows reach the store in one statement on PostgreSQL (sync/server/bulk_rows.py): quotes,
    backslashes, non-Latin text, nulls, booleans and the last bit of a float come back as pushed, on creation and
    on update, and the pull events arrive in order."""
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    t = seeded.task_ids[0]
    odd = {"note": 'say "hi" \\ {a,b} NULL', "vi": "Xe máy đỗ", "nested": {"list": [1, None, True]}, "": ""}
    geometry = [0.1 + 0.2, 1e-300, 123456789.12345679, 2.5]
    created = ann1.push([ann1.op(t, f"q{i}", {**BOX, "geometry": geometry, "attributes": odd, "z": i * 0.5,
                                             "hidden": bool(i % 2), "group": None}) for i in range(3)])
    assert statuses(created) == [("applied", None, 1)] * 3
    moved = ann1.push([ann1.op(t, "q1", {"geometry": [*geometry[:3], 7.25], "label": 'truck "big"'}, base=1)])
    assert statuses(moved) == [("applied", None, 2)]
    anns = annotations_of(lead, t)
    for i in range(3):
        fields = anns[f"q{i}"]["fields"]
        assert fields["attributes"] == odd and fields["z"] == i * 0.5 and fields["hidden"] is bool(i % 2)
        assert fields["geometry"] == ([*geometry[:3], 7.25] if i == 1 else geometry)
    assert anns["q1"]["fields"]["label"] == 'truck "big"' and anns["q1"]["revision"] == 2
    with seeded.server.store.read() as conn:
        e = db.events
        order = conn.execute(sa.select(e.c.entity_id).where(e.c.type == "annotation").order_by(e.c.seq)).scalars()
        assert list(order) == ["q0", "q1", "q2", "q1"]
