"""Spot-review lots on the real server over loopback HTTP: QA settings, lots per annotator-day and per batch, the
seeded sample and its audit row, deciding lots (accept, curtailed reject, 100 % inspection), switching, resubmitted
lots, what annotators may see; and `annodesk server qa` / `server lots`."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from core.sampling import draw_sample, single_plan
from sync.server import db, lots, service
from sync.server.config import ServerConfig
from sync.server.security import Principal
from tests.server_fixtures import server_cli, write_png

ISO = {"kind": "iso", "level": "II", "aql": 1.0}
DAY_START = datetime(2026, 12, 7, 3, 0, tzinfo=UTC).timestamp()  # 10:00 at UTC+07:00


@pytest.fixture
def clock(monkeypatch):
    """The lots' clock, set by the test (the day boundary is what it moves)."""
    now = [DAY_START]
    monkeypatch.setattr(lots, "clock", lambda: now[0])
    return now


def set_qa(s, **settings):
    r = s.sessions["lead"].http.put(f"/projects/{s.project_id}/qa", json={"qa": settings})
    assert r.status_code == 200, r.text
    return r.json()


def make_tasks(s, count, owner="ann1", batch=None):
    admin, lead = s.sessions["admin"], s.sessions["lead"]
    ids = []
    for _ in range(count):
        body = {"media_sha256": s.media[0], "name": f"t{len(ids)}-{batch}.png", "width": 64, "height": 48}
        if batch:
            body["batch"] = batch
        r = admin.post(f"/projects/{s.project_id}/tasks", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["batch"] == batch
        assert lead.post(f"/tasks/{r.json()['id']}/assign", json={"user": owner}).status_code == 200
        ids.append(r.json()["id"])
    return ids


def submit(s, ids, owner="ann1"):
    for t in ids:
        r = s.sessions[owner].post(f"/tasks/{t}/submit")
        assert r.status_code == 200, r.text


def review(s, task_id, decision="accept", fixed=False):
    r = s.sessions["lead"].post(f"/tasks/{task_id}/review", json={"decision": decision, "fixed": fixed})
    assert r.status_code == 200, r.text


def all_lots(s):
    r = s.sessions["lead"].get(f"/projects/{s.project_id}/lots")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def lot_by_key(s, key):
    return next(lot for lot in all_lots(s) if lot["key"] == key)


def statuses(s, ids):
    return [s.sessions["lead"].get(f"/tasks/{t}").json()["status"] for t in ids]


def audit_rows(s, action):
    rows, after = [], 0
    while page := s.sessions["admin"].get("/admin/audit", params={"limit": 1000, "after": after}).json()["items"]:
        rows += [a for a in page if a["action"] == action]
        after = page[-1]["id"]
    return rows


def sources(s):
    return {x["source"]: x["switching"] for x in s.sessions["lead"].get(f"/projects/{s.project_id}/qa").json()[
        "sources"]}


def test_settings_are_checked_field_by_field(seeded_sqlite):
    s = seeded_sqlite
    lead, path = s.sessions["lead"], f"/projects/{s.project_id}/qa"
    assert lead.get(path).json() == {"project_id": s.project_id, "qa": None, "sources": [],
                                     "stages": [{"name": "review", "who": ["lead", "admin"]}]}
    bad = [
        ({"plan": {**ISO, "level": "IV"}}, "plan.level", "unknown inspection level"),
        ({"plan": {**ISO, "aql": 1.2}}, "plan.aql", "not one of the standard's values"),
        ({"plan": {**ISO, "aql": "1"}}, "plan.aql", "is a number"),
        ({"plan": {**ISO, "n": 5}}, "plan.n", "no field"),
        ({"plan": {"kind": "random"}}, "plan.kind", "'iso'"),
        ({"plan": {"kind": "percent", "percent": 0}}, "plan.percent", "more than 0 and at most 100"),
        ({"plan": {"kind": "percent", "percent": 10, "min": 0}}, "plan.min", "minimum sample must be at least 1"),
        ({"plan": {"kind": "percent", "percent": 10, "accept": -1}}, "plan.accept", "whole number"),
        ({"lots": "week", "plan": ISO}, "lots", "annotator_day"),
        ({"plan": ISO, "on_reject": "burn"}, "on_reject", "inspect_all"),
        ({"plan": ISO, "reduced_allowed": "yes"}, "reduced_allowed", "true or false"),
        ({"plan": ISO, "utc_offset_minutes": 10_000}, "utc_offset_minutes", "-720 to 840"),
        ({"plan": ISO, "colour": "red"}, "colour", "unknown setting"),
        ({"lots": "batch"}, "plan", "a plan is needed"),
    ]
    for qa, field, words in bad:
        r = lead.http.put(path, json={"qa": qa})
        assert r.status_code == 422, (qa, r.text)
        assert r.json()["code"] == "bad_qa" and r.json()["field"] == field and words in r.json()["detail"], r.text
    r = lead.http.put(path, json={"qa": {"plan": {"kind": "percent", "percent": 10}}})
    expected = {"lots": "annotator_day", "plan": {"kind": "percent", "percent": 10, "min": 1, "accept": 0},
                "on_reject": "return", "reduced_allowed": False, "utc_offset_minutes": 0}
    assert r.status_code == 200 and r.json()["qa"] == expected
    assert lead.get(path).json()["qa"] == expected
    assert lead.http.put(path, json={"qa": None}).json()["qa"] is None
    assert s.sessions["ann1"].http.put(path, json={"qa": expected}).status_code == 403
    assert audit_rows(s, "qa.set")[-1]["detail"] == {"qa": None}


def test_day_lot_closes_at_the_end_of_the_day_and_its_sample_can_be_redrawn(seeded, clock):
    s = seeded
    set_qa(s, plan=ISO, utc_offset_minutes=7 * 60)
    ids = make_tasks(s, 60)
    submit(s, ids)
    [lot] = all_lots(s)
    assert (lot["key"], lot["source"], lot["status"], lot["size"], lot["task_ids"]) == (
        "ann1@2026-12-07", "ann1", "open", 60, sorted(ids))
    assert lot["sample"] == [] and lot["plan"] is None and lot["resubmitted"] is False
    clock[0] = datetime(2026, 12, 7, 16, 59, 59, tzinfo=UTC).timestamp()  # 23:59:59 there
    assert all_lots(s)[0]["status"] == "open"
    clock[0] += 1
    [lot] = all_lots(s)
    assert lot["status"] == "sampling" and lot["closed_at"] == clock[0]
    assert lot["plan"] == {"lot_size": 60, "n": 13, "ac": 0, "re": 1, "code_letter": "E", "plan_letter": "E",
                           "severity": "normal", "aql": 1.0, "table_n": 13, "full_inspection": False}
    assert lot["severity"] == "normal" and len(lot["sample"]) == 13 and set(lot["sample"]) <= set(ids)

    [row] = audit_rows(s, "lot.sample")
    detail = row["detail"]
    assert row["target"] == f"project:{s.project_id}" and row["user"] is None
    assert detail["seed"] == lot["seed"] and detail["task_ids"] == sorted(ids) and detail["sample"] == lot["sample"]
    assert draw_sample(list(reversed(detail["task_ids"])), detail["plan"]["n"], detail["seed"]) == lot["sample"]
    lead_audit = s.sessions["lead"].get(f"/projects/{s.project_id}/audit", params={"limit": 1000}).json()["items"]
    assert "lot.sample" in [a["action"] for a in lead_audit]

    for i, t in enumerate(lot["sample"]):  # the accept path
        assert all_lots(s)[0]["status"] == "sampling", i
        review(s, t)
    [lot] = all_lots(s)
    assert (lot["status"], lot["reviewed"], lot["defects"]) == ("accepted", 13, 0) and lot["decided_at"]
    assert set(statuses(s, ids)) == {"accepted"}
    [accepted] = audit_rows(s, "lot.accept")
    assert sorted(accepted["detail"]["tasks"]) == sorted(set(ids) - set(lot["sample"]))
    assert sources(s)["ann1"]["score"] == 2  # Ac 0 and accepted: the switching score gains 2
    lead_items = s.sessions["lead"].pull_all()
    assert [i["status"] for i in lead_items if i["type"] == "lot"] == ["accepted"]

    clock[0] += 3600  # the next day's work is a new lot
    more = make_tasks(s, 1)
    submit(s, more)
    assert lot_by_key(s, "ann1@2026-12-08")["task_ids"] == more


def test_curtailed_reject_sends_the_lot_back_and_its_resubmission_is_a_flagged_lot(seeded_sqlite, clock):
    s = seeded_sqlite
    set_qa(s, plan=ISO)
    ids = make_tasks(s, 20)
    submit(s, ids)
    [lot] = all_lots(s)
    r = s.sessions["lead"].post(f"/projects/{s.project_id}/lots/{lot['id']}/close")
    assert r.status_code == 200 and r.json()["status"] == "sampling"
    assert s.sessions["lead"].post(f"/projects/{s.project_id}/lots/{lot['id']}/close").status_code == 409
    lot = r.json()
    assert (lot["plan"]["code_letter"], lot["plan"]["n"], lot["plan"]["re"]) == ("C", 13, 1)
    first = lot["sample"][0]
    review(s, first, "reject")  # Re 1: the first defect rejects the lot at once
    [lot] = all_lots(s)
    assert (lot["status"], lot["reviewed"], lot["defects"]) == ("rejected", 1, 1)
    assert set(statuses(s, ids)) == {"rejected"}
    reason = "lot ann1@2026-12-07 rejected: 1 defects in a sample of 13 (Re 1)"
    ann_items = s.sessions["ann1"].pull_all()
    told = {i["task_id"] for i in ann_items if i["type"] == "review" and i["reason"] == reason}
    assert told == set(ids) - {first}
    assert not [i for i in ann_items if i["type"] == "lot"]
    assert s.sessions["ann1"].get(f"/tasks/{ids[1]}").json()["status"] == "rejected"
    [decided] = audit_rows(s, "lot.decide")
    assert decided["detail"]["curtailed"] is True and decided["detail"]["switching"]["fed"] is True
    assert sources(s)["ann1"]["recent"] == [False]

    submit(s, ids[:-1])  # fixed and sent again: they join one resubmitted lot
    again = lot_by_key(s, "ann1@2026-12-07/r1")
    assert (again["status"], again["resubmitted"], again["size"]) == ("open", True, 19)
    submit(s, ids[-1:])  # the last task the rejected lot sent back: the resubmission closes
    again = lot_by_key(s, "ann1@2026-12-07/r1")
    assert again["status"] == "sampling" and again["size"] == 20
    for t in again["sample"]:
        review(s, t)
    assert lot_by_key(s, "ann1@2026-12-07/r1")["status"] == "accepted"
    assert set(statuses(s, ids)) == {"accepted"}
    assert sources(s)["ann1"]["recent"] == [False]  # a resubmitted lot does not feed the switching rules
    assert audit_rows(s, "lot.decide")[-1]["detail"]["switching"] == {"fed": False,
                                                                      "why": "a resubmitted lot does not count"}
    for name in ("ann1", "ann2"):
        for method, path in (("GET", "/lots"), ("GET", "/qa"), ("POST", f"/lots/{lot['id']}/close")):
            r = s.sessions[name].http.request(method, f"/projects/{s.project_id}{path}")
            assert r.status_code == 403, (name, path)


def test_rejected_lot_goes_to_full_inspection(seeded_sqlite, clock):
    s = seeded_sqlite
    set_qa(s, plan=ISO, on_reject="inspect_all")
    ids = make_tasks(s, 20)
    submit(s, ids)
    lot = s.sessions["lead"].post(f"/projects/{s.project_id}/lots/{all_lots(s)[0]['id']}/close").json()
    sample = lot["sample"]
    review(s, sample[0])
    review(s, sample[1], "reject")
    lot = all_lots(s)[0]
    assert lot["status"] == "inspecting" and lot["decided_at"] is not None
    assert lot["sample"][:13] == sample and sorted(lot["sample"]) == sorted(ids)  # the same draw, every task
    assert statuses(s, ids).count("submitted") == 18  # nothing is sent back unseen
    for t in lot["sample"][2:]:
        review(s, t, "reject" if t == lot["sample"][5] else "accept")
    lot = all_lots(s)[0]
    assert (lot["status"], lot["reviewed"], lot["defects"]) == ("rejected", 20, 2)
    assert sorted(statuses(s, ids)) == ["accepted"] * 18 + ["rejected"] * 2
    assert len(audit_rows(s, "lot.inspected")) == 1


def test_percentage_plan_and_fixed_accepts_are_defects(seeded_sqlite, clock):
    s = seeded_sqlite
    set_qa(s, plan={"kind": "percent", "percent": 50, "accept": 1})
    ids = make_tasks(s, 10)
    submit(s, ids)
    lot = s.sessions["lead"].post(f"/projects/{s.project_id}/lots/{all_lots(s)[0]['id']}/close").json()
    assert {k: lot["plan"][k] for k in ("n", "ac", "re", "code_letter", "severity")} == {
        "n": 5, "ac": 1, "re": 2, "code_letter": None, "severity": None}
    review(s, lot["sample"][0], fixed=True)
    assert all_lots(s)[0]["status"] == "sampling"
    review(s, lot["sample"][1], fixed=True)
    lot = all_lots(s)[0]
    assert (lot["status"], lot["defects"]) == ("rejected", 2)
    assert statuses(s, lot["sample"][:2]) == ["accepted", "accepted"]  # fixed by the lead, kept
    assert statuses(s, ids).count("rejected") == 8
    assert sources(s) == {}  # a percentage has no switching rules


def test_batch_lots_close_when_complete_and_switching_follows_them(seeded_sqlite, clock):
    s = seeded_sqlite
    set_qa(s, lots="batch", plan=ISO)
    untracked = make_tasks(s, 1)  # no batch: not in any lot, the lead reviews it
    submit(s, untracked)
    assert all_lots(s) == []

    def batch_lot(name, defect):
        ids = make_tasks(s, 2, batch=name)
        submit(s, ids[:1])
        assert lot_by_key(s, f"batch:{name}")["status"] == "open"
        submit(s, ids[1:])
        lot = lot_by_key(s, f"batch:{name}")
        assert lot["status"] in ("sampling", "inspecting") and lot["source"] == name
        for t in lot["sample"]:
            if lot_by_key(s, f"batch:{name}")["status"] in ("sampling", "inspecting"):
                review(s, t, "reject" if defect else "accept")
        return lot_by_key(s, f"batch:{name}")

    plan = single_plan(2, "II", 1.0)
    assert batch_lot("B1", True)["plan"] == dataclasses.asdict(plan)
    assert batch_lot("B2", False)["status"] == "accepted"
    assert sources(s)["(batches)"]["severity"] == "normal"
    assert batch_lot("B3", True)["status"] == "rejected"  # 2 of the last 3 rejected
    assert sources(s)["(batches)"]["severity"] == "tightened"
    assert batch_lot("B4", False)["plan"]["severity"] == "tightened"
    for i in range(5):  # 5 rejected since tightened began: sampling stops
        assert batch_lot(f"C{i}", True)["plan"]["severity"] == "tightened"
    assert sources(s)["(batches)"]["discontinued"] is True
    lot = batch_lot("D", False)
    assert lot["status"] == "accepted" and sorted(lot["sample"]) == lot["task_ids"]  # inspected in full
    lead = s.sessions["lead"]
    r = lead.post(f"/projects/{s.project_id}/qa/sources/(batches)/resume")
    assert r.status_code == 200 and r.json()["switching"]["severity"] == "tightened"
    assert lead.post(f"/projects/{s.project_id}/qa/sources/(batches)/resume").status_code == 409
    assert batch_lot("E", False)["status"] == "accepted"
    assert sources(s)["(batches)"]["recent"] == [True]


def test_an_old_store_gets_the_qa_columns(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "old")
    store = db.Store(config)
    with store.write() as conn:
        for sql in ("DROP INDEX ix_tasks_batch", "ALTER TABLE tasks DROP COLUMN batch",
                    "ALTER TABLE projects DROP COLUMN qa", "DROP TABLE lot_tasks", "DROP TABLE qa_sources",
                    "DROP TABLE lots"):
            conn.exec_driver_sql(sql)
    store.close()
    store = db.Store(config)
    with store.read() as conn:
        inspector = sa.inspect(conn)
        assert "qa" in {c["name"] for c in inspector.get_columns("projects")}
        assert "batch" in {c["name"] for c in inspector.get_columns("tasks")}
        assert {"lots", "lot_tasks", "qa_sources"} <= set(inspector.get_table_names())
    store.close()


run = server_cli


def test_qa_and_lots_commands(tmp_path, monkeypatch, capsys):
    where = ["--data", str(tmp_path / "server")]
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"labels": [{"name": "car"}]}))
    media = tmp_path / "media"
    media.mkdir()
    for i in range(4):
        write_png(media / f"{i}.png", seed=i)
    assert run(monkeypatch, capsys, "server", "add-user", "ann", "--role", "annotator", "--password-stdin",
               *where)[0] == 0
    assert run(monkeypatch, capsys, "server", "create-project", "streets", "--schema", str(schema), *where)[0] == 0
    code, out = run(monkeypatch, capsys, "server", "qa", "streets", *where)
    assert code == 0 and "no sampling" in out
    code, out = run(monkeypatch, capsys, "server", "qa", "streets", "--lots", "batch", *where)
    assert code == 2 and "a plan is needed" in out
    code, out = run(monkeypatch, capsys, "server", "qa", "1", "--iso", "IV:1.0", *where)
    assert code == 2 and "unknown inspection level" in out
    code, out = run(monkeypatch, capsys, "server", "qa", "streets", "--percent", "0", *where)
    assert code == 2 and "more than 0" in out
    code, out = run(monkeypatch, capsys, "server", "qa", "streets", "--lots", "batch", "--iso", "II:1.0",
                    "--on-reject", "inspect-all", *where)
    assert code == 0 and "lots per batch; ISO 2859-1 single sampling, level II, AQL 1.0;" in out, out
    assert "reviewed in full" in out
    code, out = run(monkeypatch, capsys, "server", "qa", "streets", "--json", *where)
    assert json.loads(out)["qa"]["on_reject"] == "inspect_all"
    code, out = run(monkeypatch, capsys, "server", "add-media", "streets", str(media), "--batch", "B1", *where)
    assert code == 0 and "added 4 tasks" in out
    assert run(monkeypatch, capsys, "server", "assign", "streets", "--user", "ann", "--count", "4", *where)[0] == 0

    store = db.Store(ServerConfig(data_dir=tmp_path / "server"))
    with store.write() as conn:
        ann = service.user_by_name(conn, "ann")
        principal = Principal(ann["id"], "ann", "annotator", None, None)
        task_ids = list(conn.execute(sa.select(db.tasks.c.id).order_by(db.tasks.c.id)).scalars())
        for t in task_ids[:3]:
            service.set_status(conn, principal, service.get_task(conn, None, t), "submitted")
    store.close()
    code, out = run(monkeypatch, capsys, "server", "lots", "streets", *where)
    assert code == 0
    header, line = out.splitlines()
    assert header.split() == ["id", "key", "status", "size", "plan", "reviewed", "defects"]
    assert line.split() == ["1", "batch:B1", "open", "3", "not", "drawn", "yet", "0", "0"]
    code, out = run(monkeypatch, capsys, "server", "lots", "streets", "--close", "1", *where)
    plan = single_plan(3, "II", 1.0)
    assert code == 0 and (f"{plan.code_letter} (plan {plan.plan_letter}) normal: n 3, Ac 0, Re 1, 100 %"
                          in out.splitlines()[1]), out
    code, out = run(monkeypatch, capsys, "server", "lots", "streets", "--close", "1", *where)
    assert code == 2 and "not open" in out
    code, out = run(monkeypatch, capsys, "server", "lots", "streets", "--json", *where)
    [lot] = json.loads(out)["items"]
    assert lot["status"] == "sampling" and sorted(lot["sample"]) == task_ids[:3]
    code, out = run(monkeypatch, capsys, "server", "qa", "streets", "--resume", "(batches)", *where)
    assert code == 2 and "not discontinued" in out


def test_submits_and_decisions_pushed_offline_drive_lots_too(seeded_sqlite, clock):
    """The hooks sit in service.set_status and service.review, so sync pushes (merge.py, threads.py) reach them."""
    s = seeded_sqlite
    set_qa(s, lots="batch", plan={"kind": "percent", "percent": 10})
    ids = make_tasks(s, 3, batch="P")
    ann1, lead = s.sessions["ann1"], s.sessions["lead"]
    answer = ann1.push([ann1.op(t, str(t), {"status": "submitted"}, op="status", entity="task") for t in ids])
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3
    lot = lot_by_key(s, "batch:P")
    assert lot["status"] == "sampling" and len(lot["sample"]) == 1
    sampled = lot["sample"][0]
    answer = lead.push([lead.op(sampled, f"{sampled:032x}", {"decision": "accept"}, op="decide", entity="review")])
    assert answer["results"][0]["status"] == "applied"
    assert lot_by_key(s, "batch:P")["status"] == "accepted"
    assert set(statuses(s, ids)) == {"accepted"}
