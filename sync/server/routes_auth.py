"""Login (device registration, rate limits), logout, who-am-I, the server's public key and a health check."""

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


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@router.post("/auth/login")
def login(body: LoginIn, request: Request, ctx: Ctx) -> dict[str, Any]:
    """Password in, bearer token out. The attempt is counted before the password is checked, so parallel guesses
    cannot slip past the limit; a success clears the count."""
    ip = request.client.host if request.client else "unknown"
    device_key = _device_key(body.device_public_key)
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
    with ctx.store.write() as conn:
        security.clear_login_failures(conn, body.username, ip)
        device = _register_device(conn, user["id"], body.device_name, device_key) if device_key else None
        token, expires = security.issue_token(conn, ctx.config, user["id"], device["id"] if device else None)
        server_key = security.server_key(conn)
        audit(conn, user["name"], "auth.login", f"user:{user['name']}", ip=ip,
              device=device["id"] if device else None)
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
    kid = key_id(public)
    row = conn.execute(sa.select(d).where(d.c.key_id == kid)).mappings().first()
    if row is not None:
        if row["revoked_at"] is not None:
            raise ApiError(403, "revoked_device", "this device has been revoked; make a new device key")
        if row["user_id"] != user_id:
            raise ApiError(409, "device_key_in_use", "this device key is registered to another user")
        return dict(row)
    values = {"user_id": user_id, "client_id": uuid.uuid4().hex, "name": name, "key_id": kid, "public_key": public,
              "created_at": time.time()}
    device_id = db.insert_id(conn, d.insert().values(**values))
    return {**values, "id": device_id}


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
