"""Benchmark: a lead's review queue over big lots, what the app redoes each time a task is shown.

Run: .venv/bin/python -m tests.benchmarks.bench_review_queue [--tasks 100000] [--lots 100] [--runs 20]

A lead's workspace holding --tasks submitted tasks as a pull leaves them (tasks and sync_tasks rows; no media: the
queue reads none) in --lots closed day lots of two annotators (status "sampling"), each lot's sample drawn by
core.sampling's ISO 2859-1 plan for its size (general level II, AQL 1.0). Timed: a full read, as
desktop/review_queue.py's refresh does (after a sync round or a filter change; it did so on every task shown): the
lots, the queue (samples only, the dock's default), the annotator filter's names, and the dock's rows filled in
(widgets/review_queue.py, offscreen); what a sync round costs when it changed nothing for the queue (its
version); and what a task shown does now (its row marked, its lot's state).
Target (issue 12's review loop): <= 50 ms
per decision in all, so this part should stay well under it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from core.sampling import draw_sample, single_plan
from sync.client.review_store import QueueFilter, ReviewStore
from sync.client.store import SyncStore
from sync.workspace import Workspace
from widgets.review_queue import ReviewQueuePanel


def make_workspace(folder: Path, tasks: int, lots: int) -> Path:
    ws = Workspace.create(folder / "ws")
    rng = np.random.default_rng(5)
    per_lot = tasks // lots
    with ws.transaction() as conn:
        conn.executemany("INSERT INTO tasks (id, media_path, name, status) VALUES (?, ?, ?, 'done')",
                         ((i + 1, f"/media/frame_{i:06d}.jpg", f"frame_{i:06d}.jpg") for i in range(tasks)))
        conn.executemany("INSERT INTO sync_tasks (local_id, server_id, project_id, media_sha256, server_status, "
                         "assignee, revision, updated_at) VALUES (?, ?, 1, ?, 'submitted', ?, 3, ?)",
                         ((i + 1, 10_000 + i, f"{i:064x}", ("linh", "minh")[i // per_lot % 2],
                           time.time() - rng.integers(0, 86400)) for i in range(tasks)))
        SyncStore.put(conn, "role", "lead")
        for lot in range(lots):
            ids = list(range(10_000 + lot * per_lot, 10_000 + (lot + 1) * per_lot))
            plan = single_plan(len(ids), "II", 1.0)
            ReviewStore.put_lot(conn, {"id": lot + 1, "project_id": 1, "key": f"{('linh', 'minh')[lot % 2]}@d{lot}",
                                       "status": "sampling", "size": len(ids), "task_ids": ids,
                                       "sample": draw_sample(ids, plan.n, f"seed-{lot}"), "plan": {"n": plan.n},
                                       "defects": 0, "reviewed": 0})
    ws.close()
    return folder / "ws"


def timed(runs: int, fn: Callable[[], object]) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--lots", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(make_workspace(Path(tmp), args.tasks, args.lots))
        store = ReviewStore(ws)
        panel = ReviewQueuePanel()
        rows = store.queue(QueueFilter())
        print(f"{args.tasks:,} submitted tasks in {args.lots} lots: {len(rows):,} sampled tasks in the queue")
        steps = {"lots": store.lots, "queue (samples)": lambda: store.queue(QueueFilter()),
                 "queue (every submitted task)": lambda: store.queue(QueueFilter(sampled_only=False)),
                 "annotator names": store.submitters, "dock rows": lambda: panel.set_rows(rows, rows[0].task_id),
                 "version (each sync round)": store.version}
        total = 0.0
        for name, fn in steps.items():
            median, p95 = timed(args.runs, fn)
            if name not in ("queue (every submitted task)", "version (each sync round)"):
                total += median
            print(f"  {name:30s} median {median:8.1f} ms   p95 {p95:8.1f} ms")
        print(f"  a full read (lots, sampled queue, names, rows): {total:.1f} ms (medians summed)")
        lots, shown = store.lots(), iter(rows * 2)

        def task_shown() -> None:  # what ReviewQueueController.task_shown does now: mark the row, say its lot
            row = next(shown)
            panel.set_current(row.task_id)
            state = store.sync.review_state(row.task_id)
            lot = next(lot for lot in lots if state and state["server_id"] in lot["task_ids"])
            panel.set_lot(panel.lot_text(lot, store.waiting(lot["sample"])))

        median, p95 = timed(args.runs, task_shown)
        print(f"  a task shown, the rows kept: median {median:.1f} ms, p95 {p95:.1f} ms")
        ws.close()
        panel.deleteLater()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
