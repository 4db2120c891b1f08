"""Delivery faults: duplicate and out-of-order batches, dropped answers, two workspaces of one device, and a server
that goes away and comes back (the state says offline, the next round catches up without a new edit)."""

import random

import pytest

from sync.client import batcher as batcher_module
from sync.client.batcher import Batcher
from sync.client.engine import SyncEngine
from sync.client.http import Http, ServerError
from sync.client.store import SyncStore
from tests.server_fixtures import PASSWORD, ServerProcess
from tests.sync_client_helpers import add, agree, box, clone_for, move, server_task_ids, sync


def test_duplicates_out_of_order_and_dropped_answers(seeded, keys, tmp_path):
    ws = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    t = next(iter(server_task_ids(ws)))
    rng = random.Random(7)
    engine = SyncEngine(ws, keys.credentials, keys)
    batcher = Batcher(SyncStore(ws), engine.identity)
    raw = Http(seeded.server.url, engine.http.session.headers["Authorization"].split()[1])
    try:
        first = add(ws, t, [box(t, rng) for _ in range(4)])
        b1 = batcher.seal_next()
        move(ws, first[0], 3.0)
        b2 = batcher.seal_next()
        assert b1 and b2 and batcher.seal_next() is None
        post = {"headers": {"Content-Type": "application/octet-stream"}}
        with pytest.raises(ServerError) as refused:  # out of order: the second before the first
            raw.json("POST", "/sync/push", data=b2.body, **post)
        assert refused.value.code == "out_of_order"
        once = raw.json("POST", "/sync/push", data=b1.body, **post)  # the answer is "dropped": never recorded
        again = raw.json("POST", "/sync/push", data=b1.body, **post)
        assert not once["duplicate"] and again["duplicate"] and again["results"] == once["results"]
        assert engine.push() == 5  # resends b1 (answered from the record) and b2
        assert ws.pending_changes() == 0
        engine.pull()
        agree(ws, seeded.sessions["ann1"])
    finally:
        raw.close()
        engine.close()


def test_answers_of_pipelined_batches_are_stored_in_chain_order(seeded, keys, tmp_path, monkeypatch):
    """Batches sealed between moves of one box, then sent in one push: several are in flight while the answers are
    stored, and a later batch's answer (a newer revision of the box) must not be overwritten by an earlier one's."""
    ws = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    t = next(iter(server_task_ids(ws)))
    rng = random.Random(9)
    monkeypatch.setattr(batcher_module, "MAX_OPS", 1)
    engine = SyncEngine(ws, keys.credentials, keys)
    batcher = Batcher(SyncStore(ws), engine.identity)
    try:
        moved = add(ws, t, [box(t, rng) for _ in range(4)])[0]
        while batcher.seal_next() is not None:  # four batches of one creation each
            pass
        for _ in range(5):
            moved = move(ws, moved, 1.0)
            assert batcher.seal_next() is not None
        assert engine.push() == 9
    finally:
        engine.close()
    assert ws.pending_changes() == 0
    with ws.transaction() as conn:
        assert SyncStore(ws).shadows(conn, [moved.id])[moved.id][0] == 6  # created (1), then moved five times
    agree(ws, seeded.sessions["ann1"])


def test_two_workspaces_of_one_device_rechain(seeded_sqlite, keys, tmp_path):
    url = seeded_sqlite.server.url
    a = clone_for(url, "ann1", PASSWORD, tmp_path / "a", keys)
    b = clone_for(url, "ann1", PASSWORD, tmp_path / "b", keys)  # same device key: same client id, own op ids
    rng = random.Random(8)
    for _ in range(3):
        for ws in (a, b):
            t = next(iter(server_task_ids(ws)))
            add(ws, t, [box(t, rng) for _ in range(2)])
            assert sync(ws, keys).phase == "up_to_date"
    sync(a, keys)
    agree(a, seeded_sqlite.sessions["ann1"])
    agree(b, seeded_sqlite.sessions["ann1"])
    assert sum(len(a.annotations(t.id)) for t in a.tasks()) == 12


def test_server_down_then_back(server_factory, keys, tmp_path):
    from tests.server_fixtures import seed
    live = server_factory()
    seeded = seed(live, tmp_path)
    ws = clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    live.stop()
    process = ServerProcess(live.config.data_dir, port=live.port).start()
    try:
        t = next(iter(server_task_ids(ws)))
        add(ws, t, [box(t, random.Random(9))])
        assert sync(ws, keys).phase == "up_to_date"
        process.kill()
        moved = move(ws, ws.annotations(t)[0], 2.0)
        state = sync(ws, keys)
        assert state.phase == "offline" and state.pending == 1 and "Offline" in state.text()
        process.start()
        state = sync(ws, keys)
        assert state.phase == "up_to_date" and state.pending == 0
        remote = seeded.sessions["ann1"].get(f"/tasks/{server_task_ids(ws)[t]}/annotations").json()["items"]
        assert remote[0]["fields"]["geometry"][0] == moved.shape.x
    finally:
        process.kill()
