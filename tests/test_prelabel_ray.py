"""`annodesk server prelabel` on a real local Ray (2 CPUs) against a real server store (SQLite) with media: every
open task gets its predictions and a model run, a second run does nothing, and an annotator's clone pulls them as
predictions (source: the model), never as confirmed shapes. About 10 s with Ray's start-up, so part of the default
run; marked `ray` to select or deselect it (`-m "not ray"`)."""

import numpy as np
import pytest
import sqlalchemy as sa
from test_inference_graphs import const_model, names_metadata

from core.annotation import SourceKind
from core.shapes import Box
from desktop.cli import main
from farm.prelabel import _store, pending_tasks
from inference import LabelMapper, Prediction, model_id
from sync.server import db
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD, seed
from tests.sync_client_helpers import clone_for, memory_keys, sync

pytestmark = pytest.mark.ray
A = 8400


def detector(path):
    """A car (model 320, 320, 100 x 50: image 27..37 x 21.5..26.5 on a 64 x 48 task) and a dog, on every image."""
    out = np.zeros((4 + 3, A), np.float32)
    out[:, 0] = [320, 320, 100, 50, 0.0, 0.9, 0.0]
    out[:, 1] = [100, 320, 40, 40, 0.0, 0.0, 0.6]
    return const_model(path, {"output0": out}, metadata=names_metadata(["person", "car", "dog"], "detect"))


@pytest.fixture
def keys(tmp_path):
    keys, _backend = memory_keys(tmp_path)
    yield keys
    Workspace.codec_provider = None


def server_rows(store, mid):
    with store.read() as conn:
        runs = conn.execute(sa.select(db.model_runs.c.task_id, db.model_runs.c.shapes)
                            .where(db.model_runs.c.model_id == mid)).all()
        anns = db.fetch(conn, "SELECT task_id, CAST(fields AS TEXT) FROM annotations", [])
    return dict(runs), anns


def test_server_prelabel_on_ray_then_rerun_then_pull(server_factory, tmp_path, keys, capsys):
    seeded = seed(server_factory(), tmp_path)
    model = detector(tmp_path / "det.onnx")
    mid = model_id(model)
    args = ["server", "prelabel", "--data", str(seeded.server.config.data_dir), "--project", "streets",
            "--model", str(model), "--cpus", "2", "--object-store-mb", "128", "--workers", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "3 of 3 image tasks to run" in out and "prelabel: 3/3 tasks" in out
    assert "done: 3 tasks pre-labelled with 3 shapes, 0 already done by this model, 0 failed (of 3)" in out
    assert "2 CPU workers" in out and "skipped 3 predictions: class 'dog' has no label" in out
    runs, anns = server_rows(seeded.server.store, mid)
    assert runs == {t: 1 for t in seeded.task_ids}
    assert sorted(t for t, _ in anns) == seeded.task_ids and all(mid in f and '"model"' in f for _, f in anns)

    assert main(args) == 0  # a second run: nothing to do, Ray not even started
    out = capsys.readouterr().out
    assert "0 of 3 image tasks to run" in out and "0 tasks pre-labelled with 0 shapes, 3 already done" in out
    assert server_rows(seeded.server.store, mid) == (runs, anns)

    with clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys) as ws:
        sync(ws, keys)
        got = [a for t in ws.tasks(0, 10) for a in ws.annotations(t.id)]
        assert len(got) == 2 and {a.label for a in got} == {"car"}
        assert all(a.source.kind is SourceKind.MODEL and a.source.model_id == mid for a in got)
        assert all(a.source.score == pytest.approx(0.9) for a in got)
        assert got[0].shape == Box(27.0, 21.5, 10.0, 5.0)


def test_a_retried_group_is_stored_once(server_factory, tmp_path):
    """An item Ray ran twice (a worker died after its output was written) reaches the store twice: once stored."""
    import pickle

    from farm.prelabel import FarmReport

    seeded = seed(server_factory(), tmp_path)
    store = seeded.server.store
    with store.read() as conn:
        schema = db.projects.c.schema
        from core.schema import LabelSchema
        mapper = LabelMapper(LabelSchema.from_json(conn.execute(sa.select(schema)).scalar_one()), locked=True)
    found = pickle.dumps([Prediction(1, "car", 0.8, Box(1, 2, 3, 4))])
    nothing = pickle.dumps([])
    group = {"task_id": np.array(seeded.task_ids), "predictions": np.array([found, nothing, b""], dtype=object),
             "error": np.array(["", "", "cannot decode"], dtype=object)}
    report = FarmReport("m" * 64)
    for _ in range(2):
        _store(store, seeded.project_id, "m" * 64, mapper, group, {}, report)
    assert (report.predicted, report.already_done, report.shapes, len(report.failures)) == (2, 2, 1, 2)
    runs, anns = server_rows(store, "m" * 64)
    assert runs == {seeded.task_ids[0]: 1, seeded.task_ids[1]: 0}  # found nothing is recorded; a failure is not
    assert len(anns) == 1
    with store.read() as conn:
        todo, done, _ = pending_tasks(conn, seeded.project_id, "m" * 64)
    assert [t["task_id"] for t in todo] == [seeded.task_ids[2]] and done == 2
