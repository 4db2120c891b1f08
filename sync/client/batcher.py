"""Sealing the outbox into batches: whole local transactions, at most 1,000 ops or ~1 MiB, stored before sending.

A batch is sealed and stored (sync_batches) in the same transaction that advances the sealed-through mark and the
shadows its ops were diffed against, so after a crash the very same bytes are resent, never a re-sealed variant.
Each op carries only the fields that changed since the state last sent or received (the shadow), so concurrent
edits to different fields merge on the server. A local transaction larger than a batch (a bulk import of thousands
of new annotations) is the one case that is split: its parts are independent creations.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client import time_ops
from sync.client.review_store import ReviewStore
from sync.client.store import Pending, SyncStore
from sync.envelope import batch_hash, key_id, raw_public, read_header, seal
from sync.outbox import OutboxEntry

MAX_OPS = 1000
MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class Identity:
    """Who seals: this device's client id and signing key, and the server key batches are sealed to."""

    client_id: str
    device_key: Ed25519PrivateKey
    server_public_key: bytes


@dataclass(frozen=True)
class StoredBatch:
    seq: int
    batch_id: str
    through_seq: int
    op_count: int
    body: bytes
    ops: list[dict[str, Any]] | None = None  # in memory when just sealed; None when read back from the workspace


@dataclass(frozen=True)
class Sent:
    """What a sealed batch sent: rows sent as they are now (they become shadows) and kept predictions sent as the
    model made them."""

    whole: list[str]
    predictions: list[str]


def _whole_txns(entries: list[OutboxEntry], complete: bool) -> list[OutboxEntry]:
    """The longest prefix of whole transactions within MAX_OPS; the first one is split only if it alone is larger.

    `complete` says whether `entries` reach the end of the outbox (otherwise the last transaction may go on)."""
    groups = [list(g) for _, g in groupby(entries, key=lambda e: e.txn)]
    if not complete and len(groups) > 1:
        groups.pop()
    chosen: list[OutboxEntry] = []
    for group in groups:
        if chosen and len(chosen) + len(group) > MAX_OPS:
            break
        chosen += group
    return chosen[:MAX_OPS]


class Batcher:
    def __init__(self, store: SyncStore, identity: Identity) -> None:
        self.store = store
        self.ws = store.ws
        self.reviews = ReviewStore(store.ws)
        self.identity = identity

    def seal_next(self) -> StoredBatch | None:
        """Seal the next batch from the outbox and store it; None when everything is sealed."""
        with self.ws.transaction() as conn:
            after = int(self.store.get_in(conn, "sealed_seq", 0))
            entries = self.ws.outbox(after, MAX_OPS + 1)
            if not entries:
                return None
            chosen = _whole_txns(entries, complete=len(entries) <= MAX_OPS)
            ops, sent, rejected = self._ops(conn, chosen)
            while len(ops) > 1 and _size(ops) > MAX_BYTES:  # fewer whole transactions; a single one is split
                groups = [list(g) for _, g in groupby(chosen, key=lambda e: e.txn)]
                chosen = ([e for g in groups[:len(groups) // 2] for e in g] if len(groups) > 1
                          else chosen[:len(chosen) // 2])
                ops, sent, rejected = self._ops(conn, chosen)
            through = chosen[-1].seq
            now = time.time()
            for op, reason in rejected:
                self.store.put_rejection(conn, op, "rejected", reason, now)
            body, batch_id = b"", uuid.uuid4().hex
            if ops:
                body = seal(ops, client_id=self.identity.client_id, device_key=self.identity.device_key,
                            server_public_key=self.identity.server_public_key,
                            schema_version=int(self.store.get_in(conn, "schema_version", 1)),
                            prev_batch_hash=str(self.store.get_in(conn, "chain_head", "")), batch_id=batch_id)
                self.store.put(conn, "chain_head", batch_hash(body))
            seq = conn.execute(
                "INSERT INTO sync_batches (batch_id, first_op, last_op, through_seq, op_count, body, ops, sealed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                (batch_id, ops[0]["op_id"] if ops else 0, ops[-1]["op_id"] if ops else 0, through, len(ops), body,
                 self.store.seal(f"batch:{batch_id}", ops), now),
            ).fetchone()[0]
            self.store.snapshot(conn, sent.whole)
            self.store.mark_sent(conn, sent.predictions)
            self.store.put(conn, "sealed_seq", through)
        return StoredBatch(seq, batch_id, through, len(ops), body, ops)

    def reseal(self, prev_hash: str) -> int:
        """Re-chain every unacknowledged batch after `prev_hash` (the server's last accepted batch of this client).

        Only batches the server refused as out of order are resealed, and a refused batch was never applied, so
        the same ops get new envelopes (new batch ids) and nothing can be applied twice. This happens when another
        workspace of the same device pushed in between, or for a new workspace of a device that pushed before."""
        with self.ws.transaction() as conn:
            return self._reseal_in(conn, prev_hash)

    def rekey(self) -> int:
        """Reseal the stored batches with this identity's key when an older key of the same client sealed them.

        After an administrator revoked the device and a new key took over its client (`annodesk login`), the
        stored batches are signed by a key the server refuses for good. They are resealed in the same chain
        position (after the first one's prev_batch_hash; a 409 out_of_order re-chains them if the server got
        further). Ops the server applied under the old key keep their (client, op id), so they are answered from
        its record and never applied twice. Batches of another client are left alone for the server to refuse:
        there, the same op ids would count as new. Returns the number of batches resealed."""
        with self.ws.transaction() as conn:
            first = conn.execute("SELECT body FROM sync_batches WHERE op_count > 0 ORDER BY seq LIMIT 1").fetchone()
            if first is None:
                return 0
            header = read_header(first[0])[0]
            mine = key_id(raw_public(self.identity.device_key))
            if header["client_id"] != self.identity.client_id or header["device_key_id"] == mine:
                return 0
            return self._reseal_in(conn, header["prev_batch_hash"])

    def _reseal_in(self, conn: sqlite3.Connection, prev_hash: str) -> int:
        rows = conn.execute("SELECT seq, batch_id, ops FROM sync_batches WHERE op_count > 0 ORDER BY seq").fetchall()
        head = prev_hash
        for seq, old_id, stored in rows:
            ops = self.store.open(f"batch:{old_id}", stored)
            batch_id = uuid.uuid4().hex
            body = seal(ops, client_id=self.identity.client_id, device_key=self.identity.device_key,
                        server_public_key=self.identity.server_public_key,
                        schema_version=int(self.store.get_in(conn, "schema_version", 1)),
                        prev_batch_hash=head, batch_id=batch_id)
            head = batch_hash(body)
            conn.execute("UPDATE sync_batches SET batch_id = ?, body = ?, ops = ? WHERE seq = ?",
                         (batch_id, body, self.store.seal(f"batch:{batch_id}", ops), seq))
        self.store.put(conn, "chain_head", head)
        return len(rows)

    def _ops(self, conn: sqlite3.Connection, entries: Sequence[OutboxEntry]
             ) -> tuple[list[dict[str, Any]], Sent, list[tuple[dict[str, Any], str]]]:
        """Ops for the entries (in seq order), what they sent, and ops refused before sending.

        A kept prediction (Pending.unsent) goes first as the model made it, at its first entry; its row's changes
        since then go at a later entry of the same row, diffed against it, so the server sees an edit or a
        deletion of the prediction (every edit of a row adds an entry; sync/client/field.py queues a kept prediction
        twice)."""
        ann_ids = list(dict.fromkeys(e.entity_id for e in entries if e.entity == "annotation"))
        pending = self.store.changes(conn, ann_ids)
        origins = self.store.shadows(conn, [i for i, p in pending.items() if p.unsent])
        tasks = self.store.server_tasks(conn)
        first_id = int(self.store.get_in(conn, "op_base", 0))  # op ids of this workspace: op_base + outbox seq
        changed: dict[str, None] = {}  # ids sent, in order (their rows become shadows)
        predicted: dict[str, None] = {}  # kept predictions sent as the model made them
        ops: list[dict[str, Any]] = []
        rejected: list[tuple[dict[str, Any], str]] = []
        for e in entries:
            if e.entity in ("task", "review", "comment", "time"):
                op = (self._task_op(conn, e, tasks, first_id) if e.entity == "task"
                      else time_ops.op(conn, e, tasks, first_id) if e.entity == "time"
                      else self.reviews.op(conn, e, first_id))
                if op is not None:
                    ops.append(op)
                continue
            row = pending.get(e.entity_id) if e.entity == "annotation" else None
            if row is None or e.entity_id in changed:
                continue  # schema edits (the server owns the schema), or a row already sent whole by this batch
            origin = origins.get(e.entity_id, (0, None))[1] if e.entity_id not in predicted else None
            if origin is not None:
                row = Pending(row.task_id, False, 0, None, {k: v for k, v in origin.items() if k != "_deleted"})
                kind = "upsert"
            elif row.shadow_deleted is None:
                if row.deleted:
                    continue  # made and deleted offline: the server never needs to know
                kind = "upsert"
            elif row.deleted:
                if row.shadow_deleted:
                    continue
                kind = "delete"
            else:
                kind = "upsert"
                if not row.fields and not row.shadow_deleted:
                    continue
            server = tasks.get(row.task_id)
            op = {"op_id": first_id + e.seq, "txn": e.txn, "entity": "annotation", "entity_id": e.entity_id,
                  "task_id": server[0] if server else 0, "op": kind, "base_revision": row.base,
                  "fields": {} if kind == "delete" else row.fields, "author": self.ws.author}
            if server is None:  # a task of a file added here waits for field.py, which queues its annotations again
                if not self.store.awaits_registration(conn, row.task_id):
                    rejected.append((op, "local_task: the task is not on the server"))
                continue
            ops.append(op)
            (predicted if origin is not None else changed)[e.entity_id] = None
        return ops, Sent(list(changed), list(predicted)), rejected

    def _task_op(self, conn: sqlite3.Connection, e: OutboxEntry,
                 tasks: dict[int, tuple[int, str, int]], first_id: int) -> dict[str, Any] | None:
        """A task marked done locally is submitted on the server; other states follow from edits and reviews."""
        server = tasks.get(int(e.entity_id))
        row = conn.execute("SELECT status FROM tasks WHERE id = ?", (int(e.entity_id),)).fetchone()
        if server is None or row is None or row[0] != "done" or server[1] in ("submitted", "accepted"):
            return None
        if conn.execute("SELECT 1 FROM changes WHERE entity = 'task' AND entity_id = ? AND seq > ? LIMIT 1",
                        (e.entity_id, e.seq)).fetchone():
            return None  # submitted at the task's last entry, after the edits made before it was marked done
        return {"op_id": first_id + e.seq, "txn": e.txn, "entity": "task", "entity_id": str(server[0]),
                "task_id": server[0], "op": "status", "base_revision": server[2], "fields": {"status": "submitted"},
                "author": self.ws.author}


def _size(ops: list[dict[str, Any]]) -> int:
    """Plaintext bytes of the ops, estimated from their geometry and attributes (exact JSON costs more)."""
    total = 0
    for op in ops:
        fields = op["fields"]
        geometry = fields.get("geometry")
        total += 220 + (len(geometry) * 20 if isinstance(geometry, list) else len(str(geometry or "")))
        total += len(str(fields.get("attributes") or "")) + len(str(fields.get("label") or ""))
    return total
