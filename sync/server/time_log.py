"""Active time on tasks: the pieces clients push (entity "time", op "add"), checked and stored once each, and the
read of a task's time (per user totals and the pieces), the basis of throughput figures.

A client names each piece (a uid), so a resent op finds the piece it added the first time and adds nothing. Times
are the client's clock (seconds since the epoch); they are checked for sense, not trusted for order.
"""

from __future__ import annotations

import math
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from sync.server import db, service
from sync.server.errors import ApiError, forbidden
from sync.server.security import Principal
from sync.server.threads import uid_problem

TIME_FIELDS = frozenset({"seconds", "started", "ended"})
MAX_PIECE = 4 * 3600.0  # seconds: no client stores a piece this long (they are ~30 s)
FUTURE_SLACK = 24 * 3600.0  # a client clock may run ahead, by less than a day


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def time_problem(fields: dict[str, Any], now: float) -> str | None:
    """Why these fields are not a piece of active time (None when they are)."""
    if set(fields) != TIME_FIELDS:
        return "a piece of time has exactly the fields seconds, started and ended"
    seconds, started, ended = fields["seconds"], fields["started"], fields["ended"]
    if not all(_number(v) for v in (seconds, started, ended)):
        return "seconds, started and ended must be finite numbers"
    if started < 0 or started > ended:
        return "started and ended are seconds since the epoch, started not after ended"
    if ended > now + FUTURE_SLACK:
        return "ended is more than a day in the future"
    if not 0 < seconds <= min(ended - started + 1, MAX_PIECE):
        return (f"seconds must be more than 0 and at most the time between started and ended (plus 1 s), and at most "
                f"{MAX_PIECE:.0f}")
    return None


def add_time(conn: Connection, principal: Principal, task: RowMapping, uid: str,
             fields: dict[str, Any]) -> dict[str, Any]:
    """Add the piece `uid` of the caller's active time on `task` (its assignee, or a lead or admin); a resent uid
    returns the piece stored the first time."""
    if not principal.leads(task["project_id"]) and task["assignee_id"] != principal.user_id:
        raise forbidden(f"task {task['id']} is not assigned to you: time is logged by its assignee or a lead")
    if problem := uid_problem(uid):
        raise ApiError(422, "bad_time", problem, field="uid")
    tt = db.task_time
    row = conn.execute(sa.select(tt).where(tt.c.uid == uid)).mappings().first()
    if row is not None:
        if row["task_id"] != task["id"] or row["username"] != principal.name:
            raise ApiError(409, "task_mismatch", f"time {uid} was logged on task {row['task_id']} by another "
                           "user or on another task")
        return _entry(row)
    now = time.time()
    if problem := time_problem(fields, now):
        raise ApiError(422, "bad_time", problem)
    values = {"task_id": task["id"], "username": principal.name, "seconds": float(fields["seconds"]),
              "started": float(fields["started"]), "ended": float(fields["ended"]), "uid": uid, "at": now,
              "project_id": task["project_id"]}
    conn.execute(tt.insert().values(**values))
    return _entry(values)


def task_time(conn: Connection, principal: Principal, task_id: int) -> dict[str, Any]:
    """A task's active time: per user totals and the pieces, oldest first. Leads and admins see everyone's, the
    assignee their own; anyone else gets 404 (service.get_task)."""
    task = service.get_task(conn, principal, task_id)
    tt = db.task_time
    query = sa.select(tt).where(tt.c.task_id == task_id).order_by(tt.c.started, tt.c.id)
    if not principal.leads(task["project_id"]):
        query = query.where(tt.c.username == principal.name)
    pieces = [_entry(r) for r in conn.execute(query).mappings()]
    users: dict[str, dict[str, Any]] = {}
    for p in pieces:
        user = users.setdefault(p["user"], {"user": p["user"], "seconds": 0.0, "pieces": 0})
        user["seconds"] += p["seconds"]
        user["pieces"] += 1
    return {"task_id": task_id, "seconds": sum(p["seconds"] for p in pieces),
            "users": sorted(users.values(), key=lambda u: u["user"]), "entries": pieces}


def _entry(row: Any) -> dict[str, Any]:
    return {"uid": row["uid"], "task_id": row["task_id"], "user": row["username"], "seconds": row["seconds"],
            "started": row["started"], "ended": row["ended"], "at": row["at"]}
