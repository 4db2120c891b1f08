"""Storing what the server says: a batch's per-op answers, pull pages, and a task's refreshed state.

Each is one workspace transaction: a batch's answer together with dropping the outbox rows it acknowledges, a pull
page together with its cursor. Server states never overwrite an annotation with local changes the server has not
yet acknowledged; those changes reach the server first and their merged result comes back in a later page.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from core.schema import LabelSchema
from sync import outbox
from sync.client import time_ops
from sync.client.guidelines import GuidelineStore
from sync.client.review_store import QUALITY_KINDS, ReviewStore
from sync.client.store import SyncStore


def record_answer(store: SyncStore, seq: int, results: Sequence[dict[str, Any]],
                  sent: Sequence[dict[str, Any]] | None = None) -> set[int]:
    """Store the answer to sealed batch `seq`; returns the local ids of tasks to refresh (an op was refused).

    `sent`: the batch's ops when the caller still holds them (just sealed), which spares decrypting the stored copy."""
    refresh: set[int] = set()
    now = time.time()
    with store.ws.transaction() as conn:
        row = conn.execute("SELECT batch_id, through_seq FROM sync_batches WHERE seq = ?", (seq,)).fetchone()
        if row is None:  # already recorded (a second sender, or a retried call)
            return refresh
        batch_id, through = row
        if sent is None:
            stored = conn.execute("SELECT ops FROM sync_batches WHERE seq = ?", (seq,)).fetchone()[0]
            sent = store.open(f"batch:{batch_id}", stored) or []
        ops = {op["op_id"]: op for op in sent}
        local = store.local_tasks(conn)
        applied: list[tuple[str, int]] = []
        for result in results:
            op = ops.get(result["op_id"])
            if op is None:
                continue
            status, reason = result["status"], result.get("reason") or ""
            if op["entity"] == "time":  # not an annotation revision, and a refused piece refreshes no task
                time_ops.answered(conn, op, result)
                continue
            if op["entity"] in ("review", "comment"):
                ReviewStore.answered(conn, op, result)
            elif op["entity"] == "task":
                if status != "rejected":
                    conn.execute("UPDATE sync_tasks SET server_status = ?, revision = ? WHERE server_id = ?",
                                 (op["fields"]["status"], result["revision"], op["task_id"]))
            elif status == "applied":
                applied.append((op["entity_id"], result["revision"]))
            if status == "rejected" or reason:
                store.put_rejection(conn, op, status, reason, now)
            if status == "rejected" and op["task_id"] in local:
                refresh.add(local[op["task_id"]])
        store.set_revisions(conn, applied)  # "merged" ones stay older: the pull brings the merged state
        outbox.drop(conn, through)
        conn.execute("DELETE FROM sync_batches WHERE seq = ?", (seq,))
        if refresh:
            waiting = set(json.loads(store.get_in(conn, "refresh", "[]")))
            store.put(conn, "refresh", json.dumps(sorted(waiting | refresh)))
    return refresh


def apply_page(store: SyncStore, items: Sequence[dict[str, Any]], next_cursor: int,
               crash: Any = None) -> int:
    """One pull page and its cursor in one transaction; returns how many annotations changed locally."""
    project = int(store.get("project_id", 0))
    reviews = ReviewStore(store.ws)
    guides = GuidelineStore(store.ws)
    changed = 0
    now = time.time()
    with store.ws.transaction() as conn:
        local = store.local_tasks(conn)
        ann_items = []
        for item in items:
            kind = item["type"]
            if kind == "task" and item["project_id"] == project:
                local[item["id"]] = store.put_task(conn, item)
            elif kind == "project" and item["id"] == project and "stages" in item:
                store.put(conn, "stages", json.dumps(item["stages"]))
            elif kind == "schema" and item["project_id"] == project:
                store.ws.store_schema(conn, LabelSchema.from_json(item["schema"]))
                store.put(conn, "schema_version", item["schema_version"])
            elif kind == "annotation" and item["task_id"] in local:
                ann_items.append(item)
            elif kind == "review" and item["task_id"] in local:
                reviews.put_review(conn, item)
            elif kind == "comment" and item["task_id"] in local:
                reviews.put_comment(conn, item)
            elif kind == "lot" and item["project_id"] == project:
                reviews.put_lot(conn, item)
            elif kind in QUALITY_KINDS:
                reviews.put_quality(conn, kind, item)
            elif kind == "guidelines" and item["project_id"] == project:
                guides.put(conn, item)
            elif kind == "conflict" and item["task_id"] in local:
                store.put_conflict(conn, item)
        changed = apply_annotations(store, conn, ann_items, local, now)
        if crash is not None:
            crash("mid_pull")
        store.put(conn, "cursor", next_cursor)
    return changed


def apply_annotations(store: SyncStore, conn: Any, items: Sequence[dict[str, Any]], local: dict[int, int],
                      now: float, force: bool = False) -> int:
    """Server states of annotations, skipping ones with unacknowledged local changes and ones already known."""
    ids = [i["id"] for i in items]
    pending = store.pending_ids(conn, ids) if ids else set()
    known = store.shadows(conn, ids) if ids else {}
    revisions: list[tuple[str, int]] = []
    for item in items:
        ann_id = item["id"]
        if ann_id in pending:
            continue
        seen = known.get(ann_id)
        if seen is not None and seen[1] is not None and seen[0] >= item["revision"] and not force:
            continue
        fields, deleted = item["fields"], bool(item["deleted"])
        if deleted and not {"label", "kind", "geometry"} <= fields.keys():
            conn.execute("UPDATE annotations SET deleted = 1, updated_at = ? WHERE id = ?", (now, ann_id))
        else:
            store.write_annotation(conn, ann_id, local[item["task_id"]], fields, item.get("author", ""), deleted, now)
        revisions.append((ann_id, item["revision"]))
    store.snapshot(conn, [i for i, _r in revisions])
    store.set_revisions(conn, revisions)
    return len(revisions)


def refresh_task(store: SyncStore, local_task: int, server_task: int, items: Sequence[dict[str, Any]]) -> None:
    """Make a task match the server after a refused op: server states in, never-accepted creations out."""
    now = time.time()
    with store.ws.transaction() as conn:
        apply_annotations(store, conn, [{**i, "task_id": server_task} for i in items], {server_task: local_task},
                          now, force=True)
        on_server = {i["id"] for i in items}
        mine = [r[0] for r in conn.execute("SELECT id FROM annotations WHERE task_id = ? AND deleted = 0",
                                           (local_task,))]
        pending = store.pending_ids(conn, mine)
        gone = [i for i in mine if i not in on_server and i not in pending]
        conn.executemany("UPDATE annotations SET deleted = 1, updated_at = ? WHERE id = ?", [(now, i) for i in gone])
        conn.executemany("DELETE FROM sync_annotations WHERE id = ?", [(i,) for i in gone])
        waiting = set(json.loads(store.get_in(conn, "refresh", "[]"))) - {local_task}
        store.put(conn, "refresh", json.dumps(sorted(waiting)))
