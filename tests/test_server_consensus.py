"""Consensus and gold tasks on the real server over loopback HTTP (issue 12, items 4, 5 and 10): the seeded draw of
consensus origins and their replicas, the merge by quorum when the last replica is submitted, the agreement figures
and the lead's flag; gold answers, gold replicas scored against them; what annotators can and cannot see (through
the API and pull); `annodesk server consensus`, `server gold` and `server quality`."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from core.sampling import draw_sample
from sync.server import db, service
from sync.server.cli import main
from sync.server.security import Principal
from tests.server_fixtures import PASSWORD, login, seed

TASK_KEYS = {"id", "project_id", "name", "media_sha256", "width", "height", "kind", "frames", "status", "assignee",
             "revision", "updated_at", "batch", "stage"}
NORMAL_ITEMS = {"project", "schema", "task", "annotation", "review", "comment", "guidelines"}


def box(label, x, y, w=20, h=10, **extra):
    return {"label": label, "kind": "box", "geometry": [x, y, w, h], **extra}


def add_annotator(s, name):
    r = s.sessions["admin"].post("/admin/users", json={"name": name, "role": "annotator", "password": PASSWORD})
    assert r.status_code == 201, r.text
    s.sessions[name] = login(s.server, name)
    return s.sessions[name]


def new_tasks(s, count, prefix="n", batch=None):
    ids = []
    for i in range(count):
        body = {"media_sha256": s.media[i % len(s.media)], "name": f"{prefix}{i}.png", "width": 64, "height": 48}
        if batch:
            body["batch"] = batch
        r = s.sessions["admin"].post(f"/projects/{s.project_id}/tasks", json=body)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def set_settings(s, **settings):
    return ok(s.sessions["lead"].http.put(f"/projects/{s.project_id}/quality/settings",
                                          json={"settings": settings}))


def draw(s, annotators, **body):
    return ok(s.sessions["lead"].post(f"/projects/{s.project_id}/consensus",
                                      json={"annotators": annotators, **body}))


def draw_and_submit(s, answers, ops_in_one_batch=()):
    """answers: {origin: {annotator: [fields...]}}; every replica's shapes are pushed and the replica submitted
    (with the annotators of `ops_in_one_batch`, shapes and submission go in one batch)."""
    replica_of = {}
    for origin in answers:
        for rep in ok(s.sessions["lead"].get(f"/tasks/{origin}/quality"))["replicas"]:
            replica_of[(origin, rep["annotator"])] = rep["task_id"]
    for (origin, name), task in sorted(replica_of.items()):
        session = s.sessions[name]
        ops = [session.op(task, f"{name}-{task}-{k}", fields) for k, fields in enumerate(answers[origin][name])]
        if name in ops_in_one_batch:
            answer = session.push([*ops, session.op(task, str(task), {"status": "submitted"}, op="status",
                                                    entity="task")])
            assert {r["status"] for r in answer["results"]} == {"applied"}, answer
        else:
            if ops:
                session.push(ops)
            ok(session.post(f"/tasks/{task}/submit"))
    return replica_of


def audit_rows(s, action):
    rows = ok(s.sessions["lead"].get(f"/projects/{s.project_id}/audit", params={"limit": 1000}))["items"]
    return [r for r in rows if r["action"] == action]


# --- consensus -----------------------------------------------------------------------------------------------------

def test_the_consensus_draw_is_reproducible_from_its_seed(server_factory, tmp_path):
    drawn = []
    for k in range(2):
        (tmp_path / f"s{k}").mkdir()
        s = seed(server_factory(), tmp_path / f"s{k}")
        add_annotator(s, "ann3")
        pool = new_tasks(s, 20)
        done = draw(s, ["ann1", "ann2", "ann3"], share=0.25, seed="seed-7")
        assert (done["pool"], done["seed"], len(done["origins"])) == (20, "seed-7", 5)
        origins = [o["task_id"] for o in done["origins"]]
        assert set(origins) <= set(pool)
        (row,) = audit_rows(s, "consensus.assign")
        detail = row["detail"]
        assert detail["seed"] == "seed-7" and detail["pool"] == pool
        assert draw_sample(detail["pool"], detail["n"], detail["seed"]) == origins  # anyone can draw it again
        for o in done["origins"]:
            assert sorted(r["annotator"] for r in o["replicas"]) == ["ann1", "ann2", "ann3"]
            origin = ok(s.sessions["lead"].get(f"/tasks/{o['task_id']}"))
            assert (origin["status"], origin["assignee"]) == ("new", None)  # the replicas are the work
            r = s.sessions["lead"].post(f"/tasks/{o['task_id']}/assign", json={"user": "ann1"})
            assert (r.status_code, r.json()["code"]) == (409, "consensus_origin")
        replica = done["origins"][0]["replicas"][0]
        r = s.sessions["lead"].post(f"/tasks/{replica['task_id']}/assign", json={"user": "ann2"})
        assert (r.status_code, r.json()["code"]) == (409, "replica_holder")  # ann2 has a replica of that origin
        again = draw(s, ["ann1", "ann2", "ann3"], share=0.25, seed="seed-7")
        assert again["pool"] == 15 and not {o["task_id"] for o in again["origins"]} & set(origins)
        drawn.append(origins)
    assert drawn[0] == drawn[1]  # same pool, same seed: the same tasks on another server


def test_three_annotators_merged_by_quorum_with_agreement_and_a_flag_for_the_lead(seeded, tmp_path):
    s = seeded
    add_annotator(s, "ann3")
    set_settings(s, consensus={"share": 1.0, "annotators": 3, "quorum": 2, "min_agreement": 0.6})
    ok(s.sessions["lead"].http.put(f"/projects/{s.project_id}/qa",
                                   json={"qa": {"plan": {"kind": "percent", "percent": 100}}}))
    split, same = new_tasks(s, 2, prefix="street_")
    lead = s.sessions["lead"]
    prediction = box("car", 5, 5, source_kind="model", source_model="yolo", source_score=0.4)
    lead.push([lead.op(split, "pred-1", prediction)])  # a pre-label on the origin, before the draw
    done = draw(s, ["ann1", "ann2", "ann3"], seed="s")
    assert sorted(o["task_id"] for o in done["origins"]) == [split, same]

    # every replica shows the origin's pending prediction, as a normal task would
    for o in done["origins"]:
        for rep in o["replicas"]:
            items = ok(s.sessions[rep["annotator"]].get(f"/tasks/{rep['task_id']}/annotations"))["items"]
            assert [i["fields"]["source_kind"] for i in items] == (["model"] if o["task_id"] == split else [])

    agreed = [box("car", 10, 10), box("person", 40, 20, 10, 20)]
    nudged = [box("car", 11, 10), box("person", 40, 21, 10, 20)]
    answers = {split: {"ann1": agreed, "ann2": nudged, "ann3": [box("car", 30, 30, 8, 8)]},
               same: {"ann1": agreed, "ann2": agreed, "ann3": nudged}}
    replica_of = draw_and_submit(s, answers, ops_in_one_batch=("ann3",))

    # replicas wait, submitted, as their annotators' other work would; the origins wait for the lead
    for task in replica_of.values():
        assert ok(lead.get(f"/tasks/{task}"))["status"] == "submitted"
    for origin in (split, same):
        task = ok(lead.get(f"/tasks/{origin}"))
        assert (task["status"], task["assignee"]) == ("submitted", None)

    merged = ok(lead.get(f"/tasks/{split}/annotations"))["items"]
    assert {i["author"] for i in merged} == {"consensus"}
    assert all(i["fields"]["source_kind"] == "human" for i in merged)
    shapes = sorted((i["fields"]["label"], i["fields"]["geometry"]) for i in merged)
    assert shapes == [("car", [10.5, 10.0, 20.0, 10.0]), ("person", [40.0, 20.5, 10.0, 20.0])]  # ann3's box dropped
    deleted = ok(lead.get(f"/tasks/{split}/annotations", params={"include_deleted": True}))["items"]
    assert [i["deleted"] for i in deleted if i["id"] == "pred-1"] == [True]  # the pre-label gave way to consensus

    listing = ok(lead.get(f"/projects/{s.project_id}/consensus"))
    assert listing["counts"] == {"open": 0, "merged": 2, "needs_lead": 1}
    by_id = {i["task_id"]: i for i in listing["items"]}
    low, high = by_id[split], by_id[same]
    assert low["needs_lead"] and not high["needs_lead"]
    assert low["agreement"] < 0.6 < high["agreement"]
    pairs = {(p["a"], p["b"]): p for p in low["result"]["pairs"]}
    assert pairs[("ann1", "ann2")]["agreement"] > 0.8 and pairs[("ann1", "ann3")]["agreement"] == 0
    assert low["agreement"] == pytest.approx(sum(p["agreement"] for p in pairs.values()) / 3, abs=1e-3)
    per = {r["annotator"]: r["agreement"] for r in low["result"]["replicas"]}
    assert per["ann3"] == 0 and per["ann1"] > 0.4
    assert (low["result"]["kept"], low["result"]["dropped"]) == (2, 1)
    assert [i["task_id"] for i in ok(lead.get(f"/projects/{s.project_id}/consensus",
                                              params={"needs_lead": True}))["items"]] == [split]

    info = ok(lead.get(f"/tasks/{split}/quality"))
    assert info["consensus"]["needs_lead"] is True and len(info["replicas"]) == 3
    rep_info = ok(lead.get(f"/tasks/{replica_of[(split, 'ann3')]}/quality"))["replica"]
    assert (rep_info["origin_id"], rep_info["purpose"], rep_info["score"]) == (split, "consensus", 0.0)

    # the lead's pull has the link and the flag; no replica or origin joined a spot-review lot
    items = lead.pull_all()
    flagged = [i for i in items if i["type"] == "consensus" and i["task_id"] == split]
    assert flagged and flagged[-1]["needs_lead"] is True
    assert {i["task_id"] for i in items if i["type"] == "replica"} == set(replica_of.values())
    assert ok(lead.get(f"/projects/{s.project_id}/lots"))["items"] == []
    review = ok(lead.post(f"/tasks/{split}/review", json={"decision": "accept", "fixed": True}))
    assert review["task"]["status"] == "accepted"

    # an annotator sees a normal task: no link, no figure, no flag
    ann3 = s.sessions["ann3"]
    seen = ann3.pull_all()
    assert {i["type"] for i in seen} <= NORMAL_ITEMS
    mine = {i["id"]: i for i in seen if i["type"] == "task"}
    assert set(mine) == {replica_of[(split, "ann3")], replica_of[(same, "ann3")]}
    for task in mine.values():
        assert set(task) - {"seq", "type"} == TASK_KEYS
        assert task["name"] in ("street_0.png", "street_1.png") and task["status"] == "submitted"
    assert "consensus" not in json.dumps(seen) and str(split) not in {str(i.get("task_id")) for i in seen}
    for path in (f"/tasks/{replica_of[(split, 'ann3')]}/quality", f"/projects/{s.project_id}/consensus",
                 f"/projects/{s.project_id}/quality", f"/projects/{s.project_id}/quality/settings"):
        assert ann3.get(path).status_code == 403, path
    assert ann3.get(f"/tasks/{split}").status_code == 404


def test_quality_settings_are_checked_field_by_field(seeded_sqlite):
    s = seeded_sqlite
    lead = s.sessions["lead"]
    url = f"/projects/{s.project_id}/quality/settings"
    assert ok(lead.get(url)) == {"project_id": s.project_id, "consensus": None, "gold": None}
    stored = set_settings(s, consensus={"share": 0.1}, gold={"rate": 0.05})
    assert stored["consensus"] == {"share": 0.1, "annotators": 3, "quorum": 2, "min_agreement": 0.6,
                                   "threshold": 0.5}
    assert stored["gold"] == {"rate": 0.05, "threshold": 0.5}
    for settings, field in (({"consensus": {"quorum": 4}}, "consensus.quorum"),
                            ({"consensus": {"share": 0}}, "consensus.share"),
                            ({"consensus": {"annotators": 1}}, "consensus.annotators"),
                            ({"consensus": {"sharre": 0.1}}, "consensus.sharre"),
                            ({"consensus": {"min_agreement": 1.5}}, "consensus.min_agreement"),
                            ({"consensus": {"threshold": True}}, "consensus.threshold"),
                            ({"gold": {"rate": "often"}}, "gold.rate"), ({"colour": 1}, "colour"),
                            ({"consensus": [3]}, "consensus")):
        r = lead.http.put(url, json={"settings": settings})
        assert (r.status_code, r.json()["code"], r.json().get("field")) == (422, "bad_quality", field), settings
    assert ok(lead.get(url))["gold"] == {"rate": 0.05, "threshold": 0.5}  # the refused ones changed nothing
    r = lead.post(f"/projects/{s.project_id}/consensus", json={"annotators": ["ann1", "ann2"]})
    assert (r.status_code, r.json()["field"]) == (422, "annotators")  # 3 per task are set


# --- gold ----------------------------------------------------------------------------------------------------------

def make_gold(s, answer):
    """ann1 answers a new task, the lead accepts it and marks it gold."""
    lead, ann1 = s.sessions["lead"], s.sessions["ann1"]
    (task,) = new_tasks(s, 1, prefix="gold_")
    ok(lead.post(f"/tasks/{task}/assign", json={"user": "ann1"}))
    prediction = box("car", 50, 1, source_kind="model", source_model="yolo")  # still pending: not in the answer
    ann1.push([ann1.op(task, f"g{k}", fields) for k, fields in enumerate([*answer, prediction])])
    ok(ann1.post(f"/tasks/{task}/submit"))
    r = lead.post(f"/projects/{s.project_id}/gold", json={"task_ids": [task]})
    assert (r.status_code, r.json()["code"]) == (409, "not_accepted")
    ok(lead.post(f"/tasks/{task}/review", json={"decision": "accept"}))
    (marked,) = ok(lead.post(f"/projects/{s.project_id}/gold", json={"task_ids": [task]}))["items"]
    assert (marked["task_id"], marked["version"], marked["shapes"]) == (task, 1, len(answer))
    return task


def test_gold_replicas_are_scored_against_the_known_answer_unannounced(seeded_sqlite):
    s = seeded_sqlite
    lead = s.sessions["lead"]
    add_annotator(s, "ann3")
    ok(lead.http.put(f"/projects/{s.project_id}/qa", json={"qa": {"plan": {"kind": "percent", "percent": 100}}}))
    answer = [box("car", 10, 10), box("person", 40, 20, 10, 20)]
    gold = make_gold(s, answer)
    (again,) = ok(lead.post(f"/projects/{s.project_id}/gold", json={"task_ids": [gold]}))["items"]
    assert again["version"] == 2  # versioned: marking again copies the answer anew

    fresh = new_tasks(s, 2, prefix="street_")
    mixed = ok(lead.post(f"/projects/{s.project_id}/gold/mix",
                         json={"annotators": ["ann1", "ann2", "ann3"], "rate": 0.5, "seed": "g", "assign": 0}))
    by_name = {a["annotator"]: a for a in mixed["annotators"]}
    assert by_name["ann1"]["replicas"] == [] and by_name["ann1"]["short"] == 2  # ann1 made the answer
    assert by_name["ann3"]["replicas"] == []  # no real task yet: no gold either
    (ann2_replica,) = by_name["ann2"]["replicas"]
    mixed = ok(lead.post(f"/projects/{s.project_id}/gold/mix",
                         json={"annotators": ["ann3"], "rate": 0.5, "seed": "g", "assign": 2}))
    (ann3_mix,) = mixed["annotators"]
    assert ann3_mix["assigned"] == fresh and ann3_mix["real_tasks"] == 2
    (ann3_replica,) = ann3_mix["replicas"]
    (row,) = [r for r in audit_rows(s, "gold.mix") if r["detail"]["assign"] == 2]
    assert row["detail"]["seed"] == "g"

    # what ann3 gets: three tasks, the gold one among them, named like the gold task, like any other
    ann3 = s.sessions["ann3"]
    seen = ann3.pull_all()
    tasks = [i for i in seen if i["type"] == "task"]
    assert {t["id"] for t in tasks} == {*fresh, ann3_replica}
    replica_json = next(t for t in tasks if t["id"] == ann3_replica)
    assert set(replica_json) - {"seq", "type"} == TASK_KEYS
    assert replica_json["name"] == "gold_0.png" and replica_json["status"] == "assigned"
    handed = ok(ann3.get(f"/tasks/{ann3_replica}/annotations"))["items"]
    assert [i["fields"]["source_kind"] for i in handed] == ["model"]  # the pending pre-label, never the answer

    ann2 = s.sessions["ann2"]
    ann2.push([ann2.op(ann2_replica, f"a{k}", fields) for k, fields in enumerate(answer)])
    ok(ann2.post(f"/tasks/{ann2_replica}/submit"))
    wrong = [box("car", 10, 10), box("car", 40, 20, 10, 20)]  # the person boxed right, labeled car
    ann3.push([ann3.op(ann3_replica, f"b{k}", fields) for k, fields in enumerate(wrong)])
    ok(ann3.post(f"/tasks/{ann3_replica}/submit"))

    good = ok(lead.get(f"/tasks/{ann2_replica}/quality"))["replica"]
    bad = ok(lead.get(f"/tasks/{ann3_replica}/quality"))["replica"]
    assert (good["purpose"], good["origin_id"], good["score"]) == ("gold", gold, 1.0)
    assert good["result"]["gold_version"] == 2 and good["result"]["labels"]["person"]["f1"] == 1.0
    assert bad["score"] == 0.5  # geometry perfect, one of two labels confused: F1 0.5
    assert bad["result"]["confusions"] == [{"reference": "person", "other": "car", "count": 1}]
    assert bad["result"]["labels"]["person"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 0,
                                                 "fn": 1}
    # a submitted gold replica waits like the annotator's other work (no lot draws it), and is accepted with the
    # annotator's day lot: nothing tells it apart from a real task
    for task in (ann2_replica, ann3_replica):
        assert ok(lead.get(f"/tasks/{task}"))["status"] == "submitted"
    ann3.push([ann3.op(fresh[0], "c0", box("car", 1, 1))])
    ok(ann3.post(f"/tasks/{fresh[0]}/submit"))
    (lot,) = [lot for lot in ok(lead.get(f"/projects/{s.project_id}/lots"))["items"] if lot["source"] == "ann3"]
    assert lot["task_ids"] == [fresh[0]]
    lot = ok(lead.post(f"/projects/{s.project_id}/lots/{lot['id']}/close"))
    assert lot["sample"] == [fresh[0]]
    ok(lead.post(f"/tasks/{fresh[0]}/review", json={"decision": "accept", "fixed": False}))
    assert [ok(lead.get(f"/tasks/{t}"))["status"] for t in (fresh[0], ann3_replica, ann2_replica)] == [
        "accepted", "accepted", "submitted"]  # ann2's replica waits on a lot of ann2's
    (row,) = audit_rows(s, "lot.accept")
    assert row["detail"]["replicas"] == [ann3_replica]
    report = {r["annotator"]: r for r in ok(lead.get(f"/projects/{s.project_id}/gold/report"))["items"]}
    assert (report["ann2"]["accuracy"], report["ann2"]["f1"]) == (1.0, 1.0)
    assert (report["ann3"]["accuracy"], report["ann3"]["recall"]) == (0.5, 0.5)
    assert report["ann3"]["confusions"] == [{"reference": "person", "other": "car", "count": 1}]
    gold_list = ok(lead.get(f"/projects/{s.project_id}/gold", params={"answers": True}))["items"]
    assert [(g["task_id"], g["replicas"], g["scored"], len(g["answer"])) for g in gold_list] == [(gold, 2, 2, 2)]

    # annotators see none of it: no gold item, no score, no answer, nobody's figures
    for name in ("ann2", "ann3"):
        session = s.sessions[name]
        items = session.pull_all()
        assert {i["type"] for i in items} <= NORMAL_ITEMS
        replicas = (ann2_replica, ann3_replica)  # accepted with the lot, as its unsampled tasks are: no review row
        assert not any(i["type"] == "review" and i.get("task_id") in replicas for i in items)
        for path in (f"/projects/{s.project_id}/gold", f"/projects/{s.project_id}/gold/report",
                     f"/projects/{s.project_id}/quality", f"/tasks/{ann2_replica}/quality"):
            assert session.get(path).status_code == 403, path
        assert session.get(f"/tasks/{gold}").status_code == 404
        assert session.post(f"/projects/{s.project_id}/gold", json={"task_ids": [gold]}).status_code == 403


# --- the command line ----------------------------------------------------------------------------------------------

def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_consensus_gold_and_quality_commands(seeded_sqlite, capsys):
    s = seeded_sqlite
    where = ["--data", str(s.server.config.data_dir)]
    lead = s.sessions["lead"]
    add_annotator(s, "ann3")
    code, out = run(capsys, "server", "consensus", "streets", "--settings", '{"quorum": 9}', *where)
    assert code == 2 and "consensus.quorum" in out and "from 1 to the 3 annotators" in out
    code, out = run(capsys, "server", "consensus", "streets", "--settings", '{"share": 1, "quorum": 2}', *where)
    assert code == 0 and "consensus: 100 % of new tasks to 3 annotators each" in out and "0 open" in out
    (origin,) = new_tasks(s, 1, prefix="street_")
    code, out = run(capsys, "server", "consensus", "streets", "--annotators", "ann1,ann2,ann3", "--seed", "x",
                    *where)
    assert code == 0 and "1 of 1 new tasks drawn for consensus (share 1, seed x); 3 replicas, 3 per task" in out
    code, out = run(capsys, "server", "assign", "streets", "--user", "ann1", "--count", "5", *where)
    assert code == 0 and "assigned 0 tasks" in out  # the origin is not there to be assigned
    draw_and_submit(s, {origin: {"ann1": [box("car", 1, 1)], "ann2": [box("car", 1, 1)], "ann3": []}})
    code, out = run(capsys, "server", "consensus", "streets", *where)
    assert "0 open, 1 merged, 1 below the least agreement" in out and f"task {origin}: agreement 0.333" in out

    gold = make_gold(s, [box("car", 10, 10)])
    code, out = run(capsys, "server", "gold", "streets", "--mark", str(gold), *where)
    assert code == 0 and f"task {gold}: gold answer version 2 (1 shapes)" in out
    code, out = run(capsys, "server", "gold", "streets", "--mix", "--annotators", "ann2", *where)
    assert code == 2 and "give a rate" in out
    code, out = run(capsys, "server", "gold", "streets", "--mix", "1", "--annotators", "ann2", "--seed", "q",
                    *where)
    assert code == 0 and "ann2: 1 gold replica for 2 real tasks (0 before; 1 short" in out, out
    replica = max(ok(lead.get(f"/tasks/{gold}/quality"))["replicas"], key=lambda r: r["task_id"])["task_id"]
    ann2 = s.sessions["ann2"]
    ann2.push([ann2.op(replica, "w", box("person", 10, 10))])
    ok(ann2.post(f"/tasks/{replica}/submit"))
    code, out = run(capsys, "server", "gold", "streets", "--report", "--csv", *where)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["annotator"], r["gold_tasks"], r["accuracy"], r["confusions"]) for r in rows] == [
        ("ann2", "1", "0.0", "car -> person: 1")]
    code, out = run(capsys, "server", "gold", "streets", *where)
    assert f"task {gold}: version 2, 1 shapes, 1 replicas (1 scored)" in out

    # reviews: ann1's task 1 rejected, then accepted after fixes; ann2's task 3 accepted
    for task, owner in ((s.task_ids[0], "ann1"), (s.task_ids[2], "ann2")):
        ok(s.sessions[owner].post(f"/tasks/{task}/submit"))
    ok(lead.post(f"/tasks/{s.task_ids[0]}/review", json={"decision": "reject", "reason": "wheels"}))
    ok(s.sessions["ann1"].post(f"/tasks/{s.task_ids[0]}/submit"))
    ok(lead.post(f"/tasks/{s.task_ids[0]}/review", json={"decision": "accept", "fixed": True}))
    ok(lead.post(f"/tasks/{s.task_ids[2]}/review", json={"decision": "accept"}))
    code, out = run(capsys, "server", "quality", "--project", "streets", "--csv", *where)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("annotator,consensus_tasks,consensus_agreement,gold_tasks,gold_accuracy,reviewed,accepted,"
                        "rejected,fixed")
    rows = {r["annotator"]: r for r in csv.DictReader(io.StringIO(out))}
    assert list(rows) == ["ann1", "ann2", "ann3"]
    assert rows["ann1"] == {"annotator": "ann1", "consensus_tasks": "1", "consensus_agreement": "0.5",
                            "gold_tasks": "0", "gold_accuracy": "", "reviewed": "2", "accepted": "1",
                            "rejected": "1", "fixed": "1"}  # its own gold task and task 1
    assert (rows["ann2"]["gold_accuracy"], rows["ann2"]["reviewed"], rows["ann2"]["accepted"]) == ("0.0", "1", "1")
    assert (rows["ann3"]["consensus_agreement"], rows["ann3"]["reviewed"]) == ("0.0", "0")
    code, out = run(capsys, "server", "quality", "--project", "streets", *where)
    header, *table = out.splitlines()
    assert header.split() == ["annotator", "consensus", "agreement", "gold", "accuracy", "reviewed", "accepted",
                              "rejected", "fixed"]
    assert table[0].split() == ["ann1", "1", "0.500", "0", "-", "2", "1", "1", "1"]
    api = ok(lead.get(f"/projects/{s.project_id}/quality"))
    assert {i["annotator"]: i for i in api["items"]}["ann1"]["fixed"] == 1


def test_the_hooks_run_for_work_submitted_straight_on_the_store(seeded_sqlite):
    """service.set_status is where the hook sits, so the CLI, the API and push all reach it."""
    s = seeded_sqlite
    add_annotator(s, "ann3")
    (origin,) = new_tasks(s, 1)
    done = draw(s, ["ann1", "ann2", "ann3"], share=1.0)
    with s.server.store.write() as conn:
        for rep in done["origins"][0]["replicas"]:
            user = service.user_by_name(conn, rep["annotator"])
            principal = Principal(user["id"], rep["annotator"], "annotator", None, None)
            service.set_status(conn, principal, service.get_task(conn, None, rep["task_id"]), "submitted")
        status = conn.execute(sa.select(db.tasks.c.status).where(db.tasks.c.id == origin)).scalar()
        merged = conn.execute(sa.select(db.consensus_origins.c.agreement).where(
            db.consensus_origins.c.task_id == origin)).scalar()
    assert (status, merged) == ("submitted", 1.0)  # three empty answers agree
