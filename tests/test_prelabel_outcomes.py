"""Pre-labels changed before their first sync: the server still learns how the annotator treated each prediction
(kept unchanged, edited, deleted), for the dashboard's pre-label acceptance per model. The workspace keeps each new
prediction as the model made it (sync/workspace.py) and sealing sends it before the annotator's change."""

import dataclasses

import pytest

from core.annotation import Annotation, Source, SourceKind, TaskStatus, new_id
from core.document import Change, ChangeOp
from core.shapes import Box
from desktop import cli
from sync.client import batcher
from sync.client.media import MEDIA_PREFIX
from tests.server_fixtures import PASSWORD, ServerProcess, seed, write_png
from tests.sync_client_helpers import clone_for, delete, move, server_task_ids, sync
from tools.predictions import accepted

OUTCOMES = ("kept", "edited", "deleted", "left")


def _predict(ws, task_id):
    """Four predictions of model yolo, stored as a pre-label run stores them; the annotator keeps (accepts) one,
    edits one, deletes one and leaves one."""
    made = {k: Annotation(new_id(), task_id, "person", Box(2.0 + 8 * i, 3.0, 6.0, 5.0), {}, revision=1,
                          source=Source(SourceKind.MODEL, 0.9, "yolo")) for i, k in enumerate(OUTCOMES)}
    assert ws.insert_annotations(made.values()) == 4
    ws.commit(task_id, [Change(ChangeOp.UPSERT, dataclasses.replace(accepted(made["kept"], "ann1"), revision=2))])
    edited = move(ws, made["edited"], 4.0)
    delete(ws, made["deleted"])
    ws.set_task_status(task_id, TaskStatus.DONE)
    return made, edited


def _outcomes(session, project_id):
    charts = {c["name"]: c for c in session.get(f"/projects/{project_id}/dashboard").json()["charts"]}
    prelabels = charts["prelabels"]
    assert prelabels["categories"] == ["yolo"]
    return {s["name"]: s["values"][0] for s in prelabels["series"]}


def _server_state(session, task_id):
    items = session.get(f"/tasks/{task_id}/annotations", params={"include_deleted": "true"}).json()["items"]
    return {i["id"]: i for i in items}


@pytest.mark.parametrize("max_ops", [1000, 2])  # 2: the prediction and the annotator's change in different batches
def test_changes_before_the_first_sync_reach_the_server_as_changes_of_the_prediction(
        seeded_sqlite, keys, tmp_path, monkeypatch, max_ops):
    monkeypatch.setattr(batcher, "MAX_OPS", max_ops)
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    local = sorted(server_task_ids(ws))[0]
    made, edited = _predict(ws, local)
    state = sync(ws, keys)
    assert (state.phase, state.pending, state.rejected) == ("up_to_date", 0, 0), state
    lead = seeded_sqlite.sessions["lead"]
    assert _outcomes(lead, seeded_sqlite.project_id) == {"accepted": 1, "edited": 1, "rejected": 1, "pending": 1}
    on_server = _server_state(seeded_sqlite.sessions["ann1"], server_task_ids(ws)[local])
    assert on_server[made["deleted"].id]["deleted"] and on_server[made["left"].id]["fields"]["source_kind"] == "model"
    assert on_server[edited.id]["fields"]["geometry"] == [14.0, 3.0, 6.0, 5.0]
    assert on_server[made["kept"].id]["fields"]["source_kind"] == "human"
    assert ws.pending_changes() == 0 and sync(ws, keys).pending == 0


def test_a_field_workers_own_photo_sends_its_changed_predictions_when_it_is_registered(server_factory, keys,
                                                                                       tmp_path):
    live = server_factory()
    seeded = seed(live, tmp_path)
    ws = clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    live.stop()  # the field: no server
    photos = tmp_path / "photos"
    photos.mkdir()
    write_png(photos / "form.png", width=64, height=48, seed=7)
    assert cli.main(["add", str(tmp_path / "ann1"), str(photos)]) == 0
    (local,) = [t.id for t in ws.tasks() if not t.media_path.startswith(MEDIA_PREFIX)]
    _predict(ws, local)
    assert sync(ws, keys).phase == "offline"
    process = ServerProcess(live.config.data_dir, port=live.port).start()
    try:
        state = sync(ws, keys)
        assert (state.phase, state.pending, state.rejected) == ("up_to_date", 0, 0), state
        assert _outcomes(seeded.sessions["lead"], seeded.project_id) == {"accepted": 1, "edited": 1, "rejected": 1,
                                                                          "pending": 1}
    finally:
        process.stop()



def test_predictions_of_the_apps_pre_label_and_a_rerun_that_replaces_them(seeded_sqlite, keys, tmp_path):
    """The app's pre-label of the open task commits its predictions as an edit; running the model again replaces the
    pending ones in one commit: those replaced are not counted as rejected by the annotator."""
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    local = sorted(server_task_ids(ws))[0]

    def run(x):
        return [Annotation(new_id(), local, "person", Box(x + 8 * i, 3.0, 6.0, 5.0), {}, revision=1,
                           source=Source(SourceKind.MODEL, 0.8, "yolo")) for i in range(2)]

    first = run(1.0)
    ws.commit(local, [Change(ChangeOp.UPSERT, a) for a in first])
    second = run(2.0)  # the rerun
    ws.commit(local, [*(Change(ChangeOp.DELETE, dataclasses.replace(a, revision=2)) for a in first),
                      *(Change(ChangeOp.UPSERT, a) for a in second)])
    move(ws, second[0], 3.0)
    ws.set_task_status(local, TaskStatus.DONE)
    state = sync(ws, keys)
    assert (state.phase, state.pending, state.rejected) == ("up_to_date", 0, 0), state
    assert _outcomes(seeded_sqlite.sessions["lead"], seeded_sqlite.project_id) == {
        "accepted": 0, "edited": 1, "rejected": 0, "pending": 1}
    on_server = _server_state(seeded_sqlite.sessions["ann1"], server_task_ids(ws)[local])
    assert set(on_server) == {a.id for a in second}
