"""Pre-labeling a synced (cloned, encrypted) workspace against a real server on loopback: the images come from the
encrypted media cache through the pipeline's `media` hook (reduced JPEG decode included), an image not downloaded
yet fails only its task, and the predictions are stored encrypted. The CLI and the app (Ctrl+Shift+L)."""

import json

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_inference_graphs import channel_mean_model

from core.annotation import SourceKind
from desktop.cli import main
from desktop.main_window import MainWindow
from desktop.settings import Settings
from inference import Predictor
from inference.preprocess import decode_reduced, read_image
from sync.client import commands
from sync.client.media import NOT_DOWNLOADED, MediaPending, cached_media_bytes, media_sha, media_sha_of_path
from sync.server.blobs import file_sha256
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import clone_for, memory_keys

BAR = (1920, 960)  # a JPEG the text detector (longest side to 960) reads at 1/2 scale
SHA = "ab" * 32


@pytest.fixture
def keys(tmp_path, monkeypatch):
    monkeypatch.setattr(commands, "_cli_keys", None)  # the CLI's process-wide keys start fresh in each test
    keys, _backend = memory_keys(tmp_path)
    yield keys
    Workspace.codec_provider = None


@pytest.fixture(scope="module")
def text_model(tmp_path_factory):
    """DBNet layout whose probability map is the image's channel mean (1 on white): a white bar is one text box."""
    folder = tmp_path_factory.mktemp("models")
    path = channel_mean_model(folder / "det.onnx")
    (folder / "det.json").write_text(json.dumps({"family": "dbnet", "dilate": False, "rename": {"text": "person"}}))
    return path


def bar_jpeg(path):
    image = np.zeros((BAR[1], BAR[0], 3), np.uint8)
    image[400:520, 300:1500] = 255
    assert cv2.imwrite(str(path), image)
    return path


def add_server_task(seeded, path, owner="ann1"):
    """Media and a task on the server, as a lead adds them."""
    admin, sha = seeded.sessions["admin"], file_sha256(path)
    put = admin.http.put(f"/media/{sha}", content=path.read_bytes(),
                         headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 201, put.text
    height, width = cv2.imread(str(path)).shape[:2]
    task = admin.post(f"/projects/{seeded.project_id}/tasks",
                      json={"media_sha256": sha, "name": path.name, "width": width, "height": height}).json()
    assert seeded.sessions["lead"].post(f"/tasks/{task['id']}/assign", json={"user": owner}).status_code == 200


@pytest.fixture
def synced(seeded_sqlite, keys, tmp_path):
    """ann1's clone: img0.png (64 x 48 noise), img1.png (not downloaded yet) and bar.jpg; the files beside it are the
    originals, for expected values only."""
    add_server_task(seeded_sqlite, bar_jpeg(tmp_path / "bar.jpg"))
    with clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys) as ws:
        tasks = {t.name: t for t in ws.tasks(0, 10)}
        assert set(tasks) == {"img0.png", "img1.png", "bar.jpg"}
        sha = media_sha(tasks["img1.png"])
        keys.media_cache(ws).path(sha).unlink()  # as if the download had not happened yet
        with ws.transaction() as conn:
            conn.execute("UPDATE sync_media SET done = 0 WHERE sha256 = ?", (sha,))
    return tmp_path / "ann1", tasks


def expected(predictor, path, task):
    """What the pipeline finds in the original file (the same reduced decode, from the file)."""
    image, fx, fy = read_image(path, (task.width, task.height), predictor.needed_scale)
    prepared = predictor.prepare(image, (fx, fy), (task.width, task.height))
    return sorted(p.shape.points for p in predictor.decode(predictor.infer([prepared])[0], prepared))


def stored_shapes(ws, task):
    return sorted(a.shape.points for a in ws.annotations(task.id) if a.source.kind is SourceKind.MODEL)


def raw_workspace(path):
    return b"".join(p.read_bytes() for p in path.glob("workspace.db*"))


def test_media_sha_of_path_is_the_one_parse():
    assert media_sha_of_path(f"annodesk-media:{SHA}:7/img0.png") == SHA
    assert media_sha_of_path(f"annodesk-media:{SHA}:7/a:b.png") == SHA  # a colon in the name does not matter
    assert media_sha_of_path("/data/annodesk-media:x.png") is None


def test_bytes_decode_reduced_like_the_file(tmp_path, text_model):
    path = bar_jpeg(tmp_path / "bar.jpg")
    needed = Predictor.load(text_model, provider="cpu").needed_scale
    image, fx, fy = decode_reduced(path.read_bytes(), "bar.jpg", BAR, needed)
    assert image.shape[:2] == (480, 960) and (fx, fy) == (2.0, 2.0)  # libjpeg's 1/2 scale, from memory
    assert np.array_equal(image, read_image(path, BAR, needed)[0])
    with pytest.raises(ValueError, match=r"^synced\.jpg: cannot decode"):
        decode_reduced(b"\xff\xd8 not a JPEG", "synced.jpg", BAR, needed)


def test_cli_prelabels_synced_tasks_from_the_encrypted_cache(synced, text_model, tmp_path, capsys):
    path, tasks = synced
    code = main(["prelabel", str(path), "--model", str(text_model), "--provider", "cpu", "--map", "text=truck"])
    assert code == 0  # the server owns a synced workspace's labels: "truck" is not one, so nothing is added
    with Workspace.open(path, readonly=True) as ws:
        assert ws.schema.names() == ["car", "person"] and not any(ws.annotations(t.id) for t in tasks.values())
    capsys.readouterr()
    code = main(["prelabel", str(path), "--model", str(text_model), "--provider", "cpu"])
    out = capsys.readouterr().out
    assert code == 0, out
    # img0.png: the model found nothing there on the first run, which remembered it
    assert "done: 1 tasks pre-labelled" in out and "1 already done by this model" in out and "1 failed (of 3)" in out
    pending = tasks["img1.png"]
    assert f"failed: task {pending.id} {pending.media_path}: {NOT_DOWNLOADED}" in out
    predictor = Predictor.load(text_model, provider="cpu")
    with Workspace.open(path, readonly=True) as ws:
        bar = stored_shapes(ws, tasks["bar.jpg"])
        assert bar == expected(predictor, tmp_path / "bar.jpg", tasks["bar.jpg"])
        (corners,) = bar  # one box around the bar (grown by DBNet's unclip), in full-resolution coordinates
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        assert 200 < min(xs) < 300 < 1500 < max(xs) < 1600 and 300 < min(ys) < 400 < 520 < max(ys) < 620
        assert (min(xs) + max(xs)) / 2 == pytest.approx(900, abs=2) and (min(ys) + max(ys)) / 2 == pytest.approx(460,
                                                                                                              abs=2)
        assert stored_shapes(ws, tasks["img0.png"]) == expected(predictor, tmp_path / "img0.png", tasks["img0.png"])
        assert stored_shapes(ws, pending) == []
        assert {a.label for t in tasks.values() for a in ws.annotations(t.id)} == {"person"}
    raw = raw_workspace(path)
    assert raw and b"person" not in raw and repr(corners[0][0]).encode() not in raw  # stored encrypted


def test_the_app_prelabels_all_synced_tasks_and_names_the_pending_image(qtbot, seeded_sqlite, synced, text_model,
                                                                         keys, tmp_path):
    path, tasks = synced
    seeded_sqlite.server.stop()  # offline: the app's own sync round does not fetch img1.png meanwhile
    window = MainWindow(Settings(inference_provider="cpu", prelabel_model=str(text_model)), keys)
    qtbot.addWidget(window)
    window.open_workspace(path, tasks["bar.jpg"].id)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=10_000)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.prelabel.job is not None
    qtbot.waitUntil(lambda: window.prelabel.job is None, timeout=30_000)
    window.wait_until_idle()
    report = window.prelabel.last_report
    assert (report.predicted, report.tasks) == (2, 3)
    assert [(f.task_id, f.reason) for f in report.failures] == [(tasks["img1.png"].id,
                                                                 "image not downloaded yet: waiting for sync")]
    predictor = Predictor.load(text_model, provider="cpu")
    assert stored_shapes(window.session.reader, tasks["bar.jpg"]) == expected(predictor, tmp_path / "bar.jpg",
                                                                               tasks["bar.jpg"])
    assert len([a for a in window.session.editor.doc if a.source.is_model]) == 1  # the task on show reloaded
    assert window.session.schema.names() == ["car", "person"]  # the server's schema, not grown by the model
    window.close()


def test_a_damaged_cache_file_fails_with_its_reason(synced, keys):
    path, tasks = synced
    with Workspace.open(path, readonly=True) as ws:
        cache = keys.media_cache(ws)
    bar = tasks["bar.jpg"]
    cache.path(media_sha(bar)).write_bytes(b"\0" * 64)
    with pytest.raises(ValueError, match="cached media is damaged"):
        cached_media_bytes(cache, bar.media_path)
    with pytest.raises(MediaPending, match=NOT_DOWNLOADED):
        cached_media_bytes(cache, tasks["img1.png"].media_path)
    assert cached_media_bytes(cache, "/photos/plain.jpg") is None
