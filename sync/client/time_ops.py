"""Active time on the wire: the op of a stored piece of time (sync/time_log.py) and what its answer leaves behind.

`{"entity": "time", "op": "add", "entity_id": <uid>, "task_id": <server task>, "base_revision": 0, "fields":
{"seconds", "started", "ended"}}`; the server adds a uid once (sync/server/time_log.py), so a resent batch or a
resealed op never counts a piece twice. Pieces of a task that is not on the server are never sent.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sync.outbox import OutboxEntry


def op(conn: sqlite3.Connection, entry: OutboxEntry, tasks: dict[int, tuple[int, str, int]],
       first_id: int) -> dict[str, Any] | None:
    """The op of a time outbox entry; None for a piece of a local-only task (or one no longer stored)."""
    row = conn.execute("SELECT task_id, seconds, started, ended, author FROM task_time WHERE uid = ?",
                       (entry.entity_id,)).fetchone()
    server = tasks.get(row[0]) if row is not None else None
    if row is None or server is None:
        return None
    return {"op_id": first_id + entry.seq, "txn": entry.txn, "entity": "time", "entity_id": entry.entity_id,
            "task_id": server[0], "op": "add", "base_revision": 0,
            "fields": {"seconds": row[1], "started": row[2], "ended": row[3]}, "author": row[4]}


def answered(conn: sqlite3.Connection, op: dict[str, Any], result: dict[str, Any]) -> None:
    """Keep the server's answer with the piece: "applied", or the reason it was refused (the piece stays local)."""
    answer = "applied" if result["status"] != "rejected" else result.get("reason") or "refused"
    conn.execute("UPDATE task_time SET answer = ? WHERE uid = ?", (answer, op["entity_id"]))
