"""The dashboard over HTTP: its figures as JSON and CSV, for leads, admins and the project's dashboard tokens; and the
web page for managers and wall screens, which polls the JSON with the token it finds in its address's #fragment.

    GET /api/v1/projects/{id}/dashboard?since=&until=&bucket=hour|day&top=&charts=a,b   (dashboard.py)
    GET /api/v1/projects/{id}/dashboard.csv?chart=NAME
    GET /dashboard/{id}                       the page (dashboard_web/: HTML, one script, one style sheet)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse

from sync.server import dashboard, dashboard_tokens, service
from sync.server.deps import Ctx, IntId, caller
from sync.server.errors import ApiError, forbidden, not_found

router = APIRouter(prefix="/projects")
pages = APIRouter()
WEB = Path(__file__).with_name("dashboard_web")
ASSETS = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
_PAGE_HEADERS = {
    # the page's own script and style only, its JSON from this server only, no framing, no referrer
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache",
}


def reader(project_id: IntId, request: Request, ctx: Ctx) -> str:
    """Who reads this project's dashboard: a lead or admin by name, or "dashboard token"; 403 for annotators and for
    a dashboard token of another project, 401 for an unknown one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token.startswith(dashboard_tokens.PREFIX):
        with ctx.store.read() as conn:
            project = dashboard_tokens.project_of(conn, token)
        if project is None:
            raise ApiError(401, "invalid_token", "this dashboard token is unknown or revoked",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if project != project_id:
            raise forbidden(f"this dashboard token reads project {project}'s dashboard only")
        return "dashboard token"
    principal = caller(request, ctx)
    if not principal.is_reviewer:
        raise forbidden(f"the dashboard is for leads and admins; you are {principal.role}")
    if not principal.leads(project_id):
        raise not_found("project", project_id)
    return principal.name


Reader = Annotated[str, Depends(reader)]
Since = Annotated[str | None, Query(max_length=40, description=(
    "start of the window: epoch seconds, ISO 8601, or -<n>h / -<n>d before `until`; default a day before it"))]
Until = Annotated[str | None, Query(max_length=40, description="end of the window (excluded); default now")]
Bucket = Annotated[Literal["hour", "day"] | None, Query(description="default: hours up to 2 days, else days")]
Offset = Annotated[int | None, Query(ge=-1440, le=1440, description=(
    "minutes east of UTC where days start; default the project's QA setting, else 0"))]


def _query(conn: Any, project_id: int, since: str | None, until: str | None, bucket: str | None,
           offset: int | None, top: int = dashboard.DEFAULT_TOP) -> dashboard.Query:
    service.get_project(conn, project_id)
    offset = dashboard.default_offset(conn, project_id) if offset is None else offset
    return dashboard.make_query(project_id, since, until, bucket, offset, top, conn.dialect.name)


@router.get("/{project_id}/dashboard")
def figures(project_id: IntId, who: Reader, ctx: Ctx, response: Response, since: Since = None, until: Until = None,
            bucket: Bucket = None, utc_offset_minutes: Offset = None,
            top: int = Query(dashboard.DEFAULT_TOP, ge=1, le=1000, description=(
                "series and categories shown one by one; the rest are summed as others")),
            charts: str | None = Query(None, max_length=500, description="comma-separated chart names; default all"),
            ) -> dict[str, Any]:
    """The dashboard's figures for a window: every chart of the registry (sync/server/dashboard.py)."""
    names = [n.strip() for n in charts.split(",") if n.strip()] if charts else None
    with ctx.store.read() as conn:
        q = _query(conn, project_id, since, until, bucket, utc_offset_minutes, top)
        answer = dashboard.figures(conn, q, names)
    response.headers["Cache-Control"] = "no-store"
    return answer


@router.get("/{project_id}/dashboard.csv", response_class=PlainTextResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "one chart's rows"}})
def figures_csv(project_id: IntId, who: Reader, ctx: Ctx, chart: str = Query(min_length=1, max_length=60),
                since: Since = None, until: Until = None, bucket: Bucket = None,
                utc_offset_minutes: Offset = None) -> PlainTextResponse:
    """One chart's records as CSV, every row (the JSON sums the smaller ones as others)."""
    with ctx.store.read() as conn:
        q = _query(conn, project_id, since, until, bucket, utc_offset_minutes)
        text = dashboard.csv_text(conn, q, chart)
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="project{project_id}-{dashboard.chart_for(chart).name}.csv"',
        "Cache-Control": "no-store"})


@pages.get("/dashboard/{project_id}", include_in_schema=False)
def page(project_id: IntId) -> FileResponse:
    """The web page; it holds no figures, so it needs no token (its script sends the one in the address)."""
    return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)


@pages.get("/dashboard/assets/{name}", include_in_schema=False)
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise ApiError(404, "not_found", f"no dashboard file {name[:60]!r}")
    return FileResponse(WEB / name, media_type=ASSETS[name] + "; charset=utf-8", headers=_PAGE_HEADERS)
