"""What every route needs: the shared context, the caller behind the bearer token, and role checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from sync.server.config import ServerConfig
from sync.server.db import Store
from sync.server.errors import ApiError, not_found
from sync.server.media_store import MediaStore
from sync.server.security import Passwords, Principal, device_revoked, principal_for


@dataclass
class Context:
    """Per-process handles; nothing in here is state a second process would need to share."""

    config: ServerConfig
    store: Store
    passwords: Passwords
    blobs: MediaStore  # the blob folder or S3-compatible storage (sync/server/media_store.py)


def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(context)]


def caller(request: Request, ctx: Ctx) -> Principal:
    """The authenticated caller; 401 for a missing, unknown, expired or revoked token (code revoked_device when its
    device was revoked)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthenticated", "send 'Authorization: Bearer <token>' (POST /api/v1/auth/login)",
                       headers={"WWW-Authenticate": "Bearer"})
    with ctx.store.read() as conn:
        principal = principal_for(conn, token.strip())
        revoked = principal is None and device_revoked(conn, token.strip())
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    if revoked:
        raise ApiError(401, "revoked_device", "an administrator revoked this device; log in again: a new device "
                       "key continues its client and sends its unsent work", headers=headers)
    if principal is None:
        raise ApiError(401, "invalid_token", "the token is unknown, expired or revoked; log in again", headers=headers)
    return principal


Caller = Annotated[Principal, Depends(caller)]


def require(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that lets only the given roles through (403 for the others)."""
    def check(principal: Caller) -> Principal:
        if principal.role not in roles:
            raise ApiError(403, "forbidden", f"this needs the role {' or '.join(roles)}; you are {principal.role}")
        return principal
    return check


Admin = Annotated[Principal, Depends(require("admin"))]
Reviewer = Annotated[Principal, Depends(require("admin", "lead"))]

IntId = Annotated[int, Path(ge=1, le=2**53)]  # bounded so no database integer overflows on odd input


def project_lead(project_id: IntId, principal: Reviewer) -> Principal:
    """A route of one project for its leads: an admin, or a lead of that project (404 for other leads, as for a
    project they cannot see)."""
    if not principal.leads(project_id):
        raise not_found("project", project_id)
    return principal


ProjectLead = Annotated[Principal, Depends(project_lead)]
