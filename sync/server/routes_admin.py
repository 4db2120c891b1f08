"""Administration over the API: users, devices (revocation) and the audit log."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sync.server import db, service
from sync.server.deps import Admin, Ctx, IntId, Reviewer

router = APIRouter(prefix="/admin")


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Literal["admin", "lead", "annotator"]
    password: str = Field(min_length=8, max_length=1024)


@router.post("/users", status_code=201)
def create_user(body: UserIn, principal: Admin, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.create_user(conn, ctx.passwords, principal.name, body.name, body.role, body.password)


@router.get("/users")
def list_users(principal: Reviewer, ctx: Ctx) -> list[dict[str, Any]]:
    """Leads need the team's names to assign work."""
    with ctx.store.read() as conn:
        return service.list_users(conn)


@router.get("/devices")
def list_devices(principal: Admin, ctx: Ctx) -> list[dict[str, Any]]:
    d, u = db.devices, db.users
    query = (sa.select(d.c.id, d.c.name, d.c.key_id, d.c.client_id, d.c.created_at, d.c.revoked_at,
                       u.c.name.label("user")).select_from(d.join(u, u.c.id == d.c.user_id)).order_by(d.c.id))
    with ctx.store.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


@router.post("/devices/{device_id}/revoke")
def revoke_device(device_id: IntId, principal: Admin, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.revoke_device(conn, principal.name, device_id)


@router.get("/audit")
def audit_log(principal: Admin, ctx: Ctx, after: int = Query(0, ge=0, le=2**62),
              limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    """Who changed what and when, oldest first; page with `after` = the last id seen."""
    a = db.audit
    with ctx.store.read() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(a).where(a.c.id > after).order_by(a.c.id).limit(limit))
                .mappings()]
    return {"items": rows, "next_after": rows[-1]["id"] if rows else after}
