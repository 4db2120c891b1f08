"""Prometheus metrics at /metrics: requests and latencies per route template, pushed ops, task throughput per
project, and queue depths counted in the database at scrape time.

Served only when the server has a metrics token (docs/deploy.md, Monitoring); without one nothing here is installed
and nothing is counted. Each app has its own CollectorRegistry, so several apps in one process do not collide.
"""

from __future__ import annotations

import hmac
import re
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path

from sync.server import db
from sync.server.errors import ApiError
from sync.server.limits import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:  # FastAPI costs ~150 ms to import: service and push import this module, every CLI run imports them
    from fastapi import FastAPI

PATH = "/metrics"
THROUGHPUT = ("submitted", "accepted", "rejected")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PENDING = "annodesk_metrics_pending"  # key in Connection.info: counts waiting for their transaction to commit


class Metrics:
    """One app's registry and the instruments the middleware, push and service.set_status count into."""

    def __init__(self, store: db.Store, token: str, statuses: Sequence[str]) -> None:
        self.token = token.encode()
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("annodesk_http_requests", "HTTP requests by route template, method and status",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("annodesk_http_request_duration_seconds", "Time to answer an HTTP request",
                                 ["route", "method"], registry=r)
        self.push_ops = Counter("annodesk_push_ops", "Pushed ops by result (applied, merged, rejected)", ["result"],
                                registry=r)
        for result in ("applied", "merged", "rejected"):
            self.push_ops.labels(result)  # exported as 0 before the first push
        self.transitions = Counter("annodesk_task_transitions", "Tasks that reached submitted, accepted or rejected",
                                   ["project_id", "status"], registry=r)
        r.register(QueueDepths(store, statuses))

    def check(self, authorization: str) -> None:
        """401 without a bearer token, 403 for a wrong one (compared in constant time)."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthenticated", "send 'Authorization: Bearer <metrics token>'",
                           headers={"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(token.strip().encode(), self.token):
            raise ApiError(403, "forbidden", "wrong metrics token")


class QueueDepths(Collector):
    """`annodesk_tasks`: tasks per project and status, counted when scraped (always fresh, free between scrapes).
    Every known status is reported for a project, 0 included, so a series does not vanish when its queue empties."""

    def __init__(self, store: db.Store, statuses: Sequence[str]) -> None:
        self.store, self.statuses = store, tuple(statuses)

    def describe(self) -> Iterable[Metric]:
        return [self._family()]  # lets the registry check names without a query

    def collect(self) -> Iterable[Metric]:
        t = db.tasks
        with self.store.read() as conn:
            rows = conn.execute(sa.select(t.c.project_id, t.c.status, sa.func.count())
                                .group_by(t.c.project_id, t.c.status)).all()
        counts = {(int(p), str(s)): int(n) for p, s, n in rows}
        statuses = [*self.statuses, *sorted({s for _, s in counts} - set(self.statuses))]
        family = self._family()
        for project in sorted({p for p, _ in counts}):
            for status in statuses:
                family.add_metric([str(project), status], counts.get((project, status), 0))
        return [family]

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily("annodesk_tasks", "Tasks per project and status (queue depth), read at scrape time",
                                 labels=["project_id", "status"])


class RequestMetrics:
    """ASGI middleware: counts and times each request under its route template, never the raw path, so label
    values stay bounded whatever paths clients send. Recorded before the last body chunk goes out, so a client that
    has its answer sees it counted."""

    def __init__(self, app: ASGIApp, metrics: Metrics, api: FastAPI) -> None:
        self.app, self.metrics, self.api = app, metrics, api
        self._templates: list[tuple[re.Pattern[str], str]] | None = None

    def template(self, path: str) -> str:
        """The OpenAPI path that matches, /metrics, the spec's own path, or `unmatched` (a route left out of the spec
        counts there too)."""
        if self._templates is None:  # built on first use: every router is included by then
            paths = [*self.api.openapi()["paths"], PATH, self.api.openapi_url or "/openapi.json"]
            self._templates = [(compile_path(p)[0], p) for p in paths]
        return next((t for regex, t in self._templates if regex.match(path)), "unmatched")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status, done = time.perf_counter(), 500, False

        def record() -> None:
            nonlocal done
            done = True
            route, method = self.template(scope["path"]), scope["method"]
            method = method if method in _METHODS else "other"
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(time.perf_counter() - start)

        async def counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body") and not done:
                record()
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            if not done:  # an error before the answer (500) or a client that went away
                record()


def scrape(request: Request) -> Response:
    """The exposition text; a sync route, so the queue-depth query runs off the event loop."""
    metrics: Metrics = request.app.state.metrics
    metrics.check(request.headers.get("authorization", ""))
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


_BY_ENGINE: weakref.WeakKeyDictionary[sa.Engine, Metrics] = weakref.WeakKeyDictionary()


def install(app: FastAPI, store: db.Store, token: str | None, statuses: Sequence[str]) -> None:
    """With a token: the route, the outermost middleware (so 413s and 404s count too) and the commit hooks."""
    if not token:
        return
    metrics = Metrics(store, token, statuses)
    app.state.metrics = metrics
    app.add_api_route(PATH, scrape, methods=["GET"], include_in_schema=False)
    app.add_middleware(RequestMetrics, metrics=metrics, api=app)
    _BY_ENGINE[store.engine] = metrics
    for event, hook in (("begin", _begun), ("commit", _committed)):
        if not sa.event.contains(store.engine, event, hook):
            sa.event.listen(store.engine, event, hook)


def count_task_status(conn: sa.Connection, project_id: int, status: str) -> None:
    """service.set_status: a task reached `status`; counted when the transaction commits."""
    metrics = _BY_ENGINE.get(conn.engine)
    if metrics is not None and status in THROUGHPUT:
        _on_commit(conn, metrics.transitions.labels(str(project_id), status), 1)


def count_push_ops(conn: sa.Connection, counts: Mapping[str, int]) -> None:
    """push.apply_push: the batch's ops by result; counted when the transaction commits (a resend is not)."""
    metrics = _BY_ENGINE.get(conn.engine)
    if metrics is not None:
        for result, n in counts.items():
            if n:
                _on_commit(conn, metrics.push_ops.labels(result), n)


def _on_commit(conn: sa.Connection, child: Counter, amount: float) -> None:
    conn.info.setdefault(_PENDING, []).append((child, amount))


def _begun(conn: sa.Connection) -> None:
    conn.info.pop(_PENDING, None)  # left by a transaction that rolled back


def _committed(conn: sa.Connection) -> None:
    for child, amount in conn.info.pop(_PENDING, ()):
        child.inc(amount)
