"""A lead sees and manages only the projects they lead: the project list, pull, tasks, media and pushes of others are
closed to them; admins name the leads (API and CLI); a store from before project leads keeps every lead's access.

Real server over HTTP on loopback (tests/server_fixtures.py); the every-route check is in test_server_roles.py."""

import io

from sync.server import db, service
from sync.server.cli import main
from sync.server.config import ServerConfig
from sync.server.security import Passwords
from tests.server_fixtures import PASSWORD, SCHEMA, login


def _other_project_with_its_lead(s):
    admin = s.sessions["admin"]
    assert admin.post("/admin/users", json={"name": "lead2", "role": "lead", "password": PASSWORD}).status_code == 201
    other = admin.post("/projects", json={"name": "fields", "schema": SCHEMA}).json()
    task = admin.post(f"/projects/{other['id']}/tasks", json={"media_sha256": s.media[0], "name": "f.png",
                                                              "width": 64, "height": 48}).json()
    assert admin.post(f"/projects/{other['id']}/leads", json={"user": "lead2"}).json() == ["lead2"]
    return other["id"], task["id"], login(s.server, "lead2")


def test_a_lead_sees_only_the_projects_they_lead(seeded_sqlite):
    s = seeded_sqlite
    other, other_task, lead2 = _other_project_with_its_lead(s)
    lead = s.sessions["lead"]
    assert [p["name"] for p in lead.get("/projects").json()] == ["streets"]
    assert [p["name"] for p in lead2.get("/projects").json()] == ["fields"]
    assert {p["name"] for p in s.sessions["admin"].get("/projects").json()} == {"streets", "fields"}
    pulled = lead2.pull_all()
    assert pulled and {i.get("project_id") for i in pulled if "project_id" in i} == {other}
    assert {i["id"] for i in pulled if i["type"] == "task"} == {other_task}
    assert lead2.get(f"/tasks/{s.task_ids[0]}").status_code == 404
    assert lead2.get(f"/media/{s.media[1]}").status_code == 404  # only streets' tasks show it
    assert lead2.post(f"/tasks/{s.task_ids[0]}/assign", json={"user": "ann1"}).status_code == 404
    (result,) = lead2.push([lead2.op(s.task_ids[0], "sneaky", {"label": "car", "kind": "box",
                                                              "geometry": [1, 2, 3, 4]})])["results"]
    assert (result["status"], result["reason"]) == ("rejected", f"not_assigned: task {s.task_ids[0]}")
    assert s.sessions["lead"].get(f"/tasks/{s.task_ids[0]}/annotations").json()["items"] == []


def test_admins_name_and_unname_leads_and_the_change_acts_at_once(seeded_sqlite):
    s = seeded_sqlite
    other, _task, lead2 = _other_project_with_its_lead(s)
    admin, lead = s.sessions["admin"], s.sessions["lead"]
    assert lead.get(f"/projects/{other}").status_code == 404
    assert admin.post(f"/projects/{other}/leads", json={"user": "lead"}).json() == ["lead", "lead2"]
    assert lead.get(f"/projects/{other}").status_code == 200  # the same token: rights are read per request
    assert lead.get(f"/projects/{other}/leads").json() == ["lead", "lead2"]
    assert admin.http.delete(f"/projects/{other}/leads/lead").json() == ["lead2"]
    assert lead.get(f"/projects/{other}/lots").status_code == 404
    r = admin.post(f"/projects/{other}/leads", json={"user": "ann1"})
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (422, "not_a_lead", "user")
    assert lead2.post(f"/projects/{other}/leads", json={"user": "lead"}).status_code == 403  # admins only
    actions = [r["action"] for r in admin.get(f"/projects/{other}/audit", params={"limit": 100}).json()["items"]]
    assert actions.count("project.lead") == 2 and actions.count("project.unlead") == 1


def test_a_store_from_before_project_leads_keeps_every_leads_access(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "old")
    store = db.Store(config)
    with store.write() as conn:
        service.create_user(conn, Passwords(config), "cli", "hoa", "lead", PASSWORD)
        for name in ("a", "b"):
            service.create_project(conn, "cli", name, SCHEMA)
        conn.exec_driver_sql("DROP TABLE project_leads")
    store.close()
    store = db.Store(config)
    with store.write() as conn:
        assert [service.project_leads(conn, p) for p in (1, 2)] == [["hoa"], ["hoa"]]
        service.create_project(conn, "cli", "c", SCHEMA)
    store.close()
    store = db.Store(config)  # and only once: a project made since has no lead until an admin names one
    with store.read() as conn:
        assert service.project_leads(conn, 3) == []
    store.close()


def test_the_lead_command(tmp_path, monkeypatch, capsys):
    where = ["--data", str(tmp_path / "server")]
    schema = tmp_path / "schema.json"
    schema.write_text('{"labels": [{"name": "car"}]}')

    def run(*argv):
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out + out.err

    assert run("server", "add-user", "hoa", "--role", "lead", "--password-stdin", *where)[0] == 0
    assert run("server", "add-user", "an", "--role", "annotator", "--password-stdin", *where)[0] == 0
    code, out = run("server", "create-project", "streets", "--schema", str(schema), "--lead", "hoa", *where)
    assert code == 0 and out.strip().endswith("leads: hoa")
    assert run("server", "lead", "streets", "hoa", "--remove", *where) == (0, "project streets: leads none "
                                                                            "(admins only)\n")
    code, out = run("server", "lead", "streets", "an", *where)
    assert code != 0 and "an is an annotator, not a lead" in out
