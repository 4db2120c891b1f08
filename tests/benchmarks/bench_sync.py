"""Benchmark, end to end: annotation edits pushed from an encrypted workspace to a server process on loopback.

Run: .venv/bin/python -m tests.benchmarks.bench_sync [edits [postgresql_edits]]   (default 1,000,000 both)
The clock covers the whole client path: reading the outbox and decrypting the payloads, diffing against the
shadows, sealing (zstd, ChaCha20-Poly1305, Ed25519), storing the sealed batch, HTTP, the server's verify/merge/commit,
and storing each answer with the outbox rows it acknowledges. Half the edits create boxes (1,000 per local
transaction, like a pre-label run), half move all of them (1,000 per transaction, like a multi-selection drag).
Baseline in the same run: the same client pushing one request per edit (batches of one op), the way web annotators
save, measured on BASELINE_EDITS creations and extrapolated as a rate. Then PostgreSQL, then 10 clients at once
(each its own process and workspace, CONCURRENT_EDITS in all).
"""

from __future__ import annotations

import multiprocessing
import random
import sys
import tempfile
import time
from pathlib import Path

import keyring

from core.annotation import Annotation, new_id
from core.document import Change, ChangeOp
from core.shapes import Box
from sync.client import batcher, commands
from sync.client.at_rest import KeyRing
from sync.client.engine import SyncEngine
from sync.workspace import Workspace
from tests.benchmarks.bench_sync_server import CLIENTS, run_benchmark, setup
from tests.server_fixtures import PASSWORD, ServerProcess
from tests.sync_client_helpers import MemoryKeyring, memory_keys, server_task_ids

BASELINE_EDITS = 5000
CONCURRENT_EDITS = 200_000
PER_TXN = 1000
TARGET_OPS_S = 20_000
KEYS: list[KeyRing] = []  # this process's workspace keys (an in-memory keyring)


def make_workspace(url: str, user: str, directory: Path) -> Workspace:
    keys = KEYS[0]
    commands.login(url, user, PASSWORD, keys.credentials)
    commands.clone(url, "bench", directory, keys.credentials, keys, user)
    return Workspace.open(directory)


def create(ws: Workspace, count: int, seed: int) -> None:
    rng = random.Random(seed)
    tasks = list(server_task_ids(ws))
    for start in range(0, count, PER_TXN):
        n = min(PER_TXN, count - start)
        ws.insert_annotations(Annotation(new_id(), tasks[(start // PER_TXN) % len(tasks)], "car",
                                         Box(rng.uniform(0, 500), rng.uniform(0, 300), 20.0, 10.0))
                              for _ in range(n))


def move_all(ws: Workspace) -> int:
    moved = 0
    for task in server_task_ids(ws):
        annotations = ws.annotations(task)
        for start in range(0, len(annotations), PER_TXN):
            part = annotations[start:start + PER_TXN]
            ws.commit(task, [Change(ChangeOp.UPSERT, Annotation(
                a.id, a.task_id, a.label, Box(a.shape.x + 1.0, a.shape.y, 20.0, 10.0),  # type: ignore[attr-defined]
                revision=a.revision + 1)) for a in part])
            moved += len(part)
    return moved


def push(ws: Workspace) -> tuple[int, float]:
    keys = KEYS[0]
    engine = SyncEngine(ws, keys.credentials, keys)
    try:
        start = time.perf_counter()
        sent = engine.push()
        elapsed = time.perf_counter() - start
    finally:
        engine.close()
    assert ws.pending_changes() == 0, ws.pending_changes()
    return sent, elapsed


def _child_push(directory: str, secrets: dict[str, str], ready: multiprocessing.synchronize.Event,
                out: multiprocessing.queues.Queue) -> None:  # type: ignore[name-defined]
    keyring.set_keyring(MemoryKeyring(secrets))
    from sync.client.credentials import Credentials
    keys = KeyRing(Credentials(Path(directory) / "vault.json"))
    keys.install()
    KEYS.append(keys)
    ws = Workspace.open(directory)
    ready.wait()
    out.put(push(ws))


def run_store(label: str, root: Path, db_url: str | None, edits: int) -> list[tuple[str, str, str]]:
    users = [f"ann{i}" for i in range(CLIENTS)]
    setup(root, db_url, users)
    server = ServerProcess(root, db_url=db_url).start()
    rows = []
    try:
        ws = make_workspace(server.url, "ann0", root / "ws-main")
        create(ws, edits // 2, 1)
        sent, t_create = push(ws)
        move_all(ws)
        moved, t_move = push(ws)
        assert sent + moved == edits // 2 * 2, (sent, moved)
        rate = (sent + moved) / (t_create + t_move)
        rows.append((f"{label}: {sent + moved:,} edits pushed, encrypted", f"{rate:,.0f} ops/s",
                     f">= {TARGET_OPS_S:,} ops/s ({t_create:.1f} s creates + {t_move:.1f} s moves)"))
        base_ws = make_workspace(server.url, "ann1", root / "ws-baseline")
        create(base_ws, BASELINE_EDITS, 2)
        batcher.MAX_OPS = 1
        try:
            one, t_one = push(base_ws)
        finally:
            batcher.MAX_OPS = 1000
        baseline = one / t_one
        rows.append((f"{label}: baseline, one request per edit ({one:,} edits, rate extrapolated)",
                     f"{baseline:,.0f} ops/s", f"batched is {rate / baseline:,.1f}x"))
        rows.append(concurrent(label, server.url, root, users))
    finally:
        server.stop()
    return rows


def concurrent(label: str, url: str, root: Path, users: list[str]) -> tuple[str, str, str]:
    share = CONCURRENT_EDITS // CLIENTS
    dirs = []
    for i, user in enumerate(users):
        ws = make_workspace(url, user, root / f"ws-c{i}")
        create(ws, share, 10 + i)
        ws.close()
        dirs.append(str(root / f"ws-c{i}"))
    secrets = dict(keyring.get_keyring().items)  # type: ignore[attr-defined]
    ctx = multiprocessing.get_context("spawn")
    ready, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_child_push, args=(d, secrets, ready, out)) for d in dirs]
    for p in procs:
        p.start()
    time.sleep(3)  # let every child import and open its workspace
    start = time.perf_counter()
    ready.set()
    results = [out.get(timeout=1800) for _ in procs]
    wall = time.perf_counter() - start
    for p in procs:
        p.join()
    total = sum(r[0] for r in results)
    assert total == share * CLIENTS, total
    return (f"{label}: {CLIENTS} clients at once, {total:,} edits", f"{total / wall:,.0f} ops/s",
            f"(aggregate; slowest client {max(r[1] for r in results):.1f} s)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        KEYS.append(memory_keys(Path(tmp))[0])
        run_benchmark(run_store, sys.argv)


if __name__ == "__main__":
    main()
