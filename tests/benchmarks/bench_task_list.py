"""Benchmark: open a 1,000,000-task workspace and show the first page of the task list.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_task_list.py [task count]
The workspace is built once by direct SQL (executemany) in a temp dir; the timed part is what a person waits for:
Workspace.open, the model (its COUNT), and the first paint of the visible rows.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication

from core.annotation import TaskStatus
from sync.workspace import Workspace
from widgets.task_list import TaskListWidget

STATUSES = ("new", "new", "new", "in_progress", "done", "error")


def build(directory: Path, count: int) -> None:
    Workspace.create(directory).close()
    rows = (
        (f"/data/batch_{i // 10_000:03d}/img_{i:07d}.jpg", f"img_{i:07d}.jpg", STATUSES[i % len(STATUSES)])
        for i in range(1, count + 1)
    )
    conn = sqlite3.connect(directory / "workspace.db")
    with conn:
        conn.executemany("INSERT INTO tasks (media_path, name, status) VALUES (?, ?, ?)", rows)
    conn.close()


def jump_to_end(widget: TaskListWidget, what: str) -> None:
    t0 = time.perf_counter()
    widget.view.scrollToBottom()
    widget.view.viewport().repaint()
    print(f"       jump to the last row ({what}): {1000 * (time.perf_counter() - t0):.0f} ms")


def main(count: int) -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "ws"
        t0 = time.perf_counter()
        build(directory, count)
        print(f"build {count:,} tasks: {time.perf_counter() - t0:.1f} s")
        for attempt in (1, 2):  # the second run has a warm OS file cache, like reopening a workspace
            t0 = time.perf_counter()
            ws = Workspace.open(directory)
            t_open = time.perf_counter()
            widget = TaskListWidget()
            widget.resize(360, 700)
            widget.set_workspace(ws)
            t_model = time.perf_counter()
            widget.show()
            app.processEvents()
            widget.view.viewport().repaint()
            t_shown = time.perf_counter()
            model = widget.model
            assert model is not None and model.rowCount() == count
            print(
                f"run {attempt}: open {1000 * (t_open - t0):.0f} ms, model {1000 * (t_model - t_open):.0f} ms, "
                f"first page shown {1000 * (t_shown - t_model):.0f} ms, total {1000 * (t_shown - t0):.0f} ms, "
                f"pages fetched {model.pages_fetched}"
            )
            jump_to_end(widget, "all tasks")
            t0 = time.perf_counter()
            widget.set_status_filter(TaskStatus.ERROR)
            app.processEvents()
            widget.view.viewport().repaint()
            print(f"       filter to errors: {1000 * (time.perf_counter() - t0):.0f} ms, rows {model.rowCount():,}")
            jump_to_end(widget, "errors")
            widget.close()
            widget.deleteLater()
            app.processEvents()
            ws.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
