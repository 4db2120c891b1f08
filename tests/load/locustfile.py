"""The load test's simulated users (locust). Run by `python -m tests.load`, which seeds the store, starts the server
processes and writes the plan this file reads (ANNODESK_LOAD_PLAN: a JSON file); not part of the test suite.

Annotators log in with a device key, pull event pages, push sealed 100-op batches (each user keeps its own chain:
`prev_batch_hash` is the hash of its last accepted batch) and download media; leads read the dashboard and review
submitted tasks. Each user talks to one server process, chosen round-robin by user (no proxy in between). Request
names (`login`, `pull`, `push`, `media`, `dashboard`, `review`) make locust's statistics per request kind.

The measured window starts when the last user has logged in: each user waits after its login until then, and the
last login resets the statistics and ends the run `duration` seconds later. A login costs the server ~0.1-0.2 s of
argon2id CPU, so a window that opened during the logins measured the other requests queued behind that burst rather
than the steady state (the logins' own times are reported apart, from LOGINS).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gevent.event import Event
from locust import FastHttpUser, between, events, task

from sync.envelope import b64d, b64e, batch_hash, raw_public, seal

PLAN: dict[str, Any] = json.loads(Path(os.environ["ANNODESK_LOAD_PLAN"]).read_text()) if (
    "ANNODESK_LOAD_PLAN" in os.environ) else {}
THINK = tuple(PLAN.get("think", (1.0, 3.0)))
_next_user = itertools.count()
_next_lead = itertools.count()
LOGINS: list[float] = []  # ms: logins happen in on_start, before the measured window
OPS = {"pushed": 0, "refused_logins": 0}  # refused logins: the window's reset clears them from locust's statistics
_logins_done = itertools.count(1)
_all_logged_in = Event()
WINDOW = {"opened_after_s": 0.0}
_began = time.perf_counter()


def _login_done(environment: Any) -> None:
    """Count a finished (or refused) login; the last one opens the measured window and schedules its end."""
    if next(_logins_done) == PLAN["users"]:
        environment.runner.stats.reset_all()
        WINDOW["opened_after_s"] = time.perf_counter() - _began
        _all_logged_in.set()
        gevent.spawn_later(PLAN["duration"], environment.runner.quit)


@events.test_stop.add_listener
def _write_extra(**_kw: Any) -> None:
    if out := os.environ.get("ANNODESK_LOAD_EXTRA"):
        Path(out).write_text(json.dumps({"logins_ms": LOGINS, **OPS, **WINDOW}))


class _Annodesk(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)

    def __init__(self, environment: Any) -> None:
        self.index = next(_next_user)
        hosts = PLAN["hosts"]
        self.host = hosts[self.index % len(hosts)]  # round-robin over the server processes, by user
        super().__init__(environment)

    def login(self, name: str) -> None:
        self.device_key = Ed25519PrivateKey.generate()
        body = {"username": name, "password": PLAN["password"], "device_name": f"{name}-load-{self.index}",
                "device_public_key": b64e(raw_public(self.device_key))}
        began = time.perf_counter()
        try:
            with self.client.post("/api/v1/auth/login", json=body, name="login", catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"login {r.status_code}: {r.text[:200]}")
                    OPS["refused_logins"] += 1
                    raise RuntimeError(f"login of {name} refused")
                data = r.json()
            LOGINS.append((time.perf_counter() - began) * 1000)
        finally:
            _login_done(self.environment)
        _all_logged_in.wait()
        self.name = name
        self.auth = {"Authorization": f"Bearer {data['token']}"}
        self.client_id = data["client_id"]
        self.server_public = b64d(data["server_key"]["public_key"])


class Annotator(_Annodesk):
    weight = 9

    def on_start(self) -> None:
        names = sorted(PLAN["annotators"])
        self.login(names[self.index % len(names)])
        self.tasks_open = PLAN["annotators"][self.name]  # tasks in progress or rejected: open to edits
        self.cursor = 0
        self.chain = ""
        self.next_op = 1
        self.revisions: dict[str, tuple[int, int]] = {}  # entity id -> (task id, revision the server answered)
        self.rng = random.Random(self.index)

    @task(5)
    def pull(self) -> None:
        for _ in range(5):  # at most 5 pages a visit
            with self.client.get(f"/api/v1/sync/pull?cursor={self.cursor}&limit=500", headers=self.auth,
                                 name="pull", catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"pull {r.status_code}: {r.text[:200]}")
                    return
                page = r.json()
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return

    def _op(self, task_id: int, entity_id: str, fields: dict[str, Any], base: int) -> dict[str, Any]:
        op = {"op_id": self.next_op, "txn": self.next_op, "entity": "annotation", "entity_id": entity_id,
              "task_id": task_id, "op": "upsert", "base_revision": base, "fields": fields, "author": self.name}
        self.next_op += 1
        return op

    @task(2)
    def push(self) -> None:
        """100 ops: 50 new boxes and 50 moves of boxes this user or the seed made (the seed's on its open tasks)."""
        rng, ops = self.rng, []
        known = list(self.revisions.items())
        for _ in range(50):
            tid = rng.choice(self.tasks_open)
            fields = {"label": f"label{rng.randrange(20):02d}", "kind": "box",
                      "geometry": [round(rng.random() * 1800, 1), round(rng.random() * 1000, 1), 40.0, 30.0]}
            ops.append(self._op(tid, uuid.uuid4().hex, fields, 0))
        for k in range(50):
            if known and k % 2:
                eid, (tid, rev) = rng.choice(known)
            else:
                tid = rng.choice(self.tasks_open)
                eid = f"{tid:010x}{rng.randrange(10):022x}"
                rev = self.revisions.get(eid, (tid, 1))[1]
            ops.append(self._op(tid, eid, {"geometry": [round(rng.random() * 1800, 1),
                                                        round(rng.random() * 1000, 1), 50.0, 40.0]}, rev))
        body = seal(ops, client_id=self.client_id, device_key=self.device_key, server_public_key=self.server_public,
                    schema_version=1, prev_batch_hash=self.chain)
        with self.client.post("/api/v1/sync/push", data=body, name="push", catch_response=True,
                              headers={**self.auth, "Content-Type": "application/octet-stream"}) as r:
            if r.status_code != 200:
                r.failure(f"push {r.status_code}: {r.text[:200]}")
                self.next_op -= len(ops)  # nothing applied: the same op ids go in the next batch
                return
            answer = r.json()
        self.chain = batch_hash(body)
        OPS["pushed"] += len(ops)
        by_op = {op["op_id"]: op for op in ops}
        for result in answer.get("results", []):
            op = by_op.get(result.get("op_id"))
            if op is not None and result.get("status") != "rejected":
                self.revisions[op["entity_id"]] = (op["task_id"], result["revision"])
        if len(self.revisions) > 2000:
            for eid in list(self.revisions)[:1000]:
                del self.revisions[eid]

    @task(1)
    def media(self) -> None:
        with self.client.get(f"/api/v1/media/{PLAN['media']}", headers=self.auth, name="media",
                             catch_response=True) as r:
            if r.status_code != 200 or len(r.content) != PLAN["media_size"]:
                r.failure(f"media {r.status_code}, {len(r.content or b'')} bytes")


class Lead(_Annodesk):
    weight = 1

    def on_start(self) -> None:
        self.login(PLAN["leads"][self.index % len(PLAN["leads"])])
        # each lead user reviews its own share of the submitted tasks, so two never review the same task
        self.lead_index = next(_next_lead)
        self.queue = PLAN["submitted"][self.lead_index::PLAN["max_leads"]]
        self.rng = random.Random(self.index)

    @task(1)
    def dashboard(self) -> None:
        with self.client.get(f"/api/v1/projects/{PLAN['project_id']}/dashboard", headers=self.auth,
                             name="dashboard", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"dashboard {r.status_code}: {r.text[:200]}")

    @task(3)
    def review(self) -> None:
        if not self.queue:
            return
        tid = self.queue.pop()
        decision = "accept" if self.rng.random() < 0.8 else "reject"
        body: dict[str, Any] = {"decision": decision, "comments": []}
        if decision == "reject":
            body["reason"] = "wrong label"
        with self.client.post(f"/api/v1/tasks/{tid}/review", json=body, headers=self.auth, name="review",
                              catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"review {r.status_code}: {r.text[:200]}")
