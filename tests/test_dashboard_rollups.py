"""The dashboard's per-day roll-ups (sync/server/rollups.py) on a generated store, SQLite and PostgreSQL: every chart
over windows with and without whole days, their edges and offsets, answers exactly as the facts alone give; late
facts for days already rolled up, a task's new labels and an upgraded store (facts from before the roll-ups) too."""

import time
from dataclasses import replace

import pytest
import sqlalchemy as sa

from sync.server import dashboard, db, rollups
from tests.benchmarks.bench_dashboard import generate
from tests.server_fixtures import fast_config

DAY = 86400
NOW = float((int(time.time()) // DAY) * DAY + 13 * 3600 + 0.25)  # 13:00:00.25 UTC today
SEEDED = {"users", "projects", "media", "tasks", "submissions", "submitted_labels", "submitted_models", "reviews",
          "task_time", "corrections", "conflicts", "lots", "replicas"}


@pytest.fixture
def store(tmp_path, store_url):
    opened = db.Store(fast_config(tmp_path / "server", db_url=store_url))
    yield opened
    opened.close()


def seed(store):
    """The benchmark's generated 100 days of work (1,000 tasks, 20 annotators), inserted row by row so the
    roll-ups' triggers see every fact."""
    with store.write() as conn:
        for table, columns, rows in generate(0.001, NOW):
            if table in SEEDED and table in db.metadata.tables:
                conn.execute(db.metadata.tables[table].insert(), [dict(zip(columns, r, strict=True)) for r in rows])
    if store.engine.dialect.name == "postgresql":
        with store.write() as conn:
            for table in ("users", "projects", "tasks"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")


def windows(dialect):
    """(since, until, bucket, utc offset minutes): the page's windows, exact midnights, a second either side of
    them, windows of one whole day or none, offsets whose days are not UTC days."""
    today = NOW - 13 * 3600 - 0.25
    out = [(NOW - DAY, NOW, "hour", 0), (NOW - 7 * DAY, NOW, "day", 0), (NOW - 30 * DAY, NOW, "day", 0),
           (NOW - 99 * DAY, NOW, "day", 0), (today - 30 * DAY, today, "day", 0),
           (today - 30 * DAY - 1, today + 1, "day", 0), (today - 30 * DAY + 0.5, today - 0.5, "day", 0),
           (today - 2 * DAY, today - DAY, "hour", 0), (today - 2 * DAY + 1, today - 1, "hour", 0),
           (today - 3 * DAY - 7, today - DAY + 7, "hour", 0), (NOW - 30 * DAY, NOW, "day", 60),
           (NOW - 30 * DAY, NOW, "day", -330), (NOW - 30 * DAY, NOW, "day", 1440)]
    return [dashboard.Query(1, s, u, b, off, 5, dialect) for s, u, b, off in out]


def assert_same(store):
    """Every chart of every window equals, with roll-ups, the answer from the facts alone (also with every row,
    as the CSV asks); the long windows do read whole days. A chart's JSON, whose query may fold series in SQL,
    equals its shape made from every row."""
    with store.read() as conn:
        for q in windows(conn.dialect.name):
            for full in (False, True):
                asked = replace(q, full=full)
                rolled = dashboard.figures(conn, asked)["charts"]
                raw = dashboard.figures(conn, replace(asked, rollups=False))["charts"]
                for got, want in zip(rolled, raw, strict=True):
                    assert got == want, (got["name"], q)
            for chart in dashboard.CHARTS:
                whole = chart.shape(chart.query(conn, replace(q, full=True)), q)
                if whole["kind"] != "table":  # a table shows its first rows only
                    shown = dashboard.chart_json(conn, chart, q)
                    assert shown == {"name": chart.name, "title": chart.title, **whole}, (chart.name, q)
        assert rollups.span(NOW - 30 * DAY, NOW) is not None


def counts(store):
    """The facts' totals and their roll-ups' totals."""
    with store.read() as conn:
        one = conn.execute(sa.text("""SELECT
            (SELECT count(*) FROM submissions), (SELECT sum(submitted) FROM submission_days),
            (SELECT count(*) FROM reviews r JOIN submitted_labels sl ON sl.task_id = r.task_id),
            (SELECT sum(reviewed) FROM review_label_days),
            (SELECT count(*) FROM task_time), (SELECT sum(pieces) FROM active_days),
            (SELECT count(DISTINCT task_id || ':' || username) FROM task_time), (SELECT count(*) FROM task_time_pairs
             WHERE seconds > 0)""")).one()
    return list(one)


def test_rollups_answer_as_the_facts_do(store, monkeypatch):
    seed(store)
    totals = counts(store)
    assert totals[0] > 1000 and totals[2] > 100
    assert totals[0::2] == totals[1::2]
    assert_same(store)
    monkeypatch.setattr(dashboard, "_PAIR_PAGE", 2)  # the longest tasks read over many pages of pairs
    assert_same(store)


def add_pieces_around_the_window(store):
    """Users' pieces of time on one task either side of the 30-day window's start and its first whole days, pushed
    out of order, one deleted: a whole day's piece after one inside the window's first part day (ann0001), after one
    two days before the first whole day (ann0002), long before it (ann0003), and after two pieces started at the
    same second before the window (ann0004); the chain links each user's pieces in order."""
    since, today = NOW - 30 * DAY, NOW - 13 * 3600 - 0.25
    pieces = {"p3": ("ann0001", today - 25 * DAY), "p1": ("ann0001", since + 50), "q1": ("ann0002", today - 29 * DAY),
              "p0": ("ann0001", since - 50), "p4": ("ann0001", today - 27 * DAY), "r1": ("ann0003", today - 28 * DAY),
              "s1": ("ann0004", since - 50), "p2": ("ann0001", today - 29 * DAY + 10), "s0": ("ann0004", since - 50),
              "q0": ("ann0002", today - 31 * DAY + 5), "r0": ("ann0003", today - 40 * DAY),
              "s2": ("ann0004", today - 29 * DAY + 30)}
    with store.write() as conn:
        for n, (uid, (user, started)) in enumerate(pieces.items()):
            conn.execute(db.task_time.insert().values(task_id=7, username=user, seconds=10.0 + n, started=started,
                                                      ended=started + 20, uid=uid, at=NOW, project_id=1))
        conn.execute(db.task_time.delete().where(db.task_time.c.uid == "p4"))
    with store.read() as conn:
        chain = conn.execute(sa.text("SELECT uid, prev_started FROM task_time WHERE task_id = 7 AND uid IN :uids "
                                     "ORDER BY username, started, id").bindparams(
                                         sa.bindparam("uids", list(pieces), expanding=True))).all()
    after = {"p0": None, "p1": "p0", "p2": "p1", "p3": "p2", "q0": None, "q1": "q0", "r0": None, "r1": "r0",
             "s1": None, "s0": "s1", "s2": "s0"}
    assert chain == [(uid, pieces[prev][1] if prev else None) for uid, prev in after.items()]


def test_late_facts_and_new_labels_reach_their_days(store):
    """An offline client's work pushed days later lands in its own (rolled-up) day; a task submitted again with
    other labels moves its reviews to them; a task given to another annotator (or to none) moves its reviews to
    them; a fact deleted leaves its day."""
    seed(store)
    day_ago = NOW - 20 * DAY + 5
    with store.write() as conn:
        conn.execute(db.submissions.insert().values(project_id=1, task_id=3, username="ann0001", at=day_ago,
                                                    resubmitted=True))
        conn.execute(db.task_time.insert().values(task_id=3, username="ann0001", seconds=41.5, started=day_ago,
                                                  ended=day_ago + 60, uid="late-piece", at=NOW, project_id=1))
        reviewed = conn.execute(sa.text("SELECT r.task_id FROM reviews r JOIN submitted_labels sl "
                                        "ON sl.task_id = r.task_id WHERE r.at < :t LIMIT 1"), {"t": NOW - 10 * DAY})
        task = reviewed.scalar_one()
        conn.execute(db.reviews.insert().values(task_id=task, decision="reject", reviewer="lead1", at=day_ago,
                                                fixed=False, reason="lot 4 rejected: 3 defects"))
        sl = db.submitted_labels
        conn.execute(sl.delete().where(sl.c.task_id == task))
        conn.execute(sl.insert(), [{"task_id": task, "label": name, "shapes": 1, "project_id": 1}
                                   for name in ("label19", "brand-new")])
        conn.execute(db.submissions.delete().where(db.submissions.c.id == 1))
        reviewed_tasks = conn.execute(sa.text("SELECT DISTINCT task_id FROM reviews ORDER BY 1 LIMIT 2")).scalars()
        moved, unassigned = list(reviewed_tasks)
        someone = conn.execute(sa.text("SELECT id FROM users WHERE name = 'ann0002'")).scalar_one()
        conn.execute(db.tasks.update().where(db.tasks.c.id == moved).values(assignee_id=someone))
        conn.execute(db.tasks.update().where(db.tasks.c.id == unassigned).values(assignee_id=None))
    add_pieces_around_the_window(store)
    totals = counts(store)
    assert totals[0::2] == totals[1::2]
    with store.read() as conn:
        labels = dashboard.BY_NAME["reviews_by_label"].query(
            conn, dashboard.Query(1, NOW - 30 * DAY, NOW, "day", dialect=conn.dialect.name))
    assert {"label": "brand-new", "reviewed": 1, "accepted": 0, "fixed": 0, "rejected": 0, "returned": 1} in labels
    assert_same(store)


def test_an_older_store_is_rolled_up_when_upgraded(store, tmp_path, store_url):
    """A store whose facts were written before the roll-ups and the chain of pieces existed: the upgrade adds the
    column and fills both from the facts."""
    with store.write() as conn:
        if conn.dialect.name == "sqlite":
            names = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
            for name in list(names):
                conn.execute(sa.text(f"DROP TRIGGER {name}"))
        else:
            names = conn.execute(sa.text("SELECT proname FROM pg_proc WHERE proname LIKE 'rollup_%'")).scalars()
            for name in list(names):
                conn.execute(sa.text(f"DROP FUNCTION {name}() CASCADE"))
        for rollup in rollups.ROLLUPS:
            conn.execute(sa.text(f"DROP TABLE {rollup.table}"))
        conn.execute(sa.text("DROP INDEX ix_task_time_prev"))
        conn.execute(sa.text("ALTER TABLE task_time DROP COLUMN prev_started"))
    seed(store)
    store.close()
    upgraded = db.Store(fast_config(tmp_path / "server", db_url=store_url))
    try:
        totals = counts(upgraded)
        assert totals[0] > 1000 and totals[0::2] == totals[1::2]
        assert_same(upgraded)
    finally:
        upgraded.close()
