"""The ASGI application: routes under /api/v1, body limits, errors as {"code", "detail"} JSON, and /metrics."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sync.server import (
    metrics,
    routes_admin,
    routes_audit,
    routes_auth,
    routes_dashboard,
    routes_guidelines,
    routes_lots,
    routes_media,
    routes_projects,
    routes_quality,
    routes_sync,
    routes_tasks,
    service,
)
from sync.server.config import ServerConfig
from sync.server.db import Store
from sync.server.deps import Context
from sync.server.errors import ApiError
from sync.server.limits import PREFIX, BodyLimits
from sync.server.media_store import media_for
from sync.server.security import Passwords, server_key

API_VERSION = "1"


def create_app(config: ServerConfig, store: Store | None = None) -> FastAPI:
    """Build the app; the first start creates the data folder, the database and the server key. A media store
    that cannot be used (a wrong bucket, an unreachable endpoint) fails here, by name (ApiError)."""
    store = store or Store(config)
    with store.write() as conn:
        server_key(conn)
    app = FastAPI(title="Annodesk server", version=API_VERSION, openapi_url="/openapi.json", docs_url=None,
                  redoc_url=None)
    app.state.ctx = Context(config, store, Passwords(config), media_for(config, store))
    for module in (routes_auth, routes_admin, routes_projects, routes_audit, routes_lots, routes_guidelines,
                   routes_dashboard, routes_quality, routes_tasks, routes_sync, routes_media):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(routes_dashboard.pages)  # /dashboard/{project_id}: the web page, outside the API
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(BodyLimits, config=config)
    metrics.install(app, store, config.metrics_token, service.STATUSES)  # last: its middleware is the outermost
    return app


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """Only location, message and type: echoing the input back could fail on undecodable bytes."""
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, Any]] = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()]
    where = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
    return JSONResponse({"code": "invalid_request", "detail": where, "errors": errors}, status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return JSONResponse({"code": codes.get(exc.status_code, "http_error"), "detail": str(exc.detail)},
                        status_code=exc.status_code, headers=getattr(exc, "headers", None))
