"""The audit trail (who changed what, when) and the event feed that pull pages through; both written in the
transaction of the change they describe."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import db
from sync.server.bulk_rows import insert_rows


def audit(conn: Connection, actor: str | None, action: str, target: str, **detail: Any) -> None:
    conn.execute(db.audit.insert().values(at=time.time(), user=actor, action=action, target=target, detail=detail))


def emit(conn: Connection, kind: str, entity_id: object, project_id: int, task_id: int | None = None) -> None:
    emit_many(conn, [(kind, str(entity_id), project_id, task_id)])


def emit_many(conn: Connection, rows: Iterable[tuple[str, str, int, int | None]]) -> None:
    insert_rows(conn, db.events, list(rows), ("type", "entity_id", "project_id", "task_id"))


def emit_task_snapshot(conn: Connection, task_id: int, project_id: int) -> None:
    """Re-announce a task and everything on it, so a newly assigned user's next pull receives all of it."""
    rows: list[tuple[str, str, int, int | None]] = [("project", str(project_id), project_id, None),
                                                    ("schema", str(project_id), project_id, None),
                                                    ("task", str(task_id), project_id, task_id)]
    g = db.guidelines
    if conn.execute(sa.select(g.c.version).where(g.c.project_id == project_id).limit(1)).first() is not None:
        rows.append(("guidelines", str(project_id), project_id, None))
    for kind, table in (("annotation", db.annotations), ("review", db.reviews), ("comment", db.comments)):
        ids = conn.execute(sa.select(table.c.id).where(table.c.task_id == task_id).order_by(table.c.id)).scalars()
        rows += [(kind, str(i), project_id, task_id) for i in ids]
    emit_many(conn, rows)
