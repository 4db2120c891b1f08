"""Read-only dashboard tokens: a lead makes one per wall screen (`annodesk server dashboard PROJECT --token`); it reads
that project's dashboard (its JSON and CSV, GET only) and nothing else: every other route looks tokens up in `tokens`
and does not know it. Like login tokens, it carries 256 random bits and only its SHA-256 is stored.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import db
from sync.server.errors import ApiError
from sync.server.journal import audit
from sync.server.security import token_hash

PREFIX = "adash_"  # tells the dashboard routes which table to look in
MIN_REF = 8  # hex digits of a token's hash that name it for --revoke


def create(conn: Connection, actor: str, project_id: int, name: str) -> str:
    """A new token for the project's dashboard; the caller shows it once (it cannot be read back)."""
    if not name.strip() or len(name) > 200 or not name.isprintable():
        raise ApiError(422, "bad_name", "a dashboard token is named by 1-200 printable characters")
    token = PREFIX + secrets.token_urlsafe(32)
    digest = token_hash(token)
    conn.execute(db.dashboard_tokens.insert().values(token_hash=digest, project_id=project_id, name=name,
                                                     created_by=actor, created_at=time.time()))
    audit(conn, actor, "dashboard.token", f"project:{project_id}", name=name, token=digest[:12])
    return token


def project_of(conn: Connection, token: str) -> int | None:
    """The project whose dashboard `token` reads (None when it is unknown or revoked)."""
    d = db.dashboard_tokens
    row = conn.execute(sa.select(d.c.project_id).where(d.c.token_hash == token_hash(token),
                                                       d.c.revoked_at.is_(None))).first()
    return int(row.project_id) if row else None


def listed(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    """The project's tokens, oldest first, named by the first 12 hex digits of their hash."""
    d = db.dashboard_tokens
    rows = conn.execute(sa.select(d).where(d.c.project_id == project_id).order_by(d.c.created_at)).mappings()
    return [{"ref": r["token_hash"][:12], "name": r["name"], "created_by": r["created_by"],
             "created_at": r["created_at"], "revoked_at": r["revoked_at"]} for r in rows]


def revoke(conn: Connection, actor: str, project_id: int, ref: str) -> int:
    """Revoke the project's tokens whose hash starts with `ref` (at least 8 hex digits); how many were."""
    if len(ref) < MIN_REF or any(c not in "0123456789abcdef" for c in ref):
        raise ApiError(422, "bad_ref", f"name a token by at least {MIN_REF} hex digits of its ref (--tokens lists "
                       "them)")
    d = db.dashboard_tokens
    found = conn.execute(d.update().where(d.c.project_id == project_id, d.c.token_hash.startswith(ref),
                                          d.c.revoked_at.is_(None)).values(revoked_at=time.time())).rowcount
    if not found:
        raise ApiError(404, "not_found", f"no live dashboard token {ref} in project {project_id}")
    audit(conn, actor, "dashboard.revoke", f"project:{project_id}", token=ref)
    return int(found)
