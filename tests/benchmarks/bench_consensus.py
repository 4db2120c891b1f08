"""Benchmark: consensus agreement and merge of 10,000 origins with 3 replicas of 10 boxes each, through the server's
code path on SQLite (sync/server/replicas.py, agreement_results.py).

Run: .venv/bin/python -m tests.benchmarks.bench_consensus [origins] [boxes] [per_transaction]
     (default 10,000, 10 and 1,000)
A store on a temp folder gets one project with `origins` new tasks, drawn in full for consensus by
consensus_tasks.assign (3 annotators, quorum 2: 30,000 replicas). Each replica gets `boxes` boxes (written straight
to the annotations table): the three annotators agree on the objects, with a few pixels of jitter; on one origin in
ten the third misses two boxes and draws one elsewhere, on one in twenty the third boxes other places (to a lead).
Every replica is then submitted with service.set_status, as a push's status ops are, `per_transaction` submissions
to a write transaction. The first two replicas of each origin only go to accepted; the last one merges its origin:
read the three answers, compare and merge them (core.agreement.consensus), write the merged boxes into the origin,
move it to submitted, store the figures, audit. Timed: the assignment, the first two submissions, the last (merging)
one, and within it the core agreement and merge alone (agreement_results.merge_answers). The issue's target is
<= 10 s for the agreement of 10,000 tasks with 3 annotators.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.fastjson import dumps_str
from sync.server import agreement_results, consensus_tasks, db, service
from sync.server.config import ServerConfig
from sync.server.field_meta import FieldMeta
from sync.server.security import Principal

TARGET_S = 10.0
NAMES = ("u0", "u1", "u2")


def make_store(folder: Path, origins: int) -> tuple[db.Store, int, dict[str, Principal]]:
    store = db.Store(ServerConfig(data_dir=folder))
    now = time.time()
    with store.write() as conn:
        pid = db.insert_id(conn, db.projects.insert().values(
            name="bench", schema={"labels": [{"name": "car"}, {"name": "person"}]}, schema_version=1, locked=False,
            created_at=now))
        conn.execute(db.media.insert().values(sha256="0" * 64, size=1, created_at=now))
        db.bulk(conn, "INSERT INTO tasks (project_id, name, media_sha256, width, height, kind, frames, status, "
                "revision, updated_at) VALUES (?, ?, ?, 1920, 1080, 'image', 1, 'new', 1, ?)",
                [(pid, f"t{i}.png", "0" * 64, now) for i in range(origins)])
        people = {}
        for name in NAMES:
            uid = db.insert_id(conn, db.users.insert().values(name=name, role="annotator", password_hash="-",
                                                              created_at=now))
            people[name] = Principal(uid, name, "annotator", None, None)
    return store, pid, people


def answers(store: db.Store, pid: int, boxes: int, seed: int) -> list[tuple[int, int, str]]:
    """Write every replica's boxes; (origin, replica, annotator) in submission order: each origin's last replica
    comes in the second half."""
    rng = random.Random(seed)
    r = db.replicas
    with store.read() as conn:
        rows = conn.execute(sa.select(r.c.origin_id, r.c.task_id, r.c.annotator).where(r.c.project_id == pid)
                            .order_by(r.c.origin_id, r.c.task_id)).all()
    now = time.time()
    out, batch = [], []
    objects: dict[int, list[tuple[str, float, float]]] = {}
    for origin, replica, name in rows:
        truth = objects.setdefault(origin, [(rng.choice(("car", "person")), rng.uniform(0, 1800), rng.uniform(0, 980))
                                            for _ in range(boxes)])
        drawn = truth
        if name == NAMES[2] and origin % 10 == 0:  # one origin in ten: the third annotator misses two, adds one
            drawn = [*truth[2:], ("car", rng.uniform(0, 1800), rng.uniform(0, 980))]
        elif name == NAMES[2] and origin % 20 == 5:  # one in twenty: the third boxes other things (to a lead)
            drawn = [(label, (x + 900) % 1800, (y + 500) % 980) for label, x, y in truth]
        for k, (label, x, y) in enumerate(drawn):
            fields = {"label": label, "kind": "box", "source_kind": "human",
                      "geometry": [x + rng.uniform(-2, 2), y + rng.uniform(-2, 2), 100 + rng.uniform(-3, 3),
                                   80 + rng.uniform(-3, 3)]}
            meta = FieldMeta.written(fields, [1, name, False, "bench"])
            batch.append((f"{replica}-{k}", replica, 1, False, dumps_str(fields), meta.dumps(), name, now))
        out.append((origin, replica, name))
    with store.write() as conn:
        db.bulk(conn, "INSERT INTO annotations (id, task_id, revision, deleted, fields, field_meta, author, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
    last = {origin: replica for origin, replica, _ in out}
    return ([row for row in out if last[row[0]] != row[1]] + [row for row in out if last[row[0]] == row[1]])


def submit(store: db.Store, people: dict[str, Principal], rows: list[tuple[int, int, str]], per: int) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(rows), per):
        with store.write() as conn:
            for _origin, replica, name in rows[i:i + per]:
                service.set_status(conn, people[name], service.get_task(conn, None, replica), "submitted")
    return time.perf_counter() - t0


def main() -> None:
    origins = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    boxes = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    core: list[float] = []
    real_merge: Callable[..., Any] = agreement_results.merge_answers

    def timed_merge(*args: Any) -> Any:
        t0 = time.perf_counter()
        result = real_merge(*args)
        core.append(time.perf_counter() - t0)
        return result

    agreement_results.merge_answers = timed_merge  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="annodesk-bench-consensus-") as tmp:
        store, pid, people = make_store(Path(tmp), origins)
        t0 = time.perf_counter()
        with store.write() as conn:
            consensus_tasks.assign(conn, "bench", pid, list(NAMES), share=1.0, seed="bench")
        assigned = time.perf_counter() - t0
        rows = answers(store, pid, boxes, 7)
        print(f"{origins:,} origins x 3 replicas x {boxes} boxes on SQLite; {per:,} submissions per transaction; "
              f"target <= {TARGET_S:.0f} s for the agreement")
        first = submit(store, people, rows[:2 * origins], per)
        last = submit(store, people, rows[2 * origins:], per)
        with store.read() as conn:
            c = db.consensus_origins
            merged, flagged = conn.execute(sa.select(sa.func.count(), sa.func.sum(sa.case((c.c.needs_lead, 1),
                                                                                          else_=0)))
                                           .where(c.c.status == "merged")).one()
            shapes = conn.execute(sa.select(sa.func.count()).select_from(db.annotations).where(
                db.annotations.c.author == "consensus")).scalar_one()
        store.close()
    print(f"{'step':<66}{'s':>8}")
    for name, seconds in ((f"assign: draw {origins:,} origins, make {3 * origins:,} replicas", assigned),
                          ("submit the first two replicas of each origin (accepted at once)", first),
                          ("submit the last replica: read, agree, merge, write, audit", last),
                          ("  of which core agreement + merge (core.agreement.consensus)", sum(core))):
        print(f"{name:<66}{seconds:>8.2f}")
    print(f"{merged:,} origins merged, {flagged:,} flagged for a lead, {shapes:,} merged boxes; "
          f"{1000 * last / max(1, origins):.2f} ms per origin through the server")
    if sum(core) > TARGET_S:
        print("the agreement is over its target")


if __name__ == "__main__":
    main()
