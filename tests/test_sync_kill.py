"""Fault test: the sync client process is SIGKILLed at each step of a round, ANNODESK_FAULT_SIZE times per step.

The child is the real `annodesk sync` command; ANNODESK_SYNC_CRASH_AT makes it kill itself at a step (before sealing,
after sealing, mid-request with half the body sent, after the server committed but before the answer is stored,
mid-pull inside a page's transaction); every run reaches its step and is killed there. Between kills the test edits
the workspace and the lead edits the same tasks from another device. At the end one clean round runs and:
- client and server hold the same annotations on every task (count and digest),
- every op the server recorded changed the annotation exactly once (its revision = the ops applied to it), so no
  op was applied twice under another id and none is missing,
- the workspace passes PRAGMA integrity_check and its outbox is empty.
"""

import os
import random
import sqlite3
import subprocess
from collections import Counter

import pytest
import sqlalchemy as sa

from sync.server import db
from sync.server.push import recorded
from sync.workspace import DB_NAME, Workspace
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import (
    ROOT,
    add,
    agree,
    box,
    child_command,
    clone_for,
    delete,
    memory_keys,
    move,
    secrets_line,
    server_task_ids,
)

ROUNDS = int(os.environ.get("ANNODESK_FAULT_SIZE", "20"))
POINTS = ("before_seal", "after_seal", "mid_request", "after_commit", "mid_pull")


def run_child(ws_dir, backend, point=None, skip=0):
    env = {**os.environ, "ANNODESK_SYNC_CRASH_AT": point or "", "ANNODESK_SYNC_CRASH_SKIP": str(skip)}
    proc = subprocess.run(child_command(ws_dir), input=secrets_line(backend), cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    return proc


def revisions_match_ops(store):
    """Server side: each live annotation's revision equals the number of ops applied or merged into it."""
    with store.read() as conn:
        a = db.annotations
        revs = dict(conn.execute(sa.select(a.c.id, a.c.revision)).all())
        answers = recorded(conn, None).values()  # one answer per (client, op id), however often it was sent
    applied = Counter(r["entity_id"] for r in answers if r["status"] != "rejected")
    assert revs, "nothing reached the server"
    wrong = {i: (r, applied.get(i)) for i, r in revs.items() if applied.get(i) != r}
    assert not wrong, f"revision != ops applied: {list(wrong.items())[:5]}"


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_kill_client_at_each_step(point, seeded_sqlite, tmp_path):
    seeded = seeded_sqlite
    keys, backend = memory_keys(tmp_path)
    try:
        ws_dir = tmp_path / "ann1"
        ws = clone_for(seeded.server.url, "ann1", PASSWORD, ws_dir, keys)
        lead = seeded.sessions["lead"]
        rng = random.Random(point)
        tasks = list(server_task_ids(ws).items())
        live = []
        killed = 0
        for i in range(ROUNDS):
            local, server = tasks[i % len(tasks)]
            live += add(ws, local, [box(local, rng) for _ in range(3)])
            for _ in range(2):
                k = rng.randrange(len(live))
                live[k] = move(ws, live[k], rng.choice((-1, 1)) * rng.uniform(0.5, 3))
            if i % 4 == 3:
                delete(ws, live.pop(rng.randrange(len(live))))
            lead.push([lead.op(server, f"lead-{point}-{i}", {"label": "person", "kind": "box",
                                                             "geometry": [1, 2, 3 + i, 4]})])
            ws.close()
            proc = run_child(ws_dir, backend, point)
            killed += proc.returncode == -9
            assert proc.returncode in (-9, 0, 1), proc.stderr.decode()[-2000:]
            conn = sqlite3.connect(ws_dir / DB_NAME)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
            ws = Workspace.open(ws_dir)
        ws.close()
        final = run_child(ws_dir, backend)
        assert final.returncode == 0, final.stderr.decode()[-2000:] + final.stdout.decode()
        assert b"Up to date" in final.stdout, final.stdout
        assert killed == ROUNDS, f"only {killed} of {ROUNDS} runs reached {point}"
        ws = Workspace.open(ws_dir)
        try:
            assert ws.pending_changes() == 0
            agree(ws, seeded.sessions["ann1"])
            ids = {a.id for t in ws.tasks() for a in ws.annotations(t.id)}
            assert ids == {a.id for a in live} | {f"lead-{point}-{i}" for i in range(ROUNDS)}
        finally:
            ws.close()
        revisions_match_ops(seeded.server.store)
    finally:
        Workspace.codec_provider = None
