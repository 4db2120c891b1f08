"""Per-day roll-ups of the dashboard's facts (db.py's `*_days` tables), so a 30-day window reads whole days from a
small table and only its partial first and last day from the facts (sync/server/dashboard.py).

How they stay current: database triggers on the fact tables add each fact to (or, deleted, take it from) its day's
row in the transaction that writes the fact, so a live refresh sees new work at once, servers sharing one PostgreSQL
need no coordination beyond the row locks of the upsert, and nothing in push.py, merge.py or service.py calls us.
A day is the UTC day (epoch seconds // 86400) of the time the chart filters on (a submission's and a review's `at`,
a piece of time's `started`), never of when the server got it: a client pushing days later adds to the right,
already rolled-up day. A reviews-by-label row counts a review once per label its task was last submitted with, so a
new snapshot of the task's labels (dashboard_facts.snapshot: delete, then insert) moves its reviews from the old
labels to the new ones; a reviews-by-annotator row counts a review for its task's assignee, so a task given to
another annotator moves its reviews to them.
Active time has two: `active_days` (seconds and pieces per user and day, split by the day of the user's previous
piece on the same task, which the CHAIN triggers keep in each piece's prev_started) gives a window's distinct
tasks per user as the count of its pieces whose previous piece lies before the window; `task_time_pairs` (each
user's total on each task and the span of its pieces) bounds a window's longest tasks, so that chart reads the few
pairs that can reach its top instead of grouping every piece of the window (dashboard.py).

Upgrades (install, from db_upgrades): a roll-up whose triggers are missing (a new store, a store from before
roll-ups, one seeded straight into its tables) is refilled from all its facts and gets its triggers, in the start-up
write transaction; the chain, missing its triggers, is first set afresh on every piece.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

DAY = 86400
# review decisions as counts: (column, expression of one review row named {r})
DECISIONS = (
    ("reviewed", "1"),
    ("accepted", "CASE WHEN {r}.decision = 'accept' AND NOT {r}.fixed THEN 1 ELSE 0 END"),
    ("fixed", "CASE WHEN {r}.decision = 'accept' AND {r}.fixed THEN 1 ELSE 0 END"),
    ("rejected", "CASE WHEN {r}.decision = 'reject' AND {r}.reason NOT LIKE 'lot % rejected: %' THEN 1 ELSE 0 END"),
    ("returned", "CASE WHEN {r}.decision = 'reject' AND {r}.reason LIKE 'lot % rejected: %' THEN 1 ELSE 0 END"),
)


def day_sql(column: str, dialect: str) -> str:
    """SQL for the UTC day of `column` (epoch seconds, never negative), as the triggers store it."""
    return f"CAST({column} / {DAY} AS INTEGER)" if dialect == "sqlite" else f"CAST(floor({column} / {DAY}) AS BIGINT)"


def decision_sums(r: str, sign: str = "", total: bool = True) -> str:
    """The DECISIONS counted over the review rows named `r` (or, not `total`, of the one review `r`)."""
    one = "{sign}({expr})" if not total else "sum({sign}({expr}))"
    return ", ".join(f"{one.format(sign=sign, expr=expr.format(r=r))} AS {name}" for name, expr in DECISIONS)


@dataclass(frozen=True)
class Span:
    """A window's whole days [first_day, end_day) read from a roll-up, and its edges read from the facts: before
    `head_end` with a day before first_day, from `tail_start` with a day from end_day on. The second of margin keeps
    the split exact where a float's division by 86400 rounds across midnight."""

    first_day: int
    end_day: int
    head_end: float
    tail_start: float

    def params(self) -> dict[str, Any]:
        return {"first_day": self.first_day, "end_day": self.end_day, "head_end": self.head_end,
                "tail_start": self.tail_start}


def span(since: float, until: float) -> Span | None:
    """The whole days of [since, until), None when it holds none (a short window reads the facts only)."""
    first, end = math.ceil((since + 1) / DAY), math.floor((until - 1) / DAY)
    if first >= end:
        return None
    return Span(first, end, min(until, first * DAY + 1.0), max(since, end * DAY - 1.0))


def edges(column: str, dialect: str) -> tuple[str, str]:
    """The two WHERE conditions on `column` that select a window's edges (Span)."""
    day = day_sql(column, dialect)
    return (f"{column} >= :since AND {column} < :head_end AND {day} < :first_day",
            f"{column} >= :tail_start AND {column} < :until AND {day} >= :end_day")


@dataclass(frozen=True)
class Trigger:
    table: str  # the fact table it fires on
    event: str  # INSERT, DELETE or UPDATE OF a column
    select: str  # the rows to add, from the fact named {row}, values multiplied by {sign}
    row: str = ""  # the row it reads: NEW (added) or OLD (taken away); by default NEW, and OLD for DELETE

    @property
    def reads(self) -> str:
        return self.row or ("OLD" if self.event == "DELETE" else "NEW")

    @property
    def suffix(self) -> str:
        verb = self.event.split()[0].lower()
        return f"{verb}_{self.reads.lower()}" if verb == "update" else verb


@dataclass(frozen=True)
class Rollup:
    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...]  # summed
    triggers: tuple[Trigger, ...]
    backfill: str  # SELECT of every row from all the facts ({day:column}, {decisions:alias} as in _render)
    spans: tuple[tuple[str, str], ...] = ()  # (column, "min" or "max"): the least or greatest ever added, kept

    def upsert(self, select: str, dialect: str) -> str:
        sets = [f"{v} = {self.table}.{v} + excluded.{v}" for v in self.values]
        extreme = {"min": "min", "max": "max"} if dialect == "sqlite" else {"min": "least", "max": "greatest"}
        sets += [f"{c} = {extreme[how]}({self.table}.{c}, excluded.{c})" for c, how in self.spans]
        columns = self.keys + self.values + tuple(c for c, _how in self.spans)
        return (f"INSERT INTO {self.table} ({', '.join(columns)}) {select} "
                f"ON CONFLICT ({', '.join(self.keys)}) DO UPDATE SET {', '.join(sets)}")


def _both(table: str, select: str) -> tuple[Trigger, Trigger]:
    return Trigger(table, "INSERT", select), Trigger(table, "DELETE", select)


def _neighbour(row: str, what: str, before: bool) -> str:
    """SQL for the `what` of the piece of time just before (or after) `row`'s among its user's on its task, in the
    order (started, id)."""
    op, order = ("<", "DESC") if before else (">", "ASC")
    return (f"(SELECT p.{what} FROM task_time p WHERE p.task_id = {row}.task_id AND p.username = {row}.username "
            f"AND (p.started {op} {row}.started OR (p.started = {row}.started AND p.id {op} {row}.id)) "
            f"ORDER BY p.started {order}, p.id {order} LIMIT 1)")


# The chain of each user's pieces of time on a task: a piece's prev_started is the start of the piece before it, so
# "a piece in the window whose previous piece is not" counts each user's distinct tasks of a window once, and
# active_days can hold that count per day. Pieces arrive in any order (offline clients): a new piece also becomes
# the previous piece of the one after it, and a deleted one hands its own previous piece on.
CHAIN = (
    ("INSERT", f"UPDATE task_time SET prev_started = {_neighbour('NEW', 'started', True)} WHERE id = NEW.id; "
               f"UPDATE task_time SET prev_started = NEW.started WHERE id = {_neighbour('NEW', 'id', False)}"),
    ("DELETE", f"UPDATE task_time SET prev_started = OLD.prev_started WHERE id = {_neighbour('OLD', 'id', False)}"),
)
CHAIN_BACKFILL = ("UPDATE task_time SET prev_started = x.prev FROM (SELECT id, lag(started) OVER (PARTITION BY "
                  "task_id, username ORDER BY started, id) AS prev FROM task_time) AS x WHERE task_time.id = x.id")

_REVIEWED_LABELS = ("SELECT sl.project_id, {day:{row}.at}, sl.label, {decision:{row}} FROM submitted_labels sl "
                    "WHERE sl.task_id = {row}.task_id")
_LABELS_REVIEWED = ("SELECT {row}.project_id, {day:r.at}, {row}.label, {decisions:r} FROM reviews r "
                    "WHERE r.task_id = {row}.task_id GROUP BY 2")
_REVIEWED_TASK = ("SELECT t.project_id, {day:{row}.at}, coalesce(t.assignee_id, 0), {decision:{row}} FROM tasks t "
                  "WHERE t.id = {row}.task_id")
_TASK_REVIEWS = ("SELECT {row}.project_id, {day:r.at}, coalesce({row}.assignee_id, 0), {decisions:r} FROM reviews r "
                 "WHERE r.task_id = {row}.id GROUP BY 2")
_ACTIVE = ("SELECT {row}.project_id, {day:{row}.started}, {row}.username, coalesce({day:{row}.prev_started}, -1), "
           "{sign}{row}.seconds, {sign}1 WHERE true")
ROLLUPS = (
    Rollup("submission_days", ("project_id", "day", "username"), ("submitted", "resubmitted"),
           _both("submissions", "SELECT {row}.project_id, {day:{row}.at}, {row}.username, {sign}1, "
                 "{sign}(CASE WHEN {row}.resubmitted THEN 1 ELSE 0 END) WHERE true"),
           "SELECT s.project_id, {day:s.at}, s.username, count(*), sum(CASE WHEN s.resubmitted THEN 1 ELSE 0 END) "
           "FROM submissions s WHERE true GROUP BY 1, 2, 3"),
    Rollup("review_label_days", ("project_id", "day", "label"), tuple(name for name, _e in DECISIONS),
           (*_both("reviews", _REVIEWED_LABELS), *_both("submitted_labels", _LABELS_REVIEWED)),
           "SELECT sl.project_id, {day:r.at}, sl.label, {decisions:r} FROM reviews r JOIN submitted_labels sl "
           "ON sl.task_id = r.task_id WHERE true GROUP BY 1, 2, 3"),
    Rollup("review_annotator_days", ("project_id", "day", "assignee"), tuple(name for name, _e in DECISIONS),
           (*_both("reviews", _REVIEWED_TASK), Trigger("tasks", "UPDATE OF assignee_id", _TASK_REVIEWS, "OLD"),
            Trigger("tasks", "UPDATE OF assignee_id", _TASK_REVIEWS, "NEW")),
           "SELECT t.project_id, {day:r.at}, coalesce(t.assignee_id, 0), {decisions:r} FROM reviews r JOIN tasks t "
           "ON t.id = r.task_id WHERE true GROUP BY 1, 2, 3"),
    Rollup("active_days", ("project_id", "day", "username", "prev_day"), ("seconds", "pieces"),
           (*_both("task_time", _ACTIVE), Trigger("task_time", "UPDATE OF prev_started", _ACTIVE, "OLD"),
            Trigger("task_time", "UPDATE OF prev_started", _ACTIVE, "NEW")),
           "SELECT t.project_id, {day:t.started}, t.username, coalesce({day:t.prev_started}, -1), sum(t.seconds), "
           "count(*) FROM task_time t WHERE true GROUP BY 1, 2, 3, 4"),
    Rollup("task_time_pairs", ("project_id", "task_id", "username"), ("seconds",),
           _both("task_time", "SELECT {row}.project_id, {row}.task_id, {row}.username, {sign}{row}.seconds, "
                 "{row}.started, {row}.started WHERE true"),
           "SELECT t.project_id, t.task_id, t.username, sum(t.seconds), min(t.started), max(t.started) "
           "FROM task_time t WHERE true GROUP BY 1, 2, 3", (("first_started", "min"), ("last_started", "max"))),
)


def _render(template: str, dialect: str, row: str = "", sign: str = "") -> str:
    """Fill a template's {row}, {sign}, {day:column}, {decisions:alias} (counts over rows) and {decision:alias}
    (of one row)."""
    out = template.replace("{row}", row).replace("{sign}", sign)
    while (start := out.find("{d")) >= 0:
        end = out.index("}", start)
        kind, arg = out[start + 1:end].split(":", 1)
        filled = day_sql(arg, dialect) if kind == "day" else decision_sums(arg, sign, kind == "decisions")
        out = out[:start] + filled + out[end + 1:]
    return out


def _name(rollup: Rollup, trigger: Trigger) -> str:
    return f"rollup_{rollup.table}_{trigger.table}_{trigger.suffix}"


def _existing(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return {row[0] for row in conn.execute(sa.text(sql))}


def _drop(conn: Connection, name: str, table: str) -> None:
    conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}" + ("" if conn.dialect.name == "sqlite" else f" ON {table}")))


def _create(conn: Connection, name: str, table: str, event: str, statements: str) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {statements}; END"))
        return
    conn.execute(sa.text(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                         f"BEGIN {statements}; RETURN NULL; END $$"))
    conn.execute(sa.text(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"))


def _install_chain(conn: Connection, have: set[str]) -> None:
    """The chain's triggers (CHAIN); missing any, every piece's prev_started is set afresh first."""
    names = [f"rollup_chain_task_time_{event.lower()}" for event, _sql in CHAIN]
    if all(n in have for n in names):
        return
    for name in names:
        _drop(conn, name, "task_time")
    conn.execute(sa.text(CHAIN_BACKFILL))
    for name, (event, statements) in zip(names, CHAIN, strict=True):
        _create(conn, name, "task_time", event, statements)


def install(conn: Connection) -> None:
    """Give the chain and every roll-up their triggers; one that lacked any is refilled from all its facts first
    (module doc)."""
    dialect, have = conn.dialect.name, _existing(conn)
    _install_chain(conn, have)
    for rollup in ROLLUPS:
        names = [_name(rollup, t) for t in rollup.triggers]
        if all(n in have for n in names):
            continue
        for name, trigger in zip(names, rollup.triggers, strict=True):
            _drop(conn, name, trigger.table)
        conn.execute(sa.text(f"DELETE FROM {rollup.table}"))
        columns = rollup.keys + rollup.values + tuple(c for c, _how in rollup.spans)
        conn.execute(sa.text(f"INSERT INTO {rollup.table} ({', '.join(columns)}) " + _render(rollup.backfill, dialect)))
        for name, trigger in zip(names, rollup.triggers, strict=True):
            sign = "-" if trigger.reads == "OLD" else ""
            select = _render(trigger.select, dialect, trigger.reads, sign)
            _create(conn, name, trigger.table, trigger.event, rollup.upsert(select, dialect))
