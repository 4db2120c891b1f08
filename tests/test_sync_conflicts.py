"""Conflicts reach the lead offline: the pull feed carries them to leads and admins only, and the lead's workspace keeps
them encrypted at rest, ready for the Review panel."""

import dataclasses

import pytest

from core.annotation import Annotation, new_id
from core.document import Change, ChangeOp
from core.shapes import Box
from desktop.review import load_review
from sync.client.store import SyncStore
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import add, clone_for, memory_keys, server_task_ids, sync

BOX = {"label": "car", "kind": "box", "geometry": [1, 2, 30, 40]}
LOSING = "wheelbarrow-by-ann2"  # a value that only ever existed on ann2's side of the conflict


@pytest.fixture
def keys(tmp_path):
    keys, _backend = memory_keys(tmp_path)
    yield keys
    Workspace.codec_provider = None


def _conflicts(items):
    """The conflict items as a client keeps them: by id (one rides along each time its annotation is sent)."""
    kept = {i["id"]: {k: v for k, v in i.items() if k not in ("seq", "type")} for i in items if i["type"] == "conflict"}
    return [kept[i] for i in sorted(kept)]


def test_a_leads_pull_carries_the_conflicts_and_an_annotators_does_not(seeded):
    ann1, ann2, lead, admin = (seeded.sessions[n] for n in ("ann1", "ann2", "lead", "admin"))
    t1 = seeded.task_ids[0]
    ann1.push([ann1.op(t1, "a1", BOX)])
    cursor = lead.get("/sync/pull", params={"cursor": 0, "limit": 5000}).json()["next_cursor"]
    assert lead.post(f"/tasks/{t1}/assign", json={"user": "ann2"}).status_code == 200
    ann2.push([ann2.op(t1, "a1", {"label": LOSING}, base=1)])
    assert lead.post(f"/tasks/{t1}/assign", json={"user": "ann1"}).status_code == 200
    (result,) = ann1.push([ann1.op(t1, "a1", {"label": "truck"}, base=1)])["results"]
    assert result["status"] == "merged"  # concurrent edits of one field by two annotators: the later one wins
    stored = lead.get(f"/tasks/{t1}/conflicts").json()
    assert [(c["field"], c["losing_value"], c["winning_value"], c["loser"]) for c in stored] == [
        ("label", LOSING, "truck", "ann2")]
    fresh = lead.pull_all(cursor=cursor)
    assert _conflicts(fresh) == stored
    first = next(i for i, item in enumerate(fresh) if item["type"] == "conflict")
    before = fresh[first - 1]  # it follows its annotation's current state, in the same page
    assert (before["type"], before["id"], before["fields"]["label"]) == ("annotation", "a1", "truck")
    assert _conflicts(lead.pull_all(limit=1)) == stored
    assert _conflicts(admin.pull_all()) == stored
    for annotator in (ann1, ann2):
        items = annotator.pull_all()
        assert ("annotation", "a1") in {(i["type"], i.get("id")) for i in items} or annotator is ann2
        assert [i for i in items if i["type"] == "conflict"] == []


def test_a_wholly_refused_edit_reaches_the_leads_next_pull(seeded):
    """The refused op changes no annotation, yet the lead's next pull carries its conflict; annotators never get it."""
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    t1 = seeded.task_ids[0]
    ann1.push([ann1.op(t1, "a1", BOX)])
    lead.push([lead.op(t1, "a1", {"label": "truck"}, base=1)])  # the reviewer's value
    cursors = {s.name: s.get("/sync/pull", params={"cursor": 0, "limit": 5000}).json()["next_cursor"]
               for s in (lead, ann1)}
    (result,) = ann1.push([ann1.op(t1, "a1", {"label": LOSING}, base=1)])["results"]
    assert (result["status"], result["reason"], result["revision"]) == ("rejected", "reviewer_wins", 2)
    stored = lead.get(f"/tasks/{t1}/conflicts").json()
    assert [(c["field"], c["losing_value"], c["winning_value"], c["loser"]) for c in stored] == [
        ("label", LOSING, "truck", "ann1")]
    fresh = lead.pull_all(cursor=cursors["lead"])
    assert _conflicts(fresh) == stored
    assert [i["type"] for i in fresh] == ["conflict"]  # the annotation itself did not change
    assert ann1.pull_all(cursor=cursors["ann1"]) == []
    assert [i for i in ann1.pull_all() if i["type"] == "conflict"] == []
    ann1.push([ann1.op(t1, "a1", {"z": 3}, base=2)])  # its next change sends it once more, after the annotation
    again = lead.pull_all(cursor=cursors["lead"])
    assert [i["type"] for i in again] == ["annotation", "conflict"] and _conflicts(again) == stored


def _relabel(ws, annotation, label):
    changed = dataclasses.replace(annotation, label=label, revision=annotation.revision + 1)
    ws.commit(changed.task_id, [Change(ChangeOp.UPSERT, changed)])
    return changed


def test_the_leads_workspace_keeps_the_conflict_encrypted(seeded_sqlite, keys, tmp_path):
    url, lead_session = seeded_sqlite.server.url, seeded_sqlite.sessions["lead"]
    server_task = seeded_sqlite.task_ids[0]
    ws1 = clone_for(url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    local1 = {s: t for t, s in server_task_ids(ws1).items()}[server_task]
    (mine,) = add(ws1, local1, [Annotation(new_id(), local1, "car", Box(20, 15, 10, 8))])
    assert sync(ws1, keys).phase == "up_to_date"
    assert lead_session.post(f"/tasks/{server_task}/assign", json={"user": "ann2"}).status_code == 200
    ws2 = clone_for(url, "ann2", PASSWORD, tmp_path / "ann2", keys)
    local2 = {s: t for t, s in server_task_ids(ws2).items()}[server_task]
    (theirs,) = ws2.annotations(local2)
    _relabel(ws2, theirs, LOSING)
    assert sync(ws2, keys).phase == "up_to_date"
    assert lead_session.post(f"/tasks/{server_task}/assign", json={"user": "ann1"}).status_code == 200
    _relabel(ws1, mine, "truck")  # made offline from the same base as ann2's edit
    assert sync(ws1, keys).phase == "up_to_date"
    lead = clone_for(url, "lead", PASSWORD, tmp_path / "lead", keys)
    (conflict,) = SyncStore(lead).conflicts(server_task)
    assert (conflict["annotation_id"], conflict["field"], conflict["losing_value"], conflict["winning_value"],
            conflict["loser"], conflict["winner"]) == (mine.id, "label", LOSING, "truck", "ann2", "ann1")
    assert SyncStore(ws1).conflicts(server_task) == [] and SyncStore(ws2).conflicts(server_task) == []
    local_lead = {s: t for t, s in server_task_ids(lead).items()}[server_task]
    (shown,) = load_review(lead, local_lead).conflicts  # what the lead's Review panel lists
    assert (shown.annotation_id, shown.field, shown.lost, shown.won) == (mine.id, "label", LOSING, "truck")
    assert shown.note.startswith("ann2 lost to ann1")
    for ws in (ws1, ws2, lead):
        ws.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "lead").glob("workspace.db*"))
    assert b"sync_conflicts" in raw and LOSING.encode() not in raw and b"truck" not in raw
