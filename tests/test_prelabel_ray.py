"""`annodesk server prelabel` on a real local Ray (2 CPUs) against a real server store (SQLite) with media: every
open task gets its predictions and a model run, a second run does nothing, and an annotator's clone pulls them as
predictions (source: the model), never as confirmed shapes; and a run whose inference actor is SIGKILLed mid-batch
still stores each task once. About 10 s and 30 s (the kill) with Ray's start-up, part of the default run; marked
`ray` to select or deselect it (`-m "not ray"`)."""

import functools
import os
import signal
import subprocess
import threading
import time

import numpy as np
import onnx
import pytest
import sqlalchemy as sa
from onnx import helper, numpy_helper
from test_inference_graphs import const_model, names_metadata

from core.annotation import SourceKind
from core.shapes import Box
from desktop.cli import main
from farm.prelabel import _mapped, _store, pending_tasks
from inference import LabelMapper, Prediction, model_id
from sync.server import db
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD, add_task, seed, write_png
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
    group = {"task_id": np.array(seeded.task_ids), "result": np.array([found, nothing, b""], dtype=object),
             "error": np.array(["", "", "cannot decode"], dtype=object)}
    report = FarmReport("m" * 64)
    for _ in range(2):
        _store(store, seeded.project_id, "m" * 64, functools.partial(_mapped, mapper, report), group, {}, report)
    assert (report.predicted, report.already_done, report.shapes, len(report.failures)) == (2, 2, 1, 2)
    runs, anns = server_rows(store, "m" * 64)
    assert runs == {seeded.task_ids[0]: 1, seeded.task_ids[1]: 0}  # found nothing is recorded; a failure is not
    assert len(anns) == 1
    with store.read() as conn:
        todo, done, _ = pending_tasks(conn, seeded.project_id, "m" * 64)
    assert [t["task_id"] for t in todo] == [seeded.task_ids[2]] and done == 2


INFER = "ray::MapWorker(MapBatches(ImageInfer))"  # Ray's title for an inference actor; + ".submit" in a batch


def slow_detector(path, matmuls=3):
    """`detector` behind a chain of 640 x 640 MatMuls on the input (~20 ms each on one core): a worker dies mid-run."""
    model = onnx.load(str(detector(path)))
    graph = model.graph
    graph.initializer.append(numpy_helper.from_array(np.full((640, 640), 1 / 640, np.float32), "spin_w"))
    heavy = [helper.make_node("MatMul", ["images" if i == 0 else f"spin{i - 1}", "spin_w"], [f"spin{i}"])
             for i in range(matmuls)]
    nodes = heavy + list(graph.node)
    nodes[matmuls].input[0] = f"spin{matmuls - 1}"  # const_model's ReduceMean of the input
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def add_tasks(seeded, tmp, n):
    """n more tasks on their own PNGs, through the API as `seed` adds them (new, unassigned: open)."""
    for i in range(n):
        task_id, _sha = add_task(seeded.sessions["admin"], seeded.project_id, write_png(tmp / f"more{i}.png",
                                                                                         seed=100 + i))
        seeded.task_ids.append(task_id)


def ray_workers():
    """(pid, title) of the inference actors of the local Ray this process started (its raylet is our child)."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=True).stdout
    rows = [(int(pid), int(ppid), args) for pid, ppid, args in (f"{line} ".split(None, 2) for line in out.splitlines())]
    ours, grown = set(), {os.getpid()}
    while grown:
        ours |= grown
        grown = {pid for pid, ppid, _ in rows if ppid in ours} - ours
    return [(pid, args.strip()) for pid, _, args in rows if pid in ours and args.startswith(INFER)]


def test_server_prelabel_survives_a_killed_inference_actor(server_factory, tmp_path, capsys):
    """SIGKILL one inference actor mid-run: Ray restarts it and retries its batch, and the driver still stores each
    task exactly once (a retried item is skipped), so the run completes and a rerun has nothing to do."""
    seeded = seed(server_factory(), tmp_path)
    add_tasks(seeded, tmp_path, 61)
    total = len(seeded.task_ids)
    model = slow_detector(tmp_path / "slow.onnx")
    mid = model_id(model)
    store = seeded.server.store
    args = ["server", "prelabel", "--data", str(seeded.server.config.data_dir), "--project", "streets",
            "--model", str(model), "--cpus", "2", "--object-store-mb", "128", "--workers", "2"]
    kill, seen, running = {}, set(), threading.Event()

    def stored():
        with store.read() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(db.model_runs)).scalar_one()

    def killer():
        """SIGKILL the first actor seen in the middle of a batch, once; then note the actors Ray runs after it."""
        while running.is_set():
            workers = ray_workers()
            if kill:
                seen.update(pid for pid, _ in workers)
            elif (busy := [pid for pid, title in workers if title == INFER + ".submit"]) and (done := stored()) < total:
                os.kill(busy[0], signal.SIGKILL)
                kill.update(stored=done, before={pid for pid, _ in workers})
            time.sleep(0.05)

    watcher = threading.Thread(target=killer)
    running.set()
    watcher.start()
    try:
        assert main(args) == 0
    finally:
        running.clear()
        watcher.join()
    out = capsys.readouterr().out
    assert kill and kill["stored"] < total, "no inference actor was killed while tasks were pending"
    assert seen - kill["before"], "Ray did not restart the killed actor"
    assert f"done: {total} tasks pre-labelled with {total} shapes, " in out and f"0 failed (of {total})" in out
    runs, anns = server_rows(store, mid)
    assert runs == {t: 1 for t in seeded.task_ids}
    assert sorted(t for t, _ in anns) == sorted(seeded.task_ids)  # one car a task: none lost, none stored twice

    assert main(args) == 0
    assert f"0 of {total} image tasks to run" in capsys.readouterr().out
    assert server_rows(store, mid) == (runs, anns)
