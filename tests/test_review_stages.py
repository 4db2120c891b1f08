"""Review stages: a project's tasks pass its stages in order (review by the leads, then acceptance by an admin),
each stage decided by whom it names; every decision keeps its stage, is audited, and reaches the app.

Real server over HTTP on loopback, real encrypted workspaces made by clone."""

import pytest
import sqlalchemy as sa

from core.annotation import Annotation, TaskStatus, new_id
from core.shapes import Box
from sync.client.review_store import QueueFilter, ReviewStore
from sync.server import db, service
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import add, clone_for, server_task_ids, sync

STAGES = [{"name": "review", "who": ["lead"]}, {"name": "acceptance", "who": ["admin"]}]


def _local(ws, server_task):
    return {s: t for t, s in server_task_ids(ws).items()}[server_task]


def _stages(seeded, stages=STAGES):
    r = seeded.sessions["lead"].http.put(f"/projects/{seeded.project_id}/qa", json={"stages": stages})
    assert r.status_code == 200, r.text
    return r.json()


def _submit(ws, keys, server_task):
    local = _local(ws, server_task)
    add(ws, local, [Annotation(new_id(), local, "car", Box(10, 10, 20, 15))])
    ws.set_task_status(local, TaskStatus.DONE)
    assert sync(ws, keys).phase == "up_to_date"


def _review(seeded, who, task, decision, reason=""):
    return seeded.sessions[who].post(f"/tasks/{task}/review", json={"decision": decision, "comments": [],
                                                                    "reason": reason})


def test_a_task_passes_review_then_acceptance_and_a_rejection_starts_it_again(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    assert _stages(seeded)["stages"] == STAGES
    task = seeded.task_ids[0]
    ann = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    _submit(ann, keys, task)
    lead, admin = seeded.sessions["lead"], seeded.sessions["admin"]
    assert lead.get(f"/tasks/{task}").json()["stage"] == 0
    r = _review(seeded, "admin", task, "accept")  # the admin is not named at the first stage
    assert r.status_code == 403 and "'review'" in r.text
    (answer,) = lead.push([lead.op(task, str(task), {"status": "accepted"}, op="status", entity="task")])["results"]
    assert answer["status"] == "rejected" and "bad_transition" in answer["reason"], answer  # not the last stage
    assert _review(seeded, "lead", task, "accept").json()["task"]["stage"] == 1
    after = lead.get(f"/tasks/{task}").json()
    assert (after["status"], after["stage"]) == ("submitted", 1)
    r = _review(seeded, "lead", task, "accept")
    assert r.status_code == 403 and "'acceptance'" in r.text
    # nor with a status op
    (answer,) = lead.push([lead.op(task, str(task), {"status": "accepted"}, op="status", entity="task")])["results"]
    assert answer["status"] == "rejected" and "forbidden" in answer["reason"], answer
    assert _review(seeded, "admin", task, "reject", "boxes too loose").status_code == 200
    assert admin.get(f"/tasks/{task}").json()["status"] == "rejected"
    # the annotator fixes it and submits it again: it starts at the first stage
    assert sync(ann, keys).phase == "up_to_date"
    assert ReviewStore(ann).decision(task)["reason"] == "boxes too loose"
    _submit(ann, keys, task)
    assert (lead.get(f"/tasks/{task}").json()["stage"]) == 0
    assert _review(seeded, "lead", task, "accept").status_code == 200
    r = _review(seeded, "admin", task, "accept")
    assert r.status_code == 200, r.text
    assert admin.get(f"/tasks/{task}").json()["status"] == "accepted"
    items = [i for i in admin.pull_all() if i["type"] == "review"]
    assert [(i["stage"], i["decision"], i["reviewer"]) for i in items] == [
        ("review", "accept", "lead"), ("acceptance", "reject", "admin"), ("review", "accept", "lead"),
        ("acceptance", "accept", "admin")]
    with seeded.server.store.read() as conn:
        a = db.audit
        rows = conn.execute(sa.select(a).where(a.c.action.in_(("task.stage", "qa.stages")))).mappings().all()
    assert [r["action"] for r in rows] == ["qa.stages", "task.stage", "task.stage"]
    # the annotator's workspace shows the history of the last round
    assert sync(ann, keys).phase == "up_to_date"
    assert ReviewStore(ann).stage_history(task) == [("review", "accepted", "lead"),
                                                   ("acceptance", "accepted", "admin")]
    ann.close()


def test_offline_queues_hold_the_stages_each_user_may_act_at(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    _stages(seeded)
    first, second = seeded.task_ids[0], seeded.task_ids[2]
    ann1 = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    ann2 = clone_for(seeded.server.url, "ann2", PASSWORD, tmp_path / "ann2", keys)
    _submit(ann1, keys, first)
    _submit(ann2, keys, second)
    lead = clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    admin = clone_for(seeded.server.url, "admin", PASSWORD, tmp_path / "admin", keys)
    reviews, accepting = ReviewStore(lead), ReviewStore(admin)
    assert [s["name"] for s in reviews.stages()] == ["review", "acceptance"]
    assert [(r.server_id, r.stage) for r in reviews.queue()] == [(first, "review"), (second, "review")]
    assert accepting.queue() == []
    reviews.decide(_local(lead, first), "accept")
    assert [r.server_id for r in reviews.queue()] == [second]
    assert sync(lead, keys).phase == "up_to_date"
    assert [r.server_id for r in reviews.queue()] == [second]
    assert reviews.stage_history(first) == [("review", "accepted", "lead"), ("acceptance", "waiting", "")]
    assert sync(admin, keys).phase == "up_to_date"
    assert [(r.server_id, r.stage) for r in accepting.queue()] == [(first, "acceptance")]
    assert accepting.queue(QueueFilter(stage="review")) == []
    # a decision the lead makes offline at a stage that is not theirs is refused with the reason
    reviews.decide(_local(lead, second), "accept")
    accepting.decide(_local(admin, first), "accept")
    assert sync(admin, keys).phase == "up_to_date"
    assert seeded.sessions["admin"].get(f"/tasks/{first}").json()["status"] == "accepted"
    assert sync(lead, keys).phase == "up_to_date"
    assert [r.server_id for r in reviews.queue()] == []
    for ws in (ann1, ann2, lead, admin):
        ws.close()


def test_a_refused_op_at_a_stage_not_the_users_names_the_stage(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    _stages(seeded, [{"name": "review", "who": ["admin"]}])
    task = seeded.task_ids[0]
    ann = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    _submit(ann, keys, task)
    lead = clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    reviews = ReviewStore(lead)
    assert reviews.queue() == []  # not the lead's stage
    reviews.decide(_local(lead, task), "accept")
    sync(lead, keys)
    refused = reviews.decision(task)["refused"]
    assert "forbidden" in refused and "'review'" in refused
    assert seeded.sessions["admin"].get(f"/tasks/{task}").json()["status"] == "submitted"
    ann.close()
    lead.close()


def test_lots_count_only_the_first_stages_decisions(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    lead = seeded.sessions["lead"]
    r = lead.http.put(f"/projects/{seeded.project_id}/qa", json={
        "qa": {"lots": "annotator_day", "plan": {"kind": "percent", "percent": 100}}, "stages": STAGES})
    assert r.status_code == 200, r.text
    task = seeded.task_ids[0]
    ann = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    _submit(ann, keys, task)
    (lot,) = lead.get(f"/projects/{seeded.project_id}/lots").json()["items"]
    assert lead.post(f"/projects/{seeded.project_id}/lots/{lot['id']}/close").status_code == 200
    assert _review(seeded, "lead", task, "accept").status_code == 200
    (lot,) = lead.get(f"/projects/{seeded.project_id}/lots").json()["items"]
    counted = (lot["reviewed"], lot["defects"], lot["status"])
    assert _review(seeded, "admin", task, "reject", "no").status_code == 200
    (lot,) = lead.get(f"/projects/{seeded.project_id}/lots").json()["items"]
    assert (lot["reviewed"], lot["defects"], lot["status"]) == counted == (1, 0, "accepted")
    ann.close()


def test_an_accepted_lot_sends_its_unreviewed_tasks_to_the_next_stage(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    lead, admin = seeded.sessions["lead"], seeded.sessions["admin"]
    r = lead.http.put(f"/projects/{seeded.project_id}/qa", json={
        "qa": {"lots": "annotator_day", "plan": {"kind": "percent", "percent": 50}}, "stages": STAGES})
    assert r.status_code == 200, r.text
    ann = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    tasks = seeded.task_ids[:2]  # the two of ann1
    for task in tasks:
        _submit(ann, keys, task)
    (lot,) = lead.get(f"/projects/{seeded.project_id}/lots").json()["items"]
    closed = lead.post(f"/projects/{seeded.project_id}/lots/{lot['id']}/close").json()
    sample = closed["sample"]
    assert 0 < len(sample) < len(tasks)
    for task in sample:
        assert _review(seeded, "lead", task, "accept").status_code == 200
    (lot,) = lead.get(f"/projects/{seeded.project_id}/lots").json()["items"]
    assert lot["status"] == "accepted"
    for task in tasks:  # sampled or not, each waits for the acceptance stage: the lot stood for the first only
        t = admin.get(f"/tasks/{task}").json()
        assert (t["status"], t["stage"]) == ("submitted", 1), (task, t)
    rest = [t for t in tasks if t not in sample]
    assert _review(seeded, "admin", rest[0], "accept").json()["task"]["status"] == "accepted"
    with seeded.server.store.read() as conn:
        a = db.audit
        (row,) = conn.execute(sa.select(a.c.detail).where(a.c.action == "lot.accept")).all()
    assert row.detail["next_stage"] == "acceptance" and sorted(row.detail["tasks"]) == sorted(rest)
    ann.close()


@pytest.mark.parametrize(("stages", "field"), [
    ({"name": "review"}, "stages"),
    ([], "stages"),
    ([{"name": "review", "who": ["lead"], "when": 1}], "stages[0].when"),
    ([{"name": "re view", "who": ["lead"]}], "stages[0].name"),
    ([{"name": "a", "who": ["lead"]}, {"name": "a", "who": ["admin"]}], "stages[1].name"),
    ([{"name": "a", "who": []}], "stages[0].who"),
    ([{"name": "a", "who": ["lead", 3]}], "stages[0].who[1]"),
    ([{"name": "a", "who": ["nobody"]}], "stages[0].who[0]"),
    ([{"name": "a", "who": ["ann1"]}], "stages[0].who[0]"),
])
def test_bad_stages_are_refused_naming_the_field(seeded_sqlite, stages, field):
    r = seeded_sqlite.sessions["lead"].http.put(f"/projects/{seeded_sqlite.project_id}/qa", json={"stages": stages})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and "review stages" in r.text


def test_without_stages_one_review_by_the_leads_and_admins_as_before(seeded_sqlite):
    seeded = seeded_sqlite
    got = seeded.sessions["lead"].get(f"/projects/{seeded.project_id}/qa").json()
    assert got["stages"] == [{"name": "review", "who": ["lead", "admin"]}]
    with seeded.server.store.read() as conn:
        assert service.project_stages(conn, seeded.project_id) == got["stages"]
    r = seeded.sessions["lead"].http.put(f"/projects/{seeded.project_id}/qa", json={})
    assert r.status_code == 422
