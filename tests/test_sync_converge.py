"""Property: 2-5 clients edit the same task offline and sync in a random order; after every client has synced
twice they all hold one state, the server's, and every value that lost a merge is kept in the server's conflicts.

Clients are the lead, the admin and workspaces of ann1 (an annotator's edits lose to reviewers'). The example count
is small in CI (ANNODESK_HYPOTHESIS_EXAMPLES raises it)."""

import dataclasses
import os
import random
import tempfile
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.document import Change, ChangeOp
from core.shapes import Box
from sync.client.store import SyncStore
from sync.server import db
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import agree, box, clone_for, memory_keys, server_task_ids, sync

EXAMPLES = int(os.environ.get("ANNODESK_HYPOTHESIS_EXAMPLES", "4"))
USERS = ("ann1", "lead", "ann1", "admin", "ann1")

step = st.tuples(st.integers(0, 4), st.sampled_from(["add", "move", "label", "attr", "delete", "sync"]),
                 st.integers(0, 1000))


def edit(ws, task, kind, seed):
    rng = random.Random(seed)
    live = ws.annotations(task)
    if kind == "add" or not live:
        ws.commit(task, [Change(ChangeOp.UPSERT, dataclasses.replace(box(task, rng), revision=1))])
        return
    a = rng.choice(live)
    if kind == "delete":
        ws.commit(task, [Change(ChangeOp.DELETE, dataclasses.replace(a, revision=a.revision + 1))])
        return
    shape = a.shape
    changed = {"move": {"shape": Box(shape.x + rng.uniform(1, 5), shape.y, shape.w, shape.h)},
               "label": {"label": rng.choice(["car", "person"])},
               "attr": {"attributes": {"occluded": rng.random() < 0.5, "n": seed}}}.get(kind, {})
    ws.commit(task, [Change(ChangeOp.UPSERT, dataclasses.replace(a, revision=a.revision + 1, **changed))])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(clients=st.integers(2, 5), steps=st.lists(step, min_size=5, max_size=25), order=st.randoms())
def test_offline_clients_converge(seeded_sqlite, clients, steps, order):
    with tempfile.TemporaryDirectory() as tmp:
        keys, _ = memory_keys(Path(tmp))
        try:
            run(seeded_sqlite, Path(tmp), keys, clients, steps, order)
        finally:
            Workspace.codec_provider = None


def run(seeded, tmp, keys, clients, steps, order):
    task = seeded.task_ids[0]
    spaces = [clone_for(seeded.server.url, USERS[i], PASSWORD, tmp / f"c{i}", keys) for i in range(clients)]
    local = [{server: mine for mine, server in server_task_ids(ws).items()}[task] for ws in spaces]
    for who, kind, seed in steps:
        who %= clients
        if kind == "sync":
            sync(spaces[who], keys)
        else:
            edit(spaces[who], local[who], kind, seed)
    for _ in range(2):
        for i in order.sample(range(clients), clients):
            assert sync(spaces[i], keys).phase == "up_to_date"
    states = [SyncStore(ws).task_digest(lt) for ws, lt in zip(spaces, local, strict=True)]
    assert len(set(states)) == 1, states
    agree(spaces[0], seeded.sessions["lead"])
    with seeded.server.store.read() as conn:
        c = db.conflicts
        kept = {(r.annotation_id, r.loser) for r in conn.execute(sa.select(c.c.annotation_id, c.c.loser))}
    for ws, user in zip(spaces, USERS, strict=False):
        for r in SyncStore(ws).rejections():
            if r["reason"].startswith("reviewer_wins"):
                assert (r["entity_id"], user) in kept
        ws.close()
