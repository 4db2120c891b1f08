"""The main window driven like a person would: real keys and mouse on the demo workspace, checked in the database."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from core.annotation import TaskStatus
from desktop.demo import make_demo
from desktop.main_window import MainWindow
from desktop.settings import Settings, load_settings
from sync.workspace import Workspace


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    make_demo(directory, images=6).close()
    return directory


@pytest.fixture
def demo_dir(demo_template, tmp_path):
    import shutil

    target = tmp_path / "demo"
    shutil.copytree(demo_template, target)
    # Media paths are stored absolute: point the copy's tasks at the template's images (read-only use).
    return target / "workspace"


@pytest.fixture
def window(qtbot, demo_dir):
    w = MainWindow(Settings())
    qtbot.addWidget(w)
    w.open_workspace(demo_dir)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w
    w.close()


def mouse(widget, kind, pos, button, buttons):
    event = QMouseEvent(kind, QPointF(pos), widget.mapToGlobal(QPointF(pos)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag_on_canvas(window, start, end):
    """Drag between two image points through the canvas viewport."""
    canvas = window.canvas
    a, b = canvas.mapFromScene(QPointF(*start)), canvas.mapFromScene(QPointF(*end))
    left = Qt.MouseButton.LeftButton
    mouse(canvas.viewport(), QEvent.Type.MouseButtonPress, a, left, left)
    for i in range(1, 6):
        mouse(canvas.viewport(), QEvent.Type.MouseMove, a + (b - a) * i / 5, Qt.MouseButton.NoButton, left)
    mouse(canvas.viewport(), QEvent.Type.MouseButtonRelease, b, left, Qt.MouseButton.NoButton)


def stored(demo_dir, task_id):
    with Workspace.open(demo_dir, readonly=True) as ws:
        return ws.annotations(task_id)


def test_a_box_drawn_with_keys_and_mouse_is_stored_at_once(qtbot, window, demo_dir):
    task_id = window.session.task.id
    before = len(stored(demo_dir, task_id))
    qtbot.keyClick(window.canvas, Qt.Key.Key_R)
    qtbot.keyClick(window.canvas, Qt.Key.Key_2)
    assert window.session.editor.tool == "box" and window.session.editor.current_label == "person"
    drag_on_canvas(window, (100, 120), (260, 300))
    window.wait_until_idle()
    qtbot.waitUntil(lambda: window.save_label.text() == "All changes saved")
    after = stored(demo_dir, task_id)
    assert len(after) == before + 1
    new = [a for a in after if a.label == "person" and a.author == window.session.reader.author]
    assert new and abs(new[-1].shape.x - 100) < 2 and abs(new[-1].shape.h - 180) < 2
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window.wait_until_idle()
    assert len(stored(demo_dir, task_id)) == before


def test_keyboard_navigation_and_submit(qtbot, window, demo_dir):
    first = window.session.task.id
    qtbot.keyClick(window.canvas, Qt.Key.Key_D)
    assert window.session.task.id > first
    qtbot.keyClick(window.canvas, Qt.Key.Key_A)
    assert window.session.task.id == first
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    window.wait_until_idle()
    with Workspace.open(demo_dir, readonly=True) as ws:
        assert ws.task(first).status is TaskStatus.DONE
    assert window.session.task.id != first and window.session.task.status is not TaskStatus.DONE
    assert window.task_label.text().startswith(f"Task {window.session.task.id}")


def test_the_app_reopens_where_the_user_left_off(qtbot, demo_dir):
    w = MainWindow(Settings())
    qtbot.addWidget(w)
    w.open_workspace(demo_dir)
    w.go(1)
    w.go(1)
    task_id = w.session.task.id
    w._label_chosen("truck")
    w.close()
    reopened = MainWindow(load_settings())
    qtbot.addWidget(reopened)
    reopened.open_workspace(demo_dir)
    assert reopened.session.task.id == task_id
    assert reopened.session.editor.current_label == "truck"
    reopened.close()


def test_adding_a_folder_runs_in_the_background_and_reports_bad_files(qtbot, window, tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    cv2.imwrite(str(folder / "good.png"), np.full((40, 60, 3), 90, np.uint8))
    (folder / "empty.jpg").write_bytes(b"")
    count = window.session.reader.task_count()
    job = window.add_media([folder])
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    assert window.session.reader.task_count() == count + 2
    errors = window.session.reader.tasks(0, 10, TaskStatus.ERROR)
    assert [t.name for t in errors] == ["empty.jpg"] and errors[0].error
    window.show_task(errors[0].id)
    assert window.canvas.message.isVisible() and "empty.jpg" in window.canvas.message.text()


def test_label_hotkeys_are_typed_into_text_fields_not_taken_as_labels(qtbot, window):
    editor = window.session.editor
    sign = next((a for a in editor.doc if a.label == "traffic sign"), None)
    if sign is None:
        pytest.skip("this demo image has no sign")
    editor.select([sign.id])
    field = window.attributes.fields["text"].widget
    qtbot.waitUntil(lambda: (field.setFocus(), field.hasFocus())[1])  # as a click in it would: keys go where focus is
    qtbot.keyClicks(field, "42")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    window.wait_until_idle()
    assert editor.doc.get(sign.id).attributes["text"] == "42"
    assert editor.current_label != "person"


def test_new_tools_tags_and_copy_from_previous_task_through_the_window(qtbot, window, demo_dir):
    first = window.session.task.id
    qtbot.keyClick(window.canvas, Qt.Key.Key_O)
    assert window.session.editor.tool == "rotated_box" and window.actions_by_id["tool.rotated_box"].isChecked()
    drag_on_canvas(window, (300, 300), (420, 380))
    window.wait_until_idle()
    kinds = [a.kind for a in stored(demo_dir, first)]
    assert "rotated_box" in kinds
    qtbot.keyClick(window.canvas, Qt.Key.Key_9)  # "night" is a single-choice tag label: replaces "day"
    window.wait_until_idle()
    assert sorted(a.label for a in stored(demo_dir, first) if a.kind == "tag") == ["night"]
    assert window.tags.item(1).checkState() == Qt.CheckState.Checked
    count = len(stored(demo_dir, first))
    qtbot.keyClick(window.canvas, Qt.Key.Key_D)
    second = window.session.task.id
    before = len(stored(demo_dir, second))
    window.actions_by_id["edit.paste_previous"].trigger()
    window.wait_until_idle()
    copied = stored(demo_dir, second)
    assert len(copied) > before and len(copied) - before <= count
