"""A push: verify the sealed batch, then apply it exactly once in one transaction and keep the answer.

Everything that can refuse a batch (crypto, device, client, chain) is checked before a single row is written, so a
refused batch changes nothing. The stored answer is returned for a resend, and op ids already applied for the client
are answered from their record.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
import zstandard
from sqlalchemy.engine import Connection

from sync import fastjson
from sync.envelope import DeviceKey, EnvelopeError, batch_hash, open_envelope
from sync.server import db
from sync.server.errors import ApiError
from sync.server.journal import audit
from sync.server.merge import BatchApplier
from sync.server.security import Principal, all_server_keys

_ENVELOPE_STATUS = {"too_large": 413, "unknown_device": 403, "revoked_device": 403}
_RESULT_KEYS = ("op_id", "status", "reason", "revision", "entity_id")


def open_batch(conn: Connection, principal: Principal, body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Verify and decrypt; ApiError with the envelope's error code when the batch must be refused."""
    if principal.device_id is None:
        raise ApiError(403, "no_device", "this token has no registered device; log in with a device key to push")

    def lookup(device_key_id: str) -> DeviceKey | None:
        d = db.devices
        row = conn.execute(sa.select(d.c.public_key, d.c.client_id, d.c.revoked_at)
                           .where(d.c.key_id == device_key_id)).first()
        return DeviceKey(row.public_key, row.client_id, row.revoked_at is not None) if row else None

    try:
        header, ops = open_envelope(body, server_keys=all_server_keys(conn), device_lookup=lookup)
    except EnvelopeError as exc:
        raise ApiError(_ENVELOPE_STATUS.get(exc.code, 400), exc.code, exc.message) from exc
    if header["client_id"] != principal.client_id:
        raise ApiError(403, "cross_client", "the batch was sealed by another client than the one this token is for")
    return header, ops


def apply_push(conn: Connection, principal: Principal, header: dict[str, Any], ops: list[dict[str, Any]],
               body: bytes) -> dict[str, Any]:
    """Inside the caller's write transaction: dedupe, check the chain, apply, record the answer."""
    client_id, batch_id = header["client_id"], header["batch_id"]
    stored = db.fetch(conn, "SELECT response FROM batches WHERE client_id = ? AND batch_id = ?", (client_id, batch_id))
    if stored:
        return {**fastjson.loads(zstandard.decompress(stored[0][0])), "duplicate": True}
    last_hash, revoked_at = db.fetch(conn, "SELECT last_batch_hash, revoked_at FROM devices WHERE id = ?",
                                     (principal.device_id,))[0]
    if revoked_at is not None:  # revoked while the batch was being verified
        raise ApiError(403, "revoked_device", "this device has been revoked")
    if last_hash != header["prev_batch_hash"]:
        raise ApiError(409, "out_of_order", "this batch does not follow the last one the server accepted from this "
                       "client; send the earlier batches first", expected_prev=last_hash)
    done = {r[0]: r for r in db.fetch(conn, "SELECT op_id, status, reason, revision, entity_id FROM ops "
                                      "WHERE client_id = ? AND op_id BETWEEN ? AND ?",
                                      (client_id, header["first_op"], header["last_op"]))}
    applier = BatchApplier(conn, principal, client_id)
    applier.load([op for op in ops if op["op_id"] not in done])
    results = []
    for op in ops:
        prior = done.get(op["op_id"])
        if prior is not None:
            results.append(dict(zip(_RESULT_KEYS, prior, strict=True)))
        else:
            results.append(applier.apply(op))
    applier.flush()
    db.bulk(conn, "INSERT INTO ops (client_id, op_id, batch_id, entity_id, status, reason, revision) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(client_id, r["op_id"], batch_id, r["entity_id"], r["status"], r["reason"], r["revision"])
             for r in results if r["op_id"] not in done])
    response = {"batch_id": batch_id, "duplicate": False, "results": results}
    sealed_hash = batch_hash(body)
    db.bulk(conn, "INSERT INTO batches (client_id, batch_id, batch_hash, user_id, response, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", [(client_id, batch_id, sealed_hash, principal.user_id,
                                           zstandard.compress(fastjson.dumps(response), 1), time.time())])
    db.bulk(conn, "UPDATE devices SET last_batch_hash = ? WHERE id = ?", [(sealed_hash, principal.device_id)])
    counts = {s: sum(r["status"] == s for r in results) for s in ("applied", "merged", "rejected")}
    audit(conn, principal.name, "sync.push", f"batch:{batch_id}", client=client_id, first_op=header["first_op"],
          last_op=header["last_op"], **counts)
    return response
