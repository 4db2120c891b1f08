"""Creating the server's tables, and bringing a store made by an older server up to date, in one write transaction
at start-up (db.Store). Each step looks at what the store has and adds only what is missing, so servers starting
together on one PostgreSQL (under its write lock) or a restart do it once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import rollups
from sync.server.db import DASHBOARD_INDEXES, comments, metadata, project_leads, projects, users


def create_or_upgrade(conn: Connection) -> None:
    before_leads = not sa.inspect(conn).has_table("project_leads")
    metadata.create_all(conn)
    if before_leads:
        _leads_of_everything(conn)
    _ranges_from_op_rows(conn)
    _task_kinds(conn)
    _review_threads(conn)
    _lots(conn)
    _stages(conn)
    _add_missing(conn, "task_time", (("prev_started", "FLOAT"),))  # rollups.install fills it
    for index in DASHBOARD_INDEXES:
        index.create(conn, checkfirst=True)
    rollups.install(conn)


def _add_missing(conn: Connection, table: str, columns: Sequence[tuple[str, str]]) -> list[str]:
    """ALTER TABLE ... ADD COLUMN for each (name, DDL) the table lacks; returns the names added."""
    have = {c["name"] for c in sa.inspect(conn).get_columns(table)}
    added = [name for name, _ddl in columns if name not in have]
    for name, ddl in columns:
        if name in added:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}")
    return added


def _ranges_from_op_rows(conn: Connection) -> None:
    """A store made before `op_ranges` kept one `ops` row per op: their batches become ranges (each batch's answer
    is already in `batches`), then the old table goes."""
    if not sa.inspect(conn).has_table("ops"):
        return
    conn.exec_driver_sql("INSERT INTO op_ranges (client_id, batch_id, first_op, last_op) SELECT client_id, batch_id, "
                         "MIN(op_id), MAX(op_id) FROM ops GROUP BY client_id, batch_id")
    conn.exec_driver_sql("DROP TABLE ops")


def _task_kinds(conn: Connection) -> None:
    """A store made before video tasks has no `kind` and `frames` on its tasks: add them (every task there is an
    image of one frame); one made before audio tasks has 32-bit `frames` on PostgreSQL (SQLite's INTEGER is 64-bit
    already): widen them, for a recording's samples. Runs under the write lock, so servers starting together on one
    PostgreSQL do this once."""
    have = {c["name"]: c["type"] for c in sa.inspect(conn).get_columns("tasks")}
    if "kind" not in have:
        conn.exec_driver_sql("ALTER TABLE tasks ADD COLUMN kind VARCHAR(16) DEFAULT 'image' NOT NULL")
    if "frames" not in have:
        conn.exec_driver_sql("ALTER TABLE tasks ADD COLUMN frames BIGINT DEFAULT 1 NOT NULL")
    elif conn.dialect.name == "postgresql" and not isinstance(have["frames"], sa.BigInteger):
        conn.exec_driver_sql("ALTER TABLE tasks ALTER COLUMN frames TYPE BIGINT")


def _leads_of_everything(conn: Connection) -> None:
    """A store made before project leads let every lead see every project: each lead leads each existing project,
    so an upgrade takes no access away; projects made from now on have only the leads an admin names."""
    pairs = sa.select(projects.c.id, users.c.id).select_from(projects.join(users, users.c.role == "lead"))
    conn.execute(project_leads.insert().from_select(["project_id", "user_id"], pairs))


def _review_threads(conn: Connection) -> None:
    """A store made before offline reviews has reviews without uid, fixed and reason, and comments that always
    belong to a review: add the columns; SQLite cannot drop NOT NULL, so its comments table is rebuilt."""
    if "uid" in _add_missing(conn, "reviews", (("uid", "VARCHAR(64)"), ("fixed", "BOOLEAN DEFAULT false NOT NULL"),
                                               ("reason", "TEXT DEFAULT '' NOT NULL"))):
        conn.exec_driver_sql("CREATE UNIQUE INDEX ix_reviews_uid ON reviews (uid)")
    if "uid" in {c["name"] for c in sa.inspect(conn).get_columns("comments")}:
        return
    old = "id, review_id, task_id, text, annotation_id, x, y, author, at"
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_comments_task_id")
        conn.exec_driver_sql("ALTER TABLE comments RENAME TO comments_before_threads")
        comments.create(conn)
        conn.exec_driver_sql(f"INSERT INTO comments ({old}) SELECT {old} FROM comments_before_threads")
        conn.exec_driver_sql("DROP TABLE comments_before_threads")
        return
    conn.exec_driver_sql("ALTER TABLE comments ALTER COLUMN review_id DROP NOT NULL")
    _add_missing(conn, "comments", (("uid", "VARCHAR(64) UNIQUE"), ("parent", "VARCHAR(64)"), ("pin", "JSON"),
                                    ("resolved", "BOOLEAN DEFAULT false NOT NULL"), ("resolved_by", "VARCHAR(64)"),
                                    ("updated_at", "FLOAT")))


def _lots(conn: Connection) -> None:
    """A store made before spot-review lots has no QA settings on its projects and no batch on its tasks (the new
    tables come from create_all)."""
    _add_missing(conn, "projects", (("qa", "JSON"),))
    if _add_missing(conn, "tasks", (("batch", "VARCHAR(200)"),)):
        conn.exec_driver_sql("CREATE INDEX ix_tasks_batch ON tasks (project_id, batch)")


def _stages(conn: Connection) -> None:
    """A store made before review stages has none on its projects (one review, as before), no stage on its tasks
    (each waits at the first) and no stage's name on its reviews."""
    _add_missing(conn, "projects", (("stages", "JSON"),))
    _add_missing(conn, "tasks", (("stage", "INTEGER DEFAULT 0 NOT NULL"),))
    _add_missing(conn, "reviews", (("stage", "VARCHAR(32)"),))
