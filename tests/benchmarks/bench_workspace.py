"""Benchmark: workspace commit latency, bulk import of 1,000,000 boxes, opening a 1,000,000-task workspace.

Run: .venv/bin/python -m tests.benchmarks.bench_workspace [annotation count]
Everything is built in a temp dir. The floor row is a single-column executemany of as many rows (32-character ids) in
one WAL, synchronous=FULL transaction, in the same process: the machine's speed, to read the import figure against
(the ratio stays meaningful on a loaded machine, where the absolute figures do not).
"""

from __future__ import annotations

import dataclasses
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from core.annotation import Annotation, Source, SourceKind, new_id
from core.document import AddAnnotations, AnnotationDoc, UpdateAnnotations
from core.shapes import Box
from sync.workspace import DB_NAME, Workspace

COMMITS = 1000
REPEATS = 3
TASKS_PER_IMPORT = 10_000
BIG_TASKS = 1_000_000
IMPORT_TARGET_S = 2.0
STATUSES = ("new", "new", "new", "in_progress", "done", "error")


def _add_tasks(directory: Path, count: int) -> None:
    """Setup: tasks written straight into the table, as an import of that many files would leave them."""
    rows = ((f"/data/b{i // 10_000:03d}/img_{i:07d}.jpg", f"img_{i:07d}.jpg", STATUSES[i % 6]) for i in range(count))
    conn = sqlite3.connect(directory / DB_NAME)
    with conn:
        conn.executemany("INSERT INTO tasks (media_path, name, status) VALUES (?, ?, ?)", rows)
    conn.close()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_commit(root: Path, synchronous: str) -> tuple[float, float]:
    """p50 and p99 (ms) of committing one edit (move of one box: annotation row + outbox row), median of repeats."""
    directory = root / f"commit-{synchronous}"
    Workspace.create(directory).close()
    _add_tasks(directory, 1)
    p50s, p99s = [], []
    with Workspace.open(directory) as ws:
        # The benchmark compares durability settings; the app always uses the workspace's own (FULL).
        ws._conn.execute(f"PRAGMA synchronous = {synchronous}")
        doc = AnnotationDoc(1)
        AddAnnotations(tuple(Annotation(new_id(), 1, "car", Box(i, i, 10, 10)) for i in range(50))).apply(doc)
        ws.commit(1, doc.take_changes())
        ids = doc.ids()
        for _ in range(REPEATS):
            samples = []
            for i in range(COMMITS):
                a = doc.get(ids[i % len(ids)])
                UpdateAnnotations((dataclasses.replace(a, shape=a.shape.translated(1.0, 0.5)),)).apply(doc)
                changes = doc.take_changes()
                start = time.perf_counter()
                ws.commit(1, changes)
                samples.append(time.perf_counter() - start)
            p50s.append(_percentile(samples, 0.5) * 1e3)
            p99s.append(_percentile(samples, 0.99) * 1e3)
    return statistics.median(p50s), statistics.median(p99s)


def bench_import(root: Path, count: int) -> tuple[float, float]:
    """Seconds to insert `count` model boxes (with outbox rows), and the single-column executemany floor."""
    directory = root / "import"
    Workspace.create(directory).close()
    _add_tasks(directory, TASKS_PER_IMPORT)
    source = Source(SourceKind.MODEL, 0.9, "yolo")
    boxes = [
        Annotation(new_id(), 1 + i % TASKS_PER_IMPORT, "car", Box(i % 1000 + 0.5, 7.25, 30.0, 40.0), {}, "bob", source)
        for i in range(count)
    ]
    with Workspace.open(directory) as ws:
        start = time.perf_counter()
        assert ws.insert_annotations(boxes) == count
        elapsed = time.perf_counter() - start
        assert ws.pending_changes() == count
    floor_db = root / "floor.db"
    conn = sqlite3.connect(floor_db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id TEXT)")
    rows = [(a.id,) for a in boxes]
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?)", rows)
    conn.execute("COMMIT")
    floor = time.perf_counter() - start
    conn.close()
    return elapsed, floor


def bench_open(root: Path) -> dict[str, float]:
    """Seconds to open a 1M-task workspace and read the count and the first page (what the task list waits for)."""
    directory = root / "big"
    Workspace.create(directory).close()
    _add_tasks(directory, BIG_TASKS)
    start = time.perf_counter()
    ws = Workspace.open(directory, readonly=True)
    count = ws.task_count()
    page = ws.tasks(0, 100)
    first = time.perf_counter() - start
    assert count == BIG_TASKS and len(page) == 100
    figures = {"open + count + first page": first}
    for label, call in (
        ("count(status=done)", lambda: ws.task_count(page[4].status)),
        ("task_row(last task)", lambda: ws.task_row(BIG_TASKS)),
        ("page at offset 900,000", lambda: ws.tasks(900_000, 100)),
    ):
        start = time.perf_counter()
        call()
        figures[label] = time.perf_counter() - start
    ws.close()
    return figures


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    table: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for synchronous in ("FULL", "NORMAL"):
            p50, p99 = bench_commit(root, synchronous)
            target = "p99 < 2 ms" if synchronous == "FULL" else "(comparison)"
            table.append(
                (f"commit one edit, WAL synchronous={synchronous}: p50 / p99", f"{p50:.2f} / {p99:.2f} ms", target)
            )
        elapsed, floor = bench_import(root, count)
        verdict = "met" if elapsed < IMPORT_TARGET_S else "MISSED"
        table.append(
            (
                f"insert_annotations: {count:,} boxes + outbox, 1 txn",
                f"{elapsed:.2f} s",
                f"< {IMPORT_TARGET_S:g} s: {verdict}",
            )
        )
        table.append((f"floor, same run: {count:,} one-column rows, 1 txn", f"{floor:.2f} s", "the machine's speed"))
        table.append(("insert_annotations / floor", f"{elapsed / floor:.1f}x", ""))
        for label, seconds in bench_open(root).items():
            target = "< 1 s" if label.startswith("open") else ""
            table.append((f"1,000,000 tasks: {label}", f"{seconds * 1e3:.0f} ms", target))
    width = max(len(r[0]) for r in table)
    print(f"{'measure':<{width}}  {'figure':>18}  target")
    for measure, figure, target in table:
        print(f"{measure:<{width}}  {figure:>18}  {target}")


if __name__ == "__main__":
    main()
