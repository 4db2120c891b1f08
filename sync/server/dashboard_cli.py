"""`annodesk server dashboard PROJECT`: the dashboard's figures straight from the database (like the other server
commands, no running server needed): a summary, `--json` (the API's answer), `--csv CHART` (the API's CSV), and the
read-only tokens of wall screens (`--token [NAME]`, `--tokens`, `--revoke REF`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sync.server import dashboard, dashboard_tokens


def add_command(sub: Any, where: argparse.ArgumentParser,
                guarded: Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]) -> None:
    s = sub.add_parser("dashboard", help="a project's dashboard figures (summary, JSON or one chart as CSV), and "
                       "the read-only tokens of its web page", parents=[where])
    s.add_argument("project", help="project name or id")
    s.add_argument("--since", help="start: epoch seconds, ISO 8601, or <n>h / <n>d before the end (default 24h)")
    s.add_argument("--until", help="end (default now)")
    s.add_argument("--bucket", choices=tuple(dashboard.BUCKETS), help="default: hours up to 2 days, else days")
    s.add_argument("--utc-offset", type=int, metavar="MINUTES", help="where days start (default the project's)")
    s.add_argument("--top", type=int, default=dashboard.DEFAULT_TOP, help="rows shown per chart (summary, JSON)")
    out = s.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the figures as the API does")
    out.add_argument("--csv", metavar="CHART", help=f"print one chart's rows as CSV: {', '.join(dashboard.BY_NAME)}")
    out.add_argument("--token", nargs="?", const="dashboard", metavar="NAME", help="make a read-only token for the "
                     "project's dashboard page (shown once; only its hash is kept)")
    out.add_argument("--tokens", action="store_true", help="list the project's dashboard tokens")
    out.add_argument("--revoke", metavar="REF", help="revoke a dashboard token (its ref from --tokens)")
    s.add_argument("--url", default="http://127.0.0.1:8700", help="the server's address, for the page's link")
    s.set_defaults(func=guarded(cmd_dashboard))


def cmd_dashboard(args: argparse.Namespace) -> int:
    from sync.server import cli  # its store and project helpers; cli imports this module

    store = cli.db.Store(cli.config_from(args))
    if args.token is not None or args.revoke:
        with store.write() as conn:
            project_id = cli._project_id(conn, args.project)
            if args.revoke:
                dashboard_tokens.revoke(conn, cli.ACTOR, project_id, args.revoke)
                print(f"dashboard token {args.revoke} revoked")
                return 0
            token = dashboard_tokens.create(conn, cli.ACTOR, project_id, args.token)
        print(f"dashboard token {args.token!r} for project {args.project} (shown once; it reads this project's "
              f"dashboard and nothing else):\n  {token}\nopen  {args.url.rstrip('/')}/dashboard/{project_id}"
              f"#token={token}")
        return 0
    with store.read() as conn:
        project_id = cli._project_id(conn, args.project)
        if args.tokens:
            for t in dashboard_tokens.listed(conn, project_id):
                state = f"revoked {_when(t['revoked_at'], 0)}" if t["revoked_at"] else "live"
                print(f"{t['ref']}  {t['name']}  by {t['created_by']}  {_when(t['created_at'], 0)}  {state}")
            return 0
        offset = dashboard.default_offset(conn, project_id) if args.utc_offset is None else args.utc_offset
        q = dashboard.make_query(project_id, args.since, args.until, args.bucket, offset, max(1, args.top),
                                 conn.dialect.name)
        if args.csv:
            print(dashboard.csv_text(conn, q, args.csv), end="")
            return 0
        answer = dashboard.figures(conn, q)
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    print("\n".join(summary(answer)))
    return 0


def summary(answer: dict[str, Any]) -> list[str]:
    """The figures as text: the window, then per chart its totals and its largest entries."""
    offset = answer["utc_offset_minutes"]
    lines = [f"project {answer['project']['name']} ({answer['project']['id']}): {_when(answer['since'], offset)} to "
             f"{_when(answer['until'], offset)}, by {answer['bucket']}"]
    for chart in answer["charts"]:
        totals = " · ".join(f"{k.replace('_', ' ')} {_figure(k, v)}" for k, v in chart["total"].items())
        lines.append(f"{chart['title']}: {totals}")
        kind = chart["kind"]
        if kind == "timeseries":
            parts = [f"{s['name']} {_figure(chart['unit'], sum(s['values']))}" for s in chart["series"]]
        elif kind == "bars":
            parts = [f"{name} " + "/".join(f"{_figure(chart['unit'], s['values'][i])}" for s in chart["series"])
                     for i, name in enumerate(chart["categories"])]
            if chart["series"] and len(chart["series"]) > 1:
                lines.append("  (" + "/".join(s["name"] for s in chart["series"]) + ")")
        elif kind == "matrix":
            parts = [f"{row} -> {col} {chart['values'][i][j]}" for i, row in enumerate(chart["rows"])
                     for j, col in enumerate(chart["columns"]) if chart["values"][i][j]]
        else:
            parts = [" ".join(str(_figure(c, v)) for c, v in zip(chart["columns"], row, strict=True))
                     for row in chart["rows"]]
        if parts:
            lines.append("  " + ", ".join(parts))
    return lines


def _figure(key: str, value: Any) -> Any:
    if "seconds" in key and isinstance(value, int | float):
        return f"{value / 3600:.1f} h" if value >= 3600 else f"{value / 60:.1f} min" if value >= 60 else f"{value} s"
    if key in ("score", "agreement", "accuracy") and isinstance(value, float):
        return f"{value * 100:.1f} %"
    return value


def _when(at: float, offset_minutes: int) -> str:
    zone = UTC if not offset_minutes else timezone(timedelta(minutes=offset_minutes))
    return datetime.fromtimestamp(at, zone).isoformat(timespec="minutes")
