"""Batch pre-labeling from model file to stored annotations in a real workspace, and the `annodesk prelabel` CLI."""

import json
import threading

import cv2
import numpy as np
import pytest
from test_inference_graphs import const_model, names_metadata

from core.annotation import SourceKind, TaskStatus
from core.schema import Label, LabelSchema
from core.shapes import Box
from desktop.cli import main
from inference import Predictor, PrelabelJob, PrelabelOptions
from inference.preprocess import read_image
from sync.workspace import Workspace

A = 8400
CAR = Box(540.0, 270.0, 200.0, 100.0)  # anchor 0 on a 1280 x 640 image (gain 0.5, 160 rows of padding)


def detector(path, nan=False):
    out = np.zeros((4 + 3, A), np.float32)
    out[:, 0] = [320, 320, 100, 50, 0.0, 0.9, 0.0]  # car
    out[:, 1] = [100, 320, 40, 40, 0.0, 0.0, 0.6]  # dog: model (80..120, 300..340) -> image (160, 280, 80, 80)
    if nan:
        out[0, 5] = np.nan
    return const_model(path, {"output0": out}, metadata=names_metadata(["person", "car", "dog"], "detect"))


@pytest.fixture
def workspace(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    rng = np.random.default_rng(1)
    for i in range(5):
        cv2.imwrite(str(media / f"img{i}.jpg"), rng.integers(0, 255, (640, 1280, 3), dtype=np.uint8))
    ws = Workspace.create(tmp_path / "ws", LabelSchema((Label("car", "#ff0000"),)))
    ws.add_media([media])
    (media / "img3.jpg").write_bytes(b"\xff\xd8 this is no longer a JPEG")  # broken after import
    yield ws
    ws.close()


def model_annotations(ws):
    return {t.id: [a for a in ws.annotations(t.id) if a.source.kind is SourceKind.MODEL] for t in ws.tasks()}


def test_prelabel_stores_predictions_with_model_source_and_reports_broken_image(tmp_path, workspace):
    predictor = Predictor.load(detector(tmp_path / "det.onnx"), provider="cpu")
    progress = []
    report = PrelabelJob(predictor, workspace, PrelabelOptions(), lambda d, t: progress.append((d, t))).run()
    assert (report.tasks, report.predicted, report.shapes, report.already_done) == (5, 4, 8, 0)
    assert [(f.task_id, f.reason.split(":")[0]) for f in report.failures] == [(4, "cannot decode")]
    assert progress[-1] == (5, 5)
    assert "labels added to the schema: dog" in report.messages
    assert workspace.schema.names() == ["car", "dog"]
    stored = model_annotations(workspace)
    assert stored[4] == [] and workspace.task(4).status is TaskStatus.NEW  # failure reported, task kept as it was
    first = stored[1]
    assert [(a.label, a.shape) for a in first] == [("car", CAR), ("dog", Box(160.0, 280.0, 80.0, 80.0))]
    assert first[0].source.score == pytest.approx(0.9) and first[0].source.model_id == predictor.model_id
    assert len(predictor.model_id) == 64
    assert workspace.task(1).status is TaskStatus.NEW  # pre-labels do not start a task


def test_second_run_skips_what_this_model_did(tmp_path, workspace):
    predictor = Predictor.load(detector(tmp_path / "det.onnx"), provider="cpu")
    PrelabelJob(predictor, workspace).run()
    again = PrelabelJob(predictor, workspace).run()
    assert (again.predicted, again.already_done, again.shapes, len(again.failures)) == (0, 4, 0, 1)
    assert sum(len(v) for v in model_annotations(workspace).values()) == 8


def test_cancel_keeps_what_was_done_and_a_rerun_finishes(tmp_path, workspace):
    predictor = Predictor.load(detector(tmp_path / "det.onnx"), provider="cpu")
    job = PrelabelJob(predictor, workspace, PrelabelOptions(workers=1), progress=lambda d, t: job.cancel())
    report = job.run()
    assert report.cancelled and 1 <= report.predicted < 4
    done = report.predicted
    rest = PrelabelJob(predictor, workspace).run()
    assert (rest.already_done, rest.predicted, rest.cancelled) == (done, 4 - done, False)


def test_cancel_from_another_thread_stops_reading(tmp_path, workspace):
    predictor = Predictor.load(detector(tmp_path / "det.onnx"), provider="cpu")
    job = PrelabelJob(predictor, workspace)
    job.cancel()
    thread = threading.Thread(target=job.run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and job.report.cancelled and job.report.predicted == 0


def test_locked_schema_skips_unknown_classes_and_map_renames(tmp_path, workspace):
    predictor = Predictor.load(detector(tmp_path / "det.onnx"), provider="cpu")
    report = PrelabelJob(predictor, workspace, PrelabelOptions(locked_schema=True)).run()
    assert workspace.schema.names() == ["car"]
    assert "skipped 4 predictions: class 'dog' has no label and the schema is locked" in report.messages
    assert {a.label for anns in model_annotations(workspace).values() for a in anns} == {"car"}


def test_map_and_card_rename_choose_labels(tmp_path, workspace):
    path = detector(tmp_path / "det.onnx")
    (tmp_path / "det.json").write_text(json.dumps({"rename": {"dog": "animal"}}))
    predictor = Predictor.load(path, provider="cpu")
    PrelabelJob(predictor, workspace, PrelabelOptions(renames={"car": "vehicle"}, only_new=True)).run()
    assert workspace.schema.names() == ["car", "vehicle", "animal"]
    assert {a.label for a in model_annotations(workspace)[1]} == {"vehicle", "animal"}


def test_batches_give_the_same_predictions(tmp_path, workspace):
    predictor = Predictor.load(detector(tmp_path / "det.onnx"), provider="cpu")
    assert predictor.max_batch is None
    report = PrelabelJob(predictor, workspace, PrelabelOptions(batch=3)).run()
    assert (report.predicted, report.shapes) == (4, 8)
    assert all(anns[0].shape == CAR for tid, anns in model_annotations(workspace).items() if tid != 4)


def test_nan_output_fails_each_task_with_the_model_named(tmp_path, workspace):
    predictor = Predictor.load(detector(tmp_path / "nan.onnx", nan=True), provider="cpu")
    report = PrelabelJob(predictor, workspace).run()
    assert report.predicted == 0 and len(report.failures) == 5
    assert {f.reason for f in report.failures if f.task_id != 4} == {"output output0 contains NaN or infinite values"}


def test_big_jpeg_is_decoded_reduced_and_boxes_land_on_full_resolution(tmp_path):
    big = np.zeros((1280, 2560, 3), np.uint8)
    cv2.imwrite(str(tmp_path / "big.jpg"), big)
    predictor = Predictor.load(detector(tmp_path / "det.onnx"), provider="cpu")
    image, fx, fy = read_image(tmp_path / "big.jpg", (2560, 1280), predictor.needed_scale)
    assert image.shape[:2] == (320, 640) and (fx, fy) == (4.0, 4.0)  # needs 1/4 of the pixels: decoded at 1/4
    prepared = predictor.prepare(image, (fx, fy), (2560, 1280))
    preds = predictor.decode(predictor.infer([prepared])[0], prepared)
    assert preds[0].shape == Box(1080.0, 540.0, 400.0, 200.0)  # CAR at twice the size of the 1280 x 640 image
    full, _, _ = read_image(tmp_path / "big.jpg", (2000, 1000), predictor.needed_scale)
    assert full.shape[:2] == (1280, 2560)  # recorded size does not match the file: decoded fully


def test_cli_prelabel_prints_summary(tmp_path, workspace, capsys):
    workspace.close()
    path = detector(tmp_path / "det.onnx")
    code = main(["prelabel", str(tmp_path / "ws"), "--model", str(path), "--provider", "cpu", "--conf", "0.7",
                 "--map", "car=auto", "--only", "new"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "done: 4 tasks pre-labelled with 4 shapes" in out and "provider: CPU" in out and "images/s" in out
    assert "failed: task 4" in out
    with Workspace.open(tmp_path / "ws", readonly=True) as ws:
        assert ws.stats()["annotations"]["by_label"] == {"auto": 4}


def test_cli_prelabel_bad_model_is_one_line(tmp_path, workspace, capsys):
    workspace.close()
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model at all")
    assert main(["prelabel", str(tmp_path / "ws"), "--model", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "not a loadable ONNX model" in err
    assert main(["prelabel", str(tmp_path / "ws"), "--model", str(bad), "--map", "oops"]) == 2
    assert "expected CLASS=LABEL" in capsys.readouterr().err
