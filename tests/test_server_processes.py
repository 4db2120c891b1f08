"""Several `annodesk server` processes over one PostgreSQL behind a load balancer (docs/deploy.md), with one killed.

Three real server processes (the CLI, `python -m sync.server.cli server`) on loopback ports share one private
PostgreSQL database and one data folder. A small round-robin HTTP proxy in this file stands in for the load balancer:
each request goes to the next backend, one that refuses the connection is skipped (what a health check would find),
and a backend that dies while it holds a request answers 502, which the clients retry.

Three real encrypted workspaces (ann1, ann2, lead) edit offline and sync in a loop from their own threads through the
proxy, while raw pushes (the `Session` helper) run beside them. Mid-run the test SIGKILLs a server process twice:
- once right after it committed a push but before its answer left the proxy: the resend of the same sealed batch,
  served by another process, must be answered from the stored answer (`duplicate: true`, the same results);
- once while a large push is in flight in it (the kill comes 30 ms after the request went in): the resend is either
  that stored answer or the batch applied once.
The first one killed is started again in between, and the proxy sends it work again once it accepts connections;
after the second kill the run goes on with two processes. The proxy never resends a request itself.

At the end: every workspace holds what the server holds (count and digest per task); each client's op ranges do not
overlap and no op id is answered in two batches; every annotation's revision equals the ops applied to it (a double
apply would show as a higher revision); and every sealed batch the proxy saw more than once got at most one
non-duplicate answer.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import zstandard

from sync.client.at_rest import KeyRing
from sync.envelope import batch_hash
from sync.server import db
from sync.server.push import recorded
from sync.workspace import Workspace
from tests.server_fixtures import NODELAY, PASSWORD, ServerProcess, Session, login, seed
from tests.sync_client_helpers import add, agree, box, clone_for, delete, move, server_task_ids, sync

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "accept-encoding", "x-kill"}


@dataclass
class Pushed:
    """One push the proxy forwarded: the sealed body's hash, the backend, the status and the answer (if 200)."""

    body: str
    backend: int
    status: int
    answer: dict[str, Any] | None


class RoundRobinProxy:
    """Round-robin per request over `backends`; a refused connection moves on to the next backend.

    A request with header `X-Kill: after-answer` has its backend SIGKILLed once the answer came back, and the client
    gets 502 instead of it; with `X-Kill: mid-request` the backend is killed 30 ms after the request went in."""

    def __init__(self, backends: list[ServerProcess]) -> None:
        self.backends = backends
        self.turn = 0
        self.lock = threading.Lock()
        self.pushes: list[Pushed] = []
        self.http = httpx.Client(timeout=60, verify=False, transport=httpx.HTTPTransport(socket_options=NODELAY))
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def handle_one(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                status, out_headers, content = proxy.forward(self.command, self.path, headers, body,
                                                             self.headers.get("X-Kill"))
                self.send_response(status)
                for k, v in out_headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_one

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api = self.url + "/api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes, kill: str | None
                ) -> tuple[int, list[tuple[str, str]], bytes]:
        with self.lock:
            start, self.turn = self.turn, (self.turn + 1) % len(self.backends)
        for i in [(start + k) % len(self.backends) for k in range(len(self.backends))]:
            backend = self.backends[i]
            timer = threading.Timer(0.03, backend.kill)
            if kill == "mid-request":
                timer.start()
            try:
                r = self.http.request(method, backend.url + path, headers={**headers, "Accept-Encoding": "identity"},
                                      content=body)
            except httpx.ConnectError:
                timer.cancel()
                continue  # nobody listens there: the next backend
            except httpx.TransportError:
                r = None  # the backend died with the request
            answer = r.json() if r is not None and r.status_code == 200 and path.endswith("/sync/push") else None
            if kill == "after-answer":  # the answer is kept in the log, never sent
                backend.kill()
                r = None
            if path.endswith("/sync/push"):
                with self.lock:
                    self.pushes.append(Pushed(hashlib.sha256(body).hexdigest(), i, r.status_code if r else 502,
                                              answer))
            if r is None:
                return 502, [("Content-Type", "application/json")], b'{"detail": "bad gateway"}'
            return r.status_code, [(k, v) for k, v in r.headers.items() if k.lower() not in HOP], r.content
        return 503, [("Content-Type", "application/json")], b'{"detail": "no backend"}'

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.http.close()


def push_until_answered(session: Session, ops: list[dict[str, Any]], kill: str | None = None
                        ) -> tuple[list[int], str]:
    """Seal once and send the same bytes until a 200 (as the sync client resends a stored batch); returns the
    statuses seen and the body's hash. The first try carries the X-Kill header."""
    body = session.seal(ops)
    statuses = []
    for attempt in range(20):
        headers = {"Content-Type": "application/octet-stream"}
        if kill and attempt == 0:
            headers["X-Kill"] = kill
        try:
            status = session.http.post("/sync/push", content=body, headers=headers).status_code
        except httpx.TransportError:
            status = 0
        statuses.append(status)
        if status == 200:
            session.last_hash = batch_hash(body)
            return statuses, hashlib.sha256(body).hexdigest()
        assert status in (0, 502, 503), statuses
        time.sleep(0.1)
    raise AssertionError(f"push never answered: {statuses}")


def raw_ops(session: Session, tasks: list[int], tag: str, n: int) -> list[dict[str, Any]]:
    return [session.op(tasks[k % len(tasks)], f"{tag}-{k}", {"label": "person", "kind": "box",
                                                            "geometry": [1, 2, 3 + k % 20, 4]}) for k in range(n)]


def editor(directory: Path, keys: KeyRing, seed_value: int, stop: threading.Event, rounds: Counter, name: str,
           errors: list[BaseException]) -> None:
    """One annotator: offline edits, then a sync, again and again until told to stop."""
    try:
        ws = Workspace.open(directory)
        rng = random.Random(seed_value)
        tasks = sorted(server_task_ids(ws))
        mine: list[Any] = []
        while not stop.is_set():
            local = rng.choice(tasks)
            mine += add(ws, local, [box(local, rng) for _ in range(2)])
            for _ in range(2):
                k = rng.randrange(len(mine))
                mine[k] = move(ws, mine[k], rng.uniform(-2, 2))
            if rounds[name] % 3 == 2:
                delete(ws, mine.pop(rng.randrange(len(mine))))
            sync(ws, keys)  # offline or refused mid-kill is fine: the next round resends
            rounds[name] += 1
        ws.close()
    except BaseException as exc:  # surfaced by the main thread
        errors.append(exc)


def wait_rounds(rounds: Counter, names: list[str], more: int, errors: list[BaseException]) -> None:
    target = {n: rounds[n] + more for n in names}
    deadline = time.monotonic() + 60
    while any(rounds[n] < target[n] for n in names):
        assert not errors, errors
        assert time.monotonic() < deadline, f"editors stalled: {dict(rounds)}"
        time.sleep(0.05)


def test_three_processes_behind_a_round_robin_proxy_apply_every_push_once(server_factory: Any, pg_database: str,
                                                                          keys: KeyRing, tmp_path: Path) -> None:
    live = server_factory(db_url=pg_database)  # in-process: seeds the store, then only reads it for the checks
    seeded = seed(live, tmp_path)
    processes = [ServerProcess(live.config.data_dir, db_url=pg_database) for _ in range(3)]  # one shared --data
    starters = [threading.Thread(target=p.start) for p in processes]
    for t in starters:
        t.start()
    for t in starters:
        t.join()
    proxy = RoundRobinProxy(processes)
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        assert all(p.proc and p.proc.poll() is None for p in processes)
        endpoint = type("Endpoint", (), {"url": proxy.url, "api": proxy.api})()
        names = ["ann1", "ann2", "lead"]
        for name in names:
            clone_for(proxy.url, name, PASSWORD, tmp_path / name, keys).close()
        lead_raw, admin_raw = login(endpoint, "lead"), login(endpoint, "admin")
        rounds: Counter = Counter()
        errors: list[BaseException] = []
        threads = [threading.Thread(target=editor, args=(tmp_path / n, keys, i, stop, rounds, n, errors))
                   for i, n in enumerate(names)]
        for t in threads:
            t.start()
        tasks = seeded.task_ids

        wait_rounds(rounds, names, 3, errors)
        for i in range(3):
            assert push_until_answered(admin_raw, raw_ops(admin_raw, tasks, f"admin{i}", 5))[0] == [200]
        # kill 1: the push committed, its answer is lost with the process
        statuses, lost = push_until_answered(admin_raw, raw_ops(admin_raw, tasks, "lost", 10), kill="after-answer")
        assert statuses[0] == 502 and statuses[-1] == 200, statuses
        killed_first = [i for i, p in enumerate(processes) if p.proc and p.proc.poll() is not None]
        assert len(killed_first) == 1
        wait_rounds(rounds, names, 3, errors)  # two processes carry on
        processes[killed_first[0]].start()
        wait_rounds(rounds, names, 2, errors)
        # kill 2: a large push in flight inside the process
        statuses, _big = push_until_answered(lead_raw, raw_ops(lead_raw, tasks, "big", 600), kill="mid-request")
        assert statuses[-1] == 200, statuses
        wait_rounds(rounds, names, 3, errors)
        for i in range(3):
            assert push_until_answered(lead_raw, raw_ops(lead_raw, tasks, f"lead{i}", 5))[0][-1] == 200
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        assert sum(p.proc is not None and p.proc.poll() is not None for p in processes) >= 1

        # the end: every workspace syncs until nothing is pending, then once more to pull the others' last edits
        workspaces = [Workspace.open(tmp_path / n) for n in names]
        try:
            for _ in range(2):
                for ws in workspaces:
                    for _attempt in range(5):
                        if sync(ws, keys).phase == "up_to_date":
                            break
                    assert ws.pending_changes() == 0
            reader = login(endpoint, "lead")
            for ws in workspaces:
                agree(ws, reader)
        finally:
            for ws in workspaces:
                ws.close()

        check_exactly_once(live, proxy, lost)
        print(f"\nrounds {dict(rounds)}, pushes through the proxy {len(proxy.pushes)}, "
              f"502s {sum(p.status == 502 for p in proxy.pushes)}, "
              f"duplicates {sum(bool(p.answer and p.answer.get('duplicate')) for p in proxy.pushes)}, "
              f"per backend {sorted(Counter(p.backend for p in proxy.pushes).items())}, big push statuses {statuses}")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        proxy.close()
        for p in processes:
            p.kill()


def check_exactly_once(live: Any, proxy: RoundRobinProxy, lost: str) -> None:
    with live.store.read() as conn:
        ranges = conn.execute(sa.select(db.op_ranges.c.client_id, db.op_ranges.c.batch_id, db.op_ranges.c.first_op,
                                        db.op_ranges.c.last_op)).all()
        batches = conn.execute(sa.select(db.batches.c.client_id, db.batches.c.batch_id)).all()
        revisions = dict(conn.execute(sa.select(db.annotations.c.id, db.annotations.c.revision)).all())
        answers = conn.execute(sa.select(db.batches.c.client_id, db.batches.c.response)).all()
        everything = recorded(conn, None)
    # one batch row per accepted batch, one op range per batch, and a client's ranges never overlap
    assert len(set(batches)) == len(batches)
    assert {(c, b) for c, b, _f, _l in ranges} <= set(batches)
    per_client: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for client, _batch, first, last in ranges:
        per_client[client].append((first, last))
    for client, spans in per_client.items():
        spans.sort()
        overlaps = [(a, b) for a, b in itertools.pairwise(spans) if b[0] <= a[1]]
        assert not overlaps, f"client {client}: overlapping op ranges {overlaps[:3]}"
    # no op id is answered in two stored batches of one client
    seen = Counter((client, r["op_id"]) for client, response in answers
                   for r in json.loads(zstandard.decompress(response))["results"])
    assert not [k for k, n in seen.items() if n > 1]
    # each annotation's revision is the number of ops applied or merged into it: a double apply would add one
    applied = Counter(r["entity_id"] for r in everything.values() if r["status"] != "rejected")
    wrong = {i: (rev, applied.get(i)) for i, rev in revisions.items() if applied.get(i) != rev}
    assert revisions and not wrong, f"revision != ops applied: {list(wrong.items())[:5]}"
    # every resent batch got at most one fresh answer; the ones whose first answer was lost got only duplicates
    by_body: dict[str, list[Pushed]] = defaultdict(list)
    for p in proxy.pushes:
        by_body[p.body].append(p)
    for body, tries in by_body.items():
        fresh = [p for p in tries if p.answer is not None and not p.answer.get("duplicate")]
        assert len(fresh) <= 1, f"batch {body[:12]} applied {len(fresh)} times"
    first, *resent = by_body[lost]  # the answer the killed process gave, which never reached the client
    assert first.status == 502 and first.answer is not None and resent
    assert all(r["status"] == "applied" for r in first.answer["results"])
    answered = [p.answer for p in resent if p.answer is not None]
    assert answered and all(a.get("duplicate") is True and a["results"] == first.answer["results"]
                            for a in answered), answered
