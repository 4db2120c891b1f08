"""After an administrator revokes a device, a new login with a new key continues its client, so the workspace's
unsent work arrives exactly once; the old key stays refused for good, and nobody else can take the client over.

Real server on loopback, real HTTP, real SQLite workspaces; the crash case runs the real `annodesk sync` command in
a child process that kills itself after the server committed a batch and before the answer was stored.
"""

import json
import os
import random
import subprocess
import uuid

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client import commands
from sync.client.credentials import device_name, takeover_name, token_name
from sync.client.engine import read_state
from sync.client.http import ServerError
from sync.envelope import b64d, b64e, batch_hash, raw_public
from sync.server import db
from sync.server.push import recorded
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD, Session, http_client, login
from tests.sync_client_helpers import (
    ROOT,
    add,
    agree,
    box,
    child_command,
    clone_for,
    delete,
    memory_keys,
    move,
    secrets_line,
    server_task_ids,
    sync,
)

BOX = {"label": "car", "kind": "box", "geometry": [1, 2, 30, 40]}


def login_raw(server, name, key, previous=None, password=PASSWORD):
    body = {"username": name, "password": password, "device_name": f"{name}-new",
            "device_public_key": b64e(raw_public(key))}
    if previous is not None:
        body["previous_client_id"] = previous
    with http_client() as client:
        return client.post(server.api + "/auth/login", json=body)


def session_from(server, name, key, answer, like=None):
    """A Session for a login answer; `like` carries the chain and op ids of the client it continues."""
    s = Session(server, name, answer["token"], answer["client_id"], answer["device_id"], key,
                b64d(answer["server_key"]["public_key"]))
    if like is not None:
        s.last_hash, s.next_op = like.last_hash, like.next_op
    return s


def audit_actions(admin):
    items = admin.get("/admin/audit", params={"limit": 1000}).json()["items"]
    return [(a["user"], a["action"], a["target"], a["detail"]) for a in items]


def devices(admin):
    return {d["id"]: d for d in admin.get("/admin/devices").json()}


def applied_once(store, client_id, ids):
    """Every annotation's revision equals the ops applied to it, and all of them came from this one client."""
    a = db.annotations
    with store.read() as conn:
        revs = dict(conn.execute(sa.select(a.c.id, a.c.revision).where(a.c.id.in_(ids))).all())
        answers = recorded(conn, None)  # one answer per (client, op id), however often it was sent
    ops = [(r["entity_id"], client) for (client, _op), r in answers.items()
           if r["entity_id"] in ids and r["status"] != "rejected"]
    counts = {i: sum(1 for e, _c in ops if e == i) for i in ids}
    assert revs and revs == counts, (revs, counts)
    assert {c for _e, c in ops} == {client_id}


def test_takeover_continues_the_client_and_the_old_key_stays_refused(seeded):
    server, admin, ann1 = seeded.server, seeded.sessions["admin"], seeded.sessions["ann1"]
    t = seeded.task_ids[0]
    first_body = ann1.seal([ann1.op(t, "a1", BOX)])
    assert ann1.push_raw(first_body).status_code == 200
    ann1.last_hash = batch_hash(first_body)
    new_key = Ed25519PrivateKey.generate()
    before = server.counts()
    r = login_raw(server, "ann1", new_key, ann1.client_id)  # a live device keeps its client
    assert r.status_code == 409 and r.json()["code"] == "client_active", r.text
    assert server.counts() == before
    assert admin.post(f"/admin/devices/{ann1.device_id}/revoke").status_code == 200
    r = ann1.get("/auth/me")
    assert r.status_code == 401 and r.json()["code"] == "revoked_device"
    for key, previous, password, status, code in [  # each refusal counts as a failed login (limit: 5)
        (new_key, ann1.client_id, "wrong password", 401, "bad_credentials"),
        (new_key, uuid.uuid4().hex, PASSWORD, 403, "foreign_client"),  # unknown: the same answer as another user's
        (new_key, f"{ann1.client_id}~{ann1.device_id}", PASSWORD, 422, None),  # a retired id can never be named
        (ann1.device_key, ann1.client_id, PASSWORD, 403, "revoked_device"),  # the old key cannot come back
    ]:
        r = login_raw(server, "ann1", key, previous, password)
        assert r.status_code == status and (code is None or r.json()["code"] == code), r.text
        assert server.counts() == before
    with http_client() as client:  # a client is only continued by a new device key
        r = client.post(server.api + "/auth/login", json={"username": "ann1", "password": PASSWORD,
                                                          "previous_client_id": ann1.client_id})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request", r.text

    r = login_raw(server, "ann1", new_key, ann1.client_id)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["client_id"] == ann1.client_id and answer["device_id"] != ann1.device_id
    again = login_raw(server, "ann1", new_key, ann1.client_id)  # a retry after a lost answer: the same device
    assert again.status_code == 200 and again.json()["device_id"] == answer["device_id"]
    r = login_raw(server, "ann1", Ed25519PrivateKey.generate(), ann1.client_id)
    assert r.status_code == 409 and r.json()["code"] == "client_active"
    assert login_raw(server, "ann1", ann1.device_key).json()["code"] == "revoked_device"
    listed = devices(admin)
    assert listed[ann1.device_id]["revoked_at"] is not None
    assert listed[ann1.device_id]["client_id"] == f"{ann1.client_id}~{ann1.device_id}"
    assert listed[answer["device_id"]]["client_id"] == ann1.client_id
    takeovers = [d for u, action, target, d in audit_actions(admin) if action == "device.takeover"]
    assert takeovers == [{"ip": "127.0.0.1", "revoked_device": ann1.device_id, "revoked_key_id": listed[
        ann1.device_id]["key_id"], "device": answer["device_id"], "key_id": listed[answer["device_id"]]["key_id"]}]

    new = session_from(server, "ann1", new_key, answer, like=ann1)
    before = server.counts()
    for body, token in [(first_body, new.token), (first_body, ann1.token),  # a replay of an accepted batch
                        (ann1.seal([ann1.op(t, "a2", BOX)]), new.token)]:  # fresh work signed by the old key
        r = new.push_raw(body, token=token)
        assert r.status_code in (401, 403) and r.json()["code"] == "revoked_device", r.text
    assert server.counts() == before
    ops = [{**new.op(t, "a1", BOX), "op_id": 1}, new.op(t, "a3", BOX)]  # op 1 was applied under the old key
    resent = new.push(ops)
    assert [(x["op_id"], x["status"], x["revision"]) for x in resent["results"]] == [
        (1, "applied", 1), (ops[1]["op_id"], "applied", 1)]
    items = {a["id"]: a for a in seeded.sessions["lead"].get(f"/tasks/{t}/annotations").json()["items"]}
    assert set(items) == {"a1", "a3"} and items["a1"]["revision"] == 1
    applied_once(server.store, ann1.client_id, ["a1", "a3"])


def test_another_user_cannot_take_over_a_client(seeded):
    server, admin, ann1 = seeded.server, seeded.sessions["admin"], seeded.sessions["ann1"]
    t = seeded.task_ids[0]
    ann1.push([ann1.op(t, "a1", BOX)])
    assert admin.post(f"/admin/devices/{ann1.device_id}/revoke").status_code == 200
    before, listed = server.counts(), devices(admin)
    for name in ("ann2", "lead", "admin"):  # knowing the password of another account is not enough, for any role
        r = login_raw(server, name, Ed25519PrivateKey.generate(), ann1.client_id)
        assert r.status_code == 403 and r.json()["code"] == "foreign_client", r.text
        assert ann1.client_id in r.json()["detail"] and name in r.json()["detail"]
    assert server.counts() == before and devices(admin) == listed
    refused = [(u, target, d["reason"]) for u, action, target, d in audit_actions(admin)
               if action == "device.takeover_refused"]
    assert refused == [(name, f"client:{ann1.client_id}", "foreign_client") for name in ("ann2", "lead", "admin")]
    assert login(server, "ann2").client_id != ann1.client_id  # a plain login still works: a new client of their own


# -- the client: edits offline, revocation, a new login, one round ------------------------------------------------

def run_child(ws_dir, backend, point):
    env = {"ANNODESK_SYNC_CRASH_AT": point, "ANNODESK_SYNC_CRASH_SKIP": "0"}
    return subprocess.run(child_command(ws_dir), input=secrets_line(backend), cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, timeout=120)


def session_of(keys, url):
    return json.loads(keys.credentials.get(token_name(url, "ann1")))


@pytest.fixture
def client_keys(tmp_path):
    keys, backend = memory_keys(tmp_path)
    yield keys, backend
    Workspace.codec_provider = None


def test_revoked_device_sends_its_offline_work_once_after_a_new_login(seeded_sqlite, client_keys, tmp_path):
    seeded, (keys, backend) = seeded_sqlite, client_keys
    url, server, admin = seeded.server.url, seeded.server, seeded.sessions["admin"]
    ws_dir = tmp_path / "ann1"
    ws = clone_for(url, "ann1", PASSWORD, ws_dir, keys)
    old = session_of(keys, url)
    old_key = keys.credentials.get(device_name(url, "ann1"))
    rng = random.Random(11)
    t1, t2 = list(server_task_ids(ws))
    live = add(ws, t1, [box(t1, rng) for _ in range(4)])
    live[0] = move(ws, live[0], 1.5)
    ws.close()
    proc = run_child(ws_dir, backend, "after_commit")  # the server applied the batch; the client never knew
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    ws = Workspace.open(ws_dir)
    with ws.transaction() as conn:
        (applied_body,) = [r[0] for r in conn.execute("SELECT body FROM sync_batches WHERE op_count > 0")]
    lead = seeded.sessions["lead"]
    on_server = {a["id"] for a in lead.get(f"/tasks/{server_task_ids(ws)[t1]}/annotations").json()["items"]}
    assert on_server == {a.id for a in live}
    live += add(ws, t2, [box(t2, rng) for _ in range(3)])  # more work offline
    live[1] = move(ws, live[1], -2.0)
    delete(ws, live.pop(2))
    pending = ws.pending_changes()

    assert admin.post(f"/admin/devices/{old['device_id']}/revoke").status_code == 200
    before = server.counts()
    state = sync(ws, keys)
    assert state.phase == "error" and state.last_error.startswith("this device was revoked by an administrator")
    assert f"run: annodesk login {url} --user ann1" in read_state(ws).text()
    assert server.counts() == before and ws.pending_changes() == pending

    commands.login(url, "ann1", PASSWORD, keys.credentials)
    new = session_of(keys, url)
    assert new["client_id"] == old["client_id"] and new["device_id"] != old["device_id"]
    assert keys.credentials.get(device_name(url, "ann1")) != old_key
    assert keys.credentials.get(takeover_name(url, "ann1")) is None
    state = sync(ws, keys)
    assert (state.phase, state.pending, state.rejected, state.last_error) == ("up_to_date", 0, 0, "")
    agree(ws, seeded.sessions["ann1"])
    assert {a.id for t in (t1, t2) for a in ws.annotations(t)} == {a.id for a in live}
    everything = [a.id for a in live] + [a["id"] for a in lead.get(
        f"/tasks/{server_task_ids(ws)[t1]}/annotations", params={"include_deleted": "true"}).json()["items"]]
    applied_once(server.store, old["client_id"], sorted(set(everything)))
    assert sync(ws, keys).phase == "up_to_date"

    before = server.counts()  # the old key's batch, already accepted once, replayed with the new token
    with http_client() as client:
        r = client.post(server.api + "/sync/push", content=applied_body, headers={
            "Content-Type": "application/octet-stream", "Authorization": f"Bearer {new['token']}"})
    assert r.status_code == 403 and r.json()["code"] == "revoked_device", r.text
    assert server.counts() == before
    ws.close()


def test_login_after_a_lost_takeover_answer_keeps_the_new_key(seeded_sqlite, client_keys):
    """The new key and the client it continues are stored before the request: a retry uses the same key and the
    server, which already moved the client to it, answers with the same device."""
    (keys, backend), server, admin = client_keys, seeded_sqlite.server, seeded_sqlite.sessions["admin"]
    url, creds = server.url, keys.credentials
    commands.login(url, "ann1", PASSWORD, creds)
    old = session_of(keys, url)
    assert admin.post(f"/admin/devices/{old['device_id']}/revoke").status_code == 200
    stored = dict(backend.items)
    with pytest.raises(ServerError, match="bad_credentials"):
        commands.login(url, "ann1", "wrong password", creds)
    assert backend.items == stored  # a refused password changes nothing here
    new_key = Ed25519PrivateKey.generate()  # as login leaves it when the takeover's answer never arrives
    creds.set(device_name(url, "ann1"), commands._raw(new_key))
    creds.set(takeover_name(url, "ann1"), old["client_id"])
    first = login_raw(server, "ann1", new_key, old["client_id"])
    assert first.status_code == 200, first.text
    commands.login(url, "ann1", PASSWORD, creds)
    new = session_of(keys, url)
    assert (new["client_id"], new["device_id"]) == (old["client_id"], first.json()["device_id"])
    assert creds.get(device_name(url, "ann1")) == commands._raw(new_key)
    assert creds.get(takeover_name(url, "ann1")) is None
