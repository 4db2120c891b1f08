"""File → Connect to a server… against a real server on loopback: sign in, choose a project, clone with progress,
and the app opens the new workspace; a wrong password and an unreachable server say so in words; Cancel in the middle
of a sign-in or of a clone (at any of its requests, held in a proxy as on a slow network) stops it, leaves no half
workspace and the dialog usable at once; Sync now from the key, the menu and the status label; switching user."""

import json
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop import connect, sync_status
from desktop.main_window import MainWindow
from desktop.settings import Settings
from sync.workspace import Workspace
from tests.holding_proxy import HoldingProxy
from tests.server_fixtures import PASSWORD, free_port, seed
from tests.sync_client_helpers import memory_keys

ROUND_MS = 20_000


@pytest.fixture
def keyring_items(tmp_path):
    keys, backend = memory_keys(tmp_path)
    yield keys, backend.items
    Workspace.codec_provider = None


@pytest.fixture
def window(qtbot, keyring_items, tmp_path, monkeypatch):
    monkeypatch.setattr(connect, "WORKSPACES", tmp_path / "Annodesk")
    window = MainWindow(Settings(), keyring_items[0])
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    yield window
    window.close()


def sign_in(qtbot, dialog, server, user, password=PASSWORD):
    dialog.server.setText(server)
    dialog.user.setText(user)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def on_projects_page(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1 and dialog.clone_button.isEnabled(), timeout=ROUND_MS)


def clone(qtbot, dialog, folder):
    dialog.folder.setText(str(folder))
    qtbot.mouseClick(dialog.clone_button, Qt.MouseButton.LeftButton)


def test_connect_choose_a_project_clone_with_progress_and_open_it(qtbot, server_factory, window, keyring_items,
                                                                   tmp_path):
    live = server_factory()
    seed(live, tmp_path)
    shown = []
    dialog = window.connector.connect_to_server()
    dialog.show_progress = lambda text, done, total, show=dialog.show_progress: (shown.append((text, done, total)),
                                                                                   show(text, done, total))
    sign_in(qtbot, dialog, live.url, "ann1")
    on_projects_page(qtbot, dialog)
    assert [dialog.projects.item(i).text() for i in range(dialog.projects.count())] == ["streets"]
    assert dialog.folder.text() == str(tmp_path / "Annodesk" / "streets")  # a new folder named after the project
    stored = json.loads(keyring_items[1][f"annodesk\0token:{live.url}:ann1"])  # as `annodesk login` stores it
    assert stored["client_id"] and f"annodesk\0device:{live.url}:ann1" in keyring_items[1]

    clone(qtbot, dialog, tmp_path / "mine")
    assert dialog.cloning and not dialog.pages.isEnabled()
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=ROUND_MS)
    assert not dialog.isVisible() and window.session.path == tmp_path / "mine"
    assert window.session.reader.task_count() == 2 and window.session.image is not None
    assert [s[1:] for s in shown] == [(0, 2), (1, 2), (2, 2)] and shown[-1][0] == "Downloading media: 2 / 2 files"
    qtbot.waitUntil(lambda: window.sync_status.label.text() == "Up to date", timeout=ROUND_MS)
    assert f"annodesk\0workspace:{window.session.reader.workspace_id}" in keyring_items[1]


def test_wrong_password_and_unreachable_server_are_said_in_words(qtbot, server_factory, window, tmp_path):
    live = server_factory()
    seed(live, tmp_path)
    dialog = window.connector.connect_to_server()
    sign_in(qtbot, dialog, live.url, "ann1", "guess")
    qtbot.waitUntil(lambda: dialog.message.text() == "Wrong user name or password.", timeout=ROUND_MS)
    assert dialog.pages.currentIndex() == 0 and dialog.pages.isEnabled()
    gone = f"http://127.0.0.1:{free_port()}"
    sign_in(qtbot, dialog, gone, "ann1")
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Cannot reach"), timeout=ROUND_MS)
    assert dialog.message.text() == f"Cannot reach {gone}: check the address and this computer's network connection."
    sign_in(qtbot, dialog, "http://", "ann1")
    assert "is not a server address" in dialog.message.text()
    assert connect.server_address("annodesk.example.org/api/v1/") == "https://annodesk.example.org"


def test_cancel_in_the_middle_of_a_clone_leaves_nothing(qtbot, server_factory, window, keyring_items, tmp_path,
                                                          monkeypatch):
    live = server_factory()
    seed(live, tmp_path)
    finish = sync_status.WatchedCache.finish
    downloaded, cancelled = threading.Event(), threading.Event()

    def finish_then_wait(cache, sha):  # the first file is in: the clone waits there until Cancel is pressed
        finish(cache, sha)
        downloaded.set()
        assert cancelled.wait(10)

    def cancel_mid_clone(folder):
        downloaded.clear()
        cancelled.clear()
        clone(qtbot, dialog, folder)
        qtbot.waitUntil(downloaded.is_set, timeout=ROUND_MS)
        job = window.jobs[-1]
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # the dialog's Cancel: usable again at once
        assert dialog.message.text().startswith("Cancelled") and dialog.pages.isEnabled()
        assert dialog.isVisible() and dialog.pages.currentIndex() == 1  # to choose again, or close
        cancelled.set()
        assert job.wait(10)  # the clone stops at its next file and removes its staging folder
        assert list(folder.parent.glob(f".{folder.name}.*")) == []

    monkeypatch.setattr(sync_status.WatchedCache, "finish", finish_then_wait)
    dialog = window.connector.connect_to_server()
    sign_in(qtbot, dialog, live.url, "ann1")
    on_projects_page(qtbot, dialog)
    before = set(keyring_items[1])
    cancel_mid_clone(tmp_path / "half")
    assert not (tmp_path / "half").exists() and window.session is None
    assert set(keyring_items[1]) - before == {f"annodesk\0opbase:{live.url}:ann1"}  # no workspace key is left

    (tmp_path / "empty").mkdir()
    cancel_mid_clone(tmp_path / "empty")  # a chosen empty folder is kept, emptied
    assert list((tmp_path / "empty").iterdir()) == []
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    monkeypatch.setattr(sync_status.WatchedCache, "finish", finish)
    clone(qtbot, dialog, tmp_path / "full")
    qtbot.waitUntil(lambda: "is not an empty folder" in dialog.message.text(), timeout=ROUND_MS)
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]
    dialog.reject()
    assert not dialog.isVisible()


def test_sync_now_by_key_menu_and_label_then_switch_user(qtbot, server_factory, window, tmp_path):
    live = server_factory()
    seed(live, tmp_path)
    dialog = window.connector.connect_to_server()
    sign_in(qtbot, dialog, live.url, "ann1")
    on_projects_page(qtbot, dialog)
    clone(qtbot, dialog, tmp_path / "ann1")
    status = window.sync_status
    qtbot.waitUntil(lambda: status.label.text() == "Up to date", timeout=ROUND_MS)
    action = window.actions_by_id["sync.now"]
    assert action.shortcut().toString() == "Ctrl+Shift+S"
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert {"Connect to a server…", "Sync now", "Sync details…", "Sign out", "Switch user…"} <= {
        a.text() for a in file_menu.actions()}
    for how in (action.trigger, lambda: qtbot.mouseClick(status.label, Qt.MouseButton.LeftButton)):
        with qtbot.waitSignal(status.state_changed, timeout=ROUND_MS):
            how()

    window.connector.switch_user()  # sign out of ann1, then sign in as ann2 on the same server
    qtbot.waitUntil(lambda: window.connector.question is not None)
    window.connector.question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: window.connector.dialog is not dialog and window.connector.dialog is not None
                    and window.connector.dialog.isVisible(), timeout=ROUND_MS)
    qtbot.waitUntil(lambda: status.label.text().startswith("Signed out"), timeout=ROUND_MS)
    switched = window.connector.dialog
    assert (switched.server.text(), switched.user.text()) == (live.url, "")
    sign_in(qtbot, switched, live.url, "ann2")
    on_projects_page(qtbot, switched)
    clone(qtbot, switched, tmp_path / "ann2")
    qtbot.waitUntil(lambda: window.session is not None and window.session.path == tmp_path / "ann2"
                    and window.session.task is not None, timeout=ROUND_MS)
    assert window.session.reader.task_count() == 1  # ann2's one task
    qtbot.waitUntil(lambda: status.label.text() == "Up to date", timeout=ROUND_MS)


@pytest.fixture
def proxy(server_factory, tmp_path):
    """The seeded server behind a proxy that can hold one request."""
    live = server_factory()
    seed(live, tmp_path)
    proxy = HoldingProxy(live.url)
    yield proxy
    proxy.close()


def test_cancel_while_signing_in_stops_it_and_the_dialog_is_usable_at_once(qtbot, proxy, window, keyring_items):
    dialog = window.connector.connect_to_server()
    proxy.hold(b"POST /api/v1/auth/login")
    sign_in(qtbot, dialog, proxy.url, "ann1")
    assert proxy.held.wait(10)
    job = window.connector.job
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # while the server has not answered yet
    assert dialog.isVisible() and dialog.pages.isEnabled() and dialog.pages.currentIndex() == 0
    assert dialog.message.text() == "Sign-in cancelled." and dialog.sign_in_button.isEnabled()
    proxy.release()  # the answer comes, and is dropped: no session is stored, the dialog stays where it is
    assert job.wait(10)
    qtbot.wait(50)
    assert dialog.pages.currentIndex() == 0 and dialog.message.text() == "Sign-in cancelled."
    assert f"annodesk\0token:{proxy.url}:ann1" not in keyring_items[1]
    sign_in(qtbot, dialog, proxy.url, "ann1")  # the next try signs in
    on_projects_page(qtbot, dialog)


@pytest.mark.parametrize("step", [b"GET /api/v1/projects ", b"GET /api/v1/sync/pull", b"GET /api/v1/media/"],
                         ids=["projects", "pull", "media"])
def test_cancel_at_any_request_of_a_clone_leaves_no_folder(qtbot, proxy, window, keyring_items, tmp_path, step):
    dialog = window.connector.connect_to_server()
    sign_in(qtbot, dialog, proxy.url, "ann1")
    on_projects_page(qtbot, dialog)
    before = set(keyring_items[1])
    proxy.hold(step)
    clone(qtbot, dialog, tmp_path / "mine")
    assert proxy.held.wait(10)
    job = window.jobs[-1]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.message.text() == "Cancelled: nothing was kept. Choose a project to try again."
    assert dialog.pages.isEnabled() and dialog.clone_button.isEnabled() and not dialog.working
    assert not (tmp_path / "mine").exists()
    proxy.release()
    assert job.wait(10)
    assert not (tmp_path / "mine").exists() and list(tmp_path.glob(".mine.*")) == [] and window.session is None
    assert set(keyring_items[1]) - before <= {f"annodesk\0opbase:{proxy.url}:ann1"}  # no workspace key is left
    clone(qtbot, dialog, tmp_path / "mine")  # the same folder again: made whole, moved into place, opened
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=ROUND_MS)
    assert window.session.path == tmp_path / "mine" and list(tmp_path.glob(".mine.*")) == []
