"""Pre-labeling and SAM clicking in the real window, with small generated ONNX models and real keys and clicks."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from test_inference_graphs import const_model, names_metadata, sam_decoder, sam_encoder

from core.annotation import SourceKind
from core.schema import Label, LabelSchema
from core.shapes import Mask
from desktop.main_window import MainWindow
from desktop.settings import Settings
from inference.models import demo_model_path
from sync.workspace import Workspace

TASKS = 12


def detector(path):
    """YOLOv8 layout: a car (0.9) and a dog (0.6) on every 1280 x 640 image."""
    out = np.zeros((4 + 3, 8400), np.float32)
    out[:, 0] = [320, 320, 100, 50, 0.0, 0.9, 0.0]
    out[:, 1] = [100, 320, 40, 40, 0.0, 0.0, 0.6]
    return const_model(path, {"output0": out}, metadata=names_metadata(["person", "car", "dog"], "detect"))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    sam_encoder(folder / "enc.onnx")
    sam_decoder(folder / "dec.onnx", radius=20)
    (folder / "enc.json").write_text(json.dumps({"family": "sam", "decoder": "dec.onnx"}))
    (folder / "broken.onnx").write_bytes(b"this is not a protobuf")
    return {"det": detector(folder / "det.onnx"), "sam": folder / "enc.onnx", "broken": folder / "broken.onnx"}


@pytest.fixture
def ws_dir(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    rng = np.random.default_rng(3)
    for i in range(TASKS):
        cv2.imwrite(str(media / f"img{i:02d}.jpg"), rng.integers(0, 255, (640, 1280, 3), dtype=np.uint8))
    with Workspace.create(tmp_path / "ws", LabelSchema((Label("car", "#ff0000"), Label("blob", "#00ff00")))) as ws:
        ws.add_media([media])
    return tmp_path / "ws"


def open_window(qtbot, ws_dir, **settings):
    w = MainWindow(Settings(inference_provider="cpu", **settings))
    qtbot.addWidget(w)
    w.open_workspace(ws_dir)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    w.canvas.setFocus()
    return w


@pytest.fixture
def window(qtbot, ws_dir, models):
    w = open_window(qtbot, ws_dir, prelabel_model=str(models["det"]), segment_model=str(models["sam"]))
    yield w
    w.close()


def stored(ws_dir, task_id):
    with Workspace.open(ws_dir, readonly=True) as ws:
        return ws.annotations(task_id)


def wait_for_job(qtbot, window):
    qtbot.waitUntil(lambda: window.prelabel.job is None, timeout=30000)
    window.wait_until_idle()


def predictions(editor):
    return sorted((a.label, a.source.score) for a in editor.doc if a.source.is_model)


def click(window, point, button=Qt.MouseButton.LeftButton):
    canvas = window.canvas
    pos = QPointF(canvas.mapFromScene(QPointF(*point)))
    for kind, buttons in (
        (QEvent.Type.MouseButtonPress, button),
        (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
    ):
        event = QMouseEvent(kind, pos, canvas.viewport().mapToGlobal(pos), button, buttons,
                            Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(canvas.viewport(), event)


def warnings(window):
    return [box.text() for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_prelabel_this_task_with_one_key_then_review_with_threshold_accept_reject_and_undo(qtbot, window, ws_dir):
    task_id = window.session.task.id
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    wait_for_job(qtbot, window)
    editor = window.session.editor
    assert predictions(editor) == [("car", 0.9), ("dog", 0.6)]
    assert "dog" in window.session.schema.names() and editor.schema.get("dog") is not None  # label added
    assert sorted((a.label, a.source.kind, a.source.score) for a in stored(ws_dir, task_id)) == [
        ("car", SourceKind.MODEL, 0.9), ("dog", SourceKind.MODEL, 0.6)]  # fmt: skip
    assert (
        window.prelabel.model_label.text() == "Model: det · CPU"
        and "2 predictions" in window.statusBar().currentMessage()
    )
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # again: one set, not two
    wait_for_job(qtbot, window)
    assert predictions(editor) == [("car", 0.9), ("dog", 0.6)]
    car, dog = (next(a for a in editor.doc if a.label == name) for name in ("car", "dog"))

    window.prelabel.threshold.setValue(70)  # the slider hides the dog (0.6), not the car
    assert not editor.is_visible(dog) and editor.is_visible(car) and window.settings.prediction_threshold == 0.7
    assert dog.id not in window.canvas.layer.graphics and car.id in window.canvas.layer.graphics
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # accept all on show
    window.wait_until_idle()
    kinds = {a.label: a.source for a in stored(ws_dir, task_id)}
    assert kinds["car"].kind is SourceKind.HUMAN and kinds["car"].score == 0.9 and kinds["car"].model_id
    assert kinds["dog"].kind is SourceKind.MODEL
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window.wait_until_idle()
    assert {a.label: a.source.kind for a in stored(ws_dir, task_id)}["car"] is SourceKind.MODEL

    window.prelabel.threshold.setValue(0)
    editor.select([dog.id])
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return)  # accept the selected one
    window.wait_until_idle()
    assert {a.label: a.source.kind for a in stored(ws_dir, task_id)} == {"car": SourceKind.MODEL,
                                                                          "dog": SourceKind.HUMAN}  # fmt: skip
    editor.select([car.id])
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)  # reject
    window.wait_until_idle()
    assert [a.label for a in stored(ws_dir, task_id)] == ["dog"]
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window.wait_until_idle()
    assert sorted(a.label for a in stored(ws_dir, task_id)) == ["car", "dog"]


def test_prelabel_all_tasks_in_the_background_with_progress_and_cancel(qtbot, window, ws_dir):
    job = window.prelabel.prelabel_tasks(None)
    assert window.progress.isVisible()
    window.progress.cancel_button.click()
    wait_for_job(qtbot, window)
    first = window.prelabel.last_report
    assert first.cancelled and first.predicted < TASKS
    progress = []
    window.actions_by_id["prelabel.all"].trigger()
    job = window.prelabel.job
    job.progress.connect(lambda done, total: progress.append((done, total)))
    wait_for_job(qtbot, window)
    report = window.prelabel.last_report
    assert not report.cancelled and report.predicted + report.already_done == TASKS and not report.failures
    assert report.already_done == first.predicted  # resumed: what the cancelled run did is skipped
    qtbot.waitUntil(lambda: bool(progress) and progress[-1] == (TASKS, TASKS))
    qtbot.waitUntil(lambda: not window.progress.isVisible())
    with Workspace.open(ws_dir, readonly=True) as ws:
        assert all(len([a for a in ws.annotations(t.id) if a.source.is_model]) == 2 for t in ws.tasks(0, TASKS))
    assert len(predictions(window.session.editor)) == 2  # the task on show was reloaded with its predictions
    assert "pre-labelled" in window.statusBar().currentMessage()


def test_prelabel_selected_tasks_from_the_task_list(qtbot, window, ws_dir):
    view = window.tasks.view
    view.selectionModel().clearSelection()
    for row in (1, 3):
        view.selectionModel().select(window.tasks.model.index(row, 0), view.selectionModel().SelectionFlag.Select |
                                     view.selectionModel().SelectionFlag.Rows)  # fmt: skip
    ids = window.tasks.selected_task_ids()
    assert len(ids) == 2
    window.actions_by_id["prelabel.selected"].trigger()
    wait_for_job(qtbot, window)
    with Workspace.open(ws_dir, readonly=True) as ws:
        done = {t.id for t in ws.tasks(0, TASKS) if any(a.source.is_model for a in ws.annotations(t.id))}
    assert done == set(ids)


def test_sam_clicks_run_the_decoder_on_a_background_embedding_and_enter_commits_a_mask(qtbot, window, ws_dir):
    task_id = window.session.task.id
    qtbot.keyClick(window.canvas, Qt.Key.Key_I)
    editor = window.session.editor
    assert editor.tool == "segment" and window.actions_by_id["tool.segment"].isChecked()
    sam = window.segment
    qtbot.waitUntil(lambda: sam.embedding(task_id) is not None and sam.embedding(task_id).done(), timeout=20000)
    following = window.session.neighbour(1).id
    assert sam.embedding(following) is not None  # the next task is encoded ahead
    window.labels.select_label("blob")
    window._label_chosen("blob")
    click(window, (200, 150))
    assert sam.preview.isVisible()
    mask = editor.overlay.drawing
    assert isinstance(mask, Mask) and (mask.width, mask.height) == (1280, 640)
    array = mask.to_array()
    assert array[150, 200] and not array[150, 225] and abs(int(array.sum()) - int(np.pi * 400)) < 40
    assert editor.segmenter.last_decode_seconds < 1.0
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)  # Esc drops the prompts
    assert not sam.preview.isVisible() and editor.overlay.drawing is None
    click(window, (400, 300))
    click(window, (440, 300), Qt.MouseButton.RightButton)  # the test decoder centres the disc on all clicks
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return)
    window.wait_until_idle()
    (saved,) = stored(ws_dir, task_id)
    assert saved.label == "blob" and isinstance(saved.shape, Mask) and saved.shape.to_array()[300, 420]
    assert not saved.shape.to_array()[300, 400 - 5]
    assert not sam.preview.isVisible()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step
    window.wait_until_idle()
    assert stored(ws_dir, task_id) == []
    qtbot.keyClick(window.canvas, Qt.Key.Key_D)
    assert window.session.task.id == following and window.session.editor.segmenter is not None
    qtbot.waitUntil(lambda: sam.embedding(following).done(), timeout=20000)
    click(window, (600, 320))
    assert window.session.editor.overlay.drawing.to_array()[320, 600]


def test_a_broken_model_gives_a_message_naming_it_and_the_app_goes_on(qtbot, ws_dir, models):
    window = open_window(qtbot, ws_dir, prelabel_model=str(models["broken"]))
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    wait_for_job(qtbot, window)
    assert any("broken.onnx" in text and "not a loadable ONNX model" in text for text in warnings(window))
    window.segment.choose_model(models["broken"])
    qtbot.waitUntil(lambda: any("segmentation model" in t and "broken.onnx" in t for t in warnings(window)))
    assert window.settings.segment_model == "" and window.session.editor.segmenter is None
    for box in window.findChildren(QMessageBox):  # a person reads them and clicks OK
        box.button(QMessageBox.StandardButton.Ok).click()
    window.activateWindow()  # what the window manager does when the box closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.prelabel.choose_model(models["det"])  # the app goes on: a good model works
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    wait_for_job(qtbot, window)
    assert predictions(window.session.editor) == [("car", 0.9), ("dog", 0.6)]
    assert window.settings.prelabel_model == str(models["det"])
    window.close()


@pytest.mark.skipif(demo_model_path() is None, reason="demo model not installed: packaging/fetch_demo_model.py")
def test_demo_model_finds_the_text_on_a_demo_sign(qtbot, tmp_path):
    from desktop.demo import make_demo

    make_demo(tmp_path, images=2).close()
    window = open_window(qtbot, tmp_path / "workspace")
    sign = next(a for a in window.session.editor.doc if a.label == "traffic sign")  # street_001 has "STOP 1"
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    wait_for_job(qtbot, window)
    texts = [a for a in window.session.editor.doc if a.label == "text" and a.source.is_model]
    assert texts and window.prelabel.model_label.text().startswith("Model: PP-OCRv6_det_small")
    b, s = texts[0].shape.bounds(), sign.shape.bounds()
    assert s.x1 - 5 <= b.x1 and b.x2 <= s.x2 + 5 and s.y1 - 5 <= b.y1 and b.y2 <= s.y2 + 5
    window.close()


def test_the_status_bar_says_what_runs_the_model_and_why_not_the_gpu(qtbot, ws_dir, models):
    window = open_window(qtbot, ws_dir, prelabel_model=str(models["det"]))
    window.settings.inference_provider = "auto"
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    wait_for_job(qtbot, window)
    runtime = window.prelabel.predictor.runtime
    assert runtime.describe() in window.prelabel.model_label.toolTip()
    assert window.prelabel.model_label.text().startswith(f"Model: det · {runtime.active}")
    if not runtime.on_gpu:  # e.g. "CPU (CUDA requested but not available: its libraries do not load: ...)"
        assert "CUDA requested but not available" in window.prelabel.model_label.toolTip()
    window.close()
