"""The workspace's outbox: the `changes` rows of edits the server has not acknowledged yet.

An edit writes its outbox rows in the same transaction as its annotation rows (sync/workspace.py). A bulk import
writes one row for a whole range of annotation rows instead of one per annotation (a million-box import would
otherwise double its writes); that row takes as many seq numbers as it stands for, ending at its own, so sealing
and acknowledging can still address every entry by seq.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

_COLUMNS = "seq, txn, entity, entity_id, op, revision, created_at, first_row, last_row"


@dataclass(frozen=True)
class OutboxEntry:
    """One stored change not yet acknowledged by the server; the payload is read from its entity when sealing.

    The entries of a bulk import come from one stored row (see `read`); their revision is the annotation's current
    one, which is the revision of the payload sealed.
    """

    seq: int
    txn: int
    entity: str  # "annotation" | "task" | "schema"
    entity_id: str
    op: str  # "upsert" | "delete" | "status" | "set"
    revision: int
    created_at: float


def log_range(conn: sqlite3.Connection, txn: int, first_row: int, last_row: int, now: float) -> None:
    """One outbox row for annotation rows first_row..last_row; it takes as many seq numbers, ending at its own."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    seq = (row[0] if row else 0) + last_row - first_row + 1
    conn.execute(
        "INSERT INTO changes (seq, txn, entity, entity_id, op, revision, created_at, first_row, last_row) "
        "VALUES (?, ?, 'annotation', '', 'upsert', 0, ?, ?, ?)",
        (seq, txn, now, first_row, last_row),
    )


def next_txn(conn: sqlite3.Connection) -> int:
    """A new local transaction id (the entries of one edit share it)."""
    return int(conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'last_txn' RETURNING value").fetchone()[0])


def read(conn: sqlite3.Connection, after_seq: int, limit: int) -> list[OutboxEntry]:
    """Up to `limit` entries after `after_seq`, in seq order.

    A bulk row stands for one entry per annotation row of its range: entry seq = the row's seq minus
    (last_row - annotation rowid), so the entries fill the seq numbers the row reserved, in rowid order.
    """
    entries: list[OutboxEntry] = []
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
    ).fetchall()
    for seq, txn, entity, entity_id, op, revision, created_at, first_row, last_row in rows:
        if len(entries) >= limit:
            break
        if first_row is None:
            entries.append(OutboxEntry(seq, txn, entity, entity_id, op, revision, created_at))
            continue
        ranged = conn.execute(
            "SELECT rowid, id, revision FROM annotations WHERE rowid BETWEEN ? AND ? ORDER BY rowid LIMIT ?",
            (max(first_row, last_row - (seq - after_seq) + 1), last_row, limit - len(entries)),
        )
        entries += [OutboxEntry(seq - (last_row - r), txn, entity, i, op, rev, created_at) for r, i, rev in ranged]
    return entries


def drop(conn: sqlite3.Connection, through_seq: int) -> int:
    """Forget the entries through `through_seq` inside the caller's transaction; returns how many were removed.

    A bulk row whose entries straddle `through_seq` keeps its tail; it can only be the next row (the seq numbers it
    stands for belong to no other row).
    """
    dropped = conn.execute(
        "DELETE FROM changes WHERE seq <= ? RETURNING coalesce(last_row - first_row + 1, 1)", (through_seq,)
    ).fetchall()
    removed = sum(n for (n,) in dropped)
    row = conn.execute(
        "SELECT seq, first_row, last_row FROM changes WHERE seq > ? ORDER BY seq LIMIT 1", (through_seq,)
    ).fetchone()
    if row is not None and row[1] is not None and row[0] - (row[2] - row[1]) <= through_seq:
        seq, first_row, last_row = row
        kept_from = last_row - (seq - through_seq) + 1
        conn.execute("UPDATE changes SET first_row = ? WHERE seq = ?", (kept_from, seq))
        removed += kept_from - first_row
    return removed
