"""The welcome page (desktop/welcome.py, widgets/welcome_page.py) on the real window, offscreen: shown with no
workspace, its docks and bars hidden and back once a workspace opens; the recent list (from the settings, only the
folders still there) opens its row on Enter; "Open a workspace…" through the real folder dialog, with a clear error
for a folder that is not one; "New workspace from a folder of media…" makes a workspace from generated images in the
background (and Cancel leaves no folder); "Open the demo"; "Connect to a server…"; the theme restyles it."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop import connect
from desktop.main_window import MainWindow
from desktop.settings import RECENT, Settings, load_settings
from desktop.welcome import last_workspace, recent_workspaces
from sync.workspace import Workspace
from widgets.theme import apply_theme

WAIT_MS = 30_000


@pytest.fixture
def window(qtbot, keys, tmp_path, monkeypatch):
    monkeypatch.setattr(connect, "WORKSPACES", tmp_path / "Annodesk")
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    yield window
    window.close()


def workspace(folder: Path) -> Path:
    Workspace.create(folder).close()
    return folder


def images(folder: Path, count: int, broken: int = 0) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(3)
    for i in range(count):
        cv2.imwrite(str(folder / f"frame_{i:03d}.png"), rng.integers(0, 255, (48, 64, 3), np.uint8))
    for i in range(broken):
        (folder / f"broken_{i}.png").write_bytes(b"not a picture")
    return folder


def choose_in_dialog(qtbot, folder: Path) -> None:
    """Answer the next folder dialog (Qt's own, offscreen) with `folder`, as a person would."""
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        dialog.setDirectory(str(folder))  # in a folder dialog, OK with nothing typed takes the folder shown
        dialog.accept()

    QTimer.singleShot(20, answer)


def test_recent_list_and_last_workspace_come_from_the_settings_and_skip_what_is_gone(tmp_path):
    first, second = workspace(tmp_path / "first"), workspace(tmp_path / "second")
    settings = Settings()
    assert last_workspace(settings) is None and recent_workspaces(settings) == []
    for folder in (first, second, first, tmp_path / "gone"):
        settings.remember_workspace(str(folder))
    assert settings.recent_workspaces == [str(tmp_path / "gone"), str(first), str(second)]  # newest first, once
    assert recent_workspaces(settings) == [first, second] and last_workspace(settings) is None  # "gone" is not there
    for i in range(RECENT + 3):
        settings.remember_workspace(f"/nowhere/{i}")
    assert len(settings.recent_workspaces) == RECENT
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text('{"recent_workspaces": ["/a", 3], "last_workspace": "/a"}')
    loaded = load_settings(tmp_path / "config" / "settings.json")  # a hand-edited list of the wrong type: default
    assert loaded.recent_workspaces == [] and loaded.last_workspace == "/a"


def test_page_hides_the_docks_and_the_recent_row_opens_on_enter(qtbot, window, tmp_path):
    first, second = workspace(tmp_path / "first"), workspace(tmp_path / "second")
    window.settings.recent_workspaces = [str(second), str(tmp_path / "gone"), str(first)]
    page = window.welcome.show()
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    assert window.central.currentWidget() is page and window.windowTitle() == "Annodesk"
    assert not any(dock.isVisible() for dock in window.docks.values()) and not window.statusBar().isVisible()
    assert window.focusWidget() is page.connect_button
    assert [page.recent.item(i).data(Qt.ItemDataRole.UserRole) for i in range(page.recent.count())] == [
        str(second), str(first)]
    for expected in (page.open_button, page.new_button, page.demo_button, page.recent):  # Tab walks the page
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        assert window.focusWidget() is expected
    page.recent.setCurrentRow(1)
    qtbot.keyClick(page.recent, Qt.Key.Key_Return)
    assert window.session is not None and window.session.path == first
    assert window.central.currentWidget() is window.video.view and not window.welcome.shown
    assert window.docks["Tasks"].isVisible() and window.statusBar().isVisible()
    assert window.settings.recent_workspaces[0] == str(first.resolve())


def test_open_a_workspace_through_the_folder_dialog_and_a_folder_that_is_not_one(qtbot, window, tmp_path):
    target = workspace(tmp_path / "mine")
    (tmp_path / "plain").mkdir()
    page = window.welcome.show()
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    choose_in_dialog(qtbot, tmp_path / "plain")
    qtbot.keyClick(page.open_button, Qt.Key.Key_Return)  # Enter presses it
    assert window.session is None and window.welcome.shown
    assert page.message.text() == (f"{tmp_path / 'plain'} is not an Annodesk workspace (it has no workspace.db): "
                                   "choose the folder that Annodesk made.")
    assert page.open_button.shortcut() == QKeySequence("Alt+O")  # its mnemonic, underlined in its title
    assert page.open_button.title.text() == "<u>O</u>pen a workspace…"
    choose_in_dialog(qtbot, target)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert window.session is not None and window.session.path == target and not window.welcome.shown


def test_new_workspace_from_a_folder_of_images_in_the_background(qtbot, window, tmp_path):
    media = images(tmp_path / "street photos", 5, broken=1)
    page = window.welcome.show()
    window.show()
    shown = []
    page.progress.valueChanged.connect(lambda value: shown.append((value, page.progress.maximum())))
    choose_in_dialog(qtbot, media)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert not page.open_button.isEnabled() and page.cancel_button.isVisible()  # busy, with Cancel
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=WAIT_MS)
    made = tmp_path / "Annodesk" / "street photos"
    assert window.session.path == made and window.session.reader.task_count() == 6
    with Workspace.open(made, readonly=True) as ws:
        stats = ws.stats()["tasks"]
        assert stats["total"] == 6 and stats["error"] == 1  # the broken file is a task with its reason
        assert "car" in ws.schema.names()  # the default labels, as the demo has
    assert window.statusBar().currentMessage() == f"Made {made}: 6 tasks, 1 of them unreadable"
    assert shown and shown[-1] == (6, 6)


def test_cancel_while_making_a_workspace_leaves_no_folder(qtbot, window, tmp_path):
    media = images(tmp_path / "many", 300)
    page = window.welcome.show()
    window.show()
    choose_in_dialog(qtbot, media)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    job = window.welcome.job
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "Cancelling…"
    assert job.wait(WAIT_MS)
    qtbot.waitUntil(lambda: page.message.text() == "Cancelled: no workspace was made.", timeout=WAIT_MS)
    assert not (tmp_path / "Annodesk" / "many").exists() and page.new_button.isEnabled() and window.session is None
    assert window.welcome.shown


def test_a_folder_without_media_is_refused_by_name(qtbot, window, tmp_path):
    (tmp_path / "empty").mkdir()
    page = window.welcome.show()
    window.show()
    choose_in_dialog(qtbot, tmp_path / "empty")
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "has no images, videos or recordings" in page.message.text(), timeout=WAIT_MS)
    assert str(tmp_path / "empty") in page.message.text() and not (tmp_path / "Annodesk" / "empty").exists()


def test_open_the_demo_and_connect_to_a_server(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where platformdirs puts the user data folder
    page = window.welcome.show()
    window.show()
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    dialog = window.connector.dialog
    assert dialog is not None and dialog.isVisible() and dialog.focusWidget() is dialog.server
    dialog.reject()
    qtbot.keyClick(page.demo_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=WAIT_MS)
    assert window.session.path == tmp_path / "data" / "annodesk" / "demo" / "workspace"
    assert window.session.reader.task_count() > 10


def test_theme_change_restyles_the_cards_and_closing_keeps_the_working_window_state(qtbot, window):
    page = window.welcome.show()
    window.show()
    try:
        apply_theme("dark")
        assert "#232323" in page.open_button.styleSheet()  # the dark theme's base colour
        apply_theme("light")
        assert "#ffffff" in page.open_button.styleSheet()
    finally:
        apply_theme("light")
    window.close()  # from the welcome page: the state saved has the docks as they were before it hid them
    reopened = MainWindow(load_settings())
    qtbot.addWidget(reopened)
    reopened.show()
    assert reopened.docks["Tasks"].isVisible()
    reopened.close()
