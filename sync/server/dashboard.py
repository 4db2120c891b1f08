"""The lead's dashboard: one registry of charts, each a SQL query over a time window and the JSON it turns into.

A chart is a row of CHARTS: its name, its title, the CSV columns, the query `(conn, Query) -> records` and the shape
`(records, Query) -> JSON`. The API (routes_dashboard.py), its CSV export, `annodesk server dashboard` and both views
(the web page in dashboard_web/, the app's Dashboard dock) read the same JSON; adding a chart is adding a row here.
A shape is one of four kinds, which both views draw without knowing the chart:

- timeseries: `buckets` (start of each hour or day, epoch seconds) and `series` [{name, values}], drawn stacked;
- bars: `categories` and `series` [{name, values}] per category, `scale` "count", "share" (stacked to 100 %; `good`
  names the series whose share is written beside each bar) or "percent" (values are fractions), and an optional
  `note` {name, values, unit} written at the end of each bar;
- matrix: `rows`, `columns` and `values` (rows x columns counts);
- table: `columns` and `rows`.

Every chart carries `total`, its headline figures. Series and categories past the largest `top` are summed into one
"others" entry in the JSON (the CSV has every row; a timeseries' query sums them in SQL already, as rows of series
None); dashboard_shapes.py makes the four kinds. The queries read only narrow tables and indexes (db.py's dashboard
tables, written by dashboard_facts.py), never the annotations' JSON; tests/benchmarks/bench_dashboard.py times them
at scale.
"""

from __future__ import annotations

import csv
import io
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import db, rollups
from sync.server.dashboard_facts import PRELABEL_STATES
from sync.server.dashboard_shapes import Records, bars, lots_shape, matrix, number, per_task, table, timeseries
from sync.server.errors import ApiError

BUCKETS = {"hour": 3600, "day": 86400}
MAX_BUCKETS = 1000
MAX_WINDOW_S = 400 * 86400
DEFAULT_TOP = 12


@dataclass(frozen=True)
class Query:
    """What every chart is asked for: a project, a window [since, until) and its buckets."""

    project_id: int
    since: float
    until: float
    bucket: str = "hour"
    utc_offset_minutes: int = 0  # where a day starts, as in the project's lots (qa utc_offset_minutes)
    top: int = DEFAULT_TOP
    dialect: str = "sqlite"
    full: bool = False  # the CSV: every row; else what the JSON shows (a table's first rows, a timeseries' top
    # series with the rest folded into rows of series None, dashboard_shapes.timeseries)
    rollups: bool = True  # read whole days from the roll-ups (rollups.py); False: every row from the facts

    @property
    def size(self) -> int:
        return BUCKETS[self.bucket]

    def params(self) -> dict[str, Any]:
        return {"project": self.project_id, "since": self.since, "until": self.until, "size": self.size,
                "offset": self.utc_offset_minutes * 60, "top": self.top}

    def start(self, at: float) -> float:
        """The start of the bucket that holds `at`."""
        offset = self.utc_offset_minutes * 60
        return float(math.floor((at + offset) / self.size) * self.size - offset)

    def buckets(self) -> list[float]:
        first, out = self.start(self.since), []
        while first < self.until:
            out.append(first)
            first += self.size
        return out

    def bucket_sql(self, column: str) -> str:
        """SQL for the start of the bucket of `column` (a float of epoch seconds, never negative)."""
        inner = f"({column} + :offset) / :size"
        whole = f"CAST({inner} AS INTEGER)" if self.dialect == "sqlite" else f"floor({inner})"
        return f"({whole} * :size - :offset)"


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    columns: tuple[str, ...]  # of its records, in CSV order
    query: Callable[[Connection, Query], Records]
    shape: Callable[[Records, Query], dict[str, Any]]
    needs: tuple[str, ...] = field(default=())  # tables it reads that another part of the server adds


def _rows(conn: Connection, sql: str, q: Query, **extra: Any) -> Records:
    """The rows as dicts, zipped from plain tuples: SQLAlchemy's row mappings cost ~3 us a row, most of a 30-day
    throughput query's 30,000 rows (docs/benchmarks.md)."""
    result = conn.execute(sa.text(sql), {**q.params(), **extra})
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def _windowed(q: Query, raw: str, leg: Callable[[str], str], column: str, days: str | None,
              outer: str) -> tuple[str, dict[str, Any]]:
    """The SQL and extra parameters of a chart over its window: `raw` (the facts of [:since, :until)) when the
    window holds no whole day, when the query asks for no roll-ups or when `days` is None (its buckets do not fall
    on UTC days); else `outer` over {legs}: `leg(where)` on the facts of the window's two edges and `days`, the
    roll-up's rows of the whole days (rollups.Span)."""
    span = rollups.span(q.since, q.until) if q.rollups and days else None
    if span is None:
        return raw, {}
    head, tail = rollups.edges(column, q.dialect)
    days_where = " WHERE d.project_id = :project AND d.day >= :first_day AND d.day < :end_day"
    return outer.format(legs=f"{leg(head)} UNION ALL {leg(tail)} UNION ALL {days}{days_where}"), span.params()


def _total(*columns: str) -> str:
    """Sums of whole counts from the legs of a roll-up query (PostgreSQL's sum of BIGINT is NUMERIC)."""
    return ", ".join(f"CAST(sum({c}) AS BIGINT) AS {c}" for c in columns)


def _series(q: Query, name: str, values: Sequence[str]) -> str:
    """A timeseries' query over {legs}, rows of (bucket, `name`, `values`): every (bucket, name) for the CSV; for
    the JSON the `top` names by the sum of the first value (then by name, as dashboard_shapes ranks them) and, per
    bucket, the rest summed into a row of `name` None whose `others` counts them. Folding in SQL saves fetching a
    row per name and bucket (30,000 for 1,000 annotators over 30 days; docs/benchmarks.md)."""
    first = values[0]
    if q.full:
        return f"""SELECT bucket, {name}, {_total(*values)} FROM ({{legs}}) x GROUP BY 1, 2 HAVING sum({first}) > 0
            ORDER BY 1, 2"""
    by_name = 'name COLLATE "C"' if q.dialect == "postgresql" else "name"  # code point order, as Python's
    return f"""WITH g AS ({{legs}}),
        named AS (SELECT {name} AS name, sum({first}) AS n FROM g GROUP BY {name} HAVING sum({first}) > 0),
        top AS (SELECT name FROM named ORDER BY n DESC, {by_name} LIMIT :top)
        SELECT g.bucket AS bucket, top.name AS {name}, {_total(*values)},
            (SELECT count(*) FROM named) - (SELECT count(*) FROM top) AS others
        FROM g LEFT JOIN top ON top.name = g.{name} GROUP BY 1, 2 ORDER BY 1, 2"""


# -- the queries -----------------------------------------------------------------------------------------------------

def q_throughput(conn: Connection, q: Query) -> Records:
    def leg(where: str) -> str:
        return f"""SELECT {q.bucket_sql('s.at')} AS bucket, s.username AS annotator, count(*) AS submitted,
                   sum(CASE WHEN s.resubmitted THEN 1 ELSE 0 END) AS resubmitted
            FROM submissions s WHERE s.project_id = :project AND {where} GROUP BY 1, 2"""
    on_days = q.bucket == "day" and q.utc_offset_minutes % 1440 == 0
    outer = _series(q, "annotator", ("submitted", "resubmitted"))
    sql, extra = _windowed(q, outer.format(legs=leg("s.at >= :since AND s.at < :until")), leg, "s.at", (
        "SELECT d.day * 86400, d.username, d.submitted, d.resubmitted FROM submission_days d"
        if on_days else None), outer)
    return _rows(conn, sql, q, **extra)


def q_active_time(conn: Connection, q: Query) -> Records:
    def leg(where: str) -> str:  # a piece starts a task for its user when the piece before it is not in the window
        return f"""SELECT tt.username AS annotator, count(*) AS pieces, sum(CASE WHEN tt.prev_started IS NULL OR
            tt.prev_started < :since THEN 1 ELSE 0 END) AS tasks, sum(tt.seconds) AS seconds
            FROM task_time tt WHERE tt.project_id = :project AND {where} GROUP BY tt.username"""
    # A whole day's piece whose previous piece is from the two days before the window's first whole day may have
    # that piece inside the window or not: active_days leaves them to this leg, which asks the facts.
    started, prev = rollups.day_sql("tt.started", q.dialect), rollups.day_sql("tt.prev_started", q.dialect)
    near = f"""SELECT tt.username, 0, count(*), 0 FROM task_time tt WHERE tt.project_id = :project
        AND tt.prev_started >= (:first_day - 2) * {rollups.DAY} - 1 AND tt.prev_started < :since
        AND {prev} >= :first_day - 2 AND {started} >= :first_day AND {started} < :end_day GROUP BY tt.username"""
    sql, extra = _windowed(q, """SELECT tt.username AS annotator, count(DISTINCT tt.task_id) AS tasks,
        sum(tt.seconds) AS seconds FROM task_time tt
        WHERE tt.project_id = :project AND tt.started >= :since AND tt.started < :until GROUP BY tt.username""",
        leg, "tt.started", "SELECT d.username, d.pieces, CASE WHEN d.prev_day < :first_day - 2 THEN d.pieces "
        "ELSE 0 END, d.seconds FROM active_days d", f"""SELECT annotator, {_total('tasks')}, sum(seconds) AS seconds
        FROM ({{legs}} UNION ALL {near}) x GROUP BY annotator HAVING sum(pieces) > 0""")
    rows = _rows(conn, sql + " ORDER BY 1", q, **extra)
    for r in rows:
        per_task(r)
    return rows


_PAIR_PAGE = 256


def q_task_time(conn: Connection, q: Query) -> Records:
    if q.full or not q.rollups or rollups.span(q.since, q.until) is None:
        pairs = _rows(conn, f"""SELECT tt.task_id AS task_id, tt.username AS annotator, sum(tt.seconds) AS seconds,
            count(*) AS pieces FROM task_time tt
            WHERE tt.project_id = :project AND tt.started >= :since AND tt.started < :until
            GROUP BY tt.task_id, tt.username ORDER BY 3 DESC, 1 DESC, 2 DESC{'' if q.full else ' LIMIT :top'}""", q)
    else:
        pairs = _longest_pairs(conn, q)
    names = _task_names(conn, [p["task_id"] for p in pairs])
    return [{"task_id": p["task_id"], "task": names[p["task_id"]], "annotator": p["annotator"],
             "seconds": p["seconds"], "pieces": p["pieces"]} for p in pairs]


def _rank(pair: dict[str, Any]) -> tuple[float, int, str]:
    """The longest tasks' order, as the facts' query sorts them: seconds, then the newest task and the last name."""
    return pair["seconds"], pair["task_id"], pair["annotator"]


def _longest_pairs(conn: Connection, q: Query) -> Records:
    """The window's `top` longest (task, user) pairs: task_time_pairs lists every pair whose pieces' span meets the
    window, by its all-time seconds, which a window's seconds never exceed; the pairs are read page by page and
    summed over the window until the next one's all-time seconds cannot reach the top (rollups.py)."""
    best: Records = []
    after: dict[str, Any] = {}  # the last pair read: the next page starts below it
    while True:
        page = [tuple(row) for row in conn.execute(sa.text(f"""SELECT seconds, task_id, username FROM task_time_pairs
            WHERE project_id = :project AND last_started >= :since AND first_started < :until
            {'AND (seconds, task_id, username) < (:s, :t, :u)' if after else ''}
            ORDER BY seconds DESC, task_id DESC, username DESC LIMIT {_PAIR_PAGE}"""), {**q.params(), **after})]
        reachable = [pair for pair in page if len(best) < q.top or pair > _rank(best[-1])]
        if reachable:
            best = sorted(best + _window_sums(conn, q, reachable), key=_rank, reverse=True)[:q.top]
        if len(page) < _PAIR_PAGE or len(reachable) < len(page):
            return best
        after = dict(zip("stu", page[-1], strict=True))


def _window_sums(conn: Connection, q: Query, pairs: Sequence[tuple[Any, ...]]) -> Records:
    """The window's seconds and pieces of these (seconds, task, user) pairs (those with pieces in it)."""
    wanted = {(task, user) for _s, task, user in pairs}
    sql = sa.text("""SELECT tt.task_id, tt.username, sum(tt.seconds), count(*) FROM task_time tt
        WHERE tt.task_id IN :tasks AND tt.started >= :since AND tt.started < :until GROUP BY tt.task_id, tt.username""")
    result = conn.execute(sql.bindparams(sa.bindparam("tasks", expanding=True)),
                          {**q.params(), "tasks": sorted({task for task, _user in wanted})})
    sums = [dict(zip(("task_id", "annotator", "seconds", "pieces"), row, strict=True)) for row in result]
    return [s for s in sums if (s["task_id"], s["annotator"]) in wanted]


def _task_names(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(sa.select(db.tasks.c.id, db.tasks.c.name).where(db.tasks.c.id.in_(ids)))
    return {task_id: name for task_id, name in rows}


_DECISIONS = rollups.decision_sums("r")
_REVIEW_COLUMNS = tuple(name for name, _expr in rollups.DECISIONS)


def q_reviews_by_annotator(conn: Connection, q: Query) -> Records:
    def leg(where: str) -> str:
        return f"""SELECT coalesce(u.name, '') AS annotator, {_DECISIONS}
            FROM reviews r JOIN tasks t ON t.id = r.task_id LEFT JOIN users u ON u.id = t.assignee_id
            WHERE t.project_id = :project AND {where} GROUP BY u.name"""
    sql, extra = _windowed(q, leg("r.at >= :since AND r.at < :until"), leg, "r.at",
                           f"SELECT coalesce(u.name, ''), {', '.join('d.' + c for c in _REVIEW_COLUMNS)} "
                           "FROM review_annotator_days d LEFT JOIN users u ON u.id = d.assignee",
                           f"SELECT annotator, {_total(*_REVIEW_COLUMNS)} FROM ({{legs}}) x GROUP BY annotator "
                           "HAVING sum(reviewed) > 0")
    return _rows(conn, sql + " ORDER BY 1", q, **extra)


def q_reviews_by_label(conn: Connection, q: Query) -> Records:
    def leg(where: str) -> str:
        return f"""SELECT sl.label AS label, {_DECISIONS}
            FROM reviews r JOIN submitted_labels sl ON sl.task_id = r.task_id
            WHERE sl.project_id = :project AND {where} GROUP BY sl.label"""
    sql, extra = _windowed(q, leg("r.at >= :since AND r.at < :until"), leg, "r.at",
                           f"SELECT d.label, {', '.join('d.' + c for c in _REVIEW_COLUMNS)} FROM review_label_days d",
                           f"SELECT label, {_total(*_REVIEW_COLUMNS)} FROM ({{legs}}) x GROUP BY label "
                           "HAVING sum(reviewed) > 0")
    return _rows(conn, sql + " ORDER BY 1", q, **extra)


def q_corrections(conn: Connection, q: Query) -> Records:
    """Reviewers' label changes (corrections) and annotators' label edits that lost to a reviewer's (conflicts);
    UNION drops the conflict a reviewer's later edit leaves beside its correction."""
    if q.dialect == "sqlite":
        lose, win = "json_extract(f.losing_value, '$')", "json_extract(f.winning_value, '$')"
        strings = "json_type(f.losing_value) = 'text' AND json_type(f.winning_value) = 'text'"
    else:
        lose, win = "(f.losing_value #>> '{}')", "(f.winning_value #>> '{}')"
        strings = "json_typeof(f.losing_value) = 'string' AND json_typeof(f.winning_value) = 'string'"
    return _rows(conn, f"""
        SELECT annotator, label_from, label_to, count(*) AS corrections FROM (
            SELECT c.annotation_id, c.annotator, c.label_from, c.label_to
            FROM corrections c JOIN tasks t ON t.id = c.task_id
            WHERE t.project_id = :project AND c.at >= :since AND c.at < :until
          UNION
            SELECT f.annotation_id, f.loser, {lose}, {win}
            FROM conflicts f JOIN tasks t ON t.id = f.task_id JOIN users w ON w.name = f.winner
                 JOIN users a ON a.name = f.loser
            WHERE f.field = 'label' AND f.at >= :since AND f.at < :until AND t.project_id = :project
                  AND w.role IN ('lead', 'admin') AND a.role = 'annotator' AND {strings} AND {lose} <> {win}
        ) x GROUP BY annotator, label_from, label_to ORDER BY 1, 2, 3""", q)


def q_lots(conn: Connection, q: Query) -> Records:
    """Every (bucket, source, status) for the CSV; for the JSON (bucket, status) with `sources`, the number of
    sources, on every row: one lot per annotator and day makes 30,000 rows over 30 days, not worth fetching."""
    where = """FROM lots l WHERE l.project_id = :project AND l.decided_at >= :since AND l.decided_at < :until
        AND l.status IN ('accepted', 'rejected')"""
    bucket = q.bucket_sql("l.decided_at")
    if q.full:
        return _rows(conn, f"""SELECT {bucket} AS bucket, l.source AS source, l.status AS status, count(*) AS lots
            {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""", q)
    return _rows(conn, f"""SELECT {bucket} AS bucket, l.status AS status, count(*) AS lots,
        (SELECT count(DISTINCT l.source) {where}) AS sources {where} GROUP BY 1, 2 ORDER BY 1, 2""", q)


def q_prelabels(conn: Connection, q: Query) -> Records:
    sums = ", ".join(f"sum(m.{s}) AS {s}" for s in PRELABEL_STATES)
    return _rows(conn, f"""
        SELECT m.model AS model, count(*) AS tasks, {sums}
        FROM submitted_models m WHERE m.project_id = :project AND m.at >= :since AND m.at < :until
        GROUP BY m.model ORDER BY 1""", q)


def _replica_scores(purpose: str) -> Callable[[Connection, Query], Records]:
    def query(conn: Connection, q: Query) -> Records:
        return _rows(conn, """
            SELECT r.annotator AS annotator, count(*) AS tasks, avg(r.score) AS score
            FROM replicas r WHERE r.project_id = :project AND r.purpose = :purpose AND r.score IS NOT NULL
                 AND r.submitted_at >= :since AND r.submitted_at < :until
            GROUP BY r.annotator ORDER BY 1""", q, purpose=purpose)
    return query


CHARTS: tuple[Chart, ...] = (
    Chart("throughput", "Tasks submitted per annotator", ("bucket", "annotator", "submitted", "resubmitted"),
          q_throughput, timeseries("annotator", "submitted", "tasks", ("submitted", "resubmitted"))),
    Chart("active_time", "Active time per annotator", ("annotator", "tasks", "seconds", "seconds_per_task"),
          q_active_time, bars("annotator", ("seconds",), "count", "seconds",
                              ("seconds_per_task", "per task", "seconds"), per_task)),
    Chart("task_time", "Longest tasks by active time", ("task_id", "task", "annotator", "seconds", "pieces"),
          q_task_time, table(("task_id", "task", "annotator", "seconds"), "seconds")),
    Chart("reviews_by_annotator", "Review decisions per annotator", ("annotator", *_REVIEW_COLUMNS),
          q_reviews_by_annotator, bars("annotator", _REVIEW_COLUMNS[1:], "share", "reviews",
                                       ("reviewed", "reviewed", "reviews"), good=("accepted", "fixed"))),
    Chart("reviews_by_label", "Review decisions per label", ("label", *_REVIEW_COLUMNS),
          q_reviews_by_label, bars("label", _REVIEW_COLUMNS[1:], "share", "reviews",
                                   ("reviewed", "reviewed", "reviews"), good=("accepted", "fixed"))),
    Chart("corrections", "Labels corrected into other labels", ("annotator", "label_from", "label_to",
                                                                "corrections"),
          q_corrections, matrix("label_from", "label_to", "corrections")),
    Chart("lots", "Lots accepted and rejected", ("bucket", "source", "status", "lots"), q_lots, lots_shape),
    Chart("prelabels", "Pre-label acceptance per model", ("model", "tasks", *PRELABEL_STATES), q_prelabels,
          bars("model", ("accepted", "edited", "rejected", "pending"), "share", "predictions",
               ("tasks", "tasks", "tasks"))),
    Chart("agreement", "Consensus agreement per annotator", ("annotator", "tasks", "score"),
          _replica_scores("consensus"), bars("annotator", ("score",), "percent", "agreement",
                                             ("tasks", "tasks", "tasks")), needs=("replicas",)),
    Chart("gold_accuracy", "Gold task accuracy per annotator", ("annotator", "tasks", "score"),
          _replica_scores("gold"), bars("annotator", ("score",), "percent", "accuracy",
                                        ("tasks", "tasks", "tasks")), needs=("replicas",)),
)
CHARTS = tuple(c for c in CHARTS if all(t in db.metadata.tables for t in c.needs))
BY_NAME = {c.name: c for c in CHARTS}


# -- the window and the answers --------------------------------------------------------------------------------------

_RELATIVE = re.compile(r"-?(\d{1,5})([hd])")


def parse_time(text: str, what: str, now: float) -> float:
    """Epoch seconds, an ISO 8601 date or time (UTC unless it names its offset), or -<n>h / -<n>d (the minus may
    be left out) before `now`."""
    text = text.strip()
    if m := _RELATIVE.fullmatch(text):
        return now - int(m.group(1)) * (3600 if m.group(2) == "h" else 86400)
    try:
        value = float(text)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ApiError(422, "bad_window", f"{what}: {text[:40]!r} is not epoch seconds, an ISO 8601 time or "
                           "-<n>h / -<n>d") from None
        value = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    if not math.isfinite(value) or not 0 <= value < 2**40:
        raise ApiError(422, "bad_window", f"{what} is out of range")
    return value


def make_query(project_id: int, since: str | None = None, until: str | None = None, bucket: str | None = None,
               utc_offset_minutes: int = 0, top: int = DEFAULT_TOP, dialect: str = "sqlite",
               now: float | None = None) -> Query:
    """The window asked for: `until` defaults to now, `since` to a day before it; the bucket to hours for windows
    of up to two days, else days. 422 for a window backwards, longer than 400 days or of more than 1,000 buckets."""
    now = time.time() if now is None else now
    end = parse_time(until, "until", now) if until else now
    start = parse_time(since, "since", end) if since else end - 86400
    if bucket is None:
        bucket = "hour" if end - start <= 2 * 86400 else "day"
    if bucket not in BUCKETS:
        raise ApiError(422, "bad_window", f"bucket is hour or day, not {bucket[:20]!r}")
    if not start < end or end - start > MAX_WINDOW_S:
        raise ApiError(422, "bad_window", "since must be before until, and the window at most 400 days")
    q = Query(project_id, start, end, bucket, utc_offset_minutes, top, dialect)
    if len(q.buckets()) > MAX_BUCKETS:
        raise ApiError(422, "bad_window", f"{len(q.buckets())} buckets of an {bucket}: at most {MAX_BUCKETS}; "
                       "ask for days")
    return q


def chart_json(conn: Connection, chart: Chart, q: Query) -> dict[str, Any]:
    return {"name": chart.name, "title": chart.title, **chart.shape(chart.query(conn, q), q)}


def figures(conn: Connection, q: Query, names: Sequence[str] | None = None) -> dict[str, Any]:
    """The dashboard's JSON: the window and every chart (or the ones named), in registry order."""
    p = db.projects
    project = conn.execute(sa.select(p.c.id, p.c.name).where(p.c.id == q.project_id)).mappings().one()
    chosen = [chart_for(n) for n in names] if names else list(CHARTS)
    return {"project": dict(project), "since": q.since, "until": q.until, "bucket": q.bucket,
            "utc_offset_minutes": q.utc_offset_minutes, "generated_at": time.time(),
            "charts": [chart_json(conn, c, q) for c in chosen]}


def chart_for(name: str) -> Chart:
    chart = BY_NAME.get(name)
    if chart is None:
        raise ApiError(422, "unknown_chart", f"no chart {name[:60]!r}; the charts are {', '.join(BY_NAME)}")
    return chart


def csv_text(conn: Connection, q: Query, name: str) -> str:
    """One chart's records as CSV (every row: no `top`, no limit); buckets as ISO 8601 times at the window's
    UTC offset."""
    chart = chart_for(name)
    records = chart.query(conn, replace(q, full=True))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(chart.columns)
    zone = timezone(timedelta(minutes=q.utc_offset_minutes))
    for r in records:
        writer.writerow([_csv_value(c, r[c], zone) for c in chart.columns])
    return out.getvalue()


def _csv_value(column: str, value: Any, zone: tzinfo) -> Any:
    if column == "bucket":
        return datetime.fromtimestamp(float(value), zone).isoformat(timespec="minutes")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):  # a name a spreadsheet would run as a formula
        return "'" + value
    return number(value)


def default_offset(conn: Connection, project_id: int) -> int:
    """The project's day boundary (its QA settings' utc_offset_minutes), 0 without settings."""
    qa = conn.execute(sa.select(db.projects.c.qa).where(db.projects.c.id == project_id)).scalar()
    offset = qa.get("utc_offset_minutes", 0) if isinstance(qa, dict) else 0
    return int(offset) if isinstance(offset, int) else 0
