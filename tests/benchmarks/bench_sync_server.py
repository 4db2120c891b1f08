"""Benchmark, server side of the push: sealed batches posted over loopback to a real server process.

Run: .venv/bin/python -m tests.benchmarks.bench_sync_server [edits [postgresql_edits]]   (default 1,000,000)
The batches are sealed before the clock starts (the client's sealing is the end-to-end benchmark's business), then
posted one after the other; the server opens, checks, merges and commits each before answering. Half of the edits
create annotations, half move them (base revision 1). Baseline, in the same run: the same kind of edits posted one
request per edit, the way web annotators save (a sample of BASELINE_EDITS). Then the same on PostgreSQL (when its
binaries are installed) and 10 clients pushing at once.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.envelope import b64d, b64e, batch_hash, raw_public, seal
from sync.server import service
from sync.server.config import ServerConfig
from sync.server.db import Store
from sync.server.security import Passwords
from tests.server_fixtures import NODELAY, PASSWORD, PostgresCluster, ServerProcess, write_png

BATCH = 1000
TASKS = 100
BASELINE_EDITS = 2000
CLIENTS = 10
TARGET_OPS_S = 20_000


class Client:
    """One device: logs in, seals its edits into a chain of batches, pushes them."""

    def __init__(self, api: str, user: str) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.http = httpx.Client(timeout=120, verify=False, transport=httpx.HTTPTransport(socket_options=NODELAY))
        r = self.http.post(api + "/auth/login", json={"username": user, "password": PASSWORD,
                                                       "device_public_key": b64e(raw_public(self.key))})
        r.raise_for_status()
        data = r.json()
        self.api, self.client_id = api, data["client_id"]
        self.server_key = b64d(data["server_key"]["public_key"])
        self.http.headers.update({"Authorization": f"Bearer {data['token']}",
                                  "Content-Type": "application/octet-stream"})
        self.prev = ""
        self.op_id = 0

    def seal_edits(self, tasks: list[int], count: int, per_batch: int, tag: str) -> list[bytes]:
        bodies = []
        ops: list[dict[str, Any]] = []
        half = count // 2
        for i in range(count):
            self.op_id += 1
            k = i if i < half else i - half
            create = i < half
            fields = ({"label": "car", "kind": "box", "geometry": [k % 500, k % 300, 20, 10]} if create
                      else {"geometry": [k % 500 + 1, k % 300 + 1, 20, 10]})
            ops.append({"op_id": self.op_id, "txn": self.op_id, "entity": "annotation",
                        "entity_id": f"{tag}-{k:08d}", "task_id": tasks[k % len(tasks)], "op": "upsert",
                        "base_revision": 0 if create else 1, "fields": fields, "author": "bench"})
            if len(ops) == per_batch or i == count - 1:
                body = seal(ops, client_id=self.client_id, device_key=self.key, server_public_key=self.server_key,
                            schema_version=1, prev_batch_hash=self.prev)
                self.prev = batch_hash(body)
                bodies.append(body)
                ops = []
        return bodies

    def push_all(self, bodies: list[bytes]) -> int:
        applied = 0
        for body in bodies:
            r = self.http.post(self.api + "/sync/push", content=body)
            r.raise_for_status()
            applied += sum(res["status"] != "rejected" for res in r.json()["results"])
        return applied


def setup(data_dir: Path, db_url: str | None, users: list[str]) -> list[int]:
    """Users, a project and TASKS tasks assigned round-robin, written straight into the store."""
    config = ServerConfig(data_dir=data_dir, db_url=db_url)
    store = Store(config)
    png = write_png(data_dir / "img.png")
    from sync.server.blobs import BlobStore
    sha, size = BlobStore(config.blob_dir).put_file(png)
    passwords = Passwords(config)
    with store.write() as conn:
        for user in users:
            service.create_user(conn, passwords, "bench", user, "annotator", PASSWORD)
        project = service.create_project(conn, "bench", "bench", {"labels": [{"name": "car"}]})
        service.register_media(conn, None, sha, size)
        tasks = [service.create_task(conn, "bench", project["id"], sha, f"t{i}", 64, 48)["id"] for i in range(TASKS)]
        for i, task in enumerate(tasks):
            service.assign(conn, "bench", task, users[i % len(users)])
    store.close()
    return tasks


def run_store(label: str, root: Path, db_url: str | None, edits: int) -> list[tuple[str, str, str]]:
    users = [f"ann{i}" for i in range(CLIENTS)]
    tasks = setup(root, db_url, users)
    server = ServerProcess(root, db_url=db_url).start()
    rows = []
    try:
        api = server.url + "/api/v1"
        one = Client(api, "ann0")
        mine = tasks[::CLIENTS]
        bodies = one.seal_edits(mine, edits, BATCH, "big")
        start = time.perf_counter()
        applied = one.push_all(bodies)
        batched = applied / (time.perf_counter() - start)
        assert applied == edits, (applied, edits)
        single = Client(api, "ann0")
        bodies = single.seal_edits(mine, BASELINE_EDITS, 1, "one")
        start = time.perf_counter()
        single.push_all(bodies)
        baseline = BASELINE_EDITS / (time.perf_counter() - start)
        rows.append((f"{label}: push {edits:,} edits, 1,000/batch", f"{batched:,.0f} ops/s",
                     f">= {TARGET_OPS_S:,} ops/s"))
        rows.append((f"{label}: baseline, one request per edit", f"{baseline:,.0f} ops/s",
                     f"ratio {batched / baseline:,.1f}x"))
        clients = [Client(api, user) for user in users]
        share = max(BATCH, edits // 5 // CLIENTS)
        work = [c.seal_edits(tasks[i::CLIENTS], share, BATCH, f"c{i}") for i, c in enumerate(clients)]
        done = [0] * CLIENTS

        def push(i: int) -> None:
            done[i] = clients[i].push_all(work[i])
        threads = [threading.Thread(target=push, args=(i,)) for i in range(CLIENTS)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        together = sum(done) / (time.perf_counter() - start)
        assert sum(done) == share * CLIENTS
        rows.append((f"{label}: {CLIENTS} clients at once, {share * CLIENTS:,} edits", f"{together:,.0f} ops/s",
                     "(aggregate)"))
    finally:
        server.stop()
    return rows


Row = tuple[str, str, str]


def run_benchmark(run_store: Callable[[str, Path, str | None, int], list[Row]], argv: list[str]) -> list[Row]:
    """Both benchmarks' driver: `run_store` on SQLite, then on a private PostgreSQL cluster (when its binaries are
    installed), then the table with the machine's load before and after (other work on the machine skews figures)."""
    edits = int(argv[1]) if len(argv) > 1 else 1_000_000
    pg_edits = int(argv[2]) if len(argv) > 2 else edits  # a smaller PostgreSQL run where time is short
    load_before = os.getloadavg()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _shown(run_store("SQLite", Path(tmp) / "sqlite", None, edits))
        try:
            cluster = PostgresCluster()
        except FileNotFoundError as exc:
            rows += _shown([("PostgreSQL", "skipped", str(exc))])
        else:
            try:
                rows += _shown(run_store("PostgreSQL", Path(tmp) / "pg", cluster.url, pg_edits))
            finally:
                cluster.stop()
    load_after = os.getloadavg()
    print(f"load average (1/5/15 min) before: {' '.join(f'{v:.2f}' for v in load_before)}, "
          f"after: {' '.join(f'{v:.2f}' for v in load_after)}; {os.cpu_count()} CPUs")
    return rows


def _shown(rows: list[Row]) -> list[Row]:
    """Print a store's rows as soon as they are measured (a full run takes long)."""
    for measure, figure, target in rows:
        print(f"{measure:<72}  {figure:>14}  {target}", flush=True)
    return rows


def main() -> None:
    run_benchmark(run_store, sys.argv)


if __name__ == "__main__":
    main()
