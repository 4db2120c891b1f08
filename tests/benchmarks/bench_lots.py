"""Benchmark: closing a spot-review lot of 100,000 tasks on SQLite (sync/server/lots.py close_lot).

Run: .venv/bin/python -m tests.benchmarks.bench_lots [tasks] [runs]   (default 100,000 and 7)
A store on a temp folder gets one project with `tasks` submitted tasks in one open lot (level II, AQL 1.0: code
letter N at 100,000, a sample of 500). Each run opens a fresh lot of the same tasks and closes it in one write
transaction: read the lot's task ids, draw the sample (core.sampling.draw_sample, timed on its own: the issue's
target is <= 100 ms), mark the sampled tasks, write the lot and the `lot.sample` audit row (seed, plan, every task
id, the sample), and commit. Figures are the median and the 95th percentile of the runs, after one warm-up run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.server import db, lots
from sync.server.config import ServerConfig

TARGET_DRAW_MS = 100.0
RULES = {"lots": "batch", "plan": {"kind": "iso", "level": "II", "aql": 1.0}, "on_reject": "return",
         "reduced_allowed": False, "utc_offset_minutes": 0}


def make_store(folder: Path, count: int) -> tuple[db.Store, list[int]]:
    store = db.Store(ServerConfig(data_dir=folder))
    now = time.time()
    with store.write() as conn:
        pid = db.insert_id(conn, db.projects.insert().values(name="bench", schema={"labels": [{"name": "car"}]},
                                                             schema_version=1, locked=False, created_at=now,
                                                             qa=RULES))
        conn.execute(db.media.insert().values(sha256="0" * 64, size=1, created_at=now))
        db.bulk(conn, "INSERT INTO tasks (project_id, name, media_sha256, width, height, kind, frames, status, "
                "revision, updated_at, batch) VALUES (?, ?, ?, 64, 48, 'image', 1, 'submitted', 2, ?, 'B1')",
                [(pid, f"t{i}.png", "0" * 64, now) for i in range(count)])
        ids = list(conn.execute(sa.select(db.tasks.c.id).order_by(db.tasks.c.id)).scalars())
    return store, ids


def open_lot(store: db.Store, ids: list[int], run: int) -> int:
    with store.write() as conn:
        pid = conn.execute(sa.select(db.projects.c.id)).scalar_one()
        lot_id = db.insert_id(conn, db.lots.insert().values(
            project_id=pid, kind="batch", source="B1", key=f"batch:B1+{run}", round=0, resubmitted=False,
            status="open", rules=RULES, size=len(ids), opened_at=time.time(), defects=0, reviewed=0))
        db.bulk(conn, "INSERT INTO lot_tasks (lot_id, task_id, sampled) VALUES (?, ?, ?)",
                [(lot_id, i, False) for i in ids])
    return lot_id


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    draws: list[float] = []
    real_draw = lots.draw_sample

    def timed_draw(*args: Any) -> list[Any]:
        t0 = time.perf_counter()
        sample = real_draw(*args)
        draws.append(time.perf_counter() - t0)
        return sample

    lots.draw_sample = timed_draw  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="annodesk-bench-lots-") as tmp:
        t0 = time.perf_counter()
        store, ids = make_store(Path(tmp), count)
        print(f"{count:,} submitted tasks in one lot, SQLite; store made in {time.perf_counter() - t0:.1f} s; "
              f"{runs} runs after a warm-up; target <= {TARGET_DRAW_MS:.0f} ms for the draw")
        closes: list[float] = []
        sample_size = 0
        for run in range(runs + 1):
            lot_id = open_lot(store, ids, run)
            t0 = time.perf_counter()
            with store.write() as conn:
                lot = lots.close_lot(conn, None, lot_id)
            closes.append(time.perf_counter() - t0)
            sample_size = len(lot["sample"])
        store.close()
    draws, closes = sorted(draws[1:]), sorted(closes[1:])
    print(f"plan: {lot['plan']['code_letter']} {lot['plan']['severity']}, a sample of {sample_size}")
    print(f"{'step':<46}{'median ms':>10}{'p95 ms':>9}")
    for name, times in (("draw the sample (draw_sample)", draws),
                        ("close the lot (read, draw, write, audit, commit)", closes)):
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"{name:<46}{1000 * statistics.median(times):>10.1f}{1000 * p95:>9.1f}")
    if 1000 * statistics.median(draws) > TARGET_DRAW_MS:
        print("the draw is over its target")


if __name__ == "__main__":
    main()
