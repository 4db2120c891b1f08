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
from sync.server.metrics import count_push_ops
from sync.server.security import Principal, all_server_keys

_ENVELOPE_STATUS = {"too_large": 413, "unknown_device": 403, "revoked_device": 403}


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


def recorded(conn: Connection, client_id: str | None, first: int = 0, last: int = 2**63 - 1,
             ) -> dict[Any, dict[str, Any]]:
    """The answers already given to op ids first..last of a client (op id -> result), read from the stored answers of
    the batches whose op-id range overlaps; with client_id None, of every client ((client id, op id) -> result).

    Ranges, not a high-water mark: two workspaces of one device share a client and push in turns from separate
    op-id ranges, so a lower op id can arrive after a higher one and still be new."""
    where, params = ("r.client_id = ? AND ", (client_id,)) if client_id is not None else ("", ())
    rows = db.fetch(conn, "SELECT r.client_id, b.response FROM op_ranges r JOIN batches b ON b.client_id = "
                    f"r.client_id AND b.batch_id = r.batch_id WHERE {where}r.last_op >= ? AND r.first_op <= ?",
                    (*params, first, last))
    out: dict[Any, dict[str, Any]] = {}
    for client, response in rows:
        for result in fastjson.loads(zstandard.decompress(response))["results"]:
            if first <= result["op_id"] <= last:
                out[result["op_id"] if client_id is not None else (client, result["op_id"])] = result
    return out


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
    done = recorded(conn, client_id, header["first_op"], header["last_op"])
    applier = BatchApplier(conn, principal, client_id)
    applier.load([op for op in ops if op["op_id"] not in done])
    results = [done.get(op["op_id"]) or applier.apply(op) for op in ops]
    applier.flush()
    db.bulk(conn, "INSERT INTO op_ranges (client_id, batch_id, first_op, last_op) VALUES (?, ?, ?, ?)",
            [(client_id, batch_id, header["first_op"], header["last_op"])])
    response = {"batch_id": batch_id, "duplicate": False, "results": results}
    sealed_hash = batch_hash(body)
    db.bulk(conn, "INSERT INTO batches (client_id, batch_id, batch_hash, user_id, response, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", [(client_id, batch_id, sealed_hash, principal.user_id,
                                           zstandard.compress(fastjson.dumps(response), 1), time.time())])
    db.bulk(conn, "UPDATE devices SET last_batch_hash = ? WHERE id = ?", [(sealed_hash, principal.device_id)])
    counts = {s: sum(r["status"] == s for r in results) for s in ("applied", "merged", "rejected")}
    count_push_ops(conn, counts)
    audit(conn, principal.name, "sync.push", f"batch:{batch_id}", client=client_id, first_op=header["first_op"],
          last_op=header["last_op"], **counts)
    return response
