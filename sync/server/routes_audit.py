"""A project's audit trail for its leads: the rows about the project and about its tasks, oldest first.

`annodesk server audit` reads the same rows straight from the database (project_audit).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Query

from sync.server import db, service
from sync.server.deps import Ctx, IntId, ProjectLead

router = APIRouter(prefix="/projects")


def project_audit(conn: sa.Connection, project_id: int, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Rows whose target is `project:<id>` or `task:<id>` of a task in the project, with id > after, by id."""
    a, t = db.audit, db.tasks
    task_targets = sa.select(sa.literal("task:", sa.String) + sa.cast(t.c.id, sa.String)).where(
        t.c.project_id == project_id)
    query = (sa.select(a).where(a.c.id > after, sa.or_(a.c.target == f"project:{project_id}",
                                                      a.c.target.in_(task_targets)))
             .order_by(a.c.id).limit(limit))
    return [dict(r) for r in conn.execute(query).mappings()]


@router.get("/{project_id}/audit")
def audit_log(project_id: IntId, principal: ProjectLead, ctx: Ctx, after: int = Query(0, ge=0, le=2**62),
              limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    """Who changed what in this project and when; page with `after` = the last id seen (next_after)."""
    with ctx.store.read() as conn:
        service.get_project(conn, project_id)  # 404 for a project that does not exist
        rows = project_audit(conn, project_id, after, limit)
    return {"items": rows, "next_after": rows[-1]["id"] if rows else after}
