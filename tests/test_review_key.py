"""Ctrl+Alt+R shows the Review dock (closed, or tabbed behind the task list) and puts the keyboard in its list; the
binding is in the one keymap table, so F1 lists it and the conflict check covers it."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from desktop.keymap import effective_keymap
from desktop.main_window import MainWindow
from desktop.panels import keymap_dialog
from desktop.settings import Settings
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import clone_for, server_task_ids, sync

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def on_screen(dock):
    """Shown and not behind another dock's tab (a tabbed dock behind another stays `isVisible`)."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


@pytest.fixture
def rejected(seeded_sqlite, keys, tmp_path):
    """ann1's clone whose first task the lead rejected with two comments."""
    with clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys) as ws:
        server_task = seeded_sqlite.task_ids[0]
        local = {s: t for t, s in server_task_ids(ws).items()}[server_task]
        lead = seeded_sqlite.sessions["lead"]
        assert lead.post(f"/tasks/{server_task}/submit").status_code == 200
        comments = [{"text": "missed a cyclist", "x": 10, "y": 12}, {"text": "check the left edge"}]
        assert lead.post(f"/tasks/{server_task}/review", json={"decision": "reject", "comments": comments}).is_success
        assert sync(ws, keys).phase == "up_to_date"
    seeded_sqlite.server.stop()  # the app's sync rounds change nothing during the test
    return tmp_path / "ann1", local


def test_the_binding_is_in_the_table_and_f1_lists_it(qtbot):
    binding = effective_keymap()["view.review"]
    assert binding.keys == ("Ctrl+Alt+R",) and binding.origin == "default" and binding.action.scope == "global"
    dialog = keymap_dialog(None, Settings())
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget)
    rows = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
    assert any(text.startswith("Show review") and keys == "Ctrl+Alt+R" for text, keys in rows)


def test_ctrl_alt_r_opens_the_review_dock_and_focuses_its_list(qtbot, keys, rejected):
    path, local = rejected
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.open_workspace(path, local)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=10_000)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    review = window.review
    qtbot.waitUntil(lambda: review.panel.review.rejected, timeout=10_000)
    tree = review.panel.tree

    assert window.tabifiedDockWidgets(review.dock) == [window.docks["Tasks"]]
    window.docks["Tasks"].raise_()  # tabbed behind the task list
    qtbot.waitUntil(lambda: not on_screen(review.dock))
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    qtbot.keyClick(window.canvas, Qt.Key.Key_R, CTRL_ALT)
    qtbot.waitUntil(lambda: on_screen(review.dock) and tree.hasFocus())
    assert tree.currentItem() is review.panel.rows()[0]  # on the first comment: arrows and Enter work at once
    assert window.session.editor.tool == "select"  # not R's box tool
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert tree.currentItem() is review.panel.rows()[1]

    review.dock.close()  # closed by the user: the key brings it back
    window.canvas.setFocus()
    qtbot.waitUntil(lambda: window.canvas.hasFocus() and not on_screen(review.dock))
    qtbot.keyClick(window.canvas, Qt.Key.Key_R, CTRL_ALT)
    qtbot.waitUntil(lambda: on_screen(review.dock) and tree.hasFocus())
    assert tree.currentItem() is review.panel.rows()[1]  # where the user left it
    window.close()
