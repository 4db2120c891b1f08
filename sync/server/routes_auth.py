"""Login (device registration, continuing a revoked device's client, rate limits), logout, who-am-I, the server's
public key and a health check."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from sync.envelope import EnvelopeError, b64d, b64e, key_id, raw_public
from sync.server import db, security
from sync.server.deps import Caller, Ctx
from sync.server.errors import ApiError
from sync.server.journal import audit

router = APIRouter()


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    device_name: str = Field(default="device", min_length=1, max_length=128)
    device_public_key: str | None = Field(default=None, max_length=64, description="base64 raw Ed25519 key")
    previous_client_id: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{32}$",
        description="continue this client (its op ids and batch chain) with the new device_public_key; only the "
                    "user's own client whose device an administrator revoked")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@router.post("/auth/login")
def login(body: LoginIn, request: Request, ctx: Ctx) -> dict[str, Any]:
    """Password in, bearer token out. The attempt is counted before the password is checked, so parallel guesses
    cannot slip past the limit; a success clears the count (a refused takeover leaves it counted)."""
    ip = request.client.host if request.client else "unknown"
    device_key = _device_key(body.device_public_key)
    if body.previous_client_id and device_key is None:
        raise ApiError(422, "invalid_request", "previous_client_id needs the new device_public_key that continues it")
    with ctx.store.write() as conn:
        wait = security.login_retry_after(conn, ctx.config, body.username, ip)
        if wait:
            raise ApiError(429, "rate_limited", f"too many failed logins; try again in {wait} s",
                           headers={"Retry-After": str(wait)})
        security.record_login_failure(conn, ctx.config, body.username, ip)
        user = conn.execute(sa.select(db.users).where(db.users.c.name == body.username)).mappings().first()
    ok = ctx.passwords.verify(user["password_hash"] if user else None, body.password)  # same work either way
    if user is None or not ok:
        with ctx.store.write() as conn:
            audit(conn, body.username, "auth.login_failed", f"user:{body.username}", ip=ip)
        raise ApiError(401, "bad_credentials", "unknown user or wrong password")
    try:
        with ctx.store.write() as conn:
            security.clear_login_failures(conn, body.username, ip)
            device = None
            if device_key and body.previous_client_id:
                device = _continue_client(conn, user, body.device_name, device_key, body.previous_client_id, ip)
            elif device_key:
                device = _register_device(conn, user["id"], body.device_name, device_key)
            token, expires = security.issue_token(conn, ctx.config, user["id"], device["id"] if device else None)
            server_key = security.server_key(conn)
            audit(conn, user["name"], "auth.login", f"user:{user['name']}", ip=ip,
                  device=device["id"] if device else None)
    except ApiError as exc:
        if body.previous_client_id and exc.code in _TAKEOVER_REFUSALS:  # the refused transaction was rolled back
            with ctx.store.write() as conn:
                audit(conn, user["name"], "device.takeover_refused", f"client:{body.previous_client_id}", ip=ip,
                      reason=exc.code)
        raise
    public = raw_public(server_key)
    return {"token": token, "expires_at": iso(expires),
            "user": {"id": user["id"], "name": user["name"], "role": user["role"]},
            "device_id": device["id"] if device else None, "client_id": device["client_id"] if device else None,
            "server_key": {"key_id": key_id(public), "public_key": b64e(public)}}


def _device_key(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        raw = b64d(text, 32, "device_public_key")
        Ed25519PublicKey.from_public_bytes(raw)
    except (EnvelopeError, ValueError) as exc:
        raise ApiError(422, "bad_device_key", "device_public_key must be a base64 raw 32-byte Ed25519 key") from exc
    return raw


def _register_device(conn: Connection, user_id: int, name: str, public: bytes) -> dict[str, Any]:
    """The same key logging in again keeps its device and client id, so its batch chain continues."""
    d = db.devices
    row = conn.execute(sa.select(d).where(d.c.key_id == key_id(public))).mappings().first()
    if row is not None:
        return _usable(row, user_id)
    return _insert_device(conn, user_id, name, public, uuid.uuid4().hex, "")


def _usable(row: Any, user_id: int) -> dict[str, Any]:
    """A registered key may log in again unless it is revoked (forever) or belongs to someone else."""
    if row["revoked_at"] is not None:
        raise ApiError(403, "revoked_device", "this device has been revoked; make a new device key")
    if row["user_id"] != user_id:
        raise ApiError(409, "device_key_in_use", "this device key is registered to another user")
    return dict(row)


def _insert_device(conn: Connection, user_id: int, name: str, public: bytes, client_id: str,
                   chain_head: str) -> dict[str, Any]:
    values = {"user_id": user_id, "client_id": client_id, "name": name, "key_id": key_id(public),
              "public_key": public, "created_at": time.time(), "last_batch_hash": chain_head}
    device_id = db.insert_id(conn, db.devices.insert().values(**values))
    return {**values, "id": device_id}


_TAKEOVER_REFUSALS = ("foreign_client", "client_active", "device_key_in_use", "revoked_device")


def _continue_client(conn: Connection, user: Any, name: str, public: bytes, client_id: str,
                     ip: str) -> dict[str, Any]:
    """A new device key takes over `client_id` (op ids, batch chain, exactly-once record) after its device was
    revoked, so the workspace's unsent work can be resent. Only the user who owns the client, only after a
    revocation (a live device keeps its client), and the old key stays revoked: its row keeps key and revocation
    and gets a retired client id (`<client>~<device id>`, which no login can name), so batches it signed are
    refused for good."""
    d = db.devices
    row = conn.execute(sa.select(d).where(d.c.key_id == key_id(public))).mappings().first()
    if row is not None:  # the same key again: a retry whose first answer was lost
        device = _usable(row, user["id"])
        if device["client_id"] != client_id:
            raise ApiError(409, "device_key_in_use", "this device key already belongs to another client; make a new "
                           "device key to continue this one")
        return device
    old = conn.execute(sa.select(d).where(d.c.client_id == client_id)).mappings().first()
    if old is None or old["user_id"] != user["id"]:  # one answer for both: no probing for other users' clients
        raise ApiError(403, "foreign_client", f"client {client_id} is not a client of {user['name']}; only your "
                       "own client can be continued (log in without previous_client_id for a new one)")
    if old["revoked_at"] is None:
        raise ApiError(409, "client_active", f"client {client_id} is still used by device {old['id']}; only the "
                       "client of a revoked device can be continued by a new key")
    conn.execute(d.update().where(d.c.id == old["id"]).values(client_id=f"{client_id}~{old['id']}"))
    device = _insert_device(conn, user["id"], name, public, client_id, old["last_batch_hash"])
    audit(conn, user["name"], "device.takeover", f"client:{client_id}", ip=ip, revoked_device=old["id"],
          revoked_key_id=old["key_id"], device=device["id"], key_id=device["key_id"])
    return device


@router.post("/auth/logout")
def logout(request: Request, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    token = request.headers["authorization"].partition(" ")[2].strip()
    with ctx.store.write() as conn:
        conn.execute(db.tokens.update().where(db.tokens.c.token_hash == security.token_hash(token))
                     .values(revoked=True))
        audit(conn, principal.name, "auth.logout", f"user:{principal.name}")
    return {"logged_out": True}


@router.get("/auth/me")
def me(principal: Caller) -> dict[str, Any]:
    return {"id": principal.user_id, "name": principal.name, "role": principal.role,
            "device_id": principal.device_id, "client_id": principal.client_id}


@router.get("/server-key")
def server_key(ctx: Ctx) -> dict[str, str]:
    """The X25519 key batches are sealed to (created when the app starts)."""
    with ctx.store.read() as conn:
        public = raw_public(security.server_key(conn))
    return {"key_id": key_id(public), "public_key": b64e(public)}


@router.get("/health")
def health(ctx: Ctx) -> dict[str, str]:
    with ctx.store.read() as conn:
        conn.execute(sa.select(1))
    return {"status": "ok"}
