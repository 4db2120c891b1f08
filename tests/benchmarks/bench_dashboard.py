"""Benchmark: the dashboard's queries (sync/server/dashboard.py CHARTS) on a store of 10,000,000 annotations, 1,000
annotators and 1,000,000 tasks, on SQLite and on PostgreSQL. Target (issue 12): p95 <= 200 ms per query.

Run: .venv/bin/python -m tests.benchmarks.bench_dashboard [--scale 1.0] [--db sqlite,postgresql] [--runs 20]
     [--keep DIR]
`--scale 0.01` makes 100,000 annotations, 10,000 tasks and 20 annotators (a quick run); `--keep DIR` leaves the
SQLite store there (the seed is the slow part: reuse it with `--reuse DIR`).

The seed writes generated rows straight into the tables (executemany on SQLite with the journal off, COPY on
PostgreSQL): 100 days of work ending now, 10 shapes a task, tasks submitted evenly over the days by their
annotators (5 % resubmitted), each with 1-3 labels and, for 60 % of them, one of 3 models' pre-labels; 20 % of the
submitted tasks reviewed (10 % of the accepts after fixes, 20 % rejects), 2 pieces of active time a task, label
corrections and conflicts on 5 % and 2 % of the reviewed tasks, one lot per annotator per day, consensus and gold
replicas on 5 % and 2 % of the tasks. The audit trail and the pull events are not seeded: no chart reads them.

Each query runs `runs` times per window after one warm-up run: the last 24 hours by hour (the page's default), the
last 7 days by day and the last 30 days by day. Figures are the median and the 95th percentile.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.server import dashboard, db, rollups
from sync.server.config import ServerConfig

TARGET_MS = 200.0
DAYS = 100
LABELS = [f"label{i:02d}" for i in range(20)]
MODELS = ["yolov8-street", "sam-vit-b", "rtdetr-l"]
WINDOWS = (("24 h by hour", "-24h", "hour"), ("7 days by day", "-7d", "day"), ("30 days by day", "-30d", "day"))


def plan(scale: float) -> dict[str, int]:
    return {"tasks": max(1000, int(1_000_000 * scale)), "annotators": max(20, int(1000 * scale)), "shapes": 10}


def generate(scale: float, now: float, seed: int = 7) -> Iterator[tuple[str, list[str], Iterator[tuple[Any, ...]]]]:
    """(table, columns, rows) for every table, in an order the foreign keys accept; rows are plain tuples with
    JSON already encoded."""
    sizes = plan(scale)
    rng = random.Random(seed)
    n_tasks, n_ann = sizes["tasks"], sizes["annotators"]
    start = now - DAYS * 86400
    annotators = [f"ann{i:04d}" for i in range(n_ann)]
    users = [(1, "admin", "admin"), *((2 + i, f"lead{i}", "lead") for i in range(5)),
             *((7 + i, name, "annotator") for i, name in enumerate(annotators))]
    yield "users", ["id", "name", "role", "password_hash", "created_at"], iter(
        [(i, name, role, "x", start) for i, name, role in users])
    yield "projects", ["id", "name", "schema", "schema_version", "locked", "created_at"], iter(
        [(1, "bench", json.dumps({"labels": [{"name": k} for k in LABELS]}), 1, False, start),
         (2, "other", json.dumps({"labels": [{"name": "car"}]}), 1, False, start)])
    yield "media", ["sha256", "size", "created_at"], iter([("0" * 64, 1, start)])
    # every task: (annotator index, submitted at or None, status)
    tasks: list[tuple[int, float | None, str]] = []
    for _ in range(n_tasks):
        who = rng.randrange(n_ann)
        at = start + rng.random() * DAYS * 86400
        roll = rng.random()
        status = ("accepted" if roll < 0.7 else "rejected" if roll < 0.75 else "submitted" if roll < 0.95
                  else "in_progress")
        tasks.append((who, at if status != "in_progress" else None, status))
    yield "tasks", ["id", "project_id", "name", "media_sha256", "width", "height", "kind", "frames", "status",
                    "assignee_id", "revision", "updated_at"], (
        (i + 1, 1, f"t{i + 1}.jpg", "0" * 64, 1920, 1080, "image", 1, status, 7 + who, 3, at or now)
        for i, (who, at, status) in enumerate(tasks))

    def annotations() -> Iterator[tuple[Any, ...]]:
        r = random.Random(seed + 1)
        for i, (who, _at, _status) in enumerate(tasks):
            author = annotators[who]
            for k in range(sizes["shapes"]):
                label = LABELS[r.randrange(len(LABELS))]
                model = MODELS[i % 3] if i % 5 < 3 and k < 4 else None
                fields = (f'{{"label":"{label}","kind":"box","geometry":[{r.random() * 1800:.1f},'
                          f'{r.random() * 1000:.1f},{20 + r.random() * 100:.1f},{20 + r.random() * 100:.1f}],'
                          f'"attributes":{{}},"source_kind":"human","source_model":'
                          f'{json.dumps(model)},"source_score":{0.5 if model else "null"}}}')
                m = f'[1,"{author}",false,"c{who}:0"]'
                meta = (f'[[{m}],{{"label":0,"kind":0,"geometry":0,"attributes":0,"source_kind":0,'
                        '"source_model":0,"source_score":0}]')  # one write (sync/server/field_meta.py)
                yield (f"{i + 1:010x}{k:022x}", i + 1, 1, False, fields, meta, author, now)
    yield "annotations", ["id", "task_id", "revision", "deleted", "fields", "field_meta", "author", "updated_at"], \
        annotations()
    submitted = sorted((at, i + 1, who) for i, (who, at, _s) in enumerate(tasks) if at is not None)
    resubmitted = [(at + rng.random() * 86400, tid, who) for at, tid, who in submitted if rng.random() < 0.05]
    yield "submissions", ["project_id", "task_id", "username", "at", "resubmitted"], (
        (1, tid, annotators[who], at, again) for at, tid, who, again in sorted(
            [(a, t, w, False) for a, t, w in submitted] + [(a, t, w, True) for a, t, w in resubmitted if a < now]))
    yield "submitted_labels", ["task_id", "label", "shapes", "project_id"], (
        (tid, label, 1 + (tid + j) % 5, 1) for _at, tid, _w in sorted(submitted, key=lambda s: s[1])
        for j, label in enumerate(sorted(set(LABELS[(tid * 7 + j * 3) % len(LABELS)] for j in range(1 + tid % 3)))))
    yield "submitted_models", ["task_id", "model", "project_id", "at", "pending", "accepted", "edited", "rejected"], (
        (tid, MODELS[(tid - 1) % 3], 1, at, tid % 2, 2, tid % 3, 1) for at, tid, _w in
        sorted(submitted, key=lambda s: s[1]) if (tid - 1) % 5 < 3)
    reviewed = [(at + rng.random() * 3 * 3600, tid, who) for at, tid, who in submitted if rng.random() < 0.2]
    reviewed = sorted(r for r in reviewed if r[0] < now)

    def decision(tid: int) -> tuple[str, bool, str]:
        roll = (tid * 2654435761 % 1000) / 1000
        if roll < 0.2:
            return "reject", False, "wrong label"
        return "accept", roll < 0.28, ""
    yield "reviews", ["task_id", "decision", "reviewer", "at", "fixed", "reason"], (
        (tid, *decision(tid)[:1], f"lead{tid % 5}", at, *decision(tid)[1:]) for at, tid, _w in reviewed)
    yield "task_time", ["task_id", "username", "seconds", "started", "ended", "uid", "at", "project_id"], (
        (tid, annotators[who], 30.0 + (tid * 13 + p) % 90, at - 600 + p * 300, at - 560 + p * 300,
         f"{tid:024x}{p:08x}", at, 1) for at, tid, who in submitted for p in range(2))
    yield "corrections", ["task_id", "annotation_id", "label_from", "label_to", "annotator", "reviewer", "at"], (
        (tid, f"{tid:010x}{0:022x}", LABELS[tid % 20], LABELS[(tid * 3 + 1) % 20], annotators[who], f"lead{tid % 5}",
         at) for at, tid, who in reviewed if tid % 20 == 0)
    yield "conflicts", ["task_id", "annotation_id", "field", "losing_value", "winning_value", "loser", "winner",
                        "at"], (
        (tid, f"{tid:010x}{1:022x}", "label", json.dumps(LABELS[tid % 20]), json.dumps(LABELS[(tid + 5) % 20]),
         annotators[who], f"lead{tid % 5}", at) for at, tid, who in reviewed if tid % 50 == 1)
    lots = sorted({(int((at - start) // 86400), who) for at, _tid, who in submitted})
    yield "lots", ["project_id", "kind", "source", "key", "round", "resubmitted", "status", "rules", "size",
                   "opened_at", "due_at", "closed_at", "decided_at", "defects", "reviewed"], (
        (1, "day", annotators[who], f"{annotators[who]}@{day}", 0, False,
         "rejected" if (day * 31 + who) % 7 == 0 else "accepted", "{}", 10, start + day * 86400,
         start + (day + 1) * 86400, start + (day + 1) * 86400, min(now - 1, start + (day + 1.1) * 86400), 0, 5)
        for day, who in lots)
    if "replicas" in db.metadata.tables:
        yield "replicas", ["task_id", "origin_id", "project_id", "purpose", "annotator", "created_at", "submitted_at",
                           "score"], (
            (tid, tid, 1, "consensus" if tid % 100 < 5 else "gold", annotators[who], at - 3600, at,
             0.5 + (tid % 50) / 100) for at, tid, who in sorted(submitted, key=lambda s: s[1]) if tid % 100 < 7)


def seed_sqlite(path: Path, scale: float, now: float) -> dict[str, int]:
    store = db.Store(ServerConfig(data_dir=path))  # the schema, indexes and migrations, as the server makes them
    store.close()
    conn = sqlite3.connect(path / "server.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    counts: dict[str, int] = {}
    for table, columns, rows in generate(scale, now):
        began = time.perf_counter()
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        n = 0
        conn.execute("BEGIN")
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == 50_000:
                conn.executemany(sql, chunk)
                n += len(chunk)
                chunk = []
        conn.executemany(sql, chunk)
        conn.execute("COMMIT")
        counts[table] = n + len(chunk)
        print(f"  {table}: {counts[table]:,} rows in {time.perf_counter() - began:.1f} s", flush=True)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return counts


def seed_postgres(url: str, scale: float, now: float) -> dict[str, int]:
    import psycopg

    engine = sa.create_engine(url)
    db.metadata.create_all(engine)
    engine.dispose()
    counts: dict[str, int] = {}
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        for table, columns, rows in generate(scale, now):
            began = time.perf_counter()
            n = 0
            with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            conn.commit()
            counts[table] = n
            print(f"  {table}: {n:,} rows in {time.perf_counter() - began:.1f} s", flush=True)
        for table in ("users", "projects", "tasks"):  # COPY gave the ids: move the sequences past them
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    engine = sa.create_engine(url)
    with engine.begin() as sa_conn:  # COPY fires no roll-up triggers: fill the roll-ups as a store upgrade does
        rollups.install(sa_conn)
        sa_conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    return counts


def time_queries(engine: sa.Engine, now: float, runs: int) -> list[tuple[str, str, float, float]]:
    """(window, chart, median ms, p95 ms) for every chart and window, plus the whole answer ("all charts")."""
    out = []
    with engine.connect() as conn:
        for window, since, bucket in WINDOWS:
            q = dashboard.make_query(1, since, None, bucket, 0, dashboard.DEFAULT_TOP, conn.dialect.name, now=now)
            for chart in [*dashboard.CHARTS, None]:
                def once(chart: dashboard.Chart | None = chart, q: dashboard.Query = q) -> None:
                    if chart is None:
                        dashboard.figures(conn, q)
                    else:
                        dashboard.chart_json(conn, chart, q)
                    conn.rollback()
                once()
                times = []
                for _ in range(runs):
                    began = time.perf_counter()
                    once()
                    times.append((time.perf_counter() - began) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                name = chart.name if chart else "all charts"
                out.append((window, name, statistics.median(times), p95))
                print(f"  {window:>15}  {name:<22} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms"
                      f"{'' if chart is None or p95 <= TARGET_MS else '   OVER TARGET'}", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="seed the SQLite store in this folder and leave it there")
    parser.add_argument("--reuse", type=Path, help="time a SQLite store seeded before with --keep")
    args = parser.parse_args()
    now = time.time()
    sizes = plan(args.scale)
    print(f"dashboard benchmark: {sizes['tasks'] * sizes['shapes']:,} annotations, {sizes['tasks']:,} tasks, "
          f"{sizes['annotators']:,} annotators; {args.runs} runs per query; target p95 <= {TARGET_MS:.0f} ms")
    over = 0
    if "sqlite" in args.db:
        folder = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="annodesk-dash-"))
        if args.reuse:
            meta = json.loads((folder / "seed.json").read_text())
            now = meta["now"]
            print(f"SQLite: reusing {folder} (seeded with scale {meta['scale']})")
        else:
            began = time.perf_counter()
            print(f"SQLite: seeding {folder}")
            seed_sqlite(folder, args.scale, now)
            (folder / "seed.json").write_text(json.dumps({"now": now, "scale": args.scale}))
            size = (folder / "server.db").stat().st_size / 2**30
            print(f"SQLite: seeded in {time.perf_counter() - began:.0f} s ({size:.1f} GiB)")
        store = db.Store(ServerConfig(data_dir=folder))
        over += sum(p95 > TARGET_MS for _w, name, _m, p95 in time_queries(store.engine, now, args.runs)
                    if name != "all charts")
        store.close()
    if "postgresql" in args.db:
        from tests.server_fixtures import PostgresCluster
        try:
            cluster = PostgresCluster(fsync=False)
        except FileNotFoundError as exc:
            print(f"PostgreSQL: skipped ({exc})")
        else:
            try:
                began = time.perf_counter()
                print("PostgreSQL: seeding a private cluster")
                seed_postgres(cluster.url, args.scale, now)
                print(f"PostgreSQL: seeded in {time.perf_counter() - began:.0f} s")
                engine = sa.create_engine(cluster.url)
                over += sum(p95 > TARGET_MS for _w, name, _m, p95 in time_queries(engine, now, args.runs)
                            if name != "all charts")
                engine.dispose()
            finally:
                cluster.stop()
    print("all queries within the target" if not over else f"{over} query/window pairs over the target")
    return 0 if not over else 1


if __name__ == "__main__":
    sys.exit(main())
