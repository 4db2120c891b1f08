"""Monitoring and audit (issue 12, item 9): /metrics scraped over real HTTP and parsed as Prometheus reads it, the
project audit route for leads, and `annodesk server audit`."""

import collections
import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sync.envelope import batch_hash
from sync.server import metrics, service
from sync.server.cli import main
from sync.server.security import Passwords, principal_for
from tests.server_fixtures import PASSWORD, SCHEMA, http_client, login, seed

TOKEN = "scrape-" + "k" * 40
BOX = {"label": "car", "kind": "box", "geometry": [1, 2, 30, 40]}
LOGIN, PUSH, PULL = "/api/v1/auth/login", "/api/v1/sync/push", "/api/v1/sync/pull"
REQUESTS, LATENCY = "annodesk_http_requests_total", "annodesk_http_request_duration_seconds"
TASKS, TRANSITIONS, PUSH_OPS = "annodesk_tasks", "annodesk_task_transitions_total", "annodesk_push_ops_total"


def scrape(server, token=TOKEN):
    """Every sample of a scrape, keyed by (sample name, frozenset of its labels)."""
    r = http_client().get(server.url + "/metrics", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def label_values(samples, name, label):
    return {dict(labels)[label] for sample, labels in samples if sample == name}


def test_requests_pushes_queues_and_throughput_are_counted(server_factory, store_url, tmp_path):
    server = server_factory(db_url=store_url, metrics_token=TOKEN)
    s = seed(server, tmp_path)
    project, (t1, _, t3) = s.project_id, s.task_ids
    ann1, lead = s.sessions["ann1"], s.sessions["lead"]
    before = scrape(server)
    assert value(before, REQUESTS, route=LOGIN, method="POST", status="200") == 4  # seed logs in 4 users
    assert value(before, TASKS, project_id=str(project), status="assigned") == 3

    login(server, "ann2")
    login(server, "ann2")
    assert http_client().post(server.api + "/auth/login", json={"username": "ann2", "password": "wrong password"}
                              ).status_code == 401
    ann1.pull_all()
    ops = [ann1.op(t1, "a1", BOX), ann1.op(t1, "a2", BOX), ann1.op(t3, "x", BOX)]  # t3 is ann2's: rejected
    body = ann1.seal(ops)
    first, resend = ann1.push_raw(body), ann1.push_raw(body)
    assert first.status_code == resend.status_code == 200 and resend.json()["duplicate"]
    ann1.last_hash = batch_hash(body)
    results = collections.Counter(r["status"] for r in first.json()["results"])
    assert results == {"applied": 2, "rejected": 1}
    assert ann1.get(f"/tasks/{t1}").status_code == 200
    assert ann1.post(f"/tasks/{t1}/submit").json()["status"] == "submitted"
    assert http_client().get(server.api + "/no/such/thing").status_code == 404
    after = scrape(server)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(REQUESTS, route=LOGIN, method="POST", status="200") == 2
    assert delta(REQUESTS, route=LOGIN, method="POST", status="401") == 1
    assert delta(LATENCY + "_count", route=LOGIN, method="POST") == 3
    assert delta(LATENCY + "_sum", route=LOGIN, method="POST") > 0
    assert value(after, LATENCY + "_bucket", route=LOGIN, method="POST", le="+Inf") == 4 + 3
    assert delta(REQUESTS, route=PUSH, method="POST", status="200") == 2
    assert delta(REQUESTS, route=PULL, method="GET", status="200") == 1
    assert delta(REQUESTS, route="/api/v1/tasks/{task_id}", method="GET", status="200") == 1
    assert delta(REQUESTS, route="/api/v1/tasks/{task_id}/submit", method="POST", status="200") == 1
    assert delta(REQUESTS, route="unmatched", method="GET", status="404") == 1
    assert value(after, REQUESTS, route="/metrics", method="GET", status="200") == 1  # the first scrape
    templates = {*server.app.openapi()["paths"], "/metrics", "unmatched"}
    assert label_values(after, REQUESTS, "route") <= templates  # never a raw path such as /api/v1/tasks/1
    # a resend is answered from the record: its ops are not counted twice
    assert (value(after, PUSH_OPS, result="applied"), value(after, PUSH_OPS, result="rejected")) == (2, 1)
    assert value(after, PUSH_OPS, result="merged") == 0
    depth = {status: value(after, TASKS, project_id=str(project), status=status) for status in service.STATUSES}
    assert depth == {"new": 0, "assigned": 2, "in_progress": 0, "submitted": 1, "accepted": 0, "rejected": 0}
    assert value(after, TRANSITIONS, project_id=str(project), status="submitted") == 1

    assert lead.post(f"/tasks/{t1}/review", json={"decision": "accept"}).status_code == 200
    final = scrape(server)
    assert value(final, TRANSITIONS, project_id=str(project), status="accepted") == 1
    assert value(final, TRANSITIONS, project_id=str(project), status="submitted") == 1
    assert value(final, TASKS, project_id=str(project), status="accepted") == 1
    assert value(final, TASKS, project_id=str(project), status="submitted") == 0


def test_a_status_change_rolled_back_is_not_counted(server_factory, tmp_path):
    server = server_factory(metrics_token=TOKEN)
    s = seed(server, tmp_path)
    t1, submitted = s.task_ids[0], {"project_id": str(s.project_id), "status": "submitted"}
    with pytest.raises(RuntimeError), server.store.write() as conn:
        principal = principal_for(conn, s.sessions["ann1"].token)
        service.set_status(conn, principal, service.get_task(conn, principal, t1), "submitted")
        raise RuntimeError("the request failed after the change")
    assert value(scrape(server), TRANSITIONS, **submitted) == 0
    assert value(scrape(server), TASKS, **submitted) == 0
    with server.store.write() as conn:
        principal = principal_for(conn, s.sessions["ann1"].token)
        service.set_status(conn, principal, service.get_task(conn, principal, t1), "submitted")
    samples = scrape(server)
    assert value(samples, TRANSITIONS, **submitted) == 1 and value(samples, TASKS, **submitted) == 1
    rejected = {"project_id": str(s.project_id), "status": "rejected"}
    with pytest.raises(RuntimeError), server.store.read() as conn:
        metrics.count_task_status(conn, s.project_id, "rejected")
        raise RuntimeError
    for _ in range(3):  # later transactions, on whichever pooled connection, do not pick up what rolled back
        with server.store.read() as conn:
            metrics.count_task_status(conn, s.project_id, "in_progress")  # not a throughput status
    samples = scrape(server)
    assert value(samples, TRANSITIONS, **rejected) == 0 and value(samples, TRANSITIONS, **submitted) == 1


def test_metrics_need_the_token_and_without_one_do_not_exist(server_factory):
    server = server_factory(metrics_token=TOKEN)
    client = http_client()
    r = client.get(server.url + "/metrics")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.get(server.url + "/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    for wrong in ("nonsense", TOKEN[:-1], TOKEN + "k", "é" * 5):
        r = client.get(server.url + "/metrics", headers={"Authorization": f"Bearer {wrong}".encode()})
        assert r.status_code == 403 and r.json()["code"] == "forbidden", wrong
    with server.store.write() as conn:
        service.create_user(conn, Passwords(server.config), "cli", "admin", "admin", PASSWORD)
    admin = login(server, "admin")  # an API token, even an admin's, is not the metrics token
    assert admin.http.get(server.url + "/metrics").status_code == 403
    assert "/metrics" not in server.app.openapi()["paths"]

    plain = server_factory(metrics_token=None)
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        r = client.get(plain.url + "/metrics", headers=headers)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert not hasattr(plain.app.state, "metrics")


def _second_project(s):
    """A project 'fields' (the lead leads it too) with one task (on media already uploaded), assigned to ann2 by the
    lead."""
    admin, lead = s.sessions["admin"], s.sessions["lead"]
    project = admin.post("/projects", json={"name": "fields", "schema": SCHEMA}).json()
    assert admin.post(f"/projects/{project['id']}/leads", json={"user": "lead"}).status_code == 200
    task = admin.post(f"/projects/{project['id']}/tasks",
                      json={"media_sha256": s.media[0], "name": "other.png", "width": 64, "height": 48}).json()
    assert lead.post(f"/tasks/{task['id']}/assign", json={"user": "ann2"}).status_code == 200
    return project["id"], task["id"]


def test_leads_read_the_audit_trail_of_a_project(seeded_sqlite):
    s = seeded_sqlite
    lead, ann1 = s.sessions["lead"], s.sessions["ann1"]
    other_project, other_task = _second_project(s)
    assert ann1.post(f"/tasks/{s.task_ids[0]}/submit").status_code == 200

    r = lead.get(f"/projects/{s.project_id}/audit", params={"limit": 1000})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert r.json()["next_after"] == items[-1]["id"]
    ids = [row["id"] for row in items]
    assert ids == sorted(ids)
    mine = {f"project:{s.project_id}"} | {f"task:{t}" for t in s.task_ids}
    assert {row["target"] for row in items} == mine
    seen = {(row["user"], row["action"], row["target"]) for row in items}
    assert {("lead", "task.assign", f"task:{t}") for t in s.task_ids} <= seen
    assert ("admin", "project.create", f"project:{s.project_id}") in seen
    assert ("ann1", "task.status", f"task:{s.task_ids[0]}") in seen
    assert not any(row["target"] in (f"task:{other_task}", f"project:{other_project}") for row in items)

    other = lead.get(f"/projects/{other_project}/audit").json()["items"]
    assert {row["target"] for row in other} == {f"project:{other_project}", f"task:{other_task}"}
    assert ("lead", "task.assign") in {(row["user"], row["action"]) for row in other}

    paged, after = [], 0
    while True:
        page = lead.get(f"/projects/{s.project_id}/audit", params={"after": after, "limit": 2}).json()
        if not page["items"]:
            assert page["next_after"] == after
            break
        assert len(page["items"]) <= 2
        paged += page["items"]
        after = page["next_after"]
    assert paged == items
    assert ann1.get(f"/projects/{s.project_id}/audit").status_code == 403
    assert lead.get("/projects/999999/audit").status_code == 404
    assert s.sessions["admin"].get(f"/projects/{s.project_id}/audit").json()["items"] == items[:100]


def test_server_audit_command_reads_the_database(seeded_sqlite, capsys):
    s = seeded_sqlite
    other_project, other_task = _second_project(s)
    api_rows = s.sessions["lead"].get(f"/projects/{s.project_id}/audit", params={"limit": 1000}).json()["items"]
    where = ["--data", str(s.server.config.data_dir)]

    def run(*argv):
        code = main(["server", "audit", *argv, *where])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, err = run("--project", "streets")
    lines = out.splitlines()
    assert code == 0 and err == "" and len(lines) == len(api_rows)
    for line, row in zip(lines, api_rows, strict=True):
        number, at, user, action, target, *detail = line.split("  ")
        assert all(f"{key}=" in "".join(detail) for key in row["detail"])
        assert (int(number), user, action, target) == (row["id"], row["user"], row["action"], row["target"])
        assert at.startswith("20") and at.endswith("+00:00")
        assert f"task:{other_task}" not in line
    assign = next(line for line in lines if " task.assign " in line)
    assert assign.endswith("user=ann1")

    code, out, _ = run("--project", str(s.project_id), "--json")
    assert code == 0 and json.loads(out) == {"items": api_rows, "next_after": api_rows[-1]["id"]}
    code, out, err = run("--project", "streets", "--after", str(api_rows[1]["id"]), "--limit", "2")
    assert code == 0 and [int(line.split()[0]) for line in out.splitlines()] == [r["id"] for r in api_rows[2:4]]
    assert f"--after {api_rows[3]['id']}" in err
    code, out, _ = run("--project", "fields", "--json")
    assert {r["target"] for r in json.loads(out)["items"]} == {f"project:{other_project}", f"task:{other_task}"}
    code, _, err = run("--project", "nowhere")
    assert code == 2 and "no project 'nowhere'" in err
    code, _, err = run("--project", "streets", "--limit", "0")
    assert code == 2 and "--limit" in err
