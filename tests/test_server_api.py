"""The server's HTTP layer on loopback: lifecycle and review, audit, login limits, tokens, body limits, media."""

import hashlib
import socket
import time

from sync.server.blobs import file_sha256
from tests.server_fixtures import PASSWORD, LiveServer, fast_config, http_client, login, write_png

BOX = {"label": "car", "kind": "box", "geometry": [1, 2, 30, 40]}


def test_task_lifecycle_with_review_and_audit(seeded_sqlite):
    s = seeded_sqlite
    ann1, lead, admin = s.sessions["ann1"], s.sessions["lead"], s.sessions["admin"]
    t = s.task_ids[0]
    assert ann1.get(f"/tasks/{t}").json()["status"] == "assigned"
    assert lead.post(f"/tasks/{t}/review", json={"decision": "accept"}).status_code == 409  # not submitted yet
    ann1.push([ann1.op(t, "a1", BOX)])
    assert ann1.get(f"/tasks/{t}").json()["status"] == "in_progress"
    assert ann1.post(f"/tasks/{t}/submit").json()["status"] == "submitted"
    r = lead.post(f"/tasks/{t}/review", json={"decision": "reject", "comments": [
        {"text": "label the bike too", "x": 12.5, "y": 7}, {"text": "too loose", "annotation_id": "a1"}]})
    assert r.status_code == 200 and r.json()["task"]["status"] == "rejected"
    ann1.push([ann1.op(t, "a1", {"geometry": [2, 3, 20, 30]}, base=1)])
    assert ann1.get(f"/tasks/{t}").json()["status"] == "in_progress"  # rejected -> in progress on the next edit
    ann1.post(f"/tasks/{t}/submit")
    assert lead.post(f"/tasks/{t}/review", json={"decision": "accept"}).json()["task"]["status"] == "accepted"
    assert ann1.post(f"/tasks/{t}/submit").status_code == 409
    audit = admin.get("/admin/audit", params={"limit": 1000}).json()["items"]
    actions = [(a["user"], a["action"]) for a in audit]
    for expected in [("cli", "user.create"), ("admin", "user.create"), ("admin", "project.create"),
                     ("admin", "media.add"), ("admin", "task.create"), ("lead", "task.assign"),
                     ("ann1", "sync.push"), ("ann1", "task.status"), ("lead", "task.review"), ("ann1", "auth.login")]:
        assert expected in actions
    assert all(a["at"] > 0 and a["target"] for a in audit)


def test_login_attempts_are_limited_across_processes(server_factory, tmp_path):
    """Two server processes on one database share the failure count, so a load balancer does not reset it."""
    a = server_factory(login_max_failures=3, login_window_s=60)
    b = LiveServer(fast_config(a.config.data_dir, login_max_failures=3, login_window_s=60))
    try:
        from sync.server import service
        from sync.server.security import Passwords
        with a.store.write() as conn:
            service.create_user(conn, Passwords(a.config), "cli", "ann", "annotator", PASSWORD)
        client = http_client()
        bad = {"username": "ann", "password": "wrong password"}
        codes = [client.post(srv.api + "/auth/login", json=bad).status_code for srv in (a, b, a)]
        assert codes == [401, 401, 401]
        r = client.post(b.api + "/auth/login", json={"username": "ann", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0 and r.json()["code"] == "rate_limited"
        other = client.post(a.api + "/auth/login", json={"username": "nobody-else", "password": "x" * 8})
        assert other.status_code == 401  # the limit is per user name and address
    finally:
        b.stop()


def test_tokens_expire_and_logout_ends_them(server_factory):
    from sync.server import service
    from sync.server.security import Passwords
    server = server_factory(token_ttl_s=2)
    with server.store.write() as conn:
        service.create_user(conn, Passwords(server.config), "cli", "ann1", "annotator", PASSWORD)
    ann1 = login(server, "ann1")
    assert ann1.get("/auth/me").status_code == 200
    time.sleep(2.2)
    r = ann1.get("/auth/me")
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    fresh = login(server, "ann1")
    assert fresh.get("/auth/me").json()["name"] == "ann1"
    assert fresh.post("/auth/logout").status_code == 200
    assert fresh.get("/auth/me").status_code == 401


def test_body_limits_and_content_types(seeded_sqlite):
    server, admin = seeded_sqlite.server, seeded_sqlite.sessions["admin"]
    # a declared length over the limit is refused before the body is sent
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000000000\r\n\r\n")
        assert b" 413 " in sock.recv(4096).split(b"\r\n")[0]

    def chunks():
        for _ in range(40):
            yield b"x" * 65536
    r = admin.http.post("/projects", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    r = admin.http.post("/projects", content=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = admin.http.post("/projects", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    r = admin.post("/projects", json={"name": "x", "schema": {"labels": [{"name": ""}]}})
    assert r.status_code == 422 and r.json()["code"] == "bad_schema"
    assert admin.post("/projects", json={"name": "streets", "schema": {"labels": []}}).status_code == 409
    assert http_client().get(server.url + "/openapi.json").json()["info"]["title"] == "Annodesk server"


def test_media_upload_resumes_and_checks_the_hash(seeded_sqlite, tmp_path):
    s = seeded_sqlite
    ann1, ann2 = s.sessions["ann1"], s.sessions["ann2"]
    data = write_png(tmp_path / "field.png", width=400, height=300, seed=9).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    octet = {"Content-Type": "application/octet-stream"}
    half = len(data) // 2
    r = ann1.http.put(f"/media/{sha}", content=data[:half],
                      headers={**octet, "Content-Range": f"bytes 0-{half - 1}/{len(data)}"})
    assert r.status_code == 202 and r.json()["offset"] == half
    head = ann1.http.head(f"/media/{sha}")  # the connection dropped: where to resume?
    assert head.status_code == 404 and int(head.headers["Upload-Offset"]) == half
    r = ann1.http.put(f"/media/{sha}", content=data[10:],
                      headers={**octet, "Content-Range": f"bytes 10-{len(data) - 1}/{len(data)}"})
    assert r.status_code == 409 and r.json()["offset"] == half
    r = ann1.http.put(f"/media/{sha}", content=data[half:],
                      headers={**octet, "Content-Range": f"bytes {half}-{len(data) - 1}/{len(data)}"})
    assert r.status_code == 201 and r.json()["complete"] is True
    assert ann1.get(f"/media/{sha}").content == data
    part = ann1.get(f"/media/{sha}", headers={"Range": f"bytes={half}-"})
    assert part.status_code == 206 and part.content == data[half:]
    assert ann2.get(f"/media/{sha}").status_code == 404  # not ann2's upload nor on ann2's tasks
    assert ann2.get(f"/media/{s.media[2]}").content == (tmp_path / "img2.png").read_bytes()
    assert file_sha256(tmp_path / "img2.png") == s.media[2]
    wrong = "0" * 64
    r = ann1.http.put(f"/media/{wrong}", content=data, headers=octet)
    assert r.status_code == 422 and r.json()["code"] == "hash_mismatch"
    assert ann1.http.head(f"/media/{wrong}").headers["Upload-Offset"] == "0"


def test_odd_path_values_are_client_errors(seeded_sqlite):
    for path in ["/media/xyz", "/tasks/0", "/tasks/99999999999999999999", "/projects/-1", "/nothing/here"]:
        assert seeded_sqlite.sessions["admin"].get(path).status_code in (404, 422), path
