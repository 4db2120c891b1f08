"""Benchmark: a lead deciding 100 sampled tasks by keyboard in the app; the time each decision keeps her waiting.

Run: .venv/bin/python -m tests.benchmarks.bench_review_loop [--tasks 100] [--look 0.3]

A workspace of 1080p JPEGs whose tasks stand as submitted work pulled from a server (sync_tasks rows, a lot whose
sample is every task in a random order, the role "lead"), opened in the real MainWindow. For each task the lead looks
at it for --look seconds (the event loop runs: the next task's picture is decoded ahead meanwhile), then accepts it
(every fifth one rejected with a reason): the time measured is from the key's action to the next task on show with
its picture, which is all the lead waits for.
Target (issue 12): <= 50 ms per decision.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from desktop.review_queue import ReviewQueueController
from desktop.settings import Settings
from sync.client.review_store import ReviewStore
from sync.client.store import SyncStore
from sync.workspace import Workspace


def pump(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def make_workspace(folder: Path, count: int) -> Path:
    """`count` 1920 x 1080 JPEGs as tasks submitted by two annotators, in one lot whose sample is all of them in a
    drawn (random) order, as a lead's clone holds them after a pull: the queue does not follow the task list."""
    rng = np.random.default_rng(7)
    images = folder / "images"
    images.mkdir()
    base = cv2.resize(rng.integers(0, 255, (68, 120, 3), dtype=np.uint8), (1920, 1080))
    for i in range(count):
        cv2.imwrite(str(images / f"frame_{i:04d}.jpg"), np.roll(base, i * 7, axis=1), [cv2.IMWRITE_JPEG_QUALITY, 90])
    ws = Workspace.create(folder / "ws")
    ws.add_media([images])
    store = SyncStore(ws)
    with ws.transaction() as conn:
        for n, task in enumerate(ws.tasks(0, count)):
            conn.execute("INSERT INTO sync_tasks (local_id, server_id, project_id, media_sha256, server_status, "
                         "assignee, revision, updated_at) VALUES (?, ?, 1, ?, 'submitted', ?, 3, ?)",
                         (task.id, 1000 + n, task.content_hash, ("linh", "minh")[n % 2], time.time()))
        store.put(conn, "role", "lead")
        ids = [1000 + n for n in range(count)]
        sample = [int(i) for i in rng.permutation(ids)]
        ReviewStore.put_lot(conn, {"id": 1, "project_id": 1, "key": "linh@today", "status": "inspecting",
                                   "size": count, "task_ids": ids, "sample": sample, "plan": {"n": count},
                                   "defects": 0, "reviewed": 0})
    ws.close()
    return folder / "ws"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--look", type=float, default=0.3, help="seconds the lead looks at each task")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = make_workspace(Path(tmp), args.tasks)
        window = MainWindow(Settings())
        window.resize(1600, 1000)
        window.show()
        window.open_workspace(path)
        queue: ReviewQueueController = window.queue
        queue.show_dock()
        window.show_task(queue.rows[0].task_id)  # the first of the sample, as Enter in the queue opens it
        pump(1.0)
        waits: list[float] = []
        for i in range(args.tasks):
            pump(args.look)
            shown = window.session.task.id if window.session and window.session.task else None
            start = time.perf_counter()
            decided = queue.decide("reject", reason="Wrong label") if i % 5 == 4 else queue.accept()
            QCoreApplication.processEvents()  # the repaint of the next task
            waits.append((time.perf_counter() - start) * 1000)
            assert decided, window.statusBar().currentMessage()
            now = window.session.task.id if window.session and window.session.task else None
            assert now != shown or i == args.tasks - 1, "the next task did not open"
            assert window.session.image is not None or i == args.tasks - 1
        window.close()
        app.processEvents()
    waits.sort()
    p95 = waits[int(0.95 * (len(waits) - 1))]
    print(f"{args.tasks} decisions, the lead looking {args.look:.1f} s at each: wait per decision median "
          f"{statistics.median(waits):.1f} ms, p95 {p95:.1f} ms, max {waits[-1]:.1f} ms (target <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
