"""The app on a synced (cloned, encrypted) workspace with a real server on loopback: images from the encrypted media
cache, the open task reloaded in place after a sync round, and the workspace key read without freezing the window."""

import dataclasses
import time

import cv2
import keyring
import keyring.backends.fail
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer

from core.annotation import Annotation
from core.document import AnnotationDoc
from core.media import decode_image, decode_image_bytes
from core.schema import LabelSchema
from core.shapes import Box
from desktop import sync_status
from desktop.main_window import MainWindow
from desktop.rebase import RebasingWorkspace
from desktop.reload import RETRY_MS, gesture_in_progress
from desktop.settings import Settings
from sync.client.at_rest import KeyRing
from sync.client.credentials import Credentials
from sync.client.store import SyncStore
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD, SCHEMA, ServerProcess, seed, write_png
from tests.sync_client_helpers import MemoryKeyring, add, clone_for, memory_keys
from tests.test_app import mouse

ROUND_S = 20_000
SCALE = 16  # screen pixels per image pixel in the reload test
BOX = {"label": "car", "kind": "box", "geometry": [10, 8, 24, 18]}


@pytest.fixture
def make_window(qtbot):
    windows = []

    def make(keys=None):
        window = MainWindow(Settings(), keys)
        qtbot.addWidget(window)
        window.resize(1200, 800)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def local_task(ws, name):
    return next(t for t in ws.tasks(0, 100) if t.name == name)


def opened(window, qtbot):
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=ROUND_S)
    return window.session


def round_done(window, qtbot):
    """Run one sync round now and wait for the app to have handled it."""
    with qtbot.waitSignal(window.sync_status.state_changed, timeout=ROUND_S):
        window.sync_status.sync_now()


def shown_view(canvas):
    """Zoom and the image point at the centre of the view (docks may resize the view: its centre stays)."""
    centre = canvas.mapToScene(canvas.viewport().rect().center())
    return canvas.scale_factor(), centre.x(), centre.y()


def server_annotations(session, server_task):
    return {a["id"]: a for a in session.get(f"/tasks/{server_task}/annotations").json()["items"]}


def test_bytes_decode_like_files_exif_and_16_bit(tmp_path):
    """What the cache hands over (bytes) decodes exactly as the file would: EXIF orientation, 16-bit, grey."""
    exif = Image.Exif()
    exif[0x0112] = 6  # turned by 90 degrees
    jpeg = tmp_path / "turned.jpg"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (20, 40, 3), dtype=np.uint8)).save(jpeg, exif=exif)
    png16 = tmp_path / "deep.png"
    cv2.imwrite(str(png16), np.random.default_rng(2).integers(0, 65535, (10, 12), dtype=np.uint16))
    for path in (jpeg, png16):
        from_bytes = decode_image_bytes(path.read_bytes(), path.name)
        assert np.array_equal(from_bytes, decode_image(path))
    assert decode_image_bytes(jpeg.read_bytes()).shape[:2] == (40, 20)
    assert decode_image_bytes(png16.read_bytes()).dtype == np.uint16
    with pytest.raises(ValueError, match=r"broken\.png: cannot decode"):
        decode_image_bytes(b"not an image", "broken.png")


def test_synced_image_waits_for_download_and_appears_without_restart(qtbot, server_factory, keys, tmp_path,
                                                                      monkeypatch, make_window):
    monkeypatch.setattr(sync_status, "RETRY_MS", (200, 400))
    live = server_factory()
    seed(live, tmp_path)
    with clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys) as ws:
        task = local_task(ws, "img0.png")
        sha = task.media_path.split(":")[1]
        keys.media_cache(ws).path(sha).unlink()  # as if the download had not happened yet
        with ws.transaction() as conn:
            conn.execute("UPDATE sync_media SET done = 0 WHERE sha256 = ?", (sha,))
    live.stop()
    server = ServerProcess(live.config.data_dir, port=live.port)  # offline until started
    try:
        window = make_window(keys)
        window.open_workspace(tmp_path / "ann1", task.id)
        session = opened(window, qtbot)
        assert session.image is None and not session.huge
        assert window.canvas.message.text() == "Cannot show img0.png: image not downloaded yet: waiting for sync"
        qtbot.waitUntil(lambda: window.sync_status.label.text().startswith("Offline"), timeout=ROUND_S)
        assert window.canvas.message.isVisible()
        server.start()  # the retry timer syncs; the image appears in the open task
        qtbot.waitUntil(lambda: window.session.image is not None, timeout=30_000)
        assert np.array_equal(window.session.image, cv2.imread(str(tmp_path / "img0.png")))
        assert not window.canvas.message.isVisible() and not window.canvas.image_rect().isEmpty()
        window.go(1)  # the next task's image is in the cache (decoded ahead from memory, no file)
        assert window.session.task.name == "img1.png"
        assert np.array_equal(window.session.image, cv2.imread(str(tmp_path / "img1.png")))
    finally:
        server.kill()


def test_open_task_follows_sync_rounds_and_keeps_edits(qtbot, server_factory, keys, tmp_path, make_window):
    live = server_factory()
    seeded = seed(live, tmp_path)
    lead = seeded.sessions["lead"]
    server_task = seeded.task_ids[0]
    lead.push([lead.op(server_task, "a1", BOX)])
    clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys).close()
    window = make_window(keys)
    window.open_workspace(tmp_path / "ann1")
    session = opened(window, qtbot)
    qtbot.waitUntil(lambda: window.sync_status.label.text() == "Up to date", timeout=ROUND_S)
    assert session.task.name == "img0.png" and "a1" in session.editor.doc
    assert window.tasks.model.rowCount() == 2

    # The view state a reload must keep: zoom and scroll, tool, label, selection.
    window.canvas.set_scale(SCALE)  # the 64x48 image overflows the view: it can be scrolled
    window.canvas.horizontalScrollBar().setValue(40)
    window.canvas.verticalScrollBar().setValue(30)
    view = shown_view(window.canvas)
    editor = session.editor
    editor.set_label("person")
    editor.select(["a1"])

    # A reviewer relabels a1 and draws a2, and assigns one more task; the round shows it all in place.
    lead.push([lead.op(server_task, "a1", {"label": "person"}, base=1),
               lead.op(server_task, "a2", {**BOX, "geometry": [30, 20, 10, 10]})])
    assert lead.post(f"/tasks/{seeded.task_ids[2]}/assign", json={"user": "ann1"}).status_code == 200
    round_done(window, qtbot)
    qtbot.waitUntil(lambda: session.editor is not editor)  # reloaded
    editor = session.editor
    assert editor.doc.get("a1").label == "person" and "a2" in editor.doc
    assert shown_view(window.canvas) == pytest.approx(view, abs=1 / SCALE)
    assert (editor.tool, editor.current_label, editor.selection) == ("select", "person", ("a1",))
    assert window.canvas.editor is editor and window.shapes.editor is editor
    assert window.tasks.model.rowCount() == 3

    # A drag is in progress when the next round changes the dragged shape: the reload waits for the drag to end,
    # the moved shape keeps the reviewer's new label, and the move goes up in the next round.
    lead.push([lead.op(server_task, "a1", {"attributes": {"occluded": True}}, base=2)])
    x, y, w, h = BOX["geometry"]
    start = QPointF(window.canvas.mapFromScene(QPointF(x + w / 2, y + h / 2)))
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    viewport = window.canvas.viewport()
    assert viewport.rect().contains(start.toPoint())
    mouse(viewport, QEvent.Type.MouseButtonPress, start, left, left)
    for i in range(1, 6):
        mouse(viewport, QEvent.Type.MouseMove, start + QPointF(SCALE * i, 0), none, left)
    assert gesture_in_progress(editor)
    round_done(window, qtbot)
    qtbot.waitUntil(lambda: window.reloader.timer.interval() == RETRY_MS)  # the reload waits for the drag
    assert session.editor is editor
    mouse(viewport, QEvent.Type.MouseButtonRelease, start + QPointF(SCALE * 5, 0), left, none)
    qtbot.waitUntil(lambda: session.editor is not editor, timeout=5_000)  # reloaded once the drag ended
    moved = session.editor.doc.get("a1")
    assert moved.shape.x == pytest.approx(x + 5, abs=0.01) and moved.attributes == {"occluded": True}
    assert moved.label == "person"
    assert not window.save_label.text().startswith("Could not")
    assert session.editor.selection == ("a1",)
    round_done(window, qtbot)
    assert window.sync_status.label.text() == "Up to date"
    remote = server_annotations(lead, server_task)["a1"]["fields"]
    assert remote["geometry"][0] == pytest.approx(x + 5, abs=0.01)
    assert remote["attributes"] == {"occluded": True} and remote["label"] == "person"


class SlowKeyring(MemoryKeyring):
    """A keyring that takes its time to answer (a locked desktop keyring, a slow D-Bus)."""

    def get_password(self, service, username):
        time.sleep(0.6)
        return super().get_password(service, username)


def test_unlocking_with_a_slow_keyring_keeps_the_window_responsive(qtbot, server_factory, tmp_path, make_window):
    live = server_factory()
    seed(live, tmp_path)
    previous = keyring.get_keyring()
    fast, backend = memory_keys(tmp_path)
    try:
        clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", fast).close()
        keyring.set_keyring(SlowKeyring(backend.items))
        keys = KeyRing(Credentials(tmp_path / "vault.json"))
        keys.install()
        window = make_window(keys)
        ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start(20)
        began = time.monotonic()
        window.open_workspace(tmp_path / "ann1")
        assert time.monotonic() - began < 0.4  # the key (0.6 s) is read on a worker
        assert window.canvas.message.text() == "Unlocking workspace…" and window.session is None
        session = opened(window, qtbot)
        took = time.monotonic() - began
        timer.stop()
        assert took >= 0.6
        assert len([t for t in ticks if t < began + took]) >= 0.6 / 0.02 / 3  # the event loop kept running
        assert session.image is not None and session.task.name == "img0.png"
    finally:
        Workspace.codec_provider = None
        keyring.set_keyring(previous)


def test_passphrase_is_asked_in_a_dialog_and_cancel_leaves_the_app_running(qtbot, server_factory, tmp_path,
                                                                           monkeypatch, make_window):
    live = server_factory()
    seed(live, tmp_path)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # no OS keyring: the passphrase vault
    vault = tmp_path / "vault.json"
    monkeypatch.setattr(sync_status, "vault_path", lambda: vault)
    try:
        keys = KeyRing(Credentials(vault, lambda _prompt: "open sesame"))
        keys.install()
        clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys).close()
        Workspace.codec_provider = None
        window = make_window()  # the app's own keys: the vault with a passphrase dialog
        prompt = window.sync_status.prompt
        window.open_workspace(tmp_path / "ann1")
        qtbot.waitUntil(lambda: prompt.dialog is not None and prompt.dialog.isVisible(), timeout=ROUND_S)
        assert window.canvas.message.text() == "Unlocking workspace…"
        prompt.dialog.reject()
        qtbot.waitUntil(lambda: "no passphrase given" in window.canvas.message.text())
        assert "To try again: File → Open workspace" in window.canvas.message.text() and window.session is None
        assert window.isVisible()

        window.open_workspace(tmp_path / "ann1")  # again, with the passphrase
        qtbot.waitUntil(lambda: prompt.dialog is not None and prompt.dialog.isVisible(), timeout=ROUND_S)
        prompt.dialog.setTextValue("open sesame")
        prompt.dialog.accept()
        session = opened(window, qtbot)
        assert session.image is not None and session.task.name == "img0.png"
        qtbot.waitUntil(lambda: window.sync_status.label.text() == "Up to date", timeout=ROUND_S)
    finally:
        Workspace.codec_provider = None
        keyring.set_keyring(previous)


def test_edits_from_a_stale_copy_are_replayed_on_the_newer_version(tmp_path):
    """The writer's side of the reload test, edit by edit: a round stored a newer version of a shape the editor
    still shows; each later edit from that copy keeps the newer fields it did not touch (no overwrite, no failure)."""
    ws = RebasingWorkspace.create(tmp_path / "ws", LabelSchema.from_json(SCHEMA))
    try:
        ws.add_media([write_png(tmp_path / "img.png")])
        (task,) = ws.tasks()
        shown = add(ws, task.id, [Annotation("a1", task.id, "car", Box(10, 8, 24, 18))])[0]
        ws.remember([shown])
        with ws.transaction() as conn:  # what a pull stores: the reviewer's label, at a newer local revision
            fields = {"label": "person", "kind": "box", "geometry": [10, 8, 24, 18]}
            SyncStore(ws).write_annotation(conn, "a1", task.id, fields, "lead", False, 0.0)
        doc = AnnotationDoc(task.id, [shown])
        doc.put(dataclasses.replace(doc.get("a1"), shape=Box(15, 8, 24, 18)))  # a move from the stale copy
        ws.commit(task.id, doc.take_changes())
        doc.put(dataclasses.replace(doc.get("a1"), attributes={"occluded": True}))  # and one more edit
        ws.commit(task.id, doc.take_changes())
        (stored,) = ws.annotations(task.id)
        assert (stored.label, stored.shape, stored.attributes) == ("person", Box(15, 8, 24, 18), {"occluded": True})
        assert ws.pending_changes() == 4  # the add, the task started, both edits: all go up in the next round
        doc.remove("a1")
        ws.commit(task.id, doc.take_changes())
        assert ws.annotations(task.id) == []
    finally:
        ws.close()
