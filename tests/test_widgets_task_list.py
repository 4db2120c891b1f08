"""The task list over a real SQLite workspace: paging, status filter, error tooltips, refresh and activation."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from core.annotation import TaskStatus
from sync.workspace import Workspace
from widgets.task_list import TASK_ID_ROLE, TaskListWidget

TASKS = 5_000


def status_of(i):
    return "error" if i % 25 == 0 else "done" if i % 10 == 0 else "in_progress" if i % 7 == 0 else "new"


def bulk_workspace(directory, count):
    """A workspace with `count` tasks written by one executemany (add_media would probe real files)."""
    Workspace.create(directory).close()
    rows = (
        (
            f"/data/img_{i:07d}.jpg",
            f"img_{i:07d}.jpg",
            status_of(i),
            "truncated file" if status_of(i) == "error" else "",
        )
        for i in range(1, count + 1)
    )
    with sqlite3.connect(directory / "workspace.db") as conn:
        conn.executemany("INSERT INTO tasks (media_path, name, status, error) VALUES (?, ?, ?, ?)", rows)
    conn.close()
    return Workspace.open(directory)


@pytest.fixture
def workspace(tmp_path):
    ws = bulk_workspace(tmp_path / "ws", TASKS)
    yield ws
    ws.close()


@pytest.fixture
def task_list(qtbot, workspace):
    widget = TaskListWidget()
    qtbot.addWidget(widget)
    widget.resize(300, 400)
    widget.set_workspace(workspace)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_first_page_is_shown_from_one_page_query(task_list):
    model = task_list.model
    assert model.rowCount() == TASKS
    assert model.pages_fetched == 1  # the visible rows all lie in the first page
    assert model.index(0, 0).data() == "img_0000001.jpg"
    assert model.index(0, 1).data() == "new"
    assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) == QColor("#9e9e9e")


def test_scrolling_fetches_only_the_pages_shown(task_list, qtbot):
    model = task_list.model
    task_list.view.scrollToBottom()
    qtbot.wait(10)
    assert model.pages_fetched <= 3
    assert model.index(TASKS - 1, 0).data() == f"img_{TASKS:07d}.jpg"
    for row in range(0, TASKS, 97):  # a long jump through the table keeps the page cache bounded
        model.index(row, 0).data()
    assert len(model._pages) <= 16


def test_status_filter_and_error_reason(task_list, workspace):
    task_list.set_status_filter(TaskStatus.ERROR)
    model = task_list.model
    assert model.rowCount() == workspace.task_count(TaskStatus.ERROR) == TASKS // 25
    first = model.index(0, 1)
    assert first.data() == "error"
    assert first.data(Qt.ItemDataRole.ForegroundRole) == QColor("#d32f2f")
    assert "truncated file" in first.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, 0).data(TASK_ID_ROLE) == 25
    task_list.set_status_filter(None)
    assert model.rowCount() == TASKS


def test_refresh_shows_new_statuses(task_list, workspace):
    model = task_list.model
    assert model.index(0, 1).data() == "new"
    workspace.set_task_status(1, TaskStatus.DONE)
    assert model.index(0, 1).data() == "new"  # cached until refreshed
    task_list.refresh()
    assert model.index(0, 1).data() == "done"
    task_list.set_status_filter(TaskStatus.DONE)
    done = model.rowCount()
    workspace.set_task_status(2, TaskStatus.DONE)
    task_list.refresh()
    assert model.rowCount() == done + 1


def test_select_and_activate_a_task(task_list, qtbot):
    assert task_list.select_task(4321)
    assert task_list.current_task_id() == 4321
    rect = task_list.view.visualRect(task_list.view.currentIndex())
    assert task_list.view.viewport().rect().intersects(rect)  # scrolled into view
    with qtbot.waitSignal(task_list.task_activated) as signal:
        qtbot.keyClick(task_list.view, Qt.Key.Key_Return)
    assert signal.args == [4321]
    task_list.set_status_filter(TaskStatus.ERROR)
    assert not task_list.select_task(4321)  # not an error task: hidden by the filter


def test_unreadable_media_imported_for_real_shows_its_error(qtbot, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    cv2.imwrite(str(media / "a.png"), np.full((20, 30, 3), 90, np.uint8))
    (media / "b.png").write_bytes(b"")
    with Workspace.create(tmp_path / "ws2") as ws:
        ws.add_media([media])
        widget = TaskListWidget()
        qtbot.addWidget(widget)
        widget.set_workspace(ws)
        model = widget.model
        assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["a.png", "b.png"]
        assert model.index(1, 1).data() == "error"
        tip = model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
        assert "b.png" in tip and ws.task(2).error in tip and ws.task(2).error
