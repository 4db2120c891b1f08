"""Load test of the sync server with locust (issue 14 item 4): a private PostgreSQL cluster seeded with 10,000,000
annotations (1,000,000 tasks, 1,000 annotators; the seed of tests/benchmarks/bench_dashboard.py), 1 and 4 `annodesk
server` processes over it, and 10, 50 and 100 simulated users (9 annotators to 1 lead; tests/load/locustfile.py)
for a bounded time each, headless, on loopback only. Prints p50/p95/p99 per request kind, errors and push ops/s.
Target: with 100 users on 4 processes, p99 < 200 ms for pull and push, and no errors.

Run: .venv/bin/pip install -e '.[load]'   (locust: not a test dependency)
     .venv/bin/python -m tests.load [--scale 1.0] [--users 10,50,100] [--processes 1,4] [--duration 60]
`--scale 0.1` seeds 1,000,000 annotations (quicker). With several processes each simulated user talks to one of
them, chosen round-robin by user (no proxy: a proxy in Python would take CPU from the servers on a small machine).
Not part of the test suite (pyproject's pytest options ignore tests/load).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.server import db
from sync.server.blobs import BlobStore
from sync.server.config import ServerConfig
from sync.server.security import Passwords
from tests.benchmarks.bench_dashboard import plan, seed_postgres
from tests.server_fixtures import ROOT, PostgresCluster, ServerProcess

PASSWORD = "load test password"
TARGET_P99_MS = 200.0
KINDS = ("login", "pull", "push", "media", "dashboard", "review")
LEADS = [f"lead{i}" for i in range(5)]  # the seed's leads (user ids 2-6); annotators are ann0000... from id 7
OPS_PER_PUSH = 100


def prepare(url: str, data_dir: Path, max_annotators: int, media_kb: int) -> dict[str, Any]:
    """What the seed leaves out and the load needs: passwords (the server's own argon2 cost), the leads on project 1,
    a real medium on the load annotators' tasks. Returns the fixed part of the plan."""
    config = ServerConfig(data_dir=data_dir, db_url=url)
    store = db.Store(config)  # the server's indexes and migrations, once, before the processes start
    store.close()
    blob = random.Random(1).randbytes(media_kb * 1024)
    sha = hashlib.sha256(blob).hexdigest()
    path = BlobStore(data_dir / "blobs").path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        names = [r[0] for r in conn.execute(sa.text(
            "SELECT name FROM users WHERE role = 'annotator' ORDER BY id LIMIT :n"), {"n": max_annotators})]
        hashed = Passwords(config).hash(PASSWORD)
        conn.execute(sa.text("UPDATE users SET password_hash = :h WHERE name = ANY(:names)"),
                     {"h": hashed, "names": [*names, *LEADS]})
        conn.execute(sa.text("INSERT INTO project_leads (project_id, user_id) SELECT 1, id FROM users "
                             "WHERE name = ANY(:leads) ON CONFLICT DO NOTHING"), {"leads": LEADS})
        conn.execute(sa.text("INSERT INTO media (sha256, size, created_at) VALUES (:s, :n, :t) "
                             "ON CONFLICT DO NOTHING"), {"s": sha, "n": len(blob), "t": time.time()})
        conn.execute(sa.text("UPDATE tasks SET media_sha256 = :s WHERE assignee_id IN "
                             "(SELECT id FROM users WHERE name = ANY(:names))"), {"s": sha, "names": names})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE tasks"))
    engine.dispose()
    return {"password": PASSWORD, "leads": LEADS, "project_id": 1, "media": sha, "media_size": len(blob),
            "annotator_names": names}


def current_work(url: str, names: list[str]) -> tuple[dict[str, list[int]], list[int]]:
    """Each load annotator's open tasks and the submitted tasks not reviewed yet, read before each run."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        open_tasks: dict[str, list[int]] = {n: [] for n in names}
        for name, tid in conn.execute(sa.text(
                "SELECT u.name, t.id FROM tasks t JOIN users u ON u.id = t.assignee_id WHERE u.name = ANY(:names) "
                "AND t.status IN ('in_progress', 'rejected', 'assigned')"), {"names": names}):
            open_tasks[name].append(tid)
        submitted = [r[0] for r in conn.execute(sa.text(
            "SELECT id FROM tasks WHERE project_id = 1 AND status = 'submitted' ORDER BY id DESC LIMIT 200000"))]
    engine.dispose()
    return {n: t for n, t in open_tasks.items() if t}, submitted


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(q * len(values)) - 1)]


def run_locust(hosts: list[str], users: int, spawn_rate: float, duration: int, think: tuple[float, float],
               fixed: dict[str, Any], url: str, work: Path) -> dict[str, Any]:
    open_tasks, submitted = current_work(url, fixed["annotator_names"])
    plan_file, extra_file, prefix = work / "plan.json", work / "extra.json", work / f"run-{len(hosts)}-{users}"
    plan_file.write_text(json.dumps({**fixed, "hosts": hosts, "annotators": open_tasks, "submitted": submitted,
                                     "max_leads": users, "think": think, "users": users, "duration": duration}))
    # the locustfile ends the run `duration` s after the last login; -t only bounds a run whose logins never finish
    logins_s = math.ceil(users / spawn_rate) + 3 + users  # the ramp-up, and up to 1 s a login
    cmd = [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
           "-u", str(users), "-r", str(spawn_rate), "-t", f"{logins_s + duration}s", "--csv",
           str(prefix), "--only-summary", "--stop-timeout", "10", "--host", hosts[0], "--loglevel", "WARNING"]
    env = {**os.environ, "ANNODESK_LOAD_PLAN": str(plan_file), "ANNODESK_LOAD_EXTRA": str(extra_file),
           "PYTHONPATH": str(ROOT)}
    load_before = os.getloadavg()[0]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=logins_s + duration + 120)
    load_after = os.getloadavg()[0]
    with open(f"{prefix}_stats.csv") as f:
        rows = {r["Name"]: r for r in csv.DictReader(f)}
    with open(f"{prefix}_failures.csv") as f:
        failures = list(csv.DictReader(f))
    extra = json.loads(extra_file.read_text()) if extra_file.exists() else {"logins_ms": []}
    out: dict[str, Any] = {"kinds": {}, "failures": failures, "load": (load_before, load_after),
                           "rc": proc.returncode, "stderr": proc.stderr[-2000:]}
    for kind in KINDS:
        r = rows.get(kind)
        if r is None or not int(r["Request Count"]):  # none in the window (logins end before it): "N/A"
            continue
        out["kinds"][kind] = {"n": int(r["Request Count"]), "errors": int(r["Failure Count"]),
                              "p50": float(r["50%"]), "p95": float(r["95%"]), "p99": float(r["99%"]),
                              "rps": float(r["Requests/s"])}
    logins = extra.get("logins_ms", [])
    out["window_opened_s"] = extra.get("opened_after_s", 0.0)
    out["logins"] = {"n": len(logins), "p50": pct(logins, 0.5), "p95": pct(logins, 0.95), "p99": pct(logins, 0.99)}
    push = out["kinds"].get("push")
    out["push_ops_s"] = push["rps"] * OPS_PER_PUSH * (1 - push["errors"] / push["n"]) if push and push["n"] else 0.0
    out["refused_logins"] = extra.get("refused_logins", 0)
    out["errors"] = sum(k["errors"] for k in out["kinds"].values()) + out["refused_logins"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 10,000,000 annotations")
    parser.add_argument("--users", default="10,50,100")
    parser.add_argument("--processes", default="1,4")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured after the last login, per run")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--think", default="1,3", help="seconds a user waits between requests: MIN,MAX")
    parser.add_argument("--media-kb", type=int, default=300)
    parser.add_argument("--no-fsync", action="store_true", help="PostgreSQL with fsync=off (not the default)")
    args = parser.parse_args()
    users = [int(u) for u in args.users.split(",")]
    processes = [int(p) for p in args.processes.split(",")]
    think = tuple(float(t) for t in args.think.split(","))
    sizes = plan(args.scale)
    print(f"load test: {sizes['tasks'] * sizes['shapes']:,} annotations, {sizes['tasks']:,} tasks, "
          f"{sizes['annotators']:,} annotators; users {users} x processes {processes}, {args.duration} s each from "
          f"the last login ({args.spawn_rate:g} users/s), think time {think[0]:g}-{think[1]:g} s; {os.cpu_count()} "
          f"CPUs shared by locust, the servers and PostgreSQL", flush=True)
    cluster = PostgresCluster(fsync=not args.no_fsync)
    results: list[tuple[int, int, dict[str, Any]]] = []
    try:
        began = time.perf_counter()
        seed_postgres(cluster.url, args.scale, time.time())
        work = Path(tempfile.mkdtemp(prefix="annodesk-load-"))
        data_dir = work / "server"
        fixed = prepare(cluster.url, data_dir, max(1, math.ceil(max(users) * 0.9)), args.media_kb)
        print(f"seeded and prepared in {time.perf_counter() - began:.0f} s", flush=True)
        for n_proc in processes:
            servers = [ServerProcess(data_dir, db_url=cluster.url).start() for _ in range(n_proc)]
            try:
                for n_users in users:
                    print(f"-- {n_users} users, {n_proc} process(es)", flush=True)
                    r = run_locust([s.url for s in servers], n_users, args.spawn_rate, args.duration, think, fixed,
                                   cluster.url, work)
                    results.append((n_proc, n_users, r))
                    print_run(n_proc, n_users, r)
            finally:
                for s in servers:
                    s.stop()
    finally:
        cluster.stop()
    print_table(results)
    return verdict(results)


def print_run(n_proc: int, n_users: int, r: dict[str, Any]) -> None:
    for kind, k in r["kinds"].items():
        print(f"   {kind:<10} n={k['n']:<6} errors={k['errors']:<4} p50={k['p50']:.0f} p95={k['p95']:.0f} "
              f"p99={k['p99']:.0f} ms  {k['rps']:.1f} req/s", flush=True)
    print(f"   logins before the window: n={r['logins']['n']} p50={r['logins']['p50']:.0f} "
          f"p99={r['logins']['p99']:.0f} ms; window opened {r['window_opened_s']:.0f} s after the start; "
          f"push {r['push_ops_s']:.0f} ops/s; load average "
          f"{r['load'][0]:.1f} -> {r['load'][1]:.1f}; locust exit {r['rc']}", flush=True)
    for f in r["failures"][:5]:
        print(f"   failure x{f['Occurrences']}: {f['Name']}: {f['Error'][:200]}", flush=True)


def print_table(results: list[tuple[int, int, dict[str, Any]]]) -> None:
    print("\n| Processes | Users | Request | Requests | Errors | p50 / p95 / p99 ms | Push ops/s |")
    print("|---|---|---|---|---|---|---|")
    for n_proc, n_users, r in results:
        first = True
        for kind in KINDS:
            if kind == "login":
                k = {**r["logins"], "errors": r["refused_logins"]}
                if not k["n"]:
                    continue
                label = "login (before the window)"
            elif kind in r["kinds"]:
                k, label = r["kinds"][kind], kind
            else:
                continue
            ops = f"{r['push_ops_s']:,.0f}" if kind == "push" else ""
            print(f"| {n_proc if first else ''} | {n_users if first else ''} | {label} | {k['n']:,} | {k['errors']} | "
                  f"{k['p50']:.0f} / {k['p95']:.0f} / {k['p99']:.0f} | {ops} |")
            first = False


def verdict(results: list[tuple[int, int, dict[str, Any]]]) -> int:
    for n_proc, n_users, r in results:
        if n_proc == 4 and n_users == 100:
            p99 = {k: r["kinds"].get(k, {}).get("p99", float("nan")) for k in ("pull", "push")}
            met = all(v < TARGET_P99_MS for v in p99.values()) and r["errors"] == 0
            print(f"\ntarget (100 users, 4 processes: p99 < {TARGET_P99_MS:.0f} ms for pull and push, 0 errors): "
                  f"{'met' if met else 'MISSED'}; pull p99 {p99['pull']:.0f} ms, push p99 {p99['push']:.0f} ms, "
                  f"{r['errors']} errors")
            return 0
    print("\ntarget: not measured (needs the 100 users x 4 processes run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
