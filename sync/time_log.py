"""Active time in the workspace: the pieces of time worked on each task (core/active_time.py decides what counts).

A piece is stored with its outbox row (entity "time", its uid, op "add") in one transaction, so sync sends it once
(sync/client/time_ops.py) and a crash never keeps one without the other. Reads work on a read-only workspace too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.annotation import new_id
from sync.workspace import Workspace, WorkspaceError

_COLUMNS = "uid, task_id, seconds, started, ended, author, answer"


@dataclass(frozen=True, slots=True)
class TimeEntry:
    uid: str
    task_id: int  # local
    seconds: float
    started: float  # seconds since the epoch: the piece's first and last input event
    ended: float
    author: str
    answer: str | None  # None until the server answers: "applied", or why it refused the piece


def add_time(ws: Workspace, task_id: int, seconds: float, started: float, ended: float) -> str:
    """Store `seconds` of active time on a task, worked between `started` and `ended`; returns the piece's uid."""
    if not all(math.isfinite(v) for v in (seconds, started, ended)):
        raise WorkspaceError("active time needs finite numbers")
    if not 0 < seconds <= ended - started + 1e-6:
        raise WorkspaceError(f"{seconds} s of active time do not fit between {started} and {ended}")
    uid = new_id()
    with ws.transaction() as conn:
        if conn.execute("SELECT 1 FROM tasks WHERE id = ?", (task_id,)).fetchone() is None:
            raise KeyError(f"no task {task_id} in {ws.path}")
        conn.execute("INSERT INTO task_time (task_id, seconds, started, ended, author, uid) VALUES (?, ?, ?, ?, ?, ?)",
                     (task_id, seconds, started, ended, ws.author, uid))
        ws.log_change(conn, "time", uid, "add")
    return uid


def task_seconds(ws: Workspace, task_id: int) -> float:
    """The active seconds stored for a task (everyone's who worked on it in this workspace)."""
    with ws.reading() as conn:
        return float(conn.execute("SELECT coalesce(sum(seconds), 0) FROM task_time WHERE task_id = ?",
                                  (task_id,)).fetchone()[0])


def entries(ws: Workspace, task_id: int) -> list[TimeEntry]:
    """A task's stored pieces in the order they were stored."""
    with ws.reading() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM task_time WHERE task_id = ? ORDER BY id", (task_id,)).fetchall()
    return [TimeEntry(*r) for r in rows]
