"""The sync client against a real server on loopback: clone, push, pull, merge, refusals, media, at-rest encryption."""

import dataclasses
import os
import random
import struct

import pytest

from core.annotation import TaskStatus
from core.document import Change, ChangeOp
from core.schema import LabelSchema
from sync.client.at_rest import CHUNK
from sync.client.engine import SyncEngine
from sync.client.media import download, queue_upload
from sync.client.store import SyncStore
from sync.workspace import Workspace, WorkspaceError
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import add, agree, box, clone_for, delete, move, server_task_ids, sync


def test_two_annotators_and_the_lead_see_the_same_work(seeded, keys, tmp_path):
    url = seeded.server.url
    ws1 = clone_for(url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    ws2 = clone_for(url, "ann2", PASSWORD, tmp_path / "ann2", keys)
    lead = clone_for(url, "lead", PASSWORD, tmp_path / "lead", keys)
    assert sorted(server_task_ids(ws1).values()) == seeded.task_ids[:2]
    assert sorted(server_task_ids(ws2).values()) == seeded.task_ids[2:]
    assert sorted(t.name for t in ws1.tasks()) == ["img0.png", "img1.png"]
    assert [label.name for label in ws1.schema.labels] == ["car", "person"]
    rng = random.Random(1)
    t1 = next(iter(server_task_ids(ws1)))
    t3 = next(iter(server_task_ids(ws2)))
    mine = add(ws1, t1, [box(t1, rng) for _ in range(5)])
    theirs = add(ws2, t3, [box(t3, rng) for _ in range(3)])
    moved = move(ws1, mine[0], 2.5)
    delete(ws1, mine[1])
    assert ws1.pending_changes() > 0
    state = sync(ws1, keys)
    assert state.phase == "up_to_date", state
    assert sync(ws2, keys).phase == "up_to_date"
    assert sync(lead, keys).phase == "up_to_date"
    agree(ws1, seeded.sessions["ann1"])
    agree(ws2, seeded.sessions["ann2"])
    agree(lead, seeded.sessions["lead"])
    lead_ids = {a.id for t in lead.tasks() for a in lead.annotations(t.id)}
    assert {moved.id, *(a.id for a in mine[2:]), *(a.id for a in theirs)} == lead_ids
    assert theirs[0].id not in {a.id for t in ws1.tasks() for a in ws1.annotations(t.id)}
    stored = {a.id: a for a in lead.annotations(next(t for t, s in server_task_ids(lead).items()
                                                    if s == seeded.task_ids[0]))}
    assert stored[moved.id].same_content(moved)
    assert ws1.pending_changes() == 0
    assert SyncStore(ws1).rejections() == []


def _first_task(ws):
    return next(iter(server_task_ids(ws)))


def _relabel(ws, annotation, label, dx=0.0):
    moved = move(ws, annotation, dx) if dx else annotation
    changed = dataclasses.replace(moved, label=label, revision=moved.revision + 1)
    ws.commit(changed.task_id, [Change(ChangeOp.UPSERT, changed)])
    return changed


def test_reviewer_wins_a_field_and_the_annotators_value_is_kept(seeded, keys, tmp_path):
    url = seeded.server.url
    ws = clone_for(url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    lead = clone_for(url, "lead", PASSWORD, tmp_path / "lead", keys)
    t = _first_task(ws)
    (a,) = add(ws, t, [box(t, random.Random(2))])
    sync(ws, keys)
    sync(lead, keys)
    (theirs,) = [x for task in lead.tasks() for x in lead.annotations(task.id) if x.id == a.id]
    _relabel(lead, theirs, "person")
    sync(lead, keys)
    mine = _relabel(ws, a, "truck", dx=4.0)  # offline: label and geometry changed concurrently with the lead
    state = sync(ws, keys)
    assert state.phase == "up_to_date" and state.rejected == 1
    (now,) = ws.annotations(t)
    assert now.label == "person" and now.shape == mine.shape  # the lead's label, my geometry: merged
    (kept,) = SyncStore(ws).rejections()
    assert (kept["status"], kept["reason"]) == ("merged", "reviewer_wins: label")
    assert kept["fields"]["label"] == "truck"
    server_task = server_task_ids(ws)[t]
    conflicts = seeded.sessions["lead"].get(f"/tasks/{server_task}/conflicts").json()
    assert [(c["field"], c["losing_value"], c["loser"]) for c in conflicts] == [("label", "truck", "ann1")]
    agree(ws, seeded.sessions["ann1"])


def test_edits_made_before_done_go_before_the_submission(seeded_sqlite, keys, tmp_path):
    """The task's first edit logs its start; the submission waits for the entry that marked it done, so a box
    drawn between the two is not refused as drawn on a submitted task."""
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    t = _first_task(ws)
    rng = random.Random(5)
    drawn = [*add(ws, t, [box(t, rng)]), *add(ws, t, [box(t, rng)])]
    ws.set_task_status(t, TaskStatus.DONE)
    state = sync(ws, keys)
    assert (state.phase, state.pending, state.rejected) == ("up_to_date", 0, 0), SyncStore(ws).rejections()
    assert {a.id for a in ws.annotations(t)} == {a.id for a in drawn}
    assert seeded_sqlite.sessions["ann1"].get(f"/tasks/{server_task_ids(ws)[t]}").json()["status"] == "submitted"
    agree(ws, seeded_sqlite.sessions["ann1"])


def test_refused_edit_is_kept_and_the_task_returns_to_the_server_state(seeded, keys, tmp_path):
    ws = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    t = _first_task(ws)
    (a,) = add(ws, t, [box(t, random.Random(3))])
    ws.set_task_status(t, TaskStatus.DONE)
    assert sync(ws, keys).phase == "up_to_date"
    assert seeded.sessions["ann1"].get(f"/tasks/{server_task_ids(ws)[t]}").json()["status"] == "submitted"
    late = move(ws, a, 5.0)  # the task is submitted: the server refuses annotators' edits
    extra = add(ws, t, [box(t, random.Random(4))])
    state = sync(ws, keys)
    assert state.phase == "up_to_date" and state.pending == 0 and state.rejected == 2
    assert {r["reason"].split(":")[0] for r in SyncStore(ws).rejections()} == {"task_closed"}
    assert [x.shape for x in ws.annotations(t)] == [a.shape]  # back to the server's state; the extra one is gone
    assert late.shape != a.shape and extra[0].id not in {x.id for x in ws.annotations(t)}
    agree(ws, seeded.sessions["ann1"])


def test_payloads_and_media_are_encrypted_at_rest(seeded_sqlite, keys, tmp_path):
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    t = _first_task(ws)
    a = dataclasses.replace(box(t, random.Random(5), label="person"), attributes={"note": "behind-the-oak-tree"})
    add(ws, t, [a])
    sync(ws, keys)
    sync(ws, keys)
    shape = a.shape
    secrets = [b"person", b"behind-the-oak-tree", repr(shape.x).encode(), struct.pack(">d", shape.x),
               struct.pack("<d", shape.x)]
    raw = b"".join(p.read_bytes() for p in (tmp_path / "ann1").glob("workspace.db*"))
    assert raw and not [s for s in secrets if s in raw]
    cached = list((tmp_path / "ann1" / "media-cache").glob("*.enc"))
    assert len(cached) == 2
    for path, sha in ((p, p.stem) for p in cached):
        original = (tmp_path / f"img{seeded_sqlite.media.index(sha)}.png").read_bytes()
        data = path.read_bytes()
        assert b"\x89PNG" not in data and original[100:140] not in data
        assert keys.media_cache(ws).read(sha) == original
    assert ws.annotations(t)[0].same_content(a) and ws.stats()["annotations"]["by_label"] == {"person": 1}
    ws.close()
    Workspace.codec_provider = None
    with pytest.raises(WorkspaceError, match="encrypted"):
        Workspace.open(tmp_path / "ann1")
    with Workspace.create(tmp_path / "plain", LabelSchema.from_json({"labels": [{"name": "person"}]})) as plain:
        plain.add_media([tmp_path / "img0.png"])
        add(plain, plain.tasks()[0].id, [dataclasses.replace(a, task_id=plain.tasks()[0].id)])
    raw = b"".join(p.read_bytes() for p in (tmp_path / "plain").glob("workspace.db*"))
    assert b"person" in raw and b"behind-the-oak-tree" in raw  # the check above would see plaintext


def test_media_download_resumes_and_checks_the_hash(seeded_sqlite, keys, tmp_path):
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    cache = keys.media_cache(ws)
    sha = seeded_sqlite.media[0]
    original = cache.read(sha)
    big = os.urandom(2 * CHUNK + 1234)  # three chunks; upload it as a field worker, then fetch it in two goes
    path = tmp_path / "field.bin"
    path.write_bytes(big)
    store = SyncStore(ws)
    new_sha = queue_upload(store, path)
    engine = SyncEngine(ws, keys.credentials, keys)
    try:
        engine.sync_once()
        assert seeded_sqlite.sessions["ann1"].http.head(f"/media/{new_sha}").status_code == 200
        cache.append(new_sha, 0, big[:CHUNK])  # a download interrupted after its first chunk
        with open(cache.partial(new_sha), "ab") as fh:
            fh.write(b"torn")
        assert cache.resume_point(new_sha)[0] == CHUNK
        fetched = download(engine.http, cache, new_sha)
        assert fetched == len(big) - CHUNK and cache.read(new_sha) == big
    finally:
        engine.close()
    cache.path(sha).write_bytes(cache.path(sha).read_bytes()[:-5])
    with pytest.raises(WorkspaceError, match="damaged"):
        cache.read(sha)
    assert len(original) > 0
