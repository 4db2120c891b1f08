"""Fault test: SIGKILL the process that owns the workspace at random moments during a stream of edits.

A child process edits like the app (AnnotationDoc + commands + Workspace.commit) and prints each commit before it
starts ("P" and the changes) and after it returns ("A" and the txn id). After every kill the workspace must pass
`PRAGMA integrity_check` and hold every acknowledged edit at its exact revision and content; the one commit in flight
may be there or not, but never in part. ANNODESK_FAULT_SIZE sets the number of kills (default 50).
"""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from sync.workspace import DB_NAME, Workspace

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("ANNODESK_FAULT_SIZE", "50"))

CHILD = r"""
import dataclasses, json, random, sys
sys.path.insert(0, sys.argv[1])
from core.annotation import Annotation, new_id
from core.document import AddAnnotations, AnnotationDoc, DeleteAnnotations, UndoStack, UpdateAnnotations
from core.shapes import Box
from sync.workspace import Workspace

ws = Workspace.open(sys.argv[2])
rng = random.Random(int(sys.argv[3]))
task_ids = [t.id for t in ws.tasks()]
docs = {t: AnnotationDoc(t, ws.annotations(t)) for t in task_ids}
stacks = {t: UndoStack() for t in task_ids}
out = sys.stdout
out.write("ready\n")
out.flush()
while True:
    task = rng.choice(task_ids)
    doc, stack = docs[task], stacks[task]
    roll = rng.random()
    if roll < 0.4 or not len(doc):
        boxes = tuple(
            Annotation(new_id(), task, rng.choice(["car", "person"]),
                       Box(rng.uniform(0, 900), rng.uniform(0, 900), rng.uniform(1, 90), rng.uniform(1, 90)))
            for _ in range(rng.randint(1, 3))
        )
        stack.execute(doc, AddAnnotations(boxes))
    elif roll < 0.7:
        a = doc.get(rng.choice(doc.ids()))
        moved = dataclasses.replace(a, shape=a.shape.translated(rng.uniform(-5, 5), 1.5))
        stack.execute(doc, UpdateAnnotations((moved,)))
    elif roll < 0.85:
        stack.execute(doc, DeleteAnnotations((rng.choice(doc.ids()),)))
    elif stack.can_undo():
        stack.undo(doc)
    changes = doc.take_changes()
    if not changes:
        continue
    payload = [[c.op.value, c.annotation.id, c.annotation.revision, c.annotation.label, c.annotation.shape.to_json()]
               for c in changes]
    out.write("P " + json.dumps(payload) + "\n")
    out.flush()
    txn = ws.commit(task, changes)
    out.write(f"A {txn}\n")
    out.flush()
"""


def _apply(state, payload):
    for op, ann_id, revision, label, geometry in payload:
        state[ann_id] = (revision, int(op == "delete"), label, geometry)


def _stored(db):
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT id, revision, deleted, label, geometry FROM annotations").fetchall()
        txns = {r[0] for r in conn.execute("SELECT DISTINCT txn FROM changes")}
    finally:
        conn.close()
    return {r[0]: (r[1], r[2], r[3], json.loads(r[4])) for r in rows}, txns


def _run_child(directory, seed, delay):
    """Start the editor, kill it `delay` seconds after it is ready; returns its complete output lines."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), str(directory), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    ready = threading.Event()

    def drain():
        for line in child.stdout:
            lines.append(line)
            ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    if not ready.wait(30):
        child.kill()
        raise AssertionError(f"child did not start: {child.stderr.read()}")
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    reader.join(10)
    assert child.returncode == -signal.SIGKILL, child.stderr.read()
    child.stderr.close()
    return [line[:-1] for line in lines if line.endswith("\n")]


def test_sigkill_during_edits_loses_no_acknowledged_edit(tmp_path):
    directory = tmp_path / "ws"
    with Workspace.create(directory) as ws:
        for i in range(3):
            cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tofile(tmp_path / f"{i}.png")
        ws.add_media([tmp_path])
    rng = random.Random(1234)
    acknowledged: dict = {}
    acked_txns: set = set()
    total_acks = 0
    for round_no in range(ROUNDS):
        lines = _run_child(directory, round_no, rng.uniform(0.0, 0.25))
        in_flight = None
        for line in lines[1:]:
            kind, _, rest = line.partition(" ")
            if kind == "P":
                in_flight = json.loads(rest)
            else:
                _apply(acknowledged, in_flight)
                acked_txns.add(int(rest))
                total_acks += 1
                in_flight = None
        with Workspace.open(directory) as ws:  # what the app does after a restart
            assert ws.integrity_check() == "ok", f"round {round_no}"
        stored, txns = _stored(directory / DB_NAME)
        with_in_flight = dict(acknowledged)
        if in_flight is not None:
            _apply(with_in_flight, in_flight)
        assert stored in (acknowledged, with_in_flight), f"round {round_no}: acknowledged edits missing or partial"
        assert acked_txns <= txns, f"round {round_no}: outbox rows of acknowledged commits missing"
        acknowledged = stored  # the in-flight commit, if it landed, is part of the history from now on
    assert total_acks >= ROUNDS, "the children acknowledged too few commits for the test to mean anything"
