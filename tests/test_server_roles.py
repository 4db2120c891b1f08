"""Every endpoint called as every role and as nobody, checked against one table of what is allowed.

The table is compared with the app's routes (its OpenAPI paths) both ways, so a new endpoint without an entry,
or an entry for an endpoint that no longer exists, fails this test.
"""

from sync.server.blobs import file_sha256
from tests.server_fixtures import PASSWORD, http_client, login, write_png

CALLERS = ("nobody", "admin", "lead", "outsider", "owner", "other", "stranger")
# lead: a lead of the project; outsider: a lead of another project only; owner: the annotator task 1 is assigned to;
# other: an annotator with a task in the same project but not task 1; stranger: an annotator with no task at all.
# "ok": 2xx (or 409 for a lifecycle step out of order).
OK, DENY, HIDDEN, ANON = "ok", 403, 404, 401
PUBLIC = dict.fromkeys(CALLERS, OK)
ANY_USER = {**dict.fromkeys(CALLERS, OK), "nobody": ANON}
ADMIN_ONLY = {**dict.fromkeys(CALLERS, DENY), "nobody": ANON, "admin": OK}
ANY_REVIEWER = {"nobody": ANON, "admin": OK, "lead": OK, "outsider": OK, "owner": DENY, "other": DENY,
                "stranger": DENY}
REVIEWERS = {**ANY_REVIEWER, "outsider": HIDDEN}  # of this project: another project's lead does not see it
TASK_OWNER = {"nobody": ANON, "admin": OK, "lead": OK, "outsider": HIDDEN, "owner": OK, "other": HIDDEN,
              "stranger": HIDDEN}
IN_PROJECT = {**TASK_OWNER, "other": OK}

TABLE = {
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): ANY_USER,
    ("GET", "/api/v1/auth/me"): ANY_USER,
    ("GET", "/api/v1/server-key"): PUBLIC,
    ("GET", "/api/v1/health"): PUBLIC,
    ("POST", "/api/v1/admin/users"): ADMIN_ONLY,
    ("GET", "/api/v1/admin/users"): ANY_REVIEWER,
    ("GET", "/api/v1/admin/devices"): ADMIN_ONLY,
    ("POST", "/api/v1/admin/devices/{device_id}/revoke"): ADMIN_ONLY,
    ("GET", "/api/v1/admin/audit"): ADMIN_ONLY,
    ("POST", "/api/v1/projects"): ADMIN_ONLY,
    ("GET", "/api/v1/projects/{project_id}/leads"): REVIEWERS,
    ("POST", "/api/v1/projects/{project_id}/leads"): ADMIN_ONLY,
    ("DELETE", "/api/v1/projects/{project_id}/leads/{user}"): ADMIN_ONLY,
    ("GET", "/api/v1/projects"): ANY_USER,
    ("GET", "/api/v1/projects/{project_id}"): IN_PROJECT,
    ("PUT", "/api/v1/projects/{project_id}/schema"): REVIEWERS,
    ("POST", "/api/v1/projects/{project_id}/tasks"): IN_PROJECT,  # annotators: of media they uploaded
    ("GET", "/api/v1/projects/{project_id}/tasks"): IN_PROJECT,
    ("GET", "/api/v1/projects/{project_id}/audit"): REVIEWERS,
    ("GET", "/api/v1/projects/{project_id}/dashboard"): REVIEWERS,  # and a dashboard token (tests/test_dashboard.py)
    ("GET", "/api/v1/projects/{project_id}/dashboard.csv"): REVIEWERS,
    ("GET", "/api/v1/projects/{project_id}/qa"): REVIEWERS,
    ("PUT", "/api/v1/projects/{project_id}/qa"): REVIEWERS,
    ("POST", "/api/v1/projects/{project_id}/qa/sources/{source}/resume"): REVIEWERS,  # 409: not discontinued
    ("GET", "/api/v1/projects/{project_id}/lots"): REVIEWERS,
    ("POST", "/api/v1/projects/{project_id}/lots/{lot_id}/close"): REVIEWERS,  # 409 once closed
    ("PUT", "/api/v1/projects/{project_id}/guidelines"): REVIEWERS,  # before the reads: makes version 1
    ("GET", "/api/v1/projects/{project_id}/guidelines"): IN_PROJECT,
    ("GET", "/api/v1/projects/{project_id}/guidelines/versions/{version}"): IN_PROJECT,
    ("GET", "/api/v1/tasks/{task_id}"): TASK_OWNER,
    ("GET", "/api/v1/tasks/{task_id}/annotations"): TASK_OWNER,
    ("POST", "/api/v1/tasks/{task_id}/assign"): REVIEWERS,
    ("POST", "/api/v1/tasks/{task_id}/submit"): TASK_OWNER,
    ("POST", "/api/v1/tasks/{task_id}/review"): REVIEWERS,
    ("GET", "/api/v1/tasks/{task_id}/conflicts"): REVIEWERS,
    ("GET", "/api/v1/tasks/{task_id}/time"): TASK_OWNER,
    ("POST", "/api/v1/sync/push"): ANY_USER,
    ("GET", "/api/v1/sync/pull"): ANY_USER,
    ("GET", "/api/v1/media/{sha}"): TASK_OWNER,
    ("HEAD", "/api/v1/media/{sha}"): TASK_OWNER,
    ("PUT", "/api/v1/media/{sha}"): ANY_USER,
    # consensus and gold (routes_quality.py): leads and admins only; last, so no replica makes a stranger a member
    ("PUT", "/api/v1/projects/{project_id}/quality/settings"): REVIEWERS,
    ("GET", "/api/v1/projects/{project_id}/quality/settings"): REVIEWERS,
    ("POST", "/api/v1/projects/{project_id}/consensus"): REVIEWERS,
    ("GET", "/api/v1/projects/{project_id}/consensus"): REVIEWERS,
    ("POST", "/api/v1/projects/{project_id}/gold"): REVIEWERS,  # 409: task 1 is not accepted
    ("GET", "/api/v1/projects/{project_id}/gold"): REVIEWERS,
    ("POST", "/api/v1/projects/{project_id}/gold/mix"): REVIEWERS,
    ("GET", "/api/v1/projects/{project_id}/gold/report"): REVIEWERS,
    ("GET", "/api/v1/projects/{project_id}/quality"): REVIEWERS,
    ("GET", "/api/v1/tasks/{task_id}/quality"): REVIEWERS,
}


def app_routes(app):
    return {(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops}


def test_table_covers_every_route_and_nothing_else(seeded):
    routes = app_routes(seeded.server.app)
    assert routes - set(TABLE) == set(), "endpoints without an entry in the role table"
    assert set(TABLE) - routes == set(), "role table entries for endpoints that do not exist"


def test_every_endpoint_as_every_role(seeded, tmp_path):
    server, s = seeded.server, seeded.sessions
    admin = s["admin"]
    for name, role in (("ann3", "annotator"), ("lead2", "lead")):
        r = admin.post("/admin/users", json={"name": name, "role": role, "password": PASSWORD})
        assert r.status_code == 201
    elsewhere = admin.post("/projects", json={"name": "elsewhere", "schema": {"labels": [{"name": "car"}]}}).json()
    assert admin.post(f"/projects/{elsewhere['id']}/leads", json={"user": "lead2"}).status_code == 200
    sessions = {"admin": admin, "lead": s["lead"], "outsider": login(server, "lead2"), "owner": s["ann1"],
                "other": s["ann2"], "stranger": login(server, "ann3")}
    spare = login(server, "ann3")  # a second device, revoked by the revoke calls
    task, project, sha = seeded.task_ids[0], seeded.project_id, seeded.media[0]
    qa = {"qa": {"plan": {"kind": "iso", "level": "II", "aql": 1.0}}}
    assert admin.http.put(f"/projects/{project}/qa", json=qa).status_code == 200
    assert s["ann1"].post(f"/tasks/{task}/submit").status_code == 200  # opens lot 1, for the lot routes
    params = {"task_id": task, "project_id": project, "device_id": spare.device_id, "sha": sha, "lot_id": 1,
              "source": "ann1", "version": 1, "user": "lead"}
    counter = iter(range(10**6))

    def body_for(method, path, caller):
        n = next(counter)
        if path.endswith("/auth/login"):
            return {"json": {"username": "lead", "password": PASSWORD}}
        if path.endswith("/admin/users") and method == "POST":
            return {"json": {"name": f"u{n}", "role": "annotator", "password": PASSWORD}}
        if path.endswith("/projects") and method == "POST":
            return {"json": {"name": f"p{n}", "schema": {"labels": [{"name": "car"}]}}}
        if path.endswith("/qa") and method == "PUT":
            return {"json": qa}
        if path.endswith("/guidelines") and method == "PUT":
            return {"json": {"description": "Box every car", "labels": {"car": {"description": "mirrors in"}}}}
        if path.endswith("/schema"):
            return {"json": {"schema": {"labels": [{"name": "car"}, {"name": "person"}]}, "locked": False}}
        if path.endswith("/tasks") and method == "POST":
            media = sha if caller in ("nobody", "admin", "lead") else upload_as(sessions[caller], n)
            return {"json": {"media_sha256": media, "name": f"t{n}", "width": 64, "height": 48}}
        if path.endswith("/quality/settings") and method == "PUT":
            return {"json": {"settings": {"consensus": {"share": 0.5}, "gold": {"rate": 0.5}}}}
        if path.endswith("/consensus") and method == "POST":
            return {"json": {"annotators": ["ann1", "ann2", "lead"]}}
        if path.endswith("/gold") and method == "POST":
            return {"json": {"task_ids": [task]}}
        if path.endswith("/gold/mix"):
            return {"json": {"annotators": ["ann2"]}}
        if path.endswith("/dashboard.csv"):
            return {"params": {"chart": "throughput"}}
        if path.endswith("/assign"):
            return {"json": {"user": "ann1"}}
        if path.endswith("/leads") and method == "POST":
            return {"json": {"user": "lead"}}
        if path.endswith("/review"):
            return {"json": {"decision": "reject", "comments": [{"text": "fix the wheel", "x": 3, "y": 4}]}}
        if path.endswith("/push"):
            session = sessions.get(caller, admin)
            op = session.op(task, f"role-{n}", {"label": "car", "kind": "box", "geometry": [1, 2, 3, 4]})
            body = session.seal([op])
            return {"content": body, "headers": {"Content-Type": "application/octet-stream"}}
        if path.startswith("/api/v1/media/") and method == "PUT":
            data = write_png(tmp_path / f"up{n}.png", seed=100 + n).read_bytes()
            return {"content": data, "headers": {"Content-Type": "application/octet-stream"}}, file_sha256(
                tmp_path / f"up{n}.png")
        return {}

    def upload_as(session, n):
        """An annotator makes tasks only of media they uploaded themselves (a field worker's photos)."""
        png = write_png(tmp_path / f"own{n}.png", seed=5000 + n)
        r = session.http.put(f"/media/{file_sha256(png)}", content=png.read_bytes(),
                             headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 201, r.text
        return file_sha256(png)

    failures = []
    client = http_client()
    # submit before review so that the review finds a submitted task; logout last (it ends the token)
    # and the lead is unmade and made a lead again after every other route
    order = sorted(TABLE, key=lambda k: (k[1].endswith("/logout"), k[1].endswith("/leads") and k[0] == "POST",
                                         k[1].endswith("/leads/{user}"), k[1].endswith("/review")))
    for method, template in order:
        for caller in CALLERS:
            kwargs = body_for(method, template, caller)
            path_params = dict(params)
            if isinstance(kwargs, tuple):
                kwargs, path_params["sha"] = kwargs
            url = server.url + template.format(**path_params)
            headers = dict(kwargs.pop("headers", {}))
            if caller != "nobody":
                token = sessions[caller].token
                if template.endswith("/logout"):
                    token = login(server, sessions[caller].name).token
                headers["Authorization"] = f"Bearer {token}"
            response = client.request(method, url, headers=headers, **kwargs)
            expected = TABLE[(method, template)][caller]
            got = response.status_code
            good = (200 <= got < 300 or got == 409) if expected == OK else got == expected
            if not good:
                failures.append(f"{method} {template} as {caller}: expected {expected}, got {got} {response.text[:99]}")
    assert not failures, "\n".join(failures)


def test_bad_tokens_are_refused(seeded_sqlite):
    for token in ["", "Bearer", "Bearer nonsense", "Basic YWRtaW46eA==", "Bearer " + "x" * 5000]:
        r = http_client().get(seeded_sqlite.server.api + "/auth/me", headers={"Authorization": token})
        assert r.status_code == 401 and r.json()["code"] in ("unauthenticated", "invalid_token"), token
