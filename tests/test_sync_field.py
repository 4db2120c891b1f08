"""A field worker's own photos: added to a synced workspace offline, annotated, then registered on the server (media
uploaded, task created and assigned to them, annotations pushed) by the next round with the server."""

import dataclasses
import json
import random
import shutil

from core.annotation import TaskStatus
from desktop import cli
from sync.client.media import MEDIA_PREFIX
from sync.client.store import SyncStore
from sync.server.blobs import file_sha256
from tests.server_fixtures import PASSWORD, SCHEMA, ServerProcess, login, seed, write_png
from tests.sync_client_helpers import add, agree, box, clone_for, server_task_ids, sync

OCTET = {"Content-Type": "application/octet-stream"}


def _field_tasks(ws):
    """local id -> task of the tasks made of files added on this device."""
    return {t.id: t for t in ws.tasks() if not t.media_path.startswith(MEDIA_PREFIX)}


def _project_tasks(session, project_id):
    return session.get(f"/projects/{project_id}/tasks").json()["items"]


def _draw(ws, task_ids, seed_):
    rng = random.Random(seed_)
    drawn = {}
    for t in task_ids:
        drawn[t] = add(ws, t, [box(t, rng, label="person") for _ in range(3)])
        add(ws, t, [dataclasses.replace(box(t, rng), attributes={"note": "field-note-kept-secret"})])
    return drawn


def test_photos_added_offline_go_up_with_their_boxes(server_factory, keys, tmp_path):
    live = server_factory()
    seeded = seed(live, tmp_path)
    ws = clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    live.stop()  # the field: no server
    photos = tmp_path / "photos"
    photos.mkdir()
    pngs = [write_png(photos / f"form{i}.png", width=80 + i, height=60, seed=40 + i) for i in range(2)]
    assert cli.main(["add", str(tmp_path / "ann1"), str(photos)]) == 0
    local = _field_tasks(ws)
    assert sorted(t.name for t in local.values()) == ["form0.png", "form1.png"]
    _draw(ws, list(local), 1)
    waiting = ws.pending_changes()
    offline = sync(ws, keys)
    assert offline.phase == "offline" and offline.pending == waiting >= 8 and offline.rejected == 0
    assert _field_tasks(ws).keys() == local.keys()
    process = ServerProcess(live.config.data_dir, port=live.port).start()
    try:
        state = sync(ws, keys)
        assert (state.phase, state.pending, state.rejected, state.last_error) == ("up_to_date", 0, 0, ""), state
        mapped = server_task_ids(ws)
        assert set(local) <= set(mapped) and _field_tasks(ws) == {}  # same local ids, now synced tasks
        ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
        on_server = {t["id"]: t for t in _project_tasks(lead, seeded.project_id)}
        assert len(on_server) == 5
        cache = keys.media_cache(ws)
        for t, png in zip(sorted(local), pngs, strict=True):
            task = on_server[mapped[t]]
            sha = file_sha256(png)
            assert (task["assignee"], task["media_sha256"], task["name"]) == ("ann1", sha, png.name)
            assert (task["width"], task["height"]) == (local[t].width, local[t].height)
            assert lead.get(f"/media/{sha}").content == png.read_bytes()
            assert cache.read(sha) == png.read_bytes()
            assert ws.task(t).media_path == f"{MEDIA_PREFIX}{sha}:{task['id']}/{png.name}"
            assert len(ann1.get(f"/tasks/{task['id']}/annotations").json()["items"]) == 4
        digests = agree(ws, ann1)
        lead_ws = clone_for(process.url, "lead", PASSWORD, tmp_path / "lead", keys)
        assert {s: d for s, d in agree(lead_ws, lead).items() if s in digests} == digests
        again = sync(ws, keys)
        assert (again.phase, again.pending, again.rejected) == ("up_to_date", 0, 0)
        assert len(_project_tasks(lead, seeded.project_id)) == 5 and len(ws.tasks()) == 4
        ws.close()
        raw = b"".join(p.read_bytes() for p in (tmp_path / "ann1").glob("workspace.db*"))
        assert raw and b"person" not in raw and b"field-note-kept-secret" not in raw
        for png in pngs:
            enc = (tmp_path / "ann1" / "media-cache" / f"{file_sha256(png)}.enc").read_bytes()
            assert b"\x89PNG" not in enc and png.read_bytes()[100:140] not in enc
    finally:
        process.kill()


def test_each_step_survives_a_crash_and_an_unreadable_file_waits(seeded_sqlite, keys, tmp_path):
    """The states a crash leaves (a torn upload; a create whose answer was lost) are finished by the next round
    without a second task; a file that cannot be read is named in the state, and its boxes wait, not refused."""
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    photos = tmp_path / "photos"
    photos.mkdir()
    torn, lost, gone = (write_png(photos / f"{n}.png", width=70, height=50, seed=70 + i)
                        for i, n in enumerate(("torn", "lost", "gone")))
    assert cli.main(["add", str(tmp_path / "ann1"), str(photos)]) == 0
    local = {t.name: t.id for t in _field_tasks(ws).values()}
    _draw(ws, list(local.values()), 2)
    ws.set_task_status(local["gone.png"], TaskStatus.DONE)  # finished offline: submitted once it is registered
    ann1, project = seeded_sqlite.sessions["ann1"], seeded_sqlite.project_id
    data = torn.read_bytes()  # a crash mid-upload: the server holds the first half
    r = ann1.http.put(f"/media/{file_sha256(torn)}", content=data[:len(data) // 2],
                      headers={**OCTET, "Content-Range": f"bytes 0-{len(data) // 2 - 1}/{len(data)}"})
    assert r.status_code == 202
    store = SyncStore(ws)  # a crash after the create request: the client_ref is stored, the task is not mapped
    store.put_now(**{f"field_task:{local['lost.png']}": json.dumps({"client_ref": "ref-lost"})})
    assert ann1.http.put(f"/media/{file_sha256(lost)}", content=lost.read_bytes(), headers=OCTET).status_code == 201
    body = {"media_sha256": file_sha256(lost), "name": "lost.png", "width": 70, "height": 50, "client_ref": "ref-lost"}
    made = ann1.post(f"/projects/{project}/tasks", json=body).json()
    hidden = tmp_path / "elsewhere.png"
    shutil.move(gone, hidden)
    state = sync(ws, keys)
    assert state.rejected == 0 and str(gone) in state.last_error and "cannot read" in state.last_error, state
    mapped = server_task_ids(ws)
    assert mapped[local["lost.png"]] == made["id"] and local["torn.png"] in mapped
    assert local["gone.png"] not in mapped and SyncStore(ws).rejections() == []
    shutil.move(hidden, gone)  # back: the next round registers it and sends its boxes
    state = sync(ws, keys)
    assert (state.phase, state.pending, state.rejected, state.last_error) == ("up_to_date", 0, 0, ""), state
    mine = [t for t in _project_tasks(ann1, project) if t["name"] in local]
    assert sorted(t["name"] for t in mine) == sorted(local)  # one task each, no duplicate
    assert all(len(ann1.get(f"/tasks/{t['id']}/annotations").json()["items"]) == 4 for t in mine)
    assert {t["name"]: t["status"] for t in mine}["gone.png"] == "submitted"
    agree(ws, ann1)


def test_create_is_idempotent_and_only_of_own_media_in_own_projects(seeded, tmp_path):
    server, s = seeded.server, seeded.sessions
    admin, ann1, project = s["admin"], s["ann1"], seeded.project_id
    png = write_png(tmp_path / "own.png", seed=90)
    sha = file_sha256(png)
    assert ann1.http.put(f"/media/{sha}", content=png.read_bytes(), headers=OCTET).status_code == 201
    body = {"media_sha256": sha, "name": "own.png", "width": 64, "height": 48, "client_ref": "k1"}
    first = ann1.post(f"/projects/{project}/tasks", json=body)
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["assignee"]) == ("assigned", "ann1")
    repeat = ann1.post(f"/projects/{project}/tasks", json=body)  # the answer to the first was lost: ask again
    assert repeat.status_code == 200 and repeat.json() == first.json()
    assert [t["name"] for t in _project_tasks(ann1, project)].count("own.png") == 1
    reused = ann1.post(f"/projects/{project}/tasks", json={**body, "media_sha256": seeded.media[0]})
    assert reused.status_code == 409 and reused.json()["code"] == "client_ref_used"
    theirs = ann1.post(f"/projects/{project}/tasks", json={**body, "media_sha256": seeded.media[0],
                                                           "client_ref": "k2"})
    assert theirs.status_code == 403  # media the admin uploaded
    # an annotator of another project: their own media, but this project is not theirs
    assert admin.post("/admin/users", json={"name": "farmer", "role": "annotator", "password": PASSWORD}
                      ).status_code == 201
    farm = admin.post("/projects", json={"name": "farms", "schema": SCHEMA}).json()
    farm_task = admin.post(f"/projects/{farm['id']}/tasks", json={"media_sha256": seeded.media[0], "name": "f",
                                                                   "width": 64, "height": 48}).json()
    assert admin.post(f"/tasks/{farm_task['id']}/assign", json={"user": "farmer"}).status_code == 200
    farmer = login(server, "farmer")
    png2 = write_png(tmp_path / "farm.png", seed=91)
    sha2 = file_sha256(png2)
    assert farmer.http.put(f"/media/{sha2}", content=png2.read_bytes(), headers=OCTET).status_code == 201
    own = {"media_sha256": sha2, "name": "farm.png", "width": 64, "height": 48}
    assert farmer.post(f"/projects/{project}/tasks", json=own).status_code == 404
    assert farmer.post(f"/projects/{farm['id']}/tasks", json=own).status_code == 201
    audit = admin.get("/admin/audit", params={"limit": 1000}).json()["items"]
    done = [(a["user"], a["action"], a["target"]) for a in audit if a["target"] == f"task:{first.json()['id']}"]
    assert done == [("ann1", "task.create", done[0][2]), ("ann1", "task.assign", done[0][2])]
